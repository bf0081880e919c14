// hotcc serve's rules and messages, each on its own: the security guard (Host, Origin, token,
// paths under the static root), and the page protocol's messages and page document.
#include "hotcc/serve/page_protocol.hpp"
#include "hotcc/serve/request_guard.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace hotcc;
using namespace hotcc::serve;
namespace fs = std::filesystem;

TEST_CASE("Host must name the served address (DNS rebinding is refused)", "[serve][guard]") {
  ServedAddress loopback{"127.0.0.1", 8080};
  CHECK(hostAllowed("127.0.0.1:8080", loopback));
  CHECK(hostAllowed("localhost:8080", loopback));
  CHECK(hostAllowed("[::1]:8080", loopback));
  CHECK_FALSE(hostAllowed("evil.example:8080", loopback));
  CHECK_FALSE(hostAllowed("127.0.0.1:8081", loopback));
  CHECK_FALSE(hostAllowed("127.0.0.1", loopback));
  CHECK_FALSE(hostAllowed("", loopback));
  CHECK_FALSE(hostAllowed(":8080", loopback));
  CHECK_FALSE(hostAllowed("127.0.0.1:8080.evil.example:8080", loopback));

  ServedAddress lan{"192.168.1.5", 9000};
  CHECK(hostAllowed("192.168.1.5:9000", lan));
  CHECK_FALSE(hostAllowed("localhost:9000", lan));  // not served on loopback
}

TEST_CASE("Origin is absent or the served origin", "[serve][guard]") {
  ServedAddress address{"127.0.0.1", 8080};
  CHECK(originAllowed(std::nullopt, address));
  CHECK(originAllowed("http://127.0.0.1:8080", address));
  CHECK(originAllowed("http://localhost:8080", address));
  CHECK_FALSE(originAllowed("http://evil.example", address));
  CHECK_FALSE(originAllowed("https://127.0.0.1:8080", address));
  CHECK_FALSE(originAllowed("http://127.0.0.1:3000", address));
  CHECK_FALSE(originAllowed("null", address));
  CHECK_FALSE(originAllowed("", address));
}

