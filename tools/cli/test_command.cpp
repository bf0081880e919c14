#include "test_command.hpp"

#include "file_watcher.hpp"
#include "reload_status.hpp"
#include "test_output.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include <unistd.h>

namespace hotcc::cli {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Prints one run: a line per file in `loads`, the failures, the summary.
void printRun(const std::vector<TestFileLoad> &loads, const TestRunResult &run,
              const std::vector<std::string> &frameworkArgs, Clock::time_point started,
              bool firstRun) {
  double ms = msSince(started);
  std::string out;
  for (auto &load : loads)
    if (load.ok)
      out += fileLine(load, run, ms, firstRun);
  out += failureBlock(run);
  out += summaryLine(run);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  if (!run.error.empty())
    std::fputs(run.error.c_str(), stderr);
  // A file that failed to load has said why already.
  bool loaded = std::all_of(loads.begin(), loads.end(), [](auto &load) { return load.ok; });
  if (run.cases.empty() && run.error.empty() && loaded)
    std::fputs(noTestRan(run, frameworkArgs).c_str(), stderr);
}

// Clang's diagnostics (or why the file cannot be used); false when a file failed.
bool reportLoadErrors(const std::vector<TestFileLoad> &loads, bool watching) {
  bool ok = true;
  for (auto &load : loads) {
    if (load.ok)
      continue;
    ok = false;
    std::fputs(load.error.c_str(), stderr);
    if (!load.error.empty() && load.error.back() != '\n')
      std::fputc('\n', stderr);
    if (watching)
      std::fprintf(stderr, "hotcc: %s: compile failed; previous results stand\n",
                   std::filesystem::path(load.file).filename().c_str());
  }
  std::fflush(stderr);
  return ok;
}

} // namespace

void TestCommand::addTo(CLI::App &app) {
  auto *cmd = app.add_subcommand(
      "test", "run Catch2 / GoogleTest files in-process; with --watch, rerun what changed on save");
  flags.addTo(*cmd);
  cmd->add_option("files", files, "test files (Catch2 v2 or GoogleTest)")->required();
  cmd->add_option("--link", link, "code under test: a shared library, object file or archive")
      ->allow_extra_args(false);
  cmd->add_option("--source", sources, "code under test compiled by hotcc (reloads on save too)")
      ->allow_extra_args(false);
  cmd->add_flag("--watch,-w", watch, "recompile saved files and run the tests again");
  cmd->add_flag("--changed-only", changedOnly,
                "in watch mode, run only the tests of the test files that changed");
  cmd->add_option("--timeout", timeoutMs, "fail a test that runs longer than this (ms)");
  cmd->add_option("--cache-dir", cacheDir,
                  "where framework libraries and PCHs are kept (default $XDG_CACHE_HOME/hotcc/test)");
  cmd->footer("Arguments after -- go to the framework: a Catch2 test spec (\"[tag]\", names), "
              "--gtest_filter=..., and so on.");
  cmd->callback([this] { std::exit(execute()); });
}

int TestCommand::execute() {
  const bool colour = isatty(STDERR_FILENO);
  flags.applyLogLevel(flags.quiet ? spdlog::level::warn : spdlog::level::info);
  auto started = Clock::now();
  TestOptions options;
  flags.noteDroppedFlags();
  options.engine = flags.engineOptions(colour);
  options.engine.preparesReloads = watch;  // without --watch the tests run once
  options.link = link;
  options.sources = sources;
  options.timeoutMs = timeoutMs;
  options.frameworkArgs = frameworkArgs;
  options.cacheDir = cacheDir;
  std::string error;
  auto session = TestSession::create(options, error);
  if (!session) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  auto loads = session->load(files);
  bool compiled = reportLoadErrors(loads, watch);
  auto result = session->run();
  printRun(loads, result, frameworkArgs, started, true);
  if (!watch)
    return !compiled || !result.error.empty() ? 2 : result.allPassed() ? 0 : 1;

  // Results appear as they happen, even through a pipe.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  FileWatcher watcher;
  if (!watcher.ok()) {
    std::perror("hotcc: inotify");
    return 2;
  }
  auto watched = session->watchedFiles();
  watcher.watch(watched);
  std::fprintf(stderr, "hotcc: watching %zu files (Ctrl-C to stop)\n", watched.size());
  for (;;) {
    auto changed = watcher.wait(std::chrono::milliseconds(200));
    if (changed.empty())
      continue;
    auto start = Clock::now();
    std::vector<ReloadReport> sourceReports;
    auto reloaded = session->reloadChanged(sourceReports);
    bool sourcesChanged = false;
    for (auto &report : sourceReports) {
      std::fputs(describeReload(report, flags.verbose(), flags.quiet).c_str(), stderr);
      sourcesChanged = sourcesChanged || (report.ok && !report.compiled.empty());
    }
    reportLoadErrors(reloaded, true);
    std::vector<TestFileLoad> good;
    std::vector<std::string> changedTests;
    for (auto &load : reloaded)
      if (load.ok) {
        good.push_back(load);
        changedTests.push_back(load.file);
      }
    watcher.watch(session->watchedFiles());
    if (good.empty() && !sourcesChanged)
      continue;  // nothing new to run: the previous results stand
    auto run = session->run(changedOnly && !sourcesChanged ? changedTests
                                                           : std::vector<std::string>{});
    printRun(good, run, frameworkArgs, start, false);
  }
}

} // namespace hotcc::cli
