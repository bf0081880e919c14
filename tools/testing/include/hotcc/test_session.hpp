// hotcc::TestSession — Catch2 (v2) and GoogleTest files JIT-compiled into this process and run
// in it, the way `hotcc test` does. The framework's implementation is built once per version and
// flags into a cached shared library; test files are compiled by the engine against a cached PCH
// of the framework header, so an edited test file costs one small compile. Each test runs under a
// guard: a crash or a timeout fails that test and the run goes on.
//
// A host with live state (a game, a server) attaches a session to its own Engine: the tests then
// call the host's hot functions and see its globals.
//
// Every outcome is a value (hotcc/outcome.hpp): a file that cannot be used, a test that crashed,
// a framework that refused its arguments. Nothing here prints; `hotcc test` renders them.
#pragma once
#include "hotcc/engine.hpp"
#include "hotcc/outcome.hpp"
#include "hotcc/result.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hotcc {

struct TestOptions {
  // Flags for test files and sources (an attached session uses the engine's own).
  EngineOptions engine;
  std::vector<std::string> link;     // shared libraries; objects and archives are linked into one
  std::vector<std::string> sources;  // code under test, compiled by hotcc (reloads through stubs)
  unsigned timeoutMs = 0;            // per test; 0: none
  std::vector<std::string> frameworkArgs;  // what the framework's main would get (test spec, flags)
  std::string cacheDir;              // default: $XDG_CACHE_HOME/hotcc/test or ~/.cache/hotcc/test
};

struct TestFailureInfo {
  std::string file;
  int line = 0;
  std::string text;  // "FAILED: REQUIRE( a == b ) with expansion: 1 == 2", or GoogleTest's message
};

struct TestCaseResult {
  std::string name;
  std::string file;  // as the test registered it
  int line = 0;
  bool passed = false;
  long assertions = -1;  // -1: the framework does not count them
  std::vector<TestFailureInfo> failures;
  // The test crashed (a signal) or ran out of time: cause, signal, `during` = the test's name.
  // Its failures hold the framework's line for it too ("FAILED: crashed: SIGSEGV (...)").
  std::optional<failure::Crash> crash;
};

// One test file compiled (first time or again) and its tests registered.
struct TestFileLoad {
  std::string file;
  std::string framework;  // "Catch2 2.13.10"
  bool ok = false;
  // Why !ok: the compile error (with clang's diagnostics), a missing or unsupported framework
  // (SetupError), an unreadable file, a crash while the file's tests were registered.
  std::vector<Failure> failures;
  std::vector<Diagnostic> warnings;  // the compiler's warnings, ok or not
  std::size_t tests = 0;  // test cases the file registers now
  std::size_t recompiledTests = 0;  // of them, those whose code changed in this compile
  double ms = 0;
};

struct TestRunResult {
  std::vector<TestCaseResult> cases;
  std::size_t passed = 0, failed = 0;
  std::size_t available = 0;  // test cases the run's files have, before the framework's selection
  long assertions = 0;  // over the cases that count them
  double ms = 0;
  // A framework refused its arguments (SetupError) or went down outside any test (Crash): its
  // tests did not run. The first such failure when several frameworks ran.
  std::optional<Failure> failure;
  // Every selected test passed. A run that selected none is not a pass.
  bool allPassed() const { return !failure && failed == 0 && !cases.empty(); }
};

class TestSession {
public:
  // A session with its own engine; `link` and `sources` are loaded now. Fails with the engine's
  // failure, a LibraryUnavailable or SetupError for `link`, or the first failure of `sources`.
  static Result<std::unique_ptr<TestSession>> create(TestOptions options);
  // A session in a host's engine (its hot functions and globals are what the tests see).
  static Result<std::unique_ptr<TestSession>> attach(Engine &engine, TestOptions options);
  ~TestSession();
  TestSession(const TestSession &) = delete;
  TestSession &operator=(const TestSession &) = delete;

  // Compiles test files the session does not have yet, or again; their tests replace the ones
  // they had. A file that fails keeps the tests it had.
  std::vector<TestFileLoad> load(const std::vector<std::string> &testFiles);
  // Recompiles what changed on disk: sources through the engine's stubs, test files as load().
  // `sourceReports` receives the sources' reload reports.
  std::vector<TestFileLoad> reloadChanged(std::vector<ReloadReport> &sourceReports);

  // Runs the tests of `files` (all test files when empty) selected by the framework arguments.
  TestRunResult run(const std::vector<std::string> &files = {});

  Engine &engine();
  std::vector<std::string> testFiles() const;  // absolute paths
  std::vector<std::string> watchedFiles() const;

private:
  TestSession();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc
