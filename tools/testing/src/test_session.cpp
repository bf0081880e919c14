// TestSession: the framework adapters, the code under test, and runs under the crash guard (test
// files are loaded in test_file_loads.cpp). See hotcc/test_session.hpp and
// hotcc/test_adapter_abi.h.
#include "hotcc/test_session.hpp"

#include "hotcc/crash_guard.hpp"
#include "test_session_impl.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include <dlfcn.h>

namespace fs = std::filesystem;

namespace hotcc {

namespace {

using testing_detail::absolute;
using testing_detail::Clock;
using testing_detail::msSince;

// The flags a framework library must be built with to match the test files (-D, -std). Not the
// -I directories: the framework header is named by its path, and a key with the user's (often
// temporary) directories would rebuild the library for every checkout.
std::vector<std::string> matchingFlags(const EngineOptions &options) {
  std::vector<std::string> flags;
  for (auto &define : options.defines)
    flags.push_back("-D" + define);
  if (!options.languageStandard.empty())
    flags.push_back("-std=" + options.languageStandard);
  return flags;
}

} // namespace

bool TestSession::Impl::setUp(std::string &error) {
  cacheDir = options.cacheDir.empty() ? testing::defaultCacheDir() : options.cacheDir;
  std::vector<std::string> toLink;
  for (auto &input : options.link) {
    auto extension = fs::path(input).extension().string();
    if (extension == ".so" || input.find(".so.") != std::string::npos) {
      if (auto status = engine->loadLibrary(absolute(input)); !status) {
        error = status.message();
        return false;
      }
    } else if (extension == ".o" || extension == ".a") {
      toLink.push_back(input);
    } else {
      error = "hotcc: error: --link " + input + ": expected a shared library (.so), an object (.o) "
              "or an archive (.a)";
      return false;
    }
  }
  if (!toLink.empty()) {
    std::string library;
    if (!testing::linkedLibrary(toLink, cacheDir, library, error))
      return false;
    if (auto status = engine->loadLibrary(library); !status) {
      error = status.message();
      return false;
    }
  }
  if (!options.sources.empty()) {
    for (auto &report : engine->addFiles(options.sources))
      if (!report.ok) {
        error += report.error;
      }
    if (!error.empty())
      return false;
  }
  return true;
}

TestSession::Impl::Adapter *TestSession::Impl::adapterFor(const testing::FrameworkUse &use,
                                                           std::string &error) {
  if (auto it = adapters.find(use.kind); it != adapters.end()) {
    if (it->second.use.header != use.header) {
      error = "hotcc: error: the test files use two " + use.name() + " headers (" +
              it->second.use.header + ", " + use.header + "); one session loads one";
      return nullptr;
    }
    return &it->second;
  }
  testing::AdapterLibrary library;
  if (!testing::adapterLibrary(use, matchingFlags(engine->options()), cacheDir, library, error))
    return nullptr;
  if (library.built)
    spdlog::info("hotcc: built the {} library in {:.0f} ms (cached for next time)", use.name(),
                 library.ms);
  if (auto status = engine->loadLibraryFirst(library.path); !status) {
    error = status.message();
    return nullptr;
  }
  void *handle = dlopen(library.path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  auto entry = handle ? reinterpret_cast<hotcc_test_adapter_entry>(
                            dlsym(handle, HOTCC_TEST_ADAPTER_ENTRY))
                      : nullptr;
  const hotcc_test_adapter *api = entry ? entry() : nullptr;
  if (!api || api->abi_version != HOTCC_TEST_ABI_VERSION) {
    error = "hotcc: error: " + library.path + " is not a hotcc test adapter of this version";
    return nullptr;
  }
  if (api->override_count == 0) {
    error = "hotcc: error: the " + use.name() + " adapter found no registration function to hook";
    return nullptr;
  }
  for (std::size_t i = 0; i < api->override_count; ++i)
    if (auto status = engine->bindSymbol(api->overrides[i].name, api->overrides[i].address);
        !status) {
      error = status.message();
      return nullptr;
    }
  spdlog::debug("hotcc: {} from {}", api->framework, library.path);
  auto &adapter = adapters[use.kind];
  adapter.use = use;
  adapter.api = api;
  return &adapter;
}

hotcc_test_host TestSession::Impl::host() {
  hotcc_test_host h{};
  h.context = this;
  h.guard = [](void *context, void (*fn)(void *), void *arg, char *reason, size_t size) -> int {
    auto *self = static_cast<Impl *>(context);
    GuardOptions guard;
    guard.catchExceptions = false;
    guard.timeoutMs = self->options.timeoutMs;
    auto outcome = runGuarded(fn, arg, guard);
    if (outcome.ok())
      return 0;
    if (outcome.kind == GuardedOutcome::Kind::Signal && outcome.signal == SIGINT) {
      // Ctrl-C stops hotcc, not just the test.
      std::signal(SIGINT, SIG_DFL);
      std::raise(SIGINT);
    }
    std::string text = outcome.kind == GuardedOutcome::Kind::Signal ? "crashed: " + outcome.message
                                                                     : outcome.message;
    std::snprintf(reason, size, "%s", text.c_str());
    return 1;
  };
  h.restart_timeout = [](void *) { restartGuardTimeout(); };
  h.case_started = [](void *context, const char *name, const char *file, int line) {
    auto *run = static_cast<Impl *>(context)->collecting;
    TestCaseResult result;
    result.name = name;
    result.file = file ? file : "";
    result.line = line;
    run->cases.push_back(std::move(result));
  };
  h.failure = [](void *context, const char *file, int line, const char *text) {
    auto *run = static_cast<Impl *>(context)->collecting;
    if (run->cases.empty())
      return;
    run->cases.back().failures.push_back({file ? file : "", line, text ? text : ""});
  };
  h.case_ended = [](void *context, int passed, long assertions) {
    auto *run = static_cast<Impl *>(context)->collecting;
    if (run->cases.empty())
      return;
    auto &result = run->cases.back();
    result.passed = passed != 0 && result.failures.empty();
    result.assertions = assertions;
    (result.passed ? run->passed : run->failed)++;
    if (assertions >= 0)
      run->assertions += assertions;
  };
  return h;
}

TestSession::TestSession() : impl_(std::make_unique<Impl>()) {}
TestSession::~TestSession() {
  // The adapter outlives the session (one per process): it must forget the session's files
  // before their code can go.
  for (auto &[path, file] : impl_->files)
    if (file.adapter && file.adapter->api->drop_file)
      file.adapter->api->drop_file(path.c_str());
}

std::unique_ptr<TestSession> TestSession::create(TestOptions options, std::string &error) {
  auto engineOptions = options.engine;
  engineOptions.quiescent = true;  // no test code runs while files reload
  auto engine = Engine::create(engineOptions, error);
  if (!engine)
    return nullptr;
  auto session = attach(*engine, std::move(options), error);
  if (session)
    session->impl_->ownedEngine = std::move(engine);
  return session;
}

std::unique_ptr<TestSession> TestSession::attach(Engine &engine, TestOptions options,
                                                 std::string &error) {
  std::unique_ptr<TestSession> session(new TestSession());
  session->impl_->engine = &engine;
  session->impl_->options = std::move(options);
  if (!session->impl_->setUp(error))
    return nullptr;
  return session;
}

std::vector<TestFileLoad> TestSession::load(const std::vector<std::string> &testFiles) {
  std::vector<std::string> paths;
  for (auto &file : testFiles)
    paths.push_back(absolute(file));
  return impl_->load(paths);
}

std::vector<TestFileLoad> TestSession::reloadChanged(std::vector<ReloadReport> &sourceReports) {
  std::vector<std::string> stale = impl_->engine->staleFiles(), tests;
  // Code under test first, so reloaded tests already call its new version.
  for (auto &file : stale) {
    if (impl_->files.count(file))
      tests.push_back(file);
    else
      sourceReports.push_back(impl_->engine->reloadFile(file));
  }
  // A test file whose first compile failed is not in the engine: retried when it is saved again.
  for (auto &[path, file] : impl_->files) {
    std::error_code ec;
    if (!file.loadedOnce && fs::last_write_time(path, ec) != file.attempted &&
        std::find(tests.begin(), tests.end(), path) == tests.end())
      tests.push_back(path);
  }
  return load(tests);
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
    wanted.insert(absolute(f));

  auto host = impl_->host();
  for (auto &[kind, adapter] : impl_->adapters) {
    std::vector<std::string> files;
    for (auto &[path, file] : impl_->files)
      if (file.adapter == &adapter && (wanted.empty() || wanted.count(path)))
        files.push_back(path);
    if (files.empty())
      continue;
    for (auto &f : files)
      result.available += adapter.api->test_count(f.c_str());
    // Always this session's files: the adapter is shared by every session in the process.
    std::vector<const char *> fileArgs;
    for (auto &f : files)
      fileArgs.push_back(f.c_str());
    char error[2048] = {};
    int rc = 0;
    // Tests run under their own guards; this one catches the framework itself going down.
    auto outcome = runGuarded([&] {
      rc = adapter.api->run(static_cast<int>(argv.size()), argv.data(), fileArgs.data(),
                            fileArgs.size(), &host, error, sizeof error);
    });
    if (!outcome.ok())
      result.error += "hotcc: error: " + adapter.use.name() + " stopped: " + outcome.message + "\n";
    else if (rc != 0)
      result.error += std::string("hotcc: error: ") + error + "\n";
  }
  impl_->collecting = nullptr;
  result.ms = msSince(start);
  return result;
}

Engine &TestSession::engine() { return *impl_->engine; }

std::vector<std::string> TestSession::testFiles() const {
  std::vector<std::string> out;
  for (auto &[path, file] : impl_->files)
    out.push_back(path);
  return out;
}

std::vector<std::string> TestSession::watchedFiles() const {
  auto files = impl_->engine->watchedFiles();
  for (auto &[path, file] : impl_->files)
    if (std::find(files.begin(), files.end(), path) == files.end())
      files.push_back(path);
  return files;
}

} // namespace hotcc
