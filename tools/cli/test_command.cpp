#include "test_command.hpp"

#include "file_watcher.hpp"
#include "hotcc/support.hpp"
#include "test_output.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <unistd.h>

namespace hotcc::cli {

namespace {

// Shows one `hotcc test` session: for people, text on stdout (results) and stderr (what went
// wrong); with --json, the events of test_output.hpp on the event stream.
class TestReporter {
public:
  TestReporter(OutcomeOutput &output, const std::vector<std::string> &frameworkArgs, bool quiet)
      : output_(output), frameworkArgs_(frameworkArgs), quiet_(quiet) {}

  // Each load's outcomes; a failed one under --watch adds that the previous results stand.
  // False when a file failed.
  bool loads(const std::vector<TestFileLoad> &loads, bool watching) {
    bool ok = true;
    for (auto &load : loads) {
      ok = ok && load.ok;
      if (output_.json()) {
        for (auto &line : jsonLoadOutcomes(load))
          output_.event(line);
        output_.event(jsonTestFile(load));
        continue;
      }
      if (load.ok && quiet_)
        continue;  // --quiet: only errors, and a file that compiled has only warnings to say
      std::string text = loadOutcomes(load, output_.style());
      if (!load.ok && watching)
        text += "hotcc: " + std::filesystem::path(load.file).filename().string() +
                ": compile failed; previous results stand\n";
      std::fputs(text.c_str(), stderr);
    }
    std::fflush(stderr);
    return ok;
  }

  // One run: for people a line per file in `loads`, the failures, the summary.
  void run(const std::vector<TestFileLoad> &loads, const TestRunResult &run,
           Clock::time_point started, bool firstRun) {
    if (output_.json()) {
      for (auto &testCase : run.cases)
        output_.event(jsonTestCase(testCase));
      if (run.failure)
        output_.failure(*run.failure);
      output_.event(jsonTestRun(run));
      return;
    }
    double ms = msSince(started);
    std::string out;
    for (auto &load : loads)
      if (load.ok)
        out += fileLine(load, run, ms, firstRun);
    out += failureBlock(run) + summaryLine(run);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    if (run.failure)
      output_.failure(*run.failure);
    // A file that failed to load has said why already; the summary must not read as if it ran.
    auto unloaded = std::count_if(loads.begin(), loads.end(), [](auto &load) { return !load.ok; });
    if (unloaded > 0)
      std::fprintf(stderr, "hotcc: %ld test file%s did not compile: %s tests did not run\n",
                   static_cast<long>(unloaded), unloaded == 1 ? "" : "s",
                   unloaded == 1 ? "its" : "their");
    else if (run.cases.empty() && !run.failure)
      std::fputs(noTestRan(run, frameworkArgs_).c_str(), stderr);
  }

  void sourceReload(const ReloadReport &report) { output_.reload(report); }

private:
  OutcomeOutput &output_;
  const std::vector<std::string> &frameworkArgs_;
  bool quiet_;
};

// Saved files compiled again and the tests run again, until Ctrl-C.
int watchLoop(TestSession &session, TestReporter &reporter, OutcomeOutput &output,
              bool changedOnly) {
  // Results appear as they happen, even through a pipe.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  FileWatcher watcher;
  if (!watcher.ok()) {
    return output.fail(failure::SetupError{"inotify", std::strerror(errno)}, 2);
  }
  auto watched = session.watchedFiles();
  watcher.watch(watched);
  std::fprintf(stderr, "hotcc: watching %zu files (Ctrl-C to stop)\n", watched.size());
  for (;;) {
    auto changed = watcher.wait(std::chrono::milliseconds(200));
    if (changed.empty())
      continue;
    auto start = Clock::now();
    std::vector<ReloadReport> sourceReports;
    auto reloaded = session.reloadChanged(sourceReports);
    bool sourcesChanged = false;
    for (auto &report : sourceReports) {
      reporter.sourceReload(report);
      sourcesChanged = sourcesChanged || (report.ok && !report.compiled.empty());
    }
    reporter.loads(reloaded, true);
    std::vector<TestFileLoad> good;
    std::vector<std::string> changedTests;
    for (auto &load : reloaded)
      if (load.ok) {
        good.push_back(load);
        changedTests.push_back(load.file);
      }
    watcher.watch(session.watchedFiles());
    if (good.empty() && !sourcesChanged)
      continue;  // nothing new to run: the previous results stand
    auto run = session.run(changedOnly && !sourcesChanged ? changedTests
                                                          : std::vector<std::string>{});
    reporter.run(good, run, start, false);
  }
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
              "--gtest_filter=..., and so on. With --json the tests' own output (and the "
              "framework's) goes to stderr: stdout holds the events alone.");
  cmd->callback([this] { std::exit(execute()); });
}

TestOptions TestCommand::testOptions() const {
  TestOptions options;
  options.engine = flags.engineOptions();
  options.engine.preparesReloads = watch;  // without --watch the tests run once
  options.link = link;
  options.sources = sources;
  options.timeoutMs = timeoutMs;
  options.frameworkArgs = frameworkArgs;
  options.cacheDir = cacheDir;
  return options;
}

int TestCommand::execute() {
  OutcomeOutput output(flags.outputSettings());
  // Tests write to stdout as they please: under --json it goes to stderr, stdout keeps events.
  if (output.json())
    JsonEvents::claimStdout();
  flags.applyLogLevel(flags.quiet ? spdlog::level::warn : spdlog::level::info);
  auto started = Clock::now();
  flags.noteDroppedFlags(output);
  auto created = TestSession::create(testOptions());
  if (!created) {
    output.failure(created.failure());
    return 2;
  }
  auto &session = **created;
  TestReporter reporter(output, frameworkArgs, flags.quiet);
  auto loads = session.load(files);
  bool compiled = reporter.loads(loads, watch);
  auto result = session.run();
  reporter.run(loads, result, started, true);
  if (!watch)
    return !compiled || result.failure ? 2 : result.allPassed() ? 0 : 1;
  return watchLoop(session, reporter, output, changedOnly);
}

} // namespace hotcc::cli
