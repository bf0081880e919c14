// Success or a typed Failure (see outcome.hpp), for the parts of hotcc that do not speak llvm::Error.
#pragma once
#include "hotcc/outcome.hpp"

#include <optional>
#include <utility>
#include <variant>

namespace hotcc {

class Status {
public:
  static Status ok() { return Status(); }
  static Status fail(Failure failure) { return Status(std::move(failure)); }

  explicit operator bool() const { return !failure_; }
  // Only when !*this.
  const Failure &failure() const { return *failure_; }

private:
  Status() = default;
  explicit Status(Failure f) : failure_(std::move(f)) {}
  std::optional<Failure> failure_;
};

// A value or why there is none.
template <typename T> class Result {
public:
  Result(T value) : state_(std::move(value)) {}
  Result(Failure failure) : state_(std::move(failure)) {}
  template <typename Kind>
    requires std::is_constructible_v<Failure, Kind>
  Result(Kind kind) : state_(Failure(std::move(kind))) {}

  explicit operator bool() const { return state_.index() == 0; }
  T &operator*() { return std::get<0>(state_); }
  const T &operator*() const { return std::get<0>(state_); }
  T *operator->() { return &std::get<0>(state_); }
  const T *operator->() const { return &std::get<0>(state_); }
  // Only when !*this.
  const Failure &failure() const { return std::get<1>(state_); }

private:
  std::variant<T, Failure> state_;
};

} // namespace hotcc
