// TestSession: set-up (the code under test, the framework adapters) and the session's files. Test
// files are loaded in test_file_loads.cpp, runs happen in test_runs.cpp. See
// hotcc/test_session.hpp and hotcc/test_adapter_abi.h.
#include "hotcc/test_session.hpp"

#include "hotcc/support.hpp"
#include "test_session_impl.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include <dlfcn.h>

namespace fs = std::filesystem;

namespace hotcc {

namespace {

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

bool isSharedLibrary(const std::string &path) {
  return fs::path(path).extension() == ".so" || path.find(".so.") != std::string::npos;
}

// Why a set of compiled sources failed: the first compile error (its diagnostics say most), else
// the first failure.
Failure firstFailureOf(const std::vector<ReloadReport> &reports) {
  const Failure *first = nullptr;
  for (auto &report : reports)
    for (auto &failure : report.failures) {
      if (std::holds_alternative<failure::CompileError>(failure))
        return failure;
      first = first ? first : &failure;
    }
  return first ? *first : Failure(failure::InternalError{"a source failed without a reason"});
}

} // namespace

// --link inputs: shared libraries are loaded as they are; objects and archives are linked into
// one shared library first.
Status TestSession::Impl::linkInputs() {
  std::vector<std::string> toLink;
  for (auto &input : options.link) {
    auto extension = fs::path(input).extension().string();
    if (isSharedLibrary(input)) {
      if (auto status = engine->loadLibrary(absolutePath(input)); !status)
        return status;
    } else if (extension == ".o" || extension == ".a") {
      toLink.push_back(input);
    } else {
      return Status::fail(failure::SetupError{
          "--link " + input, "expected a shared library (.so), an object (.o) or an archive (.a)"});
    }
  }
  if (toLink.empty())
    return Status::ok();
  auto library = testing::linkedLibrary(toLink, cacheDir);
  if (!library)
    return Status::fail(library.failure());
  return engine->loadLibrary(*library);
}

Status TestSession::Impl::setUp() {
  cacheDir = options.cacheDir.empty() ? testing::defaultCacheDir() : options.cacheDir;
  if (auto linked = linkInputs(); !linked)
    return linked;
  if (options.sources.empty())
    return Status::ok();
  auto reports = engine->addFiles(options.sources);
  bool ok = std::all_of(reports.begin(), reports.end(), [](auto &r) { return r.ok; });
  return ok ? Status::ok() : Status::fail(firstFailureOf(reports));
}

// The adapter library built, loaded ahead of the process's own copy of the framework, checked.
Result<const hotcc_test_adapter *>
TestSession::Impl::openAdapter(const testing::FrameworkUse &use) {
  auto library = testing::adapterLibrary(use, matchingFlags(engine->options()), cacheDir);
  if (!library)
    return library.failure();
  if (library->built)
    spdlog::info("built the {} library in {:.0f} ms (cached for next time)", use.name(),
                 library->ms);
  if (auto status = engine->session().loadLibraryFirst(library->path); !status)
    return status.failure();
  void *handle = dlopen(library->path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  auto entry = handle ? reinterpret_cast<hotcc_test_adapter_entry>(
                            dlsym(handle, HOTCC_TEST_ADAPTER_ENTRY))
                      : nullptr;
  const hotcc_test_adapter *api = entry ? entry() : nullptr;
  if (!api || api->abi_version != HOTCC_TEST_ABI_VERSION)
    return failure::SetupError{library->path, "is not a hotcc test adapter of this version"};
  if (api->override_count == 0)
    return failure::SetupError{"the " + use.name() + " adapter",
                               "found no registration function to hook"};
  spdlog::debug("{} from {}", api->framework, library->path);
  return api;
}

Result<TestSession::Impl::Adapter *>
TestSession::Impl::adapterFor(const testing::FrameworkUse &use) {
  if (auto it = adapters.find(use.kind); it != adapters.end()) {
    if (it->second.use.header != use.header)
      return failure::SetupError{use.name(), "the test files use two of its headers (" +
                                                 it->second.use.header + ", " + use.header +
                                                 "); one session loads one"};
    return &it->second;
  }
  auto api = openAdapter(use);
  if (!api)
    return api.failure();
  // Test files refer to the framework's registration functions: they reach the adapter's.
  for (std::size_t i = 0; i < (*api)->override_count; ++i) {
    auto &hook = (*api)->overrides[i];
    if (auto status = engine->session().bindSymbol(hook.name, hook.address); !status)
      return status.failure();
  }
  auto &adapter = adapters[use.kind];
  adapter.use = use;
  adapter.api = *api;
  return &adapter;
}

TestSession::TestSession() : impl_(std::make_unique<Impl>()) {}
TestSession::~TestSession() {
  // The adapter outlives the session (one per process): it must forget the session's files
  // before their code can go.
  for (auto &[path, file] : impl_->files)
    if (file.adapter && file.adapter->api->drop_file)
      file.adapter->api->drop_file(path.c_str());
}

Result<std::unique_ptr<TestSession>> TestSession::create(TestOptions options) {
  auto engine = Engine::create(options.engine);
  if (!engine)
    return engine.failure();
  (*engine)->session().setQuiescent(true);  // no test code runs while files reload
  auto session = attach(**engine, std::move(options));
  if (session)
    (*session)->impl_->ownedEngine = std::move(*engine);
  return session;
}

Result<std::unique_ptr<TestSession>> TestSession::attach(Engine &engine, TestOptions options) {
  std::unique_ptr<TestSession> session(new TestSession());
  session->impl_->engine = &engine;
  session->impl_->options = std::move(options);
  if (auto status = session->impl_->setUp(); !status)
    return status.failure();
  return session;
}

std::vector<TestFileLoad> TestSession::load(const std::vector<std::string> &testFiles) {
  std::vector<std::string> paths;
  for (auto &file : testFiles)
    paths.push_back(absolutePath(file));
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
