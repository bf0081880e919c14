// The engine's public API: creating it, adding and reloading files, looking up hot symbols. The
// reload pipeline itself — compile the file (frontend), plan against what is live (reload_plan),
// cut the module (module_split), link the halves (orc_host), then make new bodies live by writing
// stub slots (registry) — is in load_batch.cpp.
#include "engine_impl.hpp"

#include "hotcc/frontend/outcome_error.hpp"
#include "library_search.hpp"

#include <llvm/Support/DynamicLibrary.h>

#include <spdlog/spdlog.h>

#include <dlfcn.h>

namespace hotcc {

void Engine::Impl::prepareReloadsInBackground(const std::vector<std::string> &paths) {
  if (!options.preparesReloads)
    return;
  for (auto &path : paths)
    preparation.enqueue([compiler = &compilerFor(path), path] { compiler->prepareReload(path); });
}

frontend::Compiler &Engine::Impl::compilerFor(const std::string &path) {
  if (options.compileDatabaseDir.empty())
    return *compiler;
  auto &slot = perFileCompilers[path];
  if (!slot) {
    frontend::CompileOptions copts = compiler->options();
    auto flags = frontend::flagsFromCompileDatabase(options.compileDatabaseDir, path);
    if (!flags) {
      auto failure = frontend::toFailure(flags.takeError());
      auto *setup = std::get_if<failure::SetupError>(&failure);
      flagNotices.push_back(notice::CompileDatabaseMiss{path, setup ? setup->problem : ""});
    } else {
      copts.extraArgs.insert(copts.extraArgs.begin(), flags->compile.begin(),
                             flags->compile.end());
      // A build's flags repeat for every file: each dropped one is said once.
      for (auto &dropped : flags->dropped)
        if (notedFlags.insert(dropped.flag).second)
          flagNotices.push_back(notice::FlagDropped{dropped.flag, dropped.reason,
                                                    options.compileDatabaseDir +
                                                        "/compile_commands.json"});
    }
    slot = std::make_unique<frontend::Compiler>(copts);
  }
  return *slot;
}

// Libraries given with -l are loaded before any code, as a link would.
static Status loadCommandLineLibraries(const EngineOptions &options) {
  for (auto &name : options.libraries) {
    auto path = jit::findLibrary(name, options.libraryDirs);
    if (!path)
      return Status::fail(frontend::toFailure(path.takeError()));
    if (path->empty())
      continue;
    // Lazy: a library may call back into the program, whose functions are not compiled yet.
    if (!dlopen(path->c_str(), RTLD_LAZY | RTLD_GLOBAL))
      return Status::fail(failure::LibraryUnavailable{*path, dlerror()});
  }
  return Status::ok();
}

static frontend::CompileOptions compileOptionsOf(const EngineOptions &options) {
  frontend::CompileOptions copts;
  copts.includeDirs = options.includeDirs;
  copts.defines = options.defines;
  copts.languageStandard = options.languageStandard;
  copts.optLevel = options.optLevel;
  copts.extraArgs = options.extraArgs;
  copts.usePreamble = options.usePreamble;
  copts.deferPreamble = true;  // see prepareReloadsInBackground
  return copts;
}

Result<std::unique_ptr<Engine>> Engine::create(EngineOptions options) {
  std::unique_ptr<Engine> engine(new Engine());
  auto &impl = *engine->impl_;
  impl.options = std::move(options);
  auto host = jit::OrcHost::create(impl.options.optLevel, impl.exitHandlers);
  if (!host)
    return frontend::toFailure(host.takeError(), [](std::string text) -> Failure {
      return failure::SetupError{"the JIT", "cannot start it: " + text};
    });
  impl.host = std::move(*host);
  impl.compiler = std::make_unique<frontend::Compiler>(compileOptionsOf(impl.options));
  impl.layoutPolicy.acceptAll = impl.options.acceptLayoutChanges;
  if (auto status = loadCommandLineLibraries(impl.options); !status)
    return status.failure();
  return engine;
}

Engine::Engine()
    : impl_(std::make_unique<Impl>()), session_(new SessionExtension(*this)) {}

Engine::~Engine() {
  shutdown();
  detachCrashHandling(this);
}

void Engine::shutdown() {
  // First, without the reload lock: a pass waits for that lock, and stop() waits for the pass.
  impl_->reclamation.stop();
  std::lock_guard lock(impl_->reloadMutex);  // not in the middle of a reload
  if (impl_->shutDown)
    return;
  impl_->shutDown = true;
  impl_->preparation.stop();
  impl_->exitHandlers.runAll();
}

Registry &Engine::registry() {
  return impl_->registry;
}

std::uint64_t Engine::version() const {
  return impl_->registry.version();
}

const EngineOptions &Engine::options() const {
  return impl_->options;
}

std::vector<std::string> Engine::files() const {
  std::lock_guard lock(impl_->reloadMutex);
  std::vector<std::string> out;
  for (auto &[path, unit] : impl_->units)
    out.push_back(path);
  return out;
}

std::vector<std::string> Engine::watchedFiles() const {
  std::lock_guard lock(impl_->reloadMutex);
  std::set<std::string> all;
  for (auto &[path, unit] : impl_->units) {
    all.insert(path);
    all.insert(unit.dependencies.begin(), unit.dependencies.end());
  }
  return {all.begin(), all.end()};
}
ReloadReport Engine::addFile(const std::string &path) {
  return mergeReports(addFiles({path}));
}

std::vector<ReloadReport> Engine::addFiles(const std::vector<std::string> &paths) {
  std::lock_guard lock(impl_->reloadMutex);
  std::vector<Impl::Unit *> batch;
  std::vector<std::string> added;
  for (auto &path : paths) {
    auto absolute = absolutePath(path);
    auto &unit = impl_->units[absolute];
    if (unit.path.empty()) {
      unit.path = absolute;
      unit.tag = frontend::unitTagFor(absolute);
      added.push_back(absolute);
    }
    if (std::find(batch.begin(), batch.end(), &unit) == batch.end())
      batch.push_back(&unit);
  }
  auto reports = impl_->loadBatch(batch);
  for (auto &absolute : added)
    if (!impl_->units[absolute].loaded)
      impl_->units.erase(absolute);
  return reports;
}

std::vector<Engine::Impl::Unit *> Engine::Impl::unitsReading(const std::string &absolute) {
  std::vector<Unit *> batch;
  for (auto &[unitPath, unit] : units)
    if (unitPath == absolute || std::find(unit.dependencies.begin(), unit.dependencies.end(),
                                          absolute) != unit.dependencies.end())
      batch.push_back(&unit);
  return batch;
}

ReloadReport Engine::reloadFile(const std::string &path) {
  return session().reloadFile(path, {});
}

std::vector<Engine::Impl::Unit *> Engine::Impl::staleUnits() {
  std::vector<Unit *> stale;
  for (auto &[path, unit] : units) {
    // Against the last attempt: a file that failed to compile is retried when it changes again,
    // not on every unrelated save.
    auto &reference = unit.attempted.empty() ? unit.stamps : unit.attempted;
    bool changed = reference.empty();
    for (auto &[dep, stamp] : reference)
      changed = changed || !(stampOf(dep) == stamp);
    if (changed)
      stale.push_back(&unit);
  }
  return stale;
}

std::vector<std::string> Engine::staleFiles() {
  std::lock_guard lock(impl_->reloadMutex);
  std::vector<std::string> out;
  for (auto *unit : impl_->staleUnits())
    out.push_back(unit->path);
  return out;
}

std::vector<ReloadReport> Engine::reloadChanged() {
  std::lock_guard lock(impl_->reloadMutex);
  auto stale = impl_->staleUnits();
  if (stale.empty())
    return {};
  return impl_->loadBatch(stale);
}

void *Engine::lookup(const std::string &name) {
  std::lock_guard lock(impl_->reloadMutex);
  if (auto sym = impl_->registry.find(name); sym && !sym->history.empty()) {
    impl_->live.lookedUpByHost.insert(sym->linkName);
    return reinterpret_cast<void *>(sym->stub);
  }
  for (auto &[link, global] : impl_->live.data)
    if ((link == name || global.displayName == name) && !global.threadLocal)
      return reinterpret_cast<void *>(impl_->host->address(link));
  return nullptr;
}

Status Engine::loadLibrary(const std::string &path) {
  if (auto err = impl_->host->exports().publish())
    return Status::fail(failure::LibraryUnavailable{path, llvm::toString(std::move(err))});
  std::string error;
  if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(path.c_str(), &error))
    return Status::fail(failure::LibraryUnavailable{path, error});
  return Status::ok();
}

void Engine::acceptLayoutChange(const std::string &typeName) {
  std::lock_guard lock(impl_->reloadMutex);
  impl_->layoutPolicy.acceptedTypes.insert(typeName);
}

Status Engine::rollback(const std::string &name) {
  std::lock_guard lock(impl_->reloadMutex);
  return impl_->registry.rollback(name);
}

Result<int> Engine::runMain(int argc, char **argv) {
  auto *main = lookupFunction<int(int, char **)>("main");
  if (!main)
    return failure::NoMain{};
  ++impl_->mainsRunning;
  struct Leave {
    std::atomic<int> &count;
    ~Leave() { --count; }
  } leave{impl_->mainsRunning};
  if (!impl_->crashResponse)
    return main(argc, argv);
  // The crash handler runs on this stack's alternate stack (a stack overflow is a crash too), and
  // a crash that cannot return to a caller starts main again here (CrashRestartPoint).
  ensureAlternateStack();
  CrashRestartPoint restart;
  if (*impl_->crashResponse == CrashResponse::Survive) {
    (void)sigsetjmp(restart.jump, 1);  // returns again, nonzero, after a crash: main again
    restart.armed = true;
    setCrashRestartPoint(&restart);
  }
  int status = main(argc, argv);
  setCrashRestartPoint(nullptr);
  return status;
}

SessionExtension &Engine::session() {
  return *session_;
}

} // namespace hotcc
