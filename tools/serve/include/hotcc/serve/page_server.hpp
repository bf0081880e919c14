// The HTTP and WebSocket side of `hotcc serve`, over civetweb (Debian's libcivetweb): serves the
// files it is given (the page, the main module, the client script) from memory, and files under
// one static root (the user's --shell page's folder), and keeps the open pages' WebSockets.
// Every request passes request_guard's rules first: our Host, our Origin, our token. Nothing is
// served from a path a request names except under the static root, and never a listing.
#pragma once
#include "hotcc/result.hpp"
#include "hotcc/serve/request_guard.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hotcc::serve {

using PageId = std::uint64_t;

// A request the guard turned away: said to the user (a page that cannot connect is otherwise a
// mystery) and counted by tests.
struct RefusedRequest {
  std::string path;
  std::string reason;  // "wrong or missing token", "foreign Host ...", ...
  int status = 403;
};

// Who may talk to the server: whoever has this run's token (in the address hotcc prints), or the
// session cookie a page with the token was given. The cookie's secret outlives the run (as
// Jupyter's cookie secret does), so the pages of a restarted server reconnect, while the printed
// token is new each run.
struct Credentials {
  std::string token;          // per run
  std::string sessionSecret;  // the cookie's value; may be kept across runs
};

class PageServer {
public:
  struct Handlers {
    std::function<void(PageId, std::string_view)> message;  // a text frame from a page
    std::function<void(PageId)> left;
    std::function<void(const RefusedRequest &)> refused;
  };

  static constexpr const char *kTokenName = "token";
  static constexpr const char *kSocketPath = "/hotcc/socket";

  // Listens on `address` (port 0: any free port; address() then says which). SetupError when the
  // port is taken or the host cannot be bound.
  static Result<std::unique_ptr<PageServer>> start(const ServedAddress &address,
                                                   Credentials credentials, Handlers handlers);
  ~PageServer();

  ServedAddress address() const;
  // "http://127.0.0.1:8080/?token=..."
  std::string pageUrl() const;

  // Serves `bytes` at `urlPath` (exact match) from now on; replaces what was there.
  void publish(const std::string &urlPath, std::string bytes, std::string mimeType);
  void setStaticRoot(std::filesystem::path root);

  bool sendText(PageId page, std::string_view text);
  bool sendBinary(PageId page, std::string_view bytes);
  // Closes a page's socket (a page that broke the protocol).
  void close(PageId page);

  struct Impl;

private:
  explicit PageServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc::serve