TEST_CASE("the token must match exactly", "[serve][guard]") {
  CHECK(tokenEquals("3f9c0a", "3f9c0a"));
  CHECK_FALSE(tokenEquals("3f9c0b", "3f9c0a"));
  CHECK_FALSE(tokenEquals("3f9c0", "3f9c0a"));
  CHECK_FALSE(tokenEquals("3f9c0a0", "3f9c0a"));
  CHECK_FALSE(tokenEquals("", "3f9c0a"));
  CHECK_FALSE(tokenEquals("", ""));  // no token configured is never a match

  auto token = randomToken();
  CHECK(token.size() == 32);
  CHECK(token.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(randomToken() != token);
}

TEST_CASE("query strings and cookies", "[serve][guard]") {
  CHECK(queryValue("token=abc&x=1", "token") == "abc");
  CHECK(queryValue("x=1&token=a%62c", "token") == "abc");
  CHECK(queryValue("tokens=abc", "token") == std::nullopt);
  CHECK(queryValue("", "token") == std::nullopt);
  CHECK(queryValue("token=", "token") == "");
  CHECK(cookieValue("a=1; hotcc_token=xyz; b=2", "hotcc_token") == "xyz");
  CHECK(cookieValue("hotcc_token_old=1", "hotcc_token") == std::nullopt);
}

TEST_CASE("percent-decoding refuses what could smuggle a path", "[serve][guard]") {
  CHECK(percentDecode("%2e%2e") == "..");
  CHECK(percentDecode("a%20b") == "a b");
  CHECK(percentDecode("%2F") == std::nullopt);  // an encoded slash
  CHECK(percentDecode("%00") == std::nullopt);
  CHECK(percentDecode("%2") == std::nullopt);
  CHECK(percentDecode("%zz") == std::nullopt);
}

TEST_CASE("paths stay under the static root", "[serve][guard]") {
  fs::path base = fs::temp_directory_path() / ("hotcc-serve-guard-" + std::to_string(getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "site" / "assets");
  fs::create_directories(base / "outside");
  std::ofstream(base / "site" / "style.css") << "body{}";
  std::ofstream(base / "site" / "assets" / "a.png") << "png";
  std::ofstream(base / "site" / ".secret") << "no";
  std::ofstream(base / "outside" / "private.txt") << "private";
  fs::create_symlink(base / "outside" / "private.txt", base / "site" / "link.txt");
  fs::create_symlink(base / "site" / "style.css", base / "site" / "inside-link.css");
  fs::path root = base / "site";

  CHECK(resolveUnderRoot(root, "/style.css") == fs::canonical(root / "style.css"));
  CHECK(resolveUnderRoot(root, "/assets/a.png") == fs::canonical(root / "assets" / "a.png"));
  CHECK(resolveUnderRoot(root, "/inside-link.css").has_value());
  CHECK_FALSE(resolveUnderRoot(root, "/../outside/private.txt"));
  CHECK_FALSE(resolveUnderRoot(root, "/%2e%2e/outside/private.txt"));
  CHECK_FALSE(resolveUnderRoot(root, "/assets/../../outside/private.txt"));
  CHECK_FALSE(resolveUnderRoot(root, "/..%2foutside/private.txt"));
  CHECK_FALSE(resolveUnderRoot(root, "/..\\outside\\private.txt"));
  CHECK_FALSE(resolveUnderRoot(root, "/link.txt"));   // a symlink out of the root
  CHECK_FALSE(resolveUnderRoot(root, "/.secret"));    // dot files
  CHECK_FALSE(resolveUnderRoot(root, "/assets"));     // directories: never listed
  CHECK_FALSE(resolveUnderRoot(root, "/"));
  CHECK_FALSE(resolveUnderRoot(root, "/missing.css"));
  CHECK_FALSE(resolveUnderRoot(root, "style.css"));   // not an absolute URL path
  fs::remove_all(base);
}

TEST_CASE("the page document puts the scripts where the shell says", "[serve][protocol]") {
  std::string page = pageDocument("<html><body><canvas></canvas>{{{ SCRIPT }}}</body></html>", "ab-1");
  CHECK(page.find("{{{ SCRIPT }}}") == std::string::npos);
  auto client = page.find("<script src=\"/hotcc/client.js\"></script>");
  auto app = page.find("<script async src=\"/build-ab-1/app.js\"></script>");
  auto build = page.find("var hotccServe = {build: \"ab-1\"}");
  REQUIRE(client != std::string::npos);
  REQUIRE(app != std::string::npos);
  REQUIRE(build != std::string::npos);
  CHECK(build < client);
  CHECK(client < app);  // the client sets Module up before emscripten's script reads it
  CHECK(page.find("</body></html>") > app);

  // A shell without the marker: before </body>.
  std::string noMarker = pageDocument("<html><body><p>x</p></body></html>", "ab-2");
  CHECK(noMarker.find("/build-ab-2/app.js") < noMarker.find("</body>"));
}

TEST_CASE("a patch frame: header length, header, bytes", "[serve][protocol]") {
  Patch patch;
  patch.id = "p1";
  patch.functions = {"step", "colour"};
  patch.bytes = std::string("\0asm\1\0\0\0", 8);
  std::string frame = patchFrame(3, patch, 1234.5);
  REQUIRE(frame.size() > 4);
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i)
    length |= std::uint32_t(static_cast<unsigned char>(frame[i])) << (8 * i);
  auto header = nlohmann::json::parse(frame.substr(4, length));
  CHECK(header["type"] == "patch");
  CHECK(header["seq"] == 3);
  CHECK(header["id"] == "p1");
  CHECK(header["functions"] == nlohmann::json({"step", "colour"}));
  CHECK(header["sentAt"] == 1234.5);
  CHECK(frame.substr(4 + length) == patch.bytes);
}

TEST_CASE("the page's messages parse into values; anything else is refused", "[serve][protocol]") {
  auto hello = parsePageMessage(R"({"type":"hello","build":"ab-1","applied":2})");
  REQUIRE(hello);
  auto &h = std::get<page_message::Hello>(*hello);
  CHECK(h.build == "ab-1");
  CHECK(h.applied == 2);

  auto applied = parsePageMessage(R"({"type":"applied","seq":4,"receivedAt":10,"appliedAt":12.5,"applyMs":2.5})");
  REQUIRE(applied);
  CHECK(std::get<page_message::Applied>(*applied).seq == 4);
  CHECK(std::get<page_message::Applied>(*applied).applyMs == 2.5);

  auto rejected = parsePageMessage(R"({"type":"rejected","seq":5,"reason":"has no slot"})");
  REQUIRE(rejected);
  CHECK(std::get<page_message::Rejected>(*rejected).reason == "has no slot");

  auto failed = parsePageMessage(R"({"type":"failure","message":"RuntimeError: divide by zero","running":3})");
  REQUIRE(failed);
  CHECK(std::get<page_message::ProgramFailed>(*failed).running == 3);
  CHECK(std::get<page_message::ProgramFailed>(*failed).message == "RuntimeError: divide by zero");

  CHECK_FALSE(parsePageMessage("not json"));
  CHECK_FALSE(parsePageMessage("[]"));
  CHECK_FALSE(parsePageMessage(R"({"type":"hello"})"));            // no build
  CHECK_FALSE(parsePageMessage(R"({"type":"hello","build":1,"applied":0})"));
  CHECK_FALSE(parsePageMessage(R"({"type":"applied","seq":-1})"));
  CHECK_FALSE(parsePageMessage(R"({"type":"shell","command":"rm"})"));
}

TEST_CASE("the overlay message carries the text and the diagnostics", "[serve][protocol]") {
  Diagnostic d;
  d.severity = Severity::Error;
  d.kind = DiagnosticKind::ParseError;
  d.where = {"/src/app.cpp", 11, 25};
  d.message = "expected ';' after return statement";
  d.sourceLine = "int value() { return 3 }";
  auto message = nlohmann::json::parse(errorMessage(failure::CompileError{"/src/app.cpp", {d}}, 2));
  CHECK(message["type"] == "error");
  CHECK(message["kind"] == "compile-error");
  CHECK(message["runningPatch"] == 2);
  CHECK(message["text"].get<std::string>().find("/src/app.cpp:11:25: error: expected ';'") !=
        std::string::npos);
  REQUIRE(message["diagnostics"].size() == 1);
  CHECK(message["diagnostics"][0]["line"] == 11);

  CHECK(nlohmann::json::parse(reloadMessage("why"))["reason"] == "why");
  CHECK(nlohmann::json::parse(okMessage())["type"] == "ok");
}
