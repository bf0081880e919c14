// std::visit over a variant with one lambda per alternative.
#pragma once

namespace hotcc {

template <typename... Fs> struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs> Overloaded(Fs...) -> Overloaded<Fs...>;

} // namespace hotcc
