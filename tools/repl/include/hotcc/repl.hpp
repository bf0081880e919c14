// hotcc::ReplSession — C++ evaluated inside a running process, over an Engine. Every input is
// compiled into one session file that grows by appending: declarations stay, statements and
// expressions run once in a cell function. A redefinition replaces the earlier input in place, so
// every caller (and every function pointer taken earlier: they point at stubs) sees the new body.
// Headers are precompiled once into an on-disk cache and reused by later sessions.
//
// A host embeds it to get an in-process console: create the session over its own engine, give it
// the headers (or declarations) of its own API, feed it lines. No LLVM header is reachable here.
#pragma once
#include "hotcc/engine.hpp"

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
};

struct ReplResult {
  bool ok = true;        // false: the input was rejected or crashed
  bool quit = false;     // %quit
  std::string output;    // for stdout: a value ("(int) 42\n"), a command's answer
  std::string error;     // for stderr: diagnostics, a refusal, what a crash was
  double compileMs = 0;  // Clang + JIT for this input
  double runMs = 0;      // running the input's statements
};

class ReplSession {
public:
  // The engine must outlive the session. On failure returns null and sets `error`.
  static std::unique_ptr<ReplSession> create(Engine &engine, ReplOptions options,
                                             std::string &error);
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

private:
  ReplSession();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc
