// TestSession::run: each framework's adapter runs the session's files, its callbacks fill the
// TestRunResult, and every test runs under the crash guard (a crash or a timeout fails that test,
// recorded as a failure::Crash, and the run goes on).
#include "hotcc/support.hpp"
#include "hotcc/crash_guard.hpp"
#include "test_session_impl.hpp"

#include <csignal>
#include <cstdio>
#include <set>

namespace hotcc {

namespace {

// The reason an adapter gets from the host's guard, as it reports it: "crashed: SIGSEGV
// (segmentation fault)", "timed out after 300 ms".
std::string adapterReason(const GuardedOutcome &outcome) {
  return outcome.kind == GuardedOutcome::Kind::Signal ? "crashed: " + outcome.message
                                                      : outcome.message;
}

} // namespace

// The adapter's callbacks into the session (a member, so it may name the session's state).
struct TestSession::Impl::Callbacks {
  static Impl &sessionOf(void *context) { return *static_cast<Impl *>(context); }

  // The host's guard around a test body (or, for GoogleTest, around the whole run): the crash is
  // recorded on the test case that was running, the adapter gets the reason to report it its way.
  static int guardTest(void *context, void (*fn)(void *), void *arg, char *reason, size_t size) {
    auto &self = sessionOf(context);
    GuardOptions guard;
    guard.catchExceptions = false;  // the frameworks report exceptions themselves
    guard.timeoutMs = self.options.timeoutMs;
    auto outcome = runGuarded(fn, arg, guard);
    if (outcome.ok())
      return 0;
    if (outcome.kind == GuardedOutcome::Kind::Signal && outcome.signal == SIGINT) {
      // Ctrl-C stops hotcc, not just the test.
      std::signal(SIGINT, SIG_DFL);
      std::raise(SIGINT);
    }
    if (self.caseOpen && !self.collecting->cases.empty()) {
      auto &current = self.collecting->cases.back();
      current.crash = outcome.crash(current.name);
    }
    std::snprintf(reason, size, "%s", adapterReason(outcome).c_str());
    return 1;
  }

  static void caseStarted(void *context, const char *name, const char *file, int line) {
    auto &self = sessionOf(context);
    TestCaseResult result;
    result.name = name;
    result.file = file ? file : "";
    result.line = line;
    self.collecting->cases.push_back(std::move(result));
    self.caseOpen = true;
  }

  static void caseFailure(void *context, const char *file, int line, const char *text) {
    auto *run = sessionOf(context).collecting;
    if (run->cases.empty())
      return;
    run->cases.back().failures.push_back({file ? file : "", line, text ? text : ""});
  }

  static void caseEnded(void *context, int passed, long assertions) {
    auto &self = sessionOf(context);
    auto *run = self.collecting;
    self.caseOpen = false;
    if (run->cases.empty())
      return;
    auto &result = run->cases.back();
    result.passed = passed != 0 && result.failures.empty() && !result.crash;
    result.assertions = assertions;
    (result.passed ? run->passed : run->failed)++;
    if (assertions >= 0)
      run->assertions += assertions;
  }
};

namespace {

// "Catch2: Unrecognised token: --x" → "Unrecognised token: --x" (Catch2's words): the framework
// is the failure's subject.
std::string withoutPrefix(const std::string &text, const std::string &name) {
  auto prefix = name + ": ";
  return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
}

} // namespace

hotcc_test_host TestSession::Impl::host() {
  hotcc_test_host h{};
  h.context = this;
  h.guard = Callbacks::guardTest;
  h.restart_timeout = [](void *) { restartGuardTimeout(); };
  h.case_started = Callbacks::caseStarted;
  h.failure = Callbacks::caseFailure;
  h.case_ended = Callbacks::caseEnded;
  return h;
}

// One framework's run over `files`. The framework refusing its arguments, or going down outside
// the tests' own guards, is the run's failure (the first one when several frameworks ran).
void TestSession::Impl::runFramework(Adapter &adapter, const std::vector<std::string> &files,
                                     const std::vector<const char *> &argv,
                                     TestRunResult &result) {
  for (auto &f : files)
    result.available += adapter.api->test_count(f.c_str());
  // Always this session's files: the adapter is shared by every session in the process.
  std::vector<const char *> fileArgs;
  for (auto &f : files)
    fileArgs.push_back(f.c_str());
  auto host = this->host();
  char error[2048] = {};
  int rc = 0;
  auto outcome = runGuarded([&] {
    rc = adapter.api->run(static_cast<int>(argv.size()), argv.data(), fileArgs.data(),
                          fileArgs.size(), &host, error, sizeof error);
  });
  caseOpen = false;
  if (result.failure)
    return;
  auto name = adapter.use.name();
  if (!outcome.ok())
    result.failure = outcome.crash(name);
  else if (rc != 0)
    result.failure = failure::SetupError{name, withoutPrefix(error, name)};
}

TestRunResult TestSession::run(const std::vector<std::string> &onlyFiles) {
  auto start = Clock::now();
  TestRunResult result;
  impl_->collecting = &result;
  std::vector<std::string> args = {"hotcc"};
  args.insert(args.end(), impl_->options.frameworkArgs.begin(), impl_->options.frameworkArgs.end());
  std::vector<const char *> argv;
  for (auto &a : args)
    argv.push_back(a.c_str());
  std::set<std::string> wanted;
  for (auto &f : onlyFiles)
    wanted.insert(absolutePath(f));

  for (auto &[kind, adapter] : impl_->adapters) {
    std::vector<std::string> files;
    for (auto &[path, file] : impl_->files)
      if (file.adapter == &adapter && (wanted.empty() || wanted.count(path)))
        files.push_back(path);
    if (!files.empty())
      impl_->runFramework(adapter, files, argv, result);
  }
  impl_->collecting = nullptr;
  result.ms = msSince(start);
  return result;
}

} // namespace hotcc
