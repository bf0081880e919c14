#include "hotcc/serve/page_server.hpp"

#include "hotcc/support.hpp"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>

namespace hotcc::serve {

namespace {

struct Published {
  std::string bytes;
  std::string mimeType;
};

std::string mimeTypeOf(const std::filesystem::path &file) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript"},
      {".css", "text/css"},                  {".wasm", "application/wasm"},
      {".json", "application/json"},         {".png", "image/png"},
      {".jpg", "image/jpeg"},                {".svg", "image/svg+xml"},
      {".txt", "text/plain; charset=utf-8"}};
  auto found = types.find(file.extension().string());
  return found == types.end() ? "application/octet-stream" : found->second;
}

// A request's path or header as the terminal may show it: any page could put a newline or an
// escape sequence there (an <img> needs no token to be refused) and forge a line of hotcc's
// output. Bytes outside visible ASCII are written as %XX.
std::string printable(std::string_view text) {
  std::string out;
  char escaped[4];
  for (unsigned char c : text) {
    if (c > 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

} // namespace

struct PageServer::Impl {
  ServedAddress address;
  Credentials credentials;
  Handlers handlers;
  mg_context *context = nullptr;

  // Shared, so a request sends a published file (megabytes of wasm) after letting the lock go,
  // and a publish meanwhile does not pull it from under the request.
  mutable std::mutex filesMutex;
  std::map<std::string, std::shared_ptr<const Published>> files;
  std::filesystem::path staticRoot;

  // Held while writing to a page, and by the close handler: a connection is never written to
  // after civetweb has let it go.
  mutable std::mutex pagesMutex;
  std::map<PageId, mg_connection *> pages;
  PageId nextPage = 1;

  // ---- the guard ----

  // Per port: browsers send a host's cookies to all of its ports.
  std::string cookieName() const { return "hotcc_session_" + std::to_string(address.port); }

  std::optional<RefusedRequest> refusal(const mg_connection *connection) const {
    const mg_request_info *request = mg_get_request_info(connection);
    std::string path = printable(request->local_uri ? request->local_uri : "");
    const char *host = mg_get_header(connection, "Host");
    if (!host || !hostAllowed(host, address))
      return RefusedRequest{path, "foreign Host " + (host ? printable(host) : "(none)"), 403};
    const char *origin = mg_get_header(connection, "Origin");
    if (!originAllowed(origin ? std::optional<std::string_view>(origin) : std::nullopt, address))
      return RefusedRequest{path, "foreign Origin " + printable(origin), 403};
    auto given = queryValue(request->query_string ? request->query_string : "", kTokenName);
    bool tokenGiven = given && tokenEquals(*given, credentials.token);
    std::optional<std::string> session;
    if (const char *cookie = mg_get_header(connection, "Cookie"))
      session = cookieValue(cookie, cookieName());
    bool sessionGiven = session && tokenEquals(*session, credentials.sessionSecret);
    if (!tokenGiven && !sessionGiven)
      return RefusedRequest{path, "wrong or missing token", 403};
    return std::nullopt;
  }

  void refuse(mg_connection *connection, const RefusedRequest &refused) {
    if (handlers.refused)
      handlers.refused(refused);
    mg_send_http_error(connection, refused.status, "hotcc serve: %s\n", refused.reason.c_str());
  }

  // ---- HTTP ----

  void sendBody(mg_connection *connection, const std::string &bytes, const std::string &mimeType,
                bool setCookie) {
    mg_response_header_start(connection, 200);
    mg_response_header_add(connection, "Content-Type", mimeType.c_str(), -1);
    mg_response_header_add(connection, "Content-Length", std::to_string(bytes.size()).c_str(), -1);
    mg_response_header_add(connection, "Cache-Control", "no-store", -1);
    mg_response_header_add(connection, "X-Content-Type-Options", "nosniff", -1);
    if (setCookie) {
      std::string cookie = cookieName() + "=" + credentials.sessionSecret +
                           "; Path=/; SameSite=Strict; HttpOnly";
      mg_response_header_add(connection, "Set-Cookie", cookie.c_str(), -1);
    }
    mg_response_header_send(connection);
    mg_write(connection, bytes.data(), bytes.size());
  }

  int serve(mg_connection *connection) {
    const mg_request_info *request = mg_get_request_info(connection);
    std::string path = request->local_uri ? request->local_uri : "";
    bool pageRequest = path == "/" || path == "/index.html";
    if (auto refused = refusal(connection)) {
      refuse(connection, *refused);
      return 403;
    }
    std::string method = request->request_method ? request->request_method : "";
    if (method != "GET" && method != "HEAD") {
      mg_send_http_error(connection, 405, "hotcc serve: only GET\n");
      return 405;
    }
    if (auto published = publishedAt(pageRequest ? "/" : path)) {
      sendBody(connection, published->bytes, published->mimeType, pageRequest);
      return 200;
    }
    if (auto file = staticFile(path)) {
      if (auto bytes = readWholeFile(file->string())) {
        sendBody(connection, *bytes, mimeTypeOf(*file), false);
        return 200;
      }
    }
    mg_send_http_error(connection, 404, "hotcc serve: not found\n");
    return 404;
  }

  std::shared_ptr<const Published> publishedAt(const std::string &path) const {
    std::lock_guard lock(filesMutex);
    auto found = files.find(path);
    return found == files.end() ? nullptr : found->second;
  }

  std::optional<std::filesystem::path> staticFile(const std::string &path) const {
    std::lock_guard lock(filesMutex);
    if (staticRoot.empty())
      return std::nullopt;
    return resolveUnderRoot(staticRoot, path);
  }

  // ---- WebSocket ----

  int connect(const mg_connection *connection) {
    if (auto refused = refusal(connection)) {
      if (handlers.refused)
        handlers.refused(*refused);
      return 1;  // civetweb answers the handshake with an error
    }
    return 0;
  }

  void ready(mg_connection *connection) {
    PageId id;
    {
      std::lock_guard lock(pagesMutex);
      id = nextPage++;
      pages[id] = connection;
    }
    mg_set_user_connection_data(connection, reinterpret_cast<void *>(id));
  }

  int data(mg_connection *connection, int bits, char *bytes, std::size_t length) {
    int opcode = bits & 0x0f;
    if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
      return 0;
    auto id = reinterpret_cast<PageId>(mg_get_user_connection_data(connection));
    if (opcode == MG_WEBSOCKET_OPCODE_TEXT && id && handlers.message)
      handlers.message(id, std::string_view(bytes, length));
    return 1;
  }

  void closed(const mg_connection *connection) {
    auto id = reinterpret_cast<PageId>(mg_get_user_connection_data(connection));
    {
      std::lock_guard lock(pagesMutex);
      if (!id || !pages.erase(id))
        return;
    }
    if (handlers.left)
      handlers.left(id);
  }

  bool send(PageId page, int opcode, std::string_view bytes) {
    std::lock_guard lock(pagesMutex);
    auto found = pages.find(page);
    if (found == pages.end())
      return false;
    return mg_websocket_write(found->second, opcode, bytes.data(), bytes.size()) > 0;
  }
};

namespace {

PageServer::Impl *implOf(const mg_connection *connection) {
  return static_cast<PageServer::Impl *>(mg_get_user_data(mg_get_context(connection)));
}

int onRequest(mg_connection *connection, void *) { return implOf(connection)->serve(connection); }
int onSocketConnect(const mg_connection *connection, void *) {
  return implOf(connection)->connect(connection);
}
void onSocketReady(mg_connection *connection, void *) { implOf(connection)->ready(connection); }
int onSocketData(mg_connection *connection, int bits, char *data, std::size_t length, void *) {
  return implOf(connection)->data(connection, bits, data, length);
}
void onSocketClose(const mg_connection *connection, void *) {
  implOf(connection)->closed(connection);
}
int onLog(const mg_connection *, const char *message) {
  spdlog::debug("civetweb: {}", message);
  return 1;
}

std::string listeningSpec(const ServedAddress &address) {
  bool ipv6 = address.host.find(':') != std::string::npos;
  std::string host = address.host == "localhost" ? "127.0.0.1" : address.host;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(address.port);
}

} // namespace

Result<std::unique_ptr<PageServer>> PageServer::start(const ServedAddress &address,
                                                      Credentials credentials, Handlers handlers) {
  static std::once_flag initialized;
  std::call_once(initialized, [] { mg_init_library(0); });
  auto impl = std::make_unique<Impl>();
  impl->address = address;
  impl->credentials = std::move(credentials);
  impl->handlers = std::move(handlers);

  mg_callbacks callbacks{};
  callbacks.log_message = onLog;
  std::string ports = listeningSpec(address);
  // A page's WebSocket holds a worker thread while open: room for many pages and their requests.
  const char *options[] = {"listening_ports", ports.c_str(), "num_threads", "96",
                           "enable_directory_listing", "no", "websocket_timeout_ms", "3600000",
                           // Paths reach the guard as sent: it decodes them once, itself.
                           "decode_url", "no",
                           // civetweb writes a frame's header and payload separately: with
                           // Nagle's algorithm the payload waited for the page's delayed ACK,
                           // ~40 ms on every patch.
                           "tcp_nodelay", "1",
                           nullptr};
  impl->context = mg_start(&callbacks, impl.get(), options);
  if (!impl->context)
    return failure::SetupError{"--host " + address.host + " --port " + std::to_string(address.port),
                               "cannot listen there (is the port in use? try --port 0 for any "
                               "free port)"};
  mg_server_port bound[4]{};
  if (mg_get_server_ports(impl->context, 4, bound) > 0)
    impl->address.port = bound[0].port;
  mg_set_request_handler(impl->context, "/", onRequest, nullptr);
  mg_set_websocket_handler(impl->context, kSocketPath, onSocketConnect, onSocketReady,
                           onSocketData, onSocketClose, nullptr);
  return std::unique_ptr<PageServer>(new PageServer(std::move(impl)));
}

PageServer::PageServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PageServer::~PageServer() {
  if (impl_ && impl_->context)
    mg_stop(impl_->context);
}

ServedAddress PageServer::address() const { return impl_->address; }

std::string PageServer::pageUrl() const {
  bool ipv6 = impl_->address.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + impl_->address.host + "]" : impl_->address.host;
  return "http://" + host + ":" + std::to_string(impl_->address.port) + "/?" + kTokenName + "=" +
         impl_->credentials.token;
}

void PageServer::publish(const std::string &urlPath, std::string bytes, std::string mimeType) {
  std::lock_guard lock(impl_->filesMutex);
  impl_->files[urlPath] =
      std::make_shared<const Published>(Published{std::move(bytes), std::move(mimeType)});
}

void PageServer::setStaticRoot(std::filesystem::path root) {
  std::lock_guard lock(impl_->filesMutex);
  impl_->staticRoot = std::move(root);
}

bool PageServer::sendText(PageId page, std::string_view text) {
  return impl_->send(page, MG_WEBSOCKET_OPCODE_TEXT, text);
}

bool PageServer::sendBinary(PageId page, std::string_view bytes) {
  return impl_->send(page, MG_WEBSOCKET_OPCODE_BINARY, bytes);
}

void PageServer::close(PageId page) {
  std::lock_guard lock(impl_->pagesMutex);
  if (auto found = impl_->pages.find(page); found != impl_->pages.end())
    mg_websocket_write(found->second, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, "", 0);
}

} // namespace hotcc::serve
