// The messages between `hotcc serve` and its pages (see dev_server.hpp for the protocol), as
// values: encoded here for the server's side, parsed here from the page's side.
#pragma once
#include "hotcc/outcome.hpp"
#include "hotcc/serve/live_build.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hotcc::serve {

double epochMs();  // now, in milliseconds since the epoch (the page's clock is the same clock)

// The binary frame carrying patch `seq`.
std::string patchFrame(unsigned seq, const Patch &patch, double sentAt);
// The overlay for a failed build: its text for people, its diagnostics as render's JSON.
std::string errorMessage(const Failure &failure, unsigned runningPatch);
std::string okMessage();
std::string reloadMessage(const std::string &reason);

namespace page_message {
struct Hello {
  std::string build;
  unsigned applied = 0;
};
struct Applied {
  unsigned seq = 0;
  double receivedAt = 0, appliedAt = 0, applyMs = 0;
};
struct Rejected {
  unsigned seq = 0;
  std::string reason;
};
struct ProgramFailed {  // the program stopped in the page: a trap, an uncaught exception
  std::string message;  // the browser's (first lines of the stack)
  unsigned running = 0; // the patch that was running (0: the main build)
};
} // namespace page_message
using PageMessage = std::variant<page_message::Hello, page_message::Applied,
                                 page_message::Rejected, page_message::ProgramFailed>;

// nullopt for anything that is not one of the page's messages (the page is then closed).
std::optional<PageMessage> parsePageMessage(std::string_view text);

// The page a browser opens: `shell` (emcc's --shell-file conventions: {{{ SCRIPT }}} marks where
// the scripts go) with the client script and the main module of build `buildId`.
std::string pageDocument(const std::string &shell, const std::string &buildId);

} // namespace hotcc::serve
