#include "repl_command.hpp"

#include "hotcc/repl.hpp"
#include "line_editor.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace hotcc::cli {

namespace {

void show(const ReplResult &result) {
  if (!result.output.empty()) {
    std::fputs(result.output.c_str(), stdout);
    std::fflush(stdout);
  }
  if (!result.error.empty()) {
    std::fputs(result.error.c_str(), stderr);
    std::fflush(stderr);
  }
}

// History is state, not cache: $XDG_STATE_HOME/hotcc/repl_history (~/.local/state/...).
std::string historyPath() {
  std::string dir;
  if (const char *xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    dir = std::string(xdg) + "/hotcc";
  else if (const char *home = std::getenv("HOME"); home && *home)
    dir = std::string(home) + "/.local/state/hotcc";
  else
    return "";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir + "/repl_history";
}

// Reads inputs from a pipe or file: the same continuation rules, no prompt, exit code 1 if any
// input failed.
int runScript(ReplSession &session) {
  bool anyFailed = false;
  std::string pending;
  std::string line;
  auto evaluate = [&](const std::string &text) {
    auto result = session.eval(text);
    show(result);
    anyFailed = anyFailed || !result.ok;
    return !result.quit;
  };
  while (std::getline(std::cin, line)) {
    pending += pending.empty() ? line : "\n" + line;
    if (ReplSession::needsMoreInput(pending))
      continue;
    std::string input = std::move(pending);
    pending.clear();
    if (!evaluate(input))
      return anyFailed ? 1 : 0;
  }
  if (!pending.empty())
    evaluate(pending);
  return anyFailed ? 1 : 0;
}

int runInteractive(ReplSession &session) {
  std::string pending;
  LineEditor editor(historyPath(), [&](const std::string &line, std::size_t cursor) {
    return session.complete(line, cursor, pending.empty() ? "" : pending + "\n");
  });
  std::fprintf(stderr, "hotcc repl: C++ in this process. %%help for commands, Ctrl-D to leave.\n");
  for (;;) {
    auto line = editor.readLine(pending.empty() ? "hotcc> " : "   ...> ");
    if (!line) {
      std::fputc('\n', stdout);
      if (!pending.empty())
        show(session.eval(pending));
      return 0;
    }
    if (editor.interrupted()) {
      // Ctrl-C at the prompt drops the input being typed, like a shell.
      pending.clear();
      std::fputs("\n", stdout);
      continue;
    }
    pending += pending.empty() ? *line : "\n" + *line;
    if (ReplSession::needsMoreInput(pending))
      continue;
    std::string input = std::move(pending);
    pending.clear();
    editor.remember(input);
    auto result = session.eval(input);
    show(result);
    if (result.quit)
      return 0;
  }
}

} // namespace

void ReplCommand::addTo(CLI::App &app) {
  auto *cmd = app.add_subcommand("repl", "interactive C++; reads stdin when it is not a terminal");
  flags.addTo(*cmd);
  cmd->add_flag("--no-pch", noPch, "do not precompile headers into the on-disk cache");
  cmd->add_option("--cache-dir", cacheDir,
                  "where precompiled headers are kept (default $XDG_CACHE_HOME/hotcc)");
  cmd->callback([this] { std::exit(execute()); });
}

int ReplCommand::execute() {
  const bool interactive = isatty(STDIN_FILENO);
  // Interactive: say when headers are being precompiled.
  flags.applyLogLevel(!flags.quiet && interactive ? spdlog::level::info : spdlog::level::warn);
  flags.noteDroppedFlags();
  auto options = flags.engineOptions(isatty(STDERR_FILENO));
  if (options.languageStandard.empty())
    options.languageStandard = "c++20";
  options.quiescent = true;  // nothing runs between inputs
  std::string error;
  auto engine = Engine::create(options, error);
  if (!engine) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  ReplOptions replOptions;
  replOptions.cacheDir = cacheDir;
  replOptions.precompileHeaders = !noPch;
  auto session = ReplSession::create(*engine, replOptions, error);
  if (!session) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  int code = interactive ? runInteractive(*session) : runScript(*session);
  session.reset();
  engine->shutdown();
  std::fflush(stdout);
  return code;
}

} // namespace hotcc::cli
