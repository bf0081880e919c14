// The reload pipeline: compile the file (frontend), plan against what is live (reload_plan), cut the
// module (module_split), link the halves (orc_host), then make new bodies live by writing stub slots
// (registry) and construct only the globals that are new.
#include "hotcc/engine.hpp"

#include "hotcc/exit_handlers.hpp"
#include "hotcc/frontend/compiler.hpp"
#include "module_split.hpp"
#include "background_queue.hpp"
#include "export_table.hpp"
#include "library_search.hpp"
#include "orc_host.hpp"
#include "reload_plan.hpp"

#include <llvm/Demangle/Demangle.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/DynamicLibrary.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/xxhash.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <dlfcn.h>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <sstream>

namespace hotcc {

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string absolutePath(const std::string &path) {
  llvm::SmallString<256> p(path);
  llvm::sys::fs::make_absolute(p);
  llvm::sys::path::remove_dots(p, true);
  return std::string(p);
}

std::string unitTagFor(const std::string &absolute) {
  std::string tag;
  llvm::raw_string_ostream os(tag);
  os << llvm::format_hex_no_prefix(llvm::xxh3_64bits(absolute) & 0xffffffffu, 8);
  return tag;
}

std::string fileName(const std::string &path) {
  return llvm::sys::path::filename(path).str();
}

struct FileStamp {
  llvm::sys::TimePoint<> modified;
  std::uint64_t size = 0;
  bool operator==(const FileStamp &) const = default;
};

FileStamp stampOf(const std::string &path) {
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(path, status))
    return {};
  return {status.getLastModificationTime(), status.getSize()};
}
} // namespace

struct Engine::Impl {
  EngineOptions options;
  ExitHandlers exitHandlers;  // before `host`: hot code's __dso_handle points here
  std::unique_ptr<jit::OrcHost> host;
  std::unique_ptr<frontend::Compiler> compiler;
  std::map<std::string, std::unique_ptr<frontend::Compiler>> perFileCompilers;  // -p
  std::set<std::string> notedFlags;     // compile-database flags said to be dropped
  std::vector<std::string> flagNotes;   // not yet in a report
  Registry registry;
  // Recursive: reload hooks and global initialisers run under it and may call lookup/rollback.
  mutable std::recursive_mutex reloadMutex;

  struct Unit {
    std::string path;
    std::string tag;
    std::vector<std::string> dependencies;
    std::map<std::string, FileStamp> stamps;     // of the dependencies at the last good compile
    std::map<std::string, FileStamp> attempted;  // at the last compile, good or not
    bool loaded = false;
  };
  std::map<std::string, Unit> units;
  jit::LiveState live;
  jit::LayoutPolicy layoutPolicy;
  std::vector<llvm::orc::ResourceTrackerSP> trackers;  // every version stays mapped (see README)
  std::map<std::string, frontend::FileSettings> fileSettings;  // by absolute path
  unsigned globalGeneration = 0;  // suffix of the next fresh storage name
  bool shutDown = false;
  std::atomic<int> mainsRunning{0};  // frames of main() entered through runMain

  // One unit on its way in: compiled, planned, split, not yet linked.
  struct Pending {
    Unit *unit = nullptr;
    frontend::CompiledUnit cu;
    jit::ReloadPlan plan;
    std::map<std::string, std::uintptr_t> reused;  // edits undone: bodies already linked
    llvm::orc::ThreadSafeContext context;  // owns the split modules' context: declared before them
    jit::SplitModules split;
    std::map<std::string, FileStamp> stamps;
    ReloadRequest request;
    frontend::Compiler *compiler = nullptr;
    bool renamedFirst = false;  // fresh storage chosen before the compile
    std::optional<llvm::Expected<frontend::CompiledUnit>> compiled;  // between the steps
    std::vector<std::pair<std::string, std::string>> replacedGlobals;  // live name → fresh name
    std::optional<frontend::FileSettings> settingsBefore;  // restored if this reload fails
    ReloadReport report;
    Clock::time_point started;
    bool failed = false;
  };

  frontend::Compiler &compilerFor(const std::string &path);
  // Compiles, plans and links several units as one step, so files may refer to each other.
  std::vector<ReloadReport> loadBatch(const std::vector<Unit *> &batch,
                                      const ReloadRequest &request = {});
  bool giveFreshStorage(Pending &p, frontend::Compiler &unitCompiler,
                        const std::map<std::string, frontend::GlobalInfo> &candidates);
  void prepareCompile(Pending &p);
  void compileSource(Pending &p);
  bool finishCompile(Pending &p);
  void compileConcurrently(std::vector<Pending> &pending);
  // Plans `p` against `planning`; `later`, when given, gets p's definitions for the units after it.
  bool planUnit(Pending &p, const jit::LiveState &planning, jit::LiveState *later);
  void checkUndefined(std::vector<Pending> &pending);
  void fail(Pending &p, const std::string &message);
  // A stub made by a reload that then failed has no body: it must not count as a definition.
  bool hasBody(const std::string &name) const {
    auto sym = registry.find(name);
    return sym && !sym->history.empty();
  }
  ReloadReport finish(Pending &p);
  std::vector<Unit *> staleUnits();

  // After a first load: builds the files' preambles off the reloading thread (see
  // EngineOptions::preparesReloads). Stopped before the engine's compilers go.
  void prepareReloadsInBackground(const std::vector<std::string> &paths);
  jit::BackgroundQueue preparation;
};

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
      spdlog::warn("hotcc: {}; compiling {} with the command-line flags only",
                   llvm::toString(flags.takeError()), path);
    } else {
      copts.extraArgs.insert(copts.extraArgs.begin(), flags->compile.begin(),
                             flags->compile.end());
      // A build's flags repeat for every file: each dropped one is said once.
      for (auto &dropped : flags->dropped)
        if (notedFlags.insert(dropped.flag).second)
          flagNotes.push_back("ignoring " + dropped.flag + " from compile_commands.json: " +
                              dropped.reason);
    }
    slot = std::make_unique<frontend::Compiler>(copts);
  }
  return *slot;
}

std::unique_ptr<Engine> Engine::create(EngineOptions options, std::string &error) {
  std::unique_ptr<Engine> engine(new Engine());
  auto &impl = *engine->impl_;
  impl.options = std::move(options);
  auto host = jit::OrcHost::create(impl.options.optLevel, impl.exitHandlers);
  if (!host) {
    error = "hotcc: cannot start the JIT: " + llvm::toString(host.takeError());
    return nullptr;
  }
  impl.host = std::move(*host);
  frontend::CompileOptions copts;
  copts.includeDirs = impl.options.includeDirs;
  copts.defines = impl.options.defines;
  copts.languageStandard = impl.options.languageStandard;
  copts.optLevel = impl.options.optLevel;
  copts.extraArgs = impl.options.extraArgs;
  copts.colorDiagnostics = impl.options.colorDiagnostics;
  copts.usePreamble = impl.options.usePreamble;
  copts.deferPreamble = true;  // see prepareReloadsInBackground
  impl.compiler = std::make_unique<frontend::Compiler>(std::move(copts));
  impl.layoutPolicy.acceptAll = impl.options.acceptLayoutChanges;
  for (auto &name : impl.options.libraries) {
    auto path = jit::findLibrary(name, impl.options.libraryDirs);
    if (!path) {
      error = "hotcc: error: " + llvm::toString(path.takeError());
      return nullptr;
    }
    if (path->empty())
      continue;
    // Lazy: a library may call back into the program, whose functions are not compiled yet.
    if (!dlopen(path->c_str(), RTLD_LAZY | RTLD_GLOBAL)) {
      error = std::string("hotcc: error: cannot load ") + *path + ": " + dlerror();
      return nullptr;
    }
  }
  return engine;
}

Engine::Engine() : impl_(std::make_unique<Impl>()) {}

Engine::~Engine() {
  shutdown();
}

void Engine::shutdown() {
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

void Engine::Impl::fail(Pending &p, const std::string &message) {
  p.failed = true;
  p.report.ok = false;
  p.report.error = message;
}

ReloadReport Engine::Impl::finish(Pending &p) {
  if (!p.report.ok && p.settingsBefore) {
    fileSettings[p.unit->path] = *p.settingsBefore;
    compilerFor(p.unit->path).configureFile(p.unit->path, *p.settingsBefore);
  }
  p.report.times.totalMs = msSince(p.started);
  p.report.version = registry.version();
  registry.notifyAfter(p.report);
  return std::move(p.report);
}

static bool becameThrowing(const frontend::CompiledUnit &cu, const jit::LiveState &live) {
  for (auto &[name, fn] : cu.functions) {
    auto it = live.hot.find(name);
    if (fn.kind == frontend::FunctionKind::Hot && !fn.nounwind && it != live.hot.end() &&
        it->second.info.nounwind)
      return true;
  }
  return false;
}

// Compiling a batch has three steps: what touches the engine's state (before and after) runs on
// the reloading thread; Clang itself runs for several files at once.
void Engine::Impl::prepareCompile(Pending &p) {
  Unit &unit = *p.unit;
  p.compiler = &compilerFor(unit.path);
  for (auto &dep : unit.dependencies)
    p.stamps[dep] = stampOf(dep);
  p.stamps[unit.path] = stampOf(unit.path);
  unit.attempted = p.stamps;
  // See ReloadRequest::freshGlobalsNamed for the two ways fresh storage is chosen.
  p.renamedFirst = !p.request.freshGlobalsFrom.empty() && !p.request.freshGlobalsNamed.empty();
  if (p.renamedFirst)
    giveFreshStorage(p, *p.compiler, live.data);
}

// Safe to run for several units at once: the compiler compiles different files concurrently, and
// the live state is only read.
void Engine::Impl::compileSource(Pending &p) {
  Unit &unit = *p.unit;
  auto compiled = p.compiler->compile(unit.path, unit.tag, !p.request.fullCompile);
  if (compiled && compiled->timing.skippedBodies > 0 && becameThrowing(*compiled, live)) {
    // Clang let callers in this file call a function it proved cannot throw without an unwind
    // path. Now it can throw: those callers, skipped or not, must be compiled again.
    spdlog::debug("{}: a function can throw now; compiling every body", unit.path);
    compiled = p.compiler->compile(unit.path, unit.tag, /*allowSkipping=*/false);
  }
  p.compiled.emplace(std::move(compiled));
}

bool Engine::Impl::finishCompile(Pending &p) {
  Unit &unit = *p.unit;
  auto compiled = std::move(*p.compiled);
  p.compiled.reset();
  if (compiled && !p.request.freshGlobalsFrom.empty() && !p.renamedFirst &&
      giveFreshStorage(p, *p.compiler, compiled->globals))
    compiled = p.compiler->compile(unit.path, unit.tag, /*allowSkipping=*/false);
  if (!compiled) {
    std::string message;
    llvm::handleAllErrors(
        compiled.takeError(), [&](const frontend::CompileError &e) { message = e.rendered(); },
        [&](const llvm::ErrorInfoBase &e) { message = e.message(); });
    fail(p, message);
    return false;
  }
  p.cu = std::move(*compiled);
  p.report.times.parseMs = p.cu.timing.parseMs;
  p.report.notes.insert(p.report.notes.end(), flagNotes.begin(), flagNotes.end());
  flagNotes.clear();
  if (!p.cu.warnings.empty())
    p.report.notes.push_back(p.cu.warnings);
  return true;
}

// Runs compileSource for every unit that has not failed, on up to as many threads as there are
// cores (the reloading thread is one of them).
void Engine::Impl::compileConcurrently(std::vector<Pending> &pending) {
  std::vector<Pending *> work;
  for (auto &p : pending)
    if (!p.failed)
      work.push_back(&p);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < work.size(); i = next++)
      compileSource(*work[i]);
  };
  const std::size_t threads =
      std::min<std::size_t>(work.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> helpers;
  for (std::size_t i = 1; i < threads; ++i)
    helpers.emplace_back(worker);
  worker();
  for (auto &helper : helpers)
    helper.join();
}

// A REPL redefinition of a variable, or a test file whose registrations must run again: the live
// globals among `candidates` defined in the fresh files get new storage under a new link name,
// and the compile is a full one so every body refers to the new storage.
bool Engine::Impl::giveFreshStorage(Pending &p, frontend::Compiler &unitCompiler,
                                    const std::map<std::string, frontend::GlobalInfo> &candidates) {
  auto inFreshFile = [&](const std::string &location) {
    for (auto &file : p.request.freshGlobalsFrom)
      if (location.rfind(file + ":", 0) == 0)
        return true;
    return false;
  };
  auto named = [&](const std::string &name) {
    for (auto &part : p.request.freshGlobalsNamed)
      if (name.find(part) != std::string::npos)
        return true;
    return p.request.freshGlobalsNamed.empty();
  };
  auto settings = fileSettings[p.unit->path];
  bool renamed = false;
  for (auto &[name, global] : candidates) {
    if (global.kind != frontend::GlobalKind::Data || global.threadLocal || !live.data.count(name) ||
        !inFreshFile(global.location) || !named(name))
      continue;
    // Renames apply before internal names are promoted: strip the unit's suffix, then any earlier
    // generation.
    std::string base = name;
    if (auto promoted = base.find(".hc." + p.unit->tag); promoted != std::string::npos)
      base.erase(promoted);
    base = base.substr(0, base.find(".hcr."));
    std::string fresh = base + ".hcr." + std::to_string(++globalGeneration);
    settings.renamedGlobals[base] = fresh;
    p.replacedGlobals.emplace_back(name, fresh);
    renamed = true;
  }
  if (!renamed)
    return false;
  p.settingsBefore = fileSettings[p.unit->path];
  fileSettings[p.unit->path] = settings;
  unitCompiler.configureFile(p.unit->path, settings,
                             /*keepBodies=*/!p.request.freshGlobalsNamed.empty());
  return true;
}

bool Engine::Impl::planUnit(Pending &p, const jit::LiveState &planning, jit::LiveState *later) {
  Unit &unit = *p.unit;
  auto analyseStart = Clock::now();
  p.reused.clear();
  p.plan = jit::planReload(p.cu, unit.path, planning, options.quiescent, layoutPolicy);
  for (auto &name : p.plan.compile)
    spdlog::debug("{}: {} {}", unit.path, planning.hot.count(name) ? "changed" : "new", name);
  if (!p.plan.refusals.empty()) {
    std::string message = "hotcc: error: refusing to reload " + fileName(unit.path) + ":\n";
    for (auto &r : p.plan.refusals)
      message += "  " + r;
    message += unit.loaded ? "  the running code keeps its current version; restart the program to "
                             "apply this change\n"
                           : "";
    fail(p, message);
    return false;
  }

  // A body whose hash the registry has seen (an edit undone) is linked already: point back at it.
  std::set<std::string> compileNow;
  for (auto &name : p.plan.compile) {
    auto hash = p.cu.functions.at(name).hash;
    if (auto known = registry.find(name))
      for (auto &version : known->history)
        if (version.hash == hash)
          p.reused[name] = version.address;
    if (!p.reused.count(name))
      compileNow.insert(name);
  }
  jit::SplitInput input;
  input.compileNow = std::move(compileNow);
  input.newData = p.plan.newData;
  input.newLibrary = p.plan.newLibrary;
  input.reloadId = registry.version() + 1;
  input.unitTag = unit.tag;
  auto splitStart = Clock::now();
  p.split = jit::splitModule(*p.cu.module, p.cu, input);
  spdlog::debug("{}: plan {:.2f} ms, split {:.2f} ms", unit.path,
                std::chrono::duration<double, std::milli>(splitStart - analyseStart).count(),
                msSince(splitStart));
  p.report.times.analyseMs = p.cu.timing.analyseMs + msSince(analyseStart);

  // What later units of the batch plan against: this unit's definitions as if already live.
  if (!later)
    return true;
  for (auto &[name, fn] : p.cu.functions) {
    if (fn.kind == frontend::FunctionKind::Hot &&
        !jit::keepsFirstDefinition(*later, name, fn, unit.path))
      later->hot[name] = {fn, unit.path};
    else if (fn.kind == frontend::FunctionKind::Library)
      later->library.insert(name);
  }
  for (auto &name : p.plan.newData)
    later->data[name] = p.cu.globals.at(name);
  for (auto &[key, layout] : p.cu.records)
    later->records[key] = layout;
  return true;
}

// Every name the new code uses must resolve before anything is linked: a missing one is a clear
// error now instead of a half-linked version later. A unit that fails drops out, which may
// leave another without a definition it needed, so this runs until nothing changes.
void Engine::Impl::checkUndefined(std::vector<Pending> &pending) {
  for (bool changed = true; changed;) {
    changed = false;
    std::set<std::string> batchDefined;
    for (auto &p : pending) {
      if (p.failed)
        continue;
      for (auto &[name, fn] : p.cu.functions)
        if (fn.kind == frontend::FunctionKind::Hot)
          batchDefined.insert(name);
      for (auto *m : {p.split.persistent.get(), p.split.code.get()})
        if (m)
          for (auto &go : m->global_objects())
            if (!go.isDeclaration())
              batchDefined.insert(go.getName().str());
    }
    for (auto &p : pending) {
      if (p.failed)
        continue;
      std::vector<std::string> missing;
      for (auto *m : {p.split.persistent.get(), p.split.code.get()}) {
        if (!m)
          continue;
        for (auto &[name, users] : jit::undefinedSymbols(*m)) {
          if (batchDefined.count(name) || hasBody(name) || host->isKnown(name))
            continue;
          std::string line = "undefined symbol '" + llvm::demangle(name) + "'";
          std::vector<std::string> userNames;
          for (auto &user : users) {
            auto base = user.substr(0, user.find(".hcv."));
            auto fn = p.cu.functions.find(base);
            userNames.push_back(fn != p.cu.functions.end() ? fn->second.displayName
                                                           : llvm::demangle(base));
          }
          std::sort(userNames.begin(), userNames.end());
          userNames.erase(std::unique(userNames.begin(), userNames.end()), userNames.end());
          for (std::size_t i = 0; i < userNames.size(); ++i)
            line += (i ? ", " : ", used by ") + userNames[i];
          missing.push_back(line);
        }
      }
      if (missing.empty())
        continue;
      std::sort(missing.begin(), missing.end());
      missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
      std::string message = "hotcc: error: cannot link " + fileName(p.unit->path) + ":\n";
      for (auto &m : missing)
        message += "  " + m + "\n";
      if (p.unit->loaded)
        message += "  the running code keeps its current version\n";
      fail(p, message);
      p.unit->attempted.clear();  // another file may bring the definition: retry with it
      changed = true;
    }
  }
}

std::vector<ReloadReport> Engine::Impl::loadBatch(const std::vector<Unit *> &batch,
                                                  const ReloadRequest &request) {
  std::vector<Pending> pending(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto &p = pending[i];
    p.unit = batch[i];
    p.request = request;
    p.started = Clock::now();
    p.report.files = {p.unit->path};
    registry.notifyBefore(p.report.files);
    if (shutDown)
      fail(p, "hotcc: error: the engine has shut down\n");
    else
      prepareCompile(p);
  }
  compileConcurrently(pending);
  for (auto &p : pending)
    if (!p.failed)
      finishCompile(p);
  // Each unit plans against the live state plus the units before it. When one drops out (a
  // refusal, a missing symbol), the others are planned again without it: a shared inline function
  // it would have compiled must not count as unchanged for them.
  auto survivors = static_cast<std::size_t>(
      std::count_if(pending.begin(), pending.end(), [](auto &p) { return !p.failed; }));
  for (;;) {
    if (pending.size() == 1) {
      // The usual save: one file, planned against the live state itself (a copy of a big
      // program's state costs more than the rest of the planning).
      if (!pending.front().failed)
        planUnit(pending.front(), live, nullptr);
    } else {
      jit::LiveState planning = live;
      for (auto &p : pending)
        if (!p.failed)
          planUnit(p, planning, &planning);
    }
    checkUndefined(pending);
    auto now = static_cast<std::size_t>(
        std::count_if(pending.begin(), pending.end(), [](auto &p) { return !p.failed; }));
    if (now == survivors)
      break;
    survivors = now;
  }

  // Link everything that survived as one step.
  auto compileStart = Clock::now();
  std::vector<std::string> newStubs;
  std::vector<std::string> wanted;
  for (auto &p : pending) {
    if (p.failed)
      continue;
    for (auto &name : p.plan.compile)
      if (!registry.contains(name))
        newStubs.push_back(name);
    for (auto &[name, body] : p.split.bodies)
      wanted.push_back(body);
    for (auto &name : p.plan.newData)
      wanted.push_back(p.cu.globals.at(name).threadLocal ? "__emutls_v." + name : name);
    if (!p.split.initializer.empty())
      wanted.push_back(p.split.initializer);
  }
  // A failure of the batch as a whole is said once, by the first unit's report.
  auto failAll = [&](const std::string &message) {
    bool first = true;
    for (auto &p : pending)
      if (!p.failed) {
        fail(p, first ? message : std::string());
        first = false;
      }
  };
  const bool anyLoaded =
      std::any_of(pending.begin(), pending.end(), [](auto &p) { return p.unit->loaded; });
  if (auto err = host->createStubs(newStubs)) {
    failAll("hotcc: error: " + llvm::toString(std::move(err)) + "\n");
  } else {
    for (auto &p : pending)
      if (!p.failed)
        for (auto &name : p.plan.compile)
          if (std::find(newStubs.begin(), newStubs.end(), name) != newStubs.end()) {
            auto &fn = p.cu.functions.at(name);
            auto handle = host->stub(name);
            registry.declare(name, fn.displayName, fn.signature, fn.location, handle.stub,
                             handle.slot);
          }
  }

  std::vector<llvm::orc::ResourceTrackerSP> added;
  std::map<std::string, std::uintptr_t> addresses;
  bool linked = std::any_of(pending.begin(), pending.end(), [](auto &p) { return !p.failed; });
  for (auto &p : pending) {
    if (p.failed)
      continue;
    p.cu.module.reset();
    p.context = llvm::orc::ThreadSafeContext(std::move(p.cu.context));
    for (auto *slot : {&p.split.persistent, &p.split.code}) {
      if (!*slot || !linked)
        continue;
      auto tracker = host->add(llvm::orc::ThreadSafeModule(std::move(*slot), p.context));
      if (!tracker) {
        failAll("hotcc: error: " + llvm::toString(tracker.takeError()) + "\n");
        linked = false;
        continue;
      }
      added.push_back(*tracker);
    }
  }
  if (linked) {
    auto resolved = host->resolve(wanted);
    if (!resolved) {
      std::string files;
      for (auto &p : pending)
        if (!p.failed)
          files += (files.empty() ? "" : ", ") + fileName(p.unit->path);
      failAll("hotcc: error: cannot link " + files + ": " + llvm::toString(resolved.takeError()) +
              (anyLoaded ? "\n  the running code keeps its current version\n" : "\n"));
      linked = false;
    } else {
      addresses = std::move(*resolved);
    }
  }
  if (!linked) {
    for (auto &tracker : added)
      llvm::consumeError(tracker->remove());
    for (auto &p : pending)
      p.unit->attempted.clear();
    std::vector<ReloadReport> reports;
    for (auto &p : pending)
      reports.push_back(finish(p));
    return reports;
  }
  double compileMs = msSince(compileStart);

  std::vector<std::string> firstLoads;  // units loaded for the first time by this batch

  // Accepted layout changes are told before any new body can run, so objects can be converted.
  std::vector<LayoutChange> layoutChanges;
  for (auto &p : pending)
    if (!p.failed)
      for (auto &change : p.plan.changedRecords) {
        p.report.changedLayouts.push_back(jit::toLayoutChange(change));
        layoutChanges.push_back(p.report.changedLayouts.back());
      }
  if (!layoutChanges.empty())
    registry.notifyLayoutChange(layoutChanges);

  // Go live: write the slots of every unit, commit the new live state, then construct what is new
  // (initialisers may call any hot function, in any unit of the batch).
  auto version = registry.bumpVersion();
  std::vector<std::pair<Pending *, std::uintptr_t>> initialisers;
  for (auto &p : pending) {
    if (p.failed)
      continue;
    auto redirectStart = Clock::now();
    p.report.times.compileMs = compileMs;
    for (auto &[name, body] : p.split.bodies) {
      auto &fn = p.cu.functions.at(name);
      auto known = registry.find(name);
      registry.declare(name, fn.displayName, fn.signature, fn.location, known->stub, known->slot);
      if (auto status = registry.activate(name, fn.hash, addresses.at(body), version); !status)
        spdlog::error("hotcc: {}", status.message());
      p.report.compiled.push_back(fn.displayName);
      p.report.compiledAt.push_back(fn.location);
      if (fn.displayName == "main" && mainsRunning > 0)
        p.report.notes.push_back("main() is running its old body; the new one takes effect the "
                                 "next time main is called (move loop bodies into functions)");
    }
    for (auto &[name, address] : p.reused) {
      auto &fn = p.cu.functions.at(name);
      (void)registry.activate(name, fn.hash, address, version);
      p.report.compiled.push_back(fn.displayName);
      p.report.compiledAt.push_back(fn.location);
    }
    for (auto &name : p.plan.released)
      live.hot.at(name).unit.clear();
    for (auto &name : p.plan.removed) {
      registry.markRemoved(name, true);
      auto &fn = live.hot.at(name);
      fn.removed = true;
      p.report.removed.push_back(fn.info.displayName);
      p.report.notes.push_back("'" + fn.info.displayName +
                               "' was removed from the source; its last version stays callable");
    }
    p.report.unchanged = p.plan.unchanged;
    for (auto &note : p.plan.notes)
      p.report.notes.push_back(note);

    for (auto &[name, fn] : p.cu.functions) {
      if (fn.kind == frontend::FunctionKind::Hot &&
          !jit::keepsFirstDefinition(live, name, fn, p.unit->path))
        live.hot[name] = {fn, p.unit->path};
      else if (fn.kind == frontend::FunctionKind::Library)
        live.library.insert(name);
    }
    // A changed initialiser of a live global is noted once; the live value stays.
    for (auto &[name, global] : p.cu.globals)
      if (auto it = live.data.find(name); it != live.data.end())
        it->second.initializerHash = global.initializerHash;
    for (auto &[old, fresh] : p.replacedGlobals) {
      live.data.erase(old);
      if (auto it = p.cu.globals.find(fresh); it != p.cu.globals.end())
        p.report.replacedGlobals.push_back(it->second.displayName);
    }
    for (auto &name : p.plan.newData) {
      auto &global = p.cu.globals.at(name);
      live.data[name] = global;
      if (global.user)
        p.report.addedGlobals.push_back(global.displayName);
      if (global.exported && !global.threadLocal)
        host->exports().add(name, addresses.at(name));
    }
    for (auto &[name, fn] : p.cu.functions)
      if (fn.kind == frontend::FunctionKind::Hot && fn.exported)
        if (auto known = registry.find(name))
          host->exports().add(name, known->stub);
    for (auto &[key, layout] : p.cu.records)
      live.records[key] = layout;
    for (auto &[cell, value] : p.cu.capturedValues)
      p.report.capturedValues[cell] = {value.type, value.lvalue, value.record};
    p.unit->dependencies = p.cu.dependencies;
    p.unit->stamps = p.stamps;
    for (auto &dep : p.unit->dependencies)
      if (!p.unit->stamps.count(dep))
        p.unit->stamps[dep] = stampOf(dep);
    p.unit->attempted = p.unit->stamps;
    if (!p.unit->loaded)
      firstLoads.push_back(p.unit->path);
    p.unit->loaded = true;
    compilerFor(p.unit->path).commit(p.unit->path);
    if (!p.split.initializer.empty())
      initialisers.emplace_back(&p, addresses.at(p.split.initializer));
    p.report.times.redirectMs = msSince(redirectStart);
    p.report.ok = true;
  }
  for (auto &tracker : added)
    trackers.push_back(tracker);
  prepareReloadsInBackground(firstLoads);
  // Libraries given with -l were loaded before the program's code existed: their calls into it
  // bind lazily, to the exports published now.
  if (!options.libraries.empty())
    if (auto err = host->exports().publish()) {
      auto why = llvm::toString(std::move(err));
      for (auto &p : pending)
        if (!p.failed) {
          p.report.notes.push_back("libraries loaded with -l cannot call the program's "
                                   "functions: " + why);
          break;
        }
    }

  for (auto &[p, address] : initialisers) {
    auto started = Clock::now();
    try {
      reinterpret_cast<void (*)()>(address)();
    } catch (const std::exception &e) {
      p->report.notes.push_back(std::string("a global initializer threw: ") + e.what());
    } catch (...) {
      p->report.notes.push_back("a global initializer threw an exception");
    }
    p->report.times.redirectMs += msSince(started);
  }

  std::vector<ReloadReport> reports;
  for (auto &p : pending)
    reports.push_back(finish(p));
  return reports;
}

static ReloadReport mergeReports(std::vector<ReloadReport> reports) {
  if (reports.size() == 1)
    return std::move(reports.front());
  ReloadReport merged;
  merged.ok = true;
  for (auto &report : reports) {
    merged.ok = merged.ok && report.ok;
    merged.version = std::max(merged.version, report.version);
    merged.files.insert(merged.files.end(), report.files.begin(), report.files.end());
    merged.compiled.insert(merged.compiled.end(), report.compiled.begin(), report.compiled.end());
    merged.compiledAt.insert(merged.compiledAt.end(), report.compiledAt.begin(),
                             report.compiledAt.end());
    merged.removed.insert(merged.removed.end(), report.removed.begin(), report.removed.end());
    merged.addedGlobals.insert(merged.addedGlobals.end(), report.addedGlobals.begin(),
                               report.addedGlobals.end());
    merged.notes.insert(merged.notes.end(), report.notes.begin(), report.notes.end());
    merged.unchanged += report.unchanged;
    merged.error += report.error;
    merged.times.parseMs += report.times.parseMs;
    merged.times.analyseMs += report.times.analyseMs;
    merged.times.compileMs = std::max(merged.times.compileMs, report.times.compileMs);
    merged.times.redirectMs += report.times.redirectMs;
    merged.times.totalMs = std::max(merged.times.totalMs, report.times.totalMs);
  }
  return merged;
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
      unit.tag = unitTagFor(absolute);
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

ReloadReport Engine::reloadFile(const std::string &path, const ReloadRequest &request) {
  auto absolute = absolutePath(path);
  std::lock_guard lock(impl_->reloadMutex);
  std::vector<Impl::Unit *> batch;
  for (auto &[unitPath, unit] : impl_->units)
    if (unitPath == absolute || std::find(unit.dependencies.begin(), unit.dependencies.end(),
                                          absolute) != unit.dependencies.end())
      batch.push_back(&unit);
  if (batch.empty()) {
    ReloadReport report;
    report.error = "hotcc: error: " + path + " is not part of the running program\n";
    return report;
  }
  return mergeReports(impl_->loadBatch(batch, request));
}

void Engine::configureFile(const std::string &path, FileConfig config) {
  std::lock_guard lock(impl_->reloadMutex);
  auto absolute = absolutePath(path);
  auto &settings = impl_->fileSettings[absolute];
  settings.extraArgs = std::move(config.extraArgs);
  settings.usePreamble = config.usePreamble;
  impl_->compilerFor(absolute).configureFile(absolute, settings, config.onlyAddsHeaders);
}

std::vector<std::string> Engine::complete(const std::string &text, unsigned line, unsigned column,
                                          const std::string &settingsOf) {
  std::lock_guard lock(impl_->reloadMutex);
  auto absolute = absolutePath(settingsOf);
  auto names = impl_->compilerFor(absolute).complete(absolute + ".complete.cpp", text, line,
                                                     column, absolute);
  if (!names) {
    spdlog::debug("completion failed: {}", llvm::toString(names.takeError()));
    return {};
  }
  return std::move(*names);
}

std::string Engine::precompiledHeader(const std::string &headerText, const std::string &cacheDir,
                                      const std::vector<std::string> &extraArgs, bool rebuild,
                                      bool &built, std::string &error) {
  std::lock_guard lock(impl_->reloadMutex);
  auto pch = impl_->compiler->precompiledHeader(headerText, cacheDir, extraArgs, rebuild);
  if (!pch) {
    llvm::handleAllErrors(
        pch.takeError(), [&](const frontend::CompileError &e) { error = e.rendered(); },
        [&](const llvm::ErrorInfoBase &e) { error = e.message(); });
    return "";
  }
  built = pch->built;
  return pch->path;
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
    return Status::fail("hotcc: error: cannot load " + path + ": " + llvm::toString(std::move(err)));
  std::string error;
  if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(path.c_str(), &error))
    return Status::fail("hotcc: error: cannot load " + path + ": " + error);
  return Status::ok();
}

Status Engine::loadLibraryFirst(const std::string &path) {
  std::lock_guard lock(impl_->reloadMutex);
  if (auto err = impl_->host->searchLibraryFirst(path))
    return Status::fail("hotcc: error: cannot load " + path + ": " + llvm::toString(std::move(err)));
  return Status::ok();
}

Status Engine::bindSymbol(const std::string &linkName, void *address) {
  std::lock_guard lock(impl_->reloadMutex);
  if (auto err = impl_->host->bindSymbol(linkName, address))
    return Status::fail(llvm::toString(std::move(err)));
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

Status Engine::runMain(int argc, char **argv, int &exitCode) {
  auto *main = lookupFunction<int(int, char **)>("main");
  if (!main)
    return Status::fail("hotcc: error: no main() in the program's files");
  ++impl_->mainsRunning;
  struct Leave {
    std::atomic<int> &count;
    ~Leave() { --count; }
  } leave{impl_->mainsRunning};
  exitCode = main(argc, argv);
  return Status::ok();
}

} // namespace hotcc
