// Included by every REPL session (it is part of the session's precompiled header): how a value
// reads. A cell that prints an expression E is compiled as
//     hotcc_repl::capture(sink) , (E);
// The comma operator below takes E's value when E has one; for a void E the built-in comma applies
// and nothing is captured. The REPL adds the type, which Clang spells for it: "(int) 42".
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <charconv>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace hotcc_repl {

struct Sink {
  std::string text;         // the value as the REPL shows it
  bool captured = false;    // false: the expression was void
  bool byAddress = false;   // shown as @0x...: the REPL adds " &" for an lvalue
};

struct Capture {
  Sink *sink;
  explicit Capture(void *s) : sink(static_cast<Sink *>(s)) {}
};

inline Capture capture(void *sink) { return Capture(sink); }

// Defined in the host (hotcc's runtime), compiled once: a cell printing a number or a string
// makes one call instead of instantiating the printer templates in every compile.
void putBool(Sink *sink, bool value);
void putChar(Sink *sink, char value);
void putSigned(Sink *sink, long long value);
void putUnsigned(Sink *sink, unsigned long long value);
void putFloat(Sink *sink, float value);
void putDouble(Sink *sink, double value);
void putLongDouble(Sink *sink, long double value);
void putCString(Sink *sink, const char *value);
void putString(Sink *sink, const char *data, std::size_t size);
void putPointer(Sink *sink, const volatile void *value);
void putObject(Sink *sink, const volatile void *address);  // "@0x...", shown by address

namespace detail {

template <typename T, typename = void> struct Streamable : std::false_type {};
template <typename T>
struct Streamable<T, std::void_t<decltype(std::declval<std::ostream &>() << std::declval<const T &>())>>
    : std::true_type {};

template <typename T, typename = void> struct Iterable : std::false_type {};
template <typename T>
struct Iterable<T, std::void_t<decltype(std::begin(std::declval<const T &>())),
                               decltype(std::end(std::declval<const T &>()))>> : std::true_type {};

template <typename T, typename = void> struct Mapping : std::false_type {};
template <typename T>
struct Mapping<T, std::void_t<typename T::key_type, typename T::mapped_type>> : std::true_type {};

template <typename T> struct IsPair : std::false_type {};
template <typename A, typename B> struct IsPair<std::pair<A, B>> : std::true_type {};
template <typename T> struct IsTuple : std::false_type {};
template <typename... A> struct IsTuple<std::tuple<A...>> : std::true_type {};
template <typename T> struct IsOptional : std::false_type {};
template <typename A> struct IsOptional<std::optional<A>> : std::true_type {};

template <typename T> struct IsString : std::false_type {};
template <typename Tr, typename A> struct IsString<std::basic_string<char, Tr, A>> : std::true_type {};
template <typename Tr> struct IsString<std::basic_string_view<char, Tr>> : std::true_type {};

inline void quoteChar(std::string &out, char c, char quote) {
  switch (c) {
  case '\n': out += "\\n"; return;
  case '\t': out += "\\t"; return;
  case '\r': out += "\\r"; return;
  case '\0': out += "\\0"; return;
  case '\\': out += "\\\\"; return;
  default:
    if (c == quote) {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
}

inline std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text)
    quoteChar(out, c, '"');
  return out + "\"";
}

inline std::string address(const volatile void *p) {
  if (!p)
    return "nullptr";
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx",
                static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(p)));
  return buf;
}

template <typename F> std::string floating(F value, const char *suffix) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  std::string out(buf, result.ptr);
  // 2.0 rather than 2, so it does not read as an integer.
  if (out.find_first_of(".eninf") == std::string::npos)
    out += ".0";
  return out + suffix;
}

template <typename T> std::string show(const T &value, bool &byAddress);

template <typename T> std::string element(const T &value) {
  bool byAddress = false;
  return show(value, byAddress);
}

template <typename Tuple, std::size_t... I>
std::string tupleText(const Tuple &t, std::index_sequence<I...>) {
  std::string out = "{";
  ((out += (I == 0 ? " " : ", ") + element(std::get<I>(t))), ...);
  return out + (sizeof...(I) ? " }" : "}");
}

