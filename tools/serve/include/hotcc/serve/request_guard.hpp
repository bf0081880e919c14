// The security rules of `hotcc serve`, as pure functions over a request's parts, so each rule is
// tested on its own. A dev server runs the user's code in their browser: any page on the web could
// otherwise talk to it (a WebSocket is not bound by the same-origin policy) or reach it through
// DNS rebinding, so every request must come for our address, from our origin, with our token.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hotcc::serve {

// The address the server listens on, as the browser names it in Host and Origin.
struct ServedAddress {
  std::string host = "127.0.0.1";
  int port = 8080;
};

// Host: the served host and port, or a loopback name for it when the server is on loopback
// ("localhost:8080", "[::1]:8080"). Anything else is a rebinding attempt or a stray request.
bool hostAllowed(std::string_view hostHeader, const ServedAddress &address);

// Origin: absent (a top-level navigation, a same-origin GET) or "http://" + an allowed Host.
bool originAllowed(std::optional<std::string_view> origin, const ServedAddress &address);

// Compares in time independent of where the strings differ.
bool tokenEquals(std::string_view given, std::string_view token);

// A query string's value for `name` ("token=abc&x=1"), percent-decoded; nullopt when absent.
std::optional<std::string> queryValue(std::string_view query, std::string_view name);
// A Cookie header's value for `name`.
std::optional<std::string> cookieValue(std::string_view cookieHeader, std::string_view name);

// "%2e%2e" → "..", nullopt for a malformed escape or an encoded NUL or slash.
std::optional<std::string> percentDecode(std::string_view text);

// The file under `root` a URL path names, or nullopt: no "..", no dot files, no directories, and
// the real path (symlinks resolved) must stay under the real root.
std::optional<std::filesystem::path> resolveUnderRoot(const std::filesystem::path &root,
                                                      std::string_view urlPath);

// A fresh random token (hex, 128 bits from the kernel's generator).
std::string randomToken();

} // namespace hotcc::serve
