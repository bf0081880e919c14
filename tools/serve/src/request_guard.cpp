#include "hotcc/serve/request_guard.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace hotcc::serve {

namespace {

bool isLoopbackName(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

bool servedOnLoopback(const ServedAddress &address) {
  return isLoopbackName(address.host) || address.host == "::1";
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

} // namespace

bool hostAllowed(std::string_view hostHeader, const ServedAddress &address) {
  std::string port = ":" + std::to_string(address.port);
  if (hostHeader.size() <= port.size() || !hostHeader.ends_with(port))
    return false;
  std::string_view host = hostHeader.substr(0, hostHeader.size() - port.size());
  if (host == address.host || (address.host == "::1" && host == "[::1]"))
    return true;
  return servedOnLoopback(address) && isLoopbackName(host);
}

bool originAllowed(std::optional<std::string_view> origin, const ServedAddress &address) {
  if (!origin)
    return true;
  constexpr std::string_view scheme = "http://";
  return origin->starts_with(scheme) && hostAllowed(origin->substr(scheme.size()), address);
}

bool tokenEquals(std::string_view given, std::string_view token) {
  unsigned char difference = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i)
    difference |= static_cast<unsigned char>(token[i] ^ (i < given.size() ? given[i] : 0));
  return difference == 0 && !token.empty();
}

std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i] == '+' ? ' ' : text[i];
      continue;
    }
    if (i + 2 >= text.size())
      return std::nullopt;
    int high = hexDigit(text[i + 1]), low = hexDigit(text[i + 2]);
    if (high < 0 || low < 0)
      return std::nullopt;
    char c = static_cast<char>(high * 16 + low);
    if (c == '\0' || c == '/')
      return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

std::optional<std::string> queryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto end = query.find('&');
    std::string_view pair = query.substr(0, end);
    auto equals = pair.find('=');
    if (pair.substr(0, equals) == name)
      return percentDecode(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
    if (end == std::string_view::npos)
      break;
    query.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::optional<std::string> cookieValue(std::string_view cookieHeader, std::string_view name) {
  while (!cookieHeader.empty()) {
    auto end = cookieHeader.find(';');
    std::string_view pair = trimmed(cookieHeader.substr(0, end));
    auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name)
      return std::string(pair.substr(equals + 1));
    if (end == std::string_view::npos)
      break;
    cookieHeader.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> resolveUnderRoot(const std::filesystem::path &root,
                                                      std::string_view urlPath) {
  namespace fs = std::filesystem;
  auto decoded = percentDecode(urlPath);
  if (!decoded || decoded->empty() || decoded->front() != '/' ||
      decoded->find('\\') != std::string::npos)
    return std::nullopt;
  fs::path relative = fs::path(decoded->substr(1)).lexically_normal();
  for (auto &part : relative)
    if (part == ".." || part.string().starts_with("."))
      return std::nullopt;
  std::error_code error;
  fs::path realRoot = fs::canonical(root, error);
  if (error)
    return std::nullopt;
  fs::path real = fs::canonical(realRoot / relative, error);
  if (error || !fs::is_regular_file(real, error))
    return std::nullopt;
  auto [rootEnd, realIt] = std::mismatch(realRoot.begin(), realRoot.end(), real.begin(), real.end());
  if (rootEnd != realRoot.end())
    return std::nullopt;  // a symlink leads out of the root
  return real;
}

std::string randomToken() {
  std::array<unsigned char, 16> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0)
      got += static_cast<std::size_t>(n);
  }
  std::string hex;
  char digits[3];
  for (unsigned char b : bytes) {
    std::snprintf(digits, sizeof digits, "%02x", b);
    hex += digits;
  }
  return hex;
}

} // namespace hotcc::serve
