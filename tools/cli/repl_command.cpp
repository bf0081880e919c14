#include "repl_command.hpp"

#include "hotcc/engine_session.hpp"
#include "hotcc/render.hpp"
#include "hotcc/repl.hpp"
#include "line_editor.hpp"

#include "hotcc/render_json.hpp"
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace hotcc::cli {

namespace {

// A value or a command's answer as a JSON event: {"schema":1,"event":"value","text":...}.
std::string valueEvent(const std::string &text) {
  auto event = render::jsonEvent("value");
  // The value as printed, without the line's end (a terminal's matter, not the value's).
  event["text"] = text.ends_with('\n') ? text.substr(0, text.size() - 1) : text;
  return render::jsonLine(event);
}

// The answer on stdout, then what went wrong (and the input's warnings and notices) on stderr —
// or all of it as JSON events with --json.
void show(const ReplResult &result, OutcomeOutput &output) {
  if (output.json()) {
    for (auto &warning : result.warnings)
      output.event(render::jsonDiagnostic(warning));
    for (auto &n : result.notices)
      output.event(render::jsonNotice(n));
    for (auto &f : result.failures)
      output.failure(f);
    if (!result.output.empty())
      output.event(valueEvent(result.output));
    return;
  }
  if (!result.output.empty()) {
    std::fputs(result.output.c_str(), stdout);
    std::fflush(stdout);
  }
  std::string text = render::diagnostics(result.warnings, output.style());
  for (auto &n : result.notices)
    text += render::notice(n, output.style());
  std::fputs(text.c_str(), stderr);
  for (auto &f : result.failures)
    output.failure(f);
  std::fflush(stderr);
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
int runScript(ReplSession &session, OutcomeOutput &output) {
  bool anyFailed = false;
  std::string pending;
  std::string line;
  auto evaluate = [&](const std::string &text) {
    auto result = session.eval(text);
    show(result, output);
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

int runInteractive(ReplSession &session, OutcomeOutput &output) {
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
        show(session.eval(pending), output);
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
    show(result, output);
    if (result.quit)
      return 0;
  }
}

// Precompiling headers takes seconds: say so at a prompt.
void announcePrecompiling(ReplOptions &options, bool interactive, const OutcomeOutput &output,
                          bool quiet) {
  if (!interactive || quiet || output.json())
    return;
  options.onHeadersPrecompiled = [](const std::string &path) {
    std::fprintf(stderr, "hotcc: precompiled the session's headers into %s\n", path.c_str());
  };
}

// The session runs without a PCH: say why, once.
void explainHeaderCache(const ReplSession &session, OutcomeOutput &output) {
  const Failure *why = session.headerCacheFailure();
  if (!why)
    return;
  output.failure(*why);
  if (!output.json())
    std::fputs("hotcc: note: no precompiled header; headers will be parsed in memory\n", stderr);
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
  OutcomeOutput output(flags.outputSettings());
  if (output.json())
    JsonEvents::claimStdout();  // program output goes to stderr, events to stdout
  flags.applyLogLevel(spdlog::level::warn);
  flags.noteDroppedFlags(output);
  auto options = flags.engineOptions();
  if (options.languageStandard.empty())
    options.languageStandard = "c++20";
  auto created = Engine::create(options);
  if (!created) {
    output.failure(created.failure());
    return 1;
  }
  auto engine = std::move(*created);
  engine->session().setQuiescent(true);  // nothing runs between inputs
  ReplOptions replOptions;
  replOptions.cacheDir = cacheDir;
  replOptions.precompileHeaders = !noPch;
  announcePrecompiling(replOptions, interactive, output, flags.quiet);
  auto made = ReplSession::create(*engine, replOptions);
  if (!made) {
    output.failure(made.failure());
    return 1;
  }
  auto session = std::move(*made);
  explainHeaderCache(*session, output);
  int code = interactive ? runInteractive(*session, output) : runScript(*session, output);
  session.reset();
  engine->shutdown();
  std::fflush(stdout);
  return code;
}

} // namespace hotcc::cli
