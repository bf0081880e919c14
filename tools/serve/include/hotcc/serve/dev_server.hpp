// `hotcc serve`'s core: builds the page's main module once, serves it with a shell page and the
// client script, and turns each save into a patch that every open page applies while it keeps
// running. A page that connects late (or reloads) gets the main module and then the current patch
// chain, in order. A change no patch can carry (a signature, a layout) or a patch a page refuses
// falls back to a rebuilt main module and a reload of every page, which loses their state, and
// says so.
//
// The page protocol (the client is wasm-backend/runtime/hotcc_client.js), over one WebSocket:
//   page → server  {"type":"hello","build":B,"applied":N}   after the runtime is up
//                  {"type":"applied","seq":S,"receivedAt":T,"appliedAt":T,"applyMs":M}
//                  {"type":"rejected","seq":S,"reason":R}
//                  {"type":"failure","message":M,"running":N} the program stopped (a trap, a throw)
//   server → page  binary: u32 LE header length, header JSON {"type":"patch","seq","id",
//                  "functions","sentAt"}, then the side module's bytes
//                  {"type":"error","text":...,"diagnostics":[...],"runningPatch":N}  (overlay)
//                  {"type":"ok"}                             (clear the overlay)
//                  {"type":"reload","reason":...}            (full reload: state is lost)
// Times are milliseconds since the epoch (the page's performance.timeOrigin + now()).
#pragma once
#include "hotcc/outcome.hpp"
#include "hotcc/result.hpp"
#include "hotcc/serve/live_build.hpp"
#include "hotcc/serve/page_server.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace hotcc::serve {

struct DevServerOptions {
  ServedAddress address;
  std::string shellPage;  // a page with emcc's --shell-file {{{ SCRIPT }}}; empty: the default
  std::string token;          // this run's token; empty: a fresh random one
  std::string sessionSecret;  // the pages' cookie (see Credentials); empty: a fresh random one
  LiveBuildOptions build;
  std::chrono::milliseconds ackTimeout{5000};  // how long a push waits for the pages' answers
};

// What one page said about one patch.
struct PageAnswer {
  PageId page = 0;
  bool applied = false;
  std::string reason;   // why it refused the patch
  double pushMs = 0;    // sent → received by the page
  double applyMs = 0;   // received → slots written (the page's compile and load)
};

// ---- what a save led to ----

struct PatchPushed {
  unsigned number = 0;  // patch N on this main module
  Patch patch;
  std::size_t pagesSent = 0;
  std::vector<PageAnswer> answers;  // those that answered within the timeout
  double buildMs = 0;       // save seen → patch built
  double savedToAppliedMs = 0;  // save seen → the last page applied it
};
struct NothingChanged {
  bool clearedError = false;  // the save fixed an error without changing what runs
};
struct BuildFailed {
  Failure failure;
  unsigned runningPatch = 0;  // what the pages keep running
  std::size_t pages = 0;
};
struct FullReload {
  // Why: a change no patch can carry (failure), or a page that refused a patch (refusal).
  std::optional<Failure> failure;
  std::optional<PageAnswer> refusal;
  unsigned refusedPatch = 0;
  MainModule module;
  std::size_t pagesReloaded = 0;
};
// The --shell page itself was saved: served anew, and the open pages reload onto it (the
// program's state in them is lost, as with any page reload).
struct ShellReloaded {
  std::size_t pagesReloaded = 0;
};
using SaveOutcome =
    std::variant<PatchPushed, NothingChanged, BuildFailed, FullReload, ShellReloaded>;

// ---- what pages do on their own ----

struct PageJoined {
  PageId page = 0;
  std::size_t pages = 0;        // connected now
  unsigned patchesSent = 0;     // the chain it was brought up to date with
};
struct PageLeft {
  PageId page = 0;
  std::size_t pages = 0;
};
// The program stopped in a page (its frame loop ends there; the page needs a reload).
struct PageProgramFailed {
  PageId page = 0;
  std::string message;
  unsigned runningPatch = 0;
};
struct PageEvent {
  std::variant<PageJoined, PageLeft, RefusedRequest, PageProgramFailed> what;
};

class DevServer {
public:
  // Builds the main module and starts listening. `onPageEvent` is called from the server's
  // threads, one call at a time.
  static Result<std::unique_ptr<DevServer>> start(DevServerOptions options,
                                                  std::function<void(const PageEvent &)> onPageEvent);
  ~DevServer();

  const MainModule &mainModule() const;
  std::string pageUrl() const;
  ServedAddress address() const;
  // The files to watch: the sources and the user headers the last build read, and the --shell
  // page.
  std::vector<std::string> watchedFiles() const;

  // A save of `changed` (absolute paths): build a patch and push it (or fall back), waiting for
  // the pages' answers; a saved shell page reloads the pages instead.
  SaveOutcome rebuild(std::chrono::steady_clock::time_point savedAt,
                      const std::set<std::string> &changed);

  struct Impl;

private:
  explicit DevServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc::serve