template <typename T> std::string show(const T &value, bool &byAddress) {
  using U = std::remove_cv_t<T>;
  constexpr std::size_t kMaxElements = 100;
  if constexpr (std::is_same_v<U, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<U, char> || std::is_same_v<U, signed char> ||
                       std::is_same_v<U, unsigned char>) {
    std::string out = "'";
    quoteChar(out, static_cast<char>(value), '\'');
    return out + "'";
  } else if constexpr (std::is_integral_v<U>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<U, float>) {
    return floating(value, "f");
  } else if constexpr (std::is_same_v<U, double>) {
    return floating(value, "");
  } else if constexpr (std::is_same_v<U, long double>) {
    return floating(value, "L");
  } else if constexpr (std::is_null_pointer_v<U>) {
    return "nullptr";
  } else if constexpr (std::is_same_v<U, const char *> || std::is_same_v<U, char *>) {
    return value ? quoted(value) : "nullptr";
  } else if constexpr (std::is_pointer_v<U>) {
    if constexpr (std::is_function_v<std::remove_pointer_t<U>>)
      return address(reinterpret_cast<const void *>(value));
    else
      return address(value);
  } else if constexpr (std::is_member_pointer_v<U>) {
    return "(member pointer)";
  } else if constexpr (std::is_array_v<U> && std::is_same_v<std::remove_cv_t<std::remove_extent_t<U>>, char>) {
    return quoted(std::string_view(value, strnlen(value, std::extent_v<U>)));
  } else if constexpr (IsString<U>::value) {
    return quoted(std::string_view(value.data(), value.size()));
  } else if constexpr (Streamable<U>::value && !std::is_array_v<U>) {
    std::ostringstream os;
    os << value;
    return os.str();
  } else if constexpr (std::is_enum_v<U>) {
    return std::to_string(static_cast<std::underlying_type_t<U>>(value));
  } else if constexpr (IsPair<U>::value) {
    return "{ " + element(value.first) + ", " + element(value.second) + " }";
  } else if constexpr (IsTuple<U>::value) {
    return tupleText(value, std::make_index_sequence<std::tuple_size_v<U>>());
  } else if constexpr (IsOptional<U>::value) {
    return value ? element(*value) : "std::nullopt";
  } else if constexpr (Iterable<U>::value) {
    std::string out = "{";
    std::size_t count = 0;
    for (const auto &item : value) {
      out += count ? ", " : " ";
      if (++count > kMaxElements) {
        out += "...";
        break;
      }
      if constexpr (Mapping<U>::value)
        out += element(item.first) + " => " + element(item.second);
      else
        out += element(item);
    }
    return out + (count ? " }" : "}");
  } else {
    byAddress = true;
    return "@" + address(static_cast<const volatile void *>(std::addressof(value)));
  }
}

} // namespace detail

template <typename T> void operator,(Capture c, T &&value) {
  using U = std::remove_cv_t<std::remove_reference_t<T>>;
  Sink *sink = c.sink;
  if constexpr (std::is_function_v<U>) {
    putPointer(sink, reinterpret_cast<const void *>(&value));
  } else if constexpr (std::is_same_v<U, bool>) {
    putBool(sink, value);
  } else if constexpr (std::is_same_v<U, char> || std::is_same_v<U, signed char> ||
                       std::is_same_v<U, unsigned char>) {
    putChar(sink, static_cast<char>(value));
  } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
    putSigned(sink, value);
  } else if constexpr (std::is_integral_v<U>) {
    putUnsigned(sink, value);
  } else if constexpr (std::is_same_v<U, float>) {
    putFloat(sink, value);
  } else if constexpr (std::is_same_v<U, double>) {
    putDouble(sink, value);
  } else if constexpr (std::is_same_v<U, long double>) {
    putLongDouble(sink, value);
  } else if constexpr (std::is_same_v<U, const char *> || std::is_same_v<U, char *>) {
    putCString(sink, value);
  } else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view>) {
    putString(sink, value.data(), value.size());
  } else if constexpr (std::is_pointer_v<U> && !std::is_function_v<std::remove_pointer_t<U>>) {
    putPointer(sink, value);
  } else {
    sink->text = detail::show(value, sink->byAddress);
    sink->captured = true;
  }
}

} // namespace hotcc_repl
