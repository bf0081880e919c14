// hotcc::ReplSession — C++ evaluated inside a running process, over an Engine. Every input is
// compiled into one session file that grows by appending: declarations stay, statements and
// expressions run once in a cell function. A redefinition replaces the earlier input in place, so
// every caller (and every function pointer taken earlier: they point at stubs) sees the new body.
// Headers are precompiled once into an on-disk cache and reused by later sessions.
//
// A host embeds it to get an in-process console: create the session over its own engine, give it
// the headers (or declarations) of its own API, feed it lines. No LLVM header is reachable here.
//
// Outcomes are values (hotcc/outcome.hpp): nothing here renders or prints; a client shows them
// through tools/render (as `hotcc repl` does) or reads their fields.
#pragma once
#include "hotcc/engine.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hotcc {

struct ReplOptions {
  std::string cacheDir;               // empty: $XDG_CACHE_HOME/hotcc, else ~/.cache/hotcc
  bool precompileHeaders = true;      // false: headers are parsed in memory, never cached
  std::vector<std::string> includes;  // headers every input sees, e.g. "game_api.h" or "<cmath>"
  std::string prelude;                // declarations every input sees (a host's own functions)
  std::string workDir;                // where the session file lives; empty: a new temp dir
  // Called after the session's headers were precompiled into `pchPath` (a slow step, worth
  // mentioning at a prompt); not called when the cache had them.
  std::function<void(const std::string &pchPath)> onHeadersPrecompiled;
};

// What one input did. Failures and diagnostics are in the session's terms: diagnostics point at
// "input_N" (the input's name), a failure names the input where the engine would name the
// session file, and the REPL's wrapper around statements appears as "this input".
struct ReplResult {
  bool ok = true;        // false: the input was rejected or crashed (see failures)
  bool quit = false;     // %quit
  std::string output;    // program output for stdout: a value ("(int) 42\n"), a command's answer
  std::vector<Failure> failures;    // why !ok: a compile error, a refusal, a crash (failure::Crash)
  std::vector<Diagnostic> warnings; // the compiler's warnings about this input
  std::vector<Notice> notices;      // what the engine noted about this input's reload
  double compileMs = 0;  // Clang + JIT for this input
  double runMs = 0;      // running the input's statements
};

class ReplSession {
public:
  // The engine must outlive the session. Fails when a host's prelude or includes do not compile,
  // or the session's directory cannot be made.
  static Result<std::unique_ptr<ReplSession>> create(Engine &engine, ReplOptions options);
  ~ReplSession();
  ReplSession(const ReplSession &) = delete;
  ReplSession &operator=(const ReplSession &) = delete;

  // One complete input (possibly several lines) or a %command.
  ReplResult eval(const std::string &input);

  // Completions of the identifier that ends at `cursor` in `line`, given the session so far and
  // `pending` (earlier lines of an unfinished multi-line input).
  std::vector<std::string> complete(const std::string &line, std::size_t cursor,
                                    const std::string &pending = "");

  // An unbalanced (, [ or {, an open comment, or a trailing backslash: the input goes on.
  static bool needsMoreInput(const std::string &text);

  // The text of the session file as the compiler sees it (for %help-style inspection and tests).
  std::string sessionText() const;
  static std::string helpText();

  // Why the session's headers are not precompiled although ReplOptions asked for it (a cache
  // that cannot be written, a PCH that cannot be built): headers are parsed in memory instead.
  // Null when precompiling works or was not asked for.
  const Failure *headerCacheFailure() const;

private:
  ReplSession();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc
