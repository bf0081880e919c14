// The reload pipeline: compile the file (frontend), plan against what is live (reload_plan), cut the
// module (module_split), link the halves (orc_host), then make new bodies live by writing stub slots
// (registry) and construct only the globals that are new.
#include "hotcc/engine.hpp"

#include "hotcc/exit_handlers.hpp"
#include "hotcc/frontend/compiler.hpp"
#include "module_split.hpp"
#include "orc_host.hpp"
#include "reload_plan.hpp"

#include <llvm/Demangle/Demangle.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/xxhash.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
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
  Registry registry;
  mutable std::mutex reloadMutex;

  struct Unit {
    std::string path;
    std::string tag;
    std::vector<std::string> dependencies;
    std::map<std::string, FileStamp> stamps;  // of the dependencies at the last good compile
    std::map<std::string, FileStamp> attempted;  // at the last compile, good or not
    bool loaded = false;
  };
  std::map<std::string, Unit> units;
  jit::LiveState live;
  std::vector<llvm::orc::ResourceTrackerSP> trackers;  // every version stays mapped (see README)
  bool shutDown = false;

  frontend::Compiler &compilerFor(const std::string &path, std::string &error);
  ReloadReport load(Unit &unit);
  ReloadReport refuse(ReloadReport report, const std::string &what);
};

frontend::Compiler &Engine::Impl::compilerFor(const std::string &path, std::string &error) {
  if (options.compileDatabaseDir.empty())
    return *compiler;
  auto &slot = perFileCompilers[path];
  if (!slot) {
    frontend::CompileOptions copts = compiler->options();
    auto flags = frontend::flagsFromCompileDatabase(options.compileDatabaseDir, path);
    if (!flags) {
      error = llvm::toString(flags.takeError());
      spdlog::warn("hotcc: {}; compiling {} with the command-line flags only", error, path);
      error.clear();
    } else {
      copts.extraArgs.insert(copts.extraArgs.begin(), flags->begin(), flags->end());
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
  impl.compiler = std::make_unique<frontend::Compiler>(std::move(copts));
  return engine;
}

Engine::Engine() : impl_(std::make_unique<Impl>()) {}

Engine::~Engine() {
  shutdown();
}

void Engine::shutdown() {
  if (impl_->shutDown)
    return;
  impl_->shutDown = true;
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

ReloadReport Engine::Impl::refuse(ReloadReport report, const std::string &what) {
  report.ok = false;
  report.error = what;
  return report;
}

ReloadReport Engine::Impl::load(Unit &unit) {
  auto started = Clock::now();
  ReloadReport report;
  report.files = {unit.path};
  registry.notifyBefore(report.files);

  auto finish = [&](ReloadReport r) {
    r.times.totalMs = msSince(started);
    r.version = registry.version();
    registry.notifyAfter(r);
    return r;
  };

  // 1. Compile.
  std::string setupError;
  auto &unitCompiler = compilerFor(unit.path, setupError);
  auto stampsBefore = std::map<std::string, FileStamp>{};
  for (auto &dep : unit.dependencies)
    stampsBefore[dep] = stampOf(dep);
  stampsBefore[unit.path] = stampOf(unit.path);
  unit.attempted = stampsBefore;
  auto compiled = unitCompiler.compile(unit.path, unit.tag);
  if (!compiled) {
    std::string message;
    llvm::handleAllErrors(
        compiled.takeError(),
        [&](const frontend::CompileError &e) { message = e.rendered(); },
        [&](const llvm::ErrorInfoBase &e) { message = e.message(); });
    return finish(refuse(std::move(report), message));
  }
  auto &cu = *compiled;
  report.times.parseMs = cu.timing.parseMs;
  if (!cu.warnings.empty())
    report.notes.push_back(cu.warnings);

  // 2. Plan against the live state.
  auto analyseStart = Clock::now();
  auto plan = jit::planReload(cu, unit.path, live);
  if (!plan.refusals.empty()) {
    std::string message = "hotcc: error: refusing to reload " + fileName(unit.path) + ":\n";
    for (auto &r : plan.refusals)
      message += "  " + r;
    message += "  the running code keeps its current version; restart the program to apply this "
               "change\n";
    return finish(refuse(std::move(report), message));
  }

  // A body whose hash the registry has seen (an edit undone) is linked already: point back at it.
  std::map<std::string, std::uintptr_t> reused;
  std::set<std::string> compileNow;
  for (auto &name : plan.compile) {
    auto hash = cu.functions.at(name).hash;
    if (auto known = registry.find(name)) {
      for (auto &version : known->history)
        if (version.hash == hash)
          reused[name] = version.address;
    }
    if (!reused.count(name))
      compileNow.insert(name);
  }

  jit::SplitInput input;
  input.compileNow = compileNow;
  input.newData = plan.newData;
  input.newLibrary = plan.newLibrary;
  input.reloadId = registry.version() + 1;
  auto split = jit::splitModule(*cu.module, cu, input);

  // Every name the new code uses must resolve before anything is linked: a missing one is a
  // clear error now instead of a half-linked version later.
  std::vector<std::string> newStubs;
  for (auto &name : plan.compile)
    if (!registry.contains(name))
      newStubs.push_back(name);
  std::set<std::string> definedHere(newStubs.begin(), newStubs.end());
  for (auto *m : {split.persistent.get(), split.code.get()})
    if (m)
      for (auto &go : m->global_objects())
        if (!go.isDeclaration())
          definedHere.insert(go.getName().str());
  for (auto &[name, fn] : cu.functions)
    if (fn.kind == frontend::FunctionKind::Hot)
      definedHere.insert(name);
  std::vector<std::string> missing;
  for (auto *m : {split.persistent.get(), split.code.get()}) {
    if (!m)
      continue;
    for (auto &[name, users] : jit::undefinedSymbols(*m)) {
      if (definedHere.count(name) || host->isKnown(name))
        continue;
      std::vector<std::string> userNames;
      for (auto &user : users) {
        auto base = user.substr(0, user.find(".hcv."));
        auto fn = cu.functions.find(base);
        userNames.push_back(fn != cu.functions.end() ? fn->second.displayName
                                                     : llvm::demangle(base));
      }
      std::string line = "undefined symbol '" + llvm::demangle(name) + "'";
      if (!userNames.empty()) {
        line += ", used by ";
        for (std::size_t i = 0; i < userNames.size(); ++i)
          line += (i ? ", " : "") + userNames[i];
      }
      missing.push_back(line);
    }
  }
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    std::string message = "hotcc: error: cannot link " + fileName(unit.path) + ":\n";
    for (auto &m : missing)
      message += "  " + m + "\n";
    message += "  the running code keeps its current version\n";
    return finish(refuse(std::move(report), message));
  }
  report.times.analyseMs = cu.timing.analyseMs + msSince(analyseStart);

  // 3. Link.
  auto compileStart = Clock::now();
  if (auto err = host->createStubs(newStubs))
    return finish(refuse(std::move(report), "hotcc: error: " + llvm::toString(std::move(err))));
  for (auto &name : newStubs) {
    auto &fn = cu.functions.at(name);
    auto handle = host->stub(name);
    registry.declare(name, fn.displayName, fn.signature, fn.location, handle.stub, handle.slot);
  }

  cu.module.reset();
  llvm::orc::ThreadSafeContext context(std::move(cu.context));
  std::vector<llvm::orc::ResourceTrackerSP> added;
  auto rollbackAdded = [&] {
    for (auto &tracker : added)
      llvm::consumeError(tracker->remove());
  };
  std::vector<std::string> wanted;
  for (auto *slot : {&split.persistent, &split.code}) {
    if (!*slot)
      continue;
    host->optimize(**slot);
    auto tracker = host->add(llvm::orc::ThreadSafeModule(std::move(*slot), context));
    if (!tracker) {
      rollbackAdded();
      return finish(refuse(std::move(report),
                           "hotcc: error: " + llvm::toString(tracker.takeError()) + "\n"));
    }
    added.push_back(*tracker);
  }
  for (auto &[name, body] : split.bodies)
    wanted.push_back(body);
  for (auto &name : plan.newData)
    wanted.push_back(cu.globals.at(name).threadLocal ? "__emutls_v." + name : name);
  if (!split.initializer.empty())
    wanted.push_back(split.initializer);
  auto addresses = host->resolve(wanted);
  if (!addresses) {
    rollbackAdded();
    return finish(refuse(std::move(report), "hotcc: error: cannot link " + fileName(unit.path) +
                                                ": " + llvm::toString(addresses.takeError()) +
                                                "\n  the running code keeps its current version\n"));
  }
  report.times.compileMs = msSince(compileStart);

  // 4. Go live: write the slots, then construct what is new.
  auto redirectStart = Clock::now();
  auto version = registry.bumpVersion();
  for (auto &[name, body] : split.bodies) {
    auto &fn = cu.functions.at(name);
    registry.declare(name, fn.displayName, fn.signature, fn.location, registry.find(name)->stub,
                     registry.find(name)->slot);
    if (auto status = registry.activate(name, fn.hash, addresses->at(body), version); !status)
      spdlog::error("hotcc: {}", status.message());
    report.compiled.push_back(fn.displayName);
  }
  for (auto &[name, address] : reused) {
    auto &fn = cu.functions.at(name);
    (void)registry.activate(name, fn.hash, address, version);
    report.compiled.push_back(fn.displayName);
  }
  for (auto &name : plan.removed) {
    registry.markRemoved(name, true);
    auto &fn = live.hot.at(name);
    report.removed.push_back(fn.info.displayName);
    report.notes.push_back("'" + fn.info.displayName +
                           "' was removed from the source; its last version stays callable");
  }
  report.unchanged = plan.unchanged.size();
  for (auto &note : plan.notes)
    report.notes.push_back(note);

  // Commit the new live state before running initialisers (they may call hot code).
  for (auto &[name, fn] : cu.functions) {
    if (fn.kind == frontend::FunctionKind::Hot)
      live.hot[name] = {fn, unit.path};
    else if (fn.kind == frontend::FunctionKind::Library)
      live.library.insert(name);
  }
  for (auto &name : plan.removed)
    live.hot[name].unit = unit.path;  // stays owned; its facts stay those of the last body
  for (auto &[name, global] : cu.globals)
    if (global.kind == frontend::GlobalKind::Data) {
      if (plan.newData.count(name)) {
        live.data[name] = global;
        if (global.user)
          report.addedGlobals.push_back(global.displayName);
      }
    }
  for (auto &tracker : added)
    trackers.push_back(tracker);
  unit.dependencies = cu.dependencies;
  unit.stamps = stampsBefore;
  for (auto &dep : unit.dependencies)
    if (!unit.stamps.count(dep))
      unit.stamps[dep] = stampOf(dep);
  unit.loaded = true;

  if (!split.initializer.empty()) {
    auto init = reinterpret_cast<void (*)()>(addresses->at(split.initializer));
    try {
      init();
    } catch (const std::exception &e) {
      report.notes.push_back(std::string("a global initializer threw: ") + e.what());
    } catch (...) {
      report.notes.push_back("a global initializer threw an exception");
    }
  }
  report.times.redirectMs = msSince(redirectStart);
  report.ok = true;
  return finish(std::move(report));
}

ReloadReport Engine::addFile(const std::string &path) {
  std::lock_guard lock(impl_->reloadMutex);
  auto absolute = absolutePath(path);
  auto &unit = impl_->units[absolute];
  if (unit.path.empty()) {
    unit.path = absolute;
    unit.tag = unitTagFor(absolute);
  }
  auto report = impl_->load(unit);
  if (!report.ok && !unit.loaded)
    impl_->units.erase(absolute);
  return report;
}

ReloadReport Engine::reloadFile(const std::string &path) {
  auto absolute = absolutePath(path);
  std::vector<std::string> targets;
  {
    std::lock_guard lock(impl_->reloadMutex);
    for (auto &[unitPath, unit] : impl_->units)
      if (unitPath == absolute || std::find(unit.dependencies.begin(), unit.dependencies.end(),
                                            absolute) != unit.dependencies.end())
        targets.push_back(unitPath);
  }
  if (targets.empty()) {
    ReloadReport report;
    report.error = "hotcc: error: " + path + " is not part of the running program\n";
    return report;
  }
  ReloadReport merged;
  merged.ok = true;
  for (auto &target : targets) {
    std::lock_guard lock(impl_->reloadMutex);
    auto report = impl_->load(impl_->units[target]);
    merged.ok = merged.ok && report.ok;
    merged.version = report.version;
    merged.files.insert(merged.files.end(), report.files.begin(), report.files.end());
    merged.compiled.insert(merged.compiled.end(), report.compiled.begin(), report.compiled.end());
    merged.removed.insert(merged.removed.end(), report.removed.begin(), report.removed.end());
    merged.addedGlobals.insert(merged.addedGlobals.end(), report.addedGlobals.begin(),
                               report.addedGlobals.end());
    merged.notes.insert(merged.notes.end(), report.notes.begin(), report.notes.end());
    merged.unchanged += report.unchanged;
    merged.error += report.error;
    merged.times.parseMs += report.times.parseMs;
    merged.times.analyseMs += report.times.analyseMs;
    merged.times.compileMs += report.times.compileMs;
    merged.times.redirectMs += report.times.redirectMs;
    merged.times.totalMs += report.times.totalMs;
  }
  return merged;
}

std::vector<ReloadReport> Engine::reloadChanged() {
  std::vector<std::string> stale;
  {
    std::lock_guard lock(impl_->reloadMutex);
    for (auto &[path, unit] : impl_->units) {
      // Against the last attempt: a file that failed to compile is retried when it changes again,
      // not on every unrelated save.
      auto &reference = unit.attempted.empty() ? unit.stamps : unit.attempted;
      bool changed = reference.empty();
      for (auto &[dep, stamp] : reference)
        changed = changed || !(stampOf(dep) == stamp);
      if (changed)
        stale.push_back(path);
    }
  }
  std::vector<ReloadReport> reports;
  for (auto &path : stale) {
    std::lock_guard lock(impl_->reloadMutex);
    reports.push_back(impl_->load(impl_->units[path]));
  }
  return reports;
}

void *Engine::lookup(const std::string &name) {
  std::lock_guard lock(impl_->reloadMutex);
  if (auto sym = impl_->registry.find(name)) {
    impl_->live.lookedUpByHost.insert(sym->linkName);
    return reinterpret_cast<void *>(sym->stub);
  }
  for (auto &[link, global] : impl_->live.data)
    if ((link == name || global.displayName == name) && !global.threadLocal)
      return reinterpret_cast<void *>(impl_->host->address(link));
  return nullptr;
}

Status Engine::rollback(const std::string &name) {
  std::lock_guard lock(impl_->reloadMutex);
  return impl_->registry.rollback(name);
}

Status Engine::runMain(int argc, char **argv, int &exitCode) {
  auto *main = lookupFunction<int(int, char **)>("main");
  if (!main)
    return Status::fail("hotcc: error: no main() in the program's files");
  exitCode = main(argc, argv);
  return Status::ok();
}

} // namespace hotcc
