// Loading a batch of units: the phases of a load or reload, each a named step that fails units
// (or the whole batch) as typed values. See engine_impl.hpp for the order.
#include "engine_impl.hpp"

#include "hotcc/frontend/outcome_error.hpp"

#include <llvm/Demangle/Demangle.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/thread.h>

#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

namespace hotcc {

FileStamp stampOf(const std::string &path) {
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(path, status))
    return {};
  return {status.getLastModificationTime(), status.getSize()};
}

void Engine::Impl::fail(Pending &p, Failure failure) {
  p.failed = true;
  p.report.ok = false;
  p.report.previousVersionRuns = p.unit->loaded;
  p.report.failures.push_back(std::move(failure));
}

void Engine::Impl::failBatch(std::vector<Pending> &pending, Failure failure) {
  bool first = true;
  for (auto &p : pending)
    if (!p.failed) {
      if (first)
        fail(p, failure);
      else
        p.failed = true, p.report.ok = false, p.report.previousVersionRuns = p.unit->loaded;
      first = false;
    }
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
  // See FreshStorage for the two ways fresh storage is chosen.
  if (std::holds_alternative<fresh_storage::ForRegistrationsIn>(p.request.freshStorage))
    giveFreshStorage(p, *p.compiler, live.data);
}

// Safe to run for several units at once: the compiler compiles different files concurrently, and
// the live state is only read.
void Engine::Impl::compileSource(Pending &p) {
  Unit &unit = *p.unit;
  auto compiled = p.compiler->compile(
      unit.path, unit.tag, p.request.bodies == BodyReuse::SkipUnchanged && !unit.compileInFull);
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
  if (compiled &&
      std::holds_alternative<fresh_storage::ForRedefinitionsIn>(p.request.freshStorage) &&
      giveFreshStorage(p, *p.compiler, compiled->globals))
    compiled = p.compiler->compile(unit.path, unit.tag, /*allowSkipping=*/false);
  p.report.notices.insert(p.report.notices.end(), flagNotices.begin(), flagNotices.end());
  flagNotices.clear();
  if (!compiled) {
    fail(p, frontend::toFailure(compiled.takeError()));
    return false;
  }
  p.cu = std::move(*compiled);
  p.report.times.parseMs = p.cu.timing.parseMs;
  p.report.warnings = std::move(p.cu.warnings);
  return true;
}

// Clang recurses once per operand of a long chain like `x + 0 + 0 + ...`: a 1 MB line of them
// needs ~64 MB of stack (512 MB: ~8 MB lines), and the caller's 8 MB overflowed, killing the program being reloaded.
// Compiles run on threads whose stack is this big instead (reserved, touched only as needed).
constexpr unsigned kCompileStackBytes = 512u << 20;

// Runs compileSource for every unit that has not failed, on up to as many threads as there are
// cores, each with a large stack (see kCompileStackBytes); the reloading thread waits for them.
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
  std::vector<llvm::thread> helpers;
  for (std::size_t i = 0; i < threads; ++i)
    helpers.emplace_back(std::optional<unsigned>(kCompileStackBytes), worker);
  for (auto &helper : helpers)
    helper.join();
}

// A REPL redefinition of a variable, or a test file whose registrations must run again: the live
// globals among `candidates` defined in the fresh files get new storage under a new link name,
// and the compile is a full one so every body refers to the new storage.
bool Engine::Impl::giveFreshStorage(Pending &p, frontend::Compiler &unitCompiler,
                                    const std::map<std::string, frontend::GlobalInfo> &candidates) {
  std::vector<std::string> files, fragments;
  if (auto *redefinitions = std::get_if<fresh_storage::ForRedefinitionsIn>(&p.request.freshStorage))
    files = redefinitions->files;
  if (auto *registrations = std::get_if<fresh_storage::ForRegistrationsIn>(&p.request.freshStorage))
    files = registrations->files, fragments = registrations->nameFragments;
  auto inFreshFile = [&](const std::string &location) {
    for (auto &file : files)
      if (location.rfind(file + ":", 0) == 0)
        return true;
    return false;
  };
  const bool byName = std::holds_alternative<fresh_storage::ForRegistrationsIn>(p.request.freshStorage);
  auto named = [&](const std::string &name) {
    if (!byName)
      return true;  // a redefinition: every live global the files define
    for (auto &part : fragments)
      if (name.find(part) != std::string::npos)
        return true;
    return false;
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
  unitCompiler.configureFile(
      p.unit->path, settings,
      /*keepBodies=*/std::holds_alternative<fresh_storage::ForRegistrationsIn>(p.request.freshStorage));
  return true;
}

bool Engine::Impl::planUnit(Pending &p, const jit::LiveState &planning, jit::LiveState *later) {
  Unit &unit = *p.unit;
  auto analyzeStart = Clock::now();
  p.reused.clear();
  p.plan = jit::planReload(p.cu, unit.path, planning, quiescent, layoutPolicy);
  for (auto &name : p.plan.compile)
    spdlog::debug("{}: {} {}", unit.path, planning.hot.count(name) ? "changed" : "new", name);
  if (!p.plan.refusals.empty()) {
    for (auto &refusal : p.plan.refusals)
      fail(p, std::move(refusal));
    return false;
  }
  splitUnit(p);
  p.report.times.analyzeMs = p.cu.timing.analyzeMs + msSince(analyzeStart);

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
  jit::recordDataOwners(*later, p.cu, unit.path);
  for (auto &[key, layout] : p.cu.records)
    later->records[key] = layout;
  return true;
}

// Cuts the unit's module into what is linked now: bodies to compile, new data, the initializer.
void Engine::Impl::splitUnit(Pending &p) {
  Unit &unit = *p.unit;

  // A body whose hash the registry has seen (an edit undone) is linked already: point back at it.
  std::set<std::string> compileNow;
  for (auto &name : p.plan.compile) {
    auto hash = p.cu.functions.at(name).hash;
    if (auto known = registry.find(name))
      for (auto &version : known->history)
        if (version.hash == hash && !version.reclaimed)
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
  p.codeReclaimable = p.split.code && jit::codeModuleReclaimable(*p.split.code, p.split.bodies);
  spdlog::debug("{}: split {:.2f} ms", unit.path, msSince(splitStart));
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
      auto missing = undefinedIn(p, batchDefined);
      if (missing.empty())
        continue;
      for (auto &failure : missing)
        fail(p, std::move(failure));
      p.unit->attempted.clear();  // another file may bring the definition: retry with it
      changed = true;
    }
  }
}

// The names p's new code uses that nothing defines: not the batch, not a live body, not the host.
std::vector<Failure> Engine::Impl::undefinedIn(Pending &p,
                                               const std::set<std::string> &batchDefined) {
  std::map<std::string, std::set<std::string>> usersByName;
  for (auto *m : {p.split.persistent.get(), p.split.code.get()}) {
    if (!m)
      continue;
    for (auto &[name, users] : jit::undefinedSymbols(*m)) {
      if (batchDefined.count(name) || hasBody(name) || host->isKnown(name))
        continue;
      auto &names = usersByName[llvm::demangle(name)];
      for (auto &user : users) {
        auto base = user.substr(0, user.find(".hcv."));
        auto fn = p.cu.functions.find(base);
        names.insert(fn != p.cu.functions.end() ? fn->second.displayName : llvm::demangle(base));
      }
    }
  }
  std::vector<Failure> missing;
  for (auto &[name, users] : usersByName)
    missing.push_back(
        failure::UndefinedSymbol{p.unit->path, name, {users.begin(), users.end()}});
  return missing;
}

// ---- The batch: compile → plan → stubs → link → go live → initializers ----

// ORC's own errors (a StringError: it has nothing more structured) as a failure to link.
static Failure linkErrorOf(std::string text) {
  return failure::LinkError{{}, std::move(text)};
}

std::vector<ReloadReport> Engine::Impl::loadBatch(const std::vector<Unit *> &batch,
                                                  const SessionReload &request) {
  followRollbacks();
  auto pending = beginBatch(batch, request);
  compileBatch(pending);
  planBatch(pending);
  if (auto err = createStubs(pending))
    failBatch(pending, frontend::toFailure(std::move(err), linkErrorOf));
  auto nothingLinked = [&] {
    // Retried on the next reloadChanged(), with whatever else changed by then.
    for (auto &p : pending)
      p.unit->attempted.clear();
    return finishBatch(pending);
  };
  if (std::all_of(pending.begin(), pending.end(), [](auto &p) { return p.failed; }))
    return nothingLinked();
  auto linked = linkBatch(pending);
  if (!linked) {
    failBatch(pending, frontend::toFailure(linked.takeError()));
    return nothingLinked();
  }
  runInitializers(goLive(pending, *linked));
  scheduleReclamation();
  return finishBatch(pending);
}

std::vector<Engine::Impl::Pending> Engine::Impl::beginBatch(const std::vector<Unit *> &batch,
                                                            const SessionReload &request) {
  std::vector<Pending> pending(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto &p = pending[i];
    p.unit = batch[i];
    p.request = request;
    p.started = Clock::now();
    p.report.files = {p.unit->path};
    registry.notifyBefore(p.report.files);
    if (shutDown)
      fail(p, failure::EngineShutDown{});
    else
      prepareCompile(p);
  }
  return pending;
}

void Engine::Impl::compileBatch(std::vector<Pending> &pending) {
  compileConcurrently(pending);
  for (auto &p : pending)
    if (!p.failed)
      finishCompile(p);
}

// Each unit plans against the live state plus the units before it. When one drops out (a
// refusal, a missing symbol), the others are planned again without it: a shared inline function
// it would have compiled must not count as unchanged for them.
void Engine::Impl::planBatch(std::vector<Pending> &pending) {
  auto standing = [&] {
    return std::count_if(pending.begin(), pending.end(), [](auto &p) { return !p.failed; });
  };
  for (auto survivors = standing();;) {
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
    auto now = standing();
    if (now == survivors)
      break;
    survivors = now;
  }
}

// Functions new to the engine get their stub (and a registry entry) before anything links
// against them.
llvm::Error Engine::Impl::createStubs(std::vector<Pending> &pending) {
  std::vector<std::string> newStubs;
  for (auto &p : pending)
    if (!p.failed)
      for (auto &name : p.plan.compile)
        if (!registry.contains(name))
          newStubs.push_back(name);
  if (auto err = host->createStubs(newStubs))
    return err;
  std::set<std::string> created(newStubs.begin(), newStubs.end());
  for (auto &p : pending)
    if (!p.failed)
      for (auto &name : p.plan.compile)
        if (created.count(name)) {
          auto &fn = p.cu.functions.at(name);
          auto handle = host->stub(name);
          registry.declare(name, fn.displayName, fn.signature, fn.location, handle.stub,
                           handle.slot);
        }
  return llvm::Error::success();
}

// Adds every surviving unit's modules to the JIT and resolves what the batch needs. On failure
// nothing of the batch stays linked.
llvm::Expected<Engine::Impl::LinkedBatch> Engine::Impl::linkBatch(std::vector<Pending> &pending) {
  LinkedBatch linked;
  auto compileStart = Clock::now();
  std::vector<std::string> wanted, files;
  for (auto &p : pending) {
    if (p.failed)
      continue;
    files.push_back(p.unit->path);
    for (auto &[name, body] : p.split.bodies)
      wanted.push_back(body);
    for (auto &name : p.plan.newData)
      wanted.push_back(p.cu.globals.at(name).threadLocal ? "__emutls_v." + name : name);
    if (!p.split.initializer.empty())
      wanted.push_back(p.split.initializer);
  }
  auto undo = [&](llvm::Error err) -> llvm::Error {
    for (auto &tracker : linked.trackers)
      llvm::consumeError(tracker->remove());
    auto failure = frontend::toFailure(std::move(err), linkErrorOf);
    if (auto *link = std::get_if<failure::LinkError>(&failure))
      link->files = files;
    return llvm::make_error<frontend::OutcomeError>(std::move(failure));
  };
  for (auto &p : pending) {
    if (p.failed)
      continue;
    p.cu.module.reset();
    p.context = llvm::orc::ThreadSafeContext(std::move(p.cu.context));
    for (auto *slot : {&p.split.persistent, &p.split.code}) {
      if (!*slot)
        continue;
      auto tracker = host->add(llvm::orc::ThreadSafeModule(std::move(*slot), p.context));
      if (!tracker)
        return undo(tracker.takeError());
      linked.trackers.push_back(*tracker);
      if (slot == &p.split.code)
        p.codeTracker = *tracker;
    }
  }
  auto resolved = host->resolve(wanted);
  if (!resolved)
    return undo(resolved.takeError());
  linked.addresses = std::move(*resolved);
  linked.compileMs = msSince(compileStart);
  return linked;
}

// Accepted layout changes are told first, so objects can be converted before any new body runs;
// then every unit's slots are written and the live state committed. Returns the initializers to
// run (they may call any hot function, in any unit of the batch).
std::vector<Engine::Impl::Initializer> Engine::Impl::goLive(std::vector<Pending> &pending,
                                                            const LinkedBatch &linked) {
  std::vector<LayoutChange> layoutChanges;
  for (auto &p : pending)
    if (!p.failed)
      for (auto &change : p.plan.changedRecords) {
        p.report.changedLayouts.push_back(jit::toLayoutChange(change));
        layoutChanges.push_back(p.report.changedLayouts.back());
        p.report.notices.push_back(notice::LayoutChanged{
            change.after.name, change.before.sizeBytes, change.after.sizeBytes});
      }
  if (!layoutChanges.empty())
    registry.notifyLayoutChange(layoutChanges);

  auto version = registry.bumpVersion();
  std::vector<Initializer> initializers;
  std::vector<std::string> firstLoads;  // units loaded for the first time by this batch
  for (auto &p : pending)
    if (!p.failed)
      activateUnit(p, linked, version, initializers, firstLoads);
  for (auto &tracker : linked.trackers)
    trackers.push_back(tracker);
  recordCodeVersions(pending, linked);
  prepareReloadsInBackground(firstLoads);
  publishExportsForLibraries(pending);
  return initializers;
}

void Engine::Impl::activateUnit(Pending &p, const LinkedBatch &linked, std::uint64_t version,
                                std::vector<Initializer> &initializers,
                                std::vector<std::string> &firstLoads) {
  auto redirectStart = Clock::now();
  p.report.times.compileMs = linked.compileMs;
  for (auto &[name, body] : p.split.bodies) {
    auto &fn = p.cu.functions.at(name);
    auto known = registry.find(name);
    registry.declare(name, fn.displayName, fn.signature, fn.location, known->stub, known->slot);
    if (auto status = registry.activate(name, fn.hash, linked.addresses.at(body), version); !status)
      spdlog::error("activating {}: {}", fn.displayName, kindName(status.failure()));
    p.report.compiled.push_back(fn.displayName);
    p.report.compiledAt.push_back(fn.location);
    if (fn.displayName == "main" && mainsRunning > 0)
      p.report.notices.push_back(notice::MainRunsOldBody{});
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
    p.report.notices.push_back(notice::RemovedFunctionKept{fn.info.displayName});
  }
  p.report.unchanged = p.plan.unchanged;
  for (auto &notice : p.plan.notices)
    p.report.notices.push_back(notice);

  for (auto &[name, fn] : p.cu.functions) {
    if (fn.kind == frontend::FunctionKind::Hot &&
        !jit::keepsFirstDefinition(live, name, fn, p.unit->path))
      recordLive(name, fn, p.unit->path);
    else if (fn.kind == frontend::FunctionKind::Library)
      live.library.insert(name);
  }
  p.unit->compileInFull = false;
  // A changed initializer of a live global is noted once; the live value stays.
  for (auto &[name, global] : p.cu.globals)
    if (auto it = live.data.find(name); it != live.data.end())
      it->second.initializerHash = global.initializerHash;
  for (auto &[old, fresh] : p.replacedGlobals) {
    live.data.erase(old);
    if (auto it = p.cu.globals.find(fresh); it != p.cu.globals.end())
      p.report.replacedGlobals.push_back(it->second.displayName);
  }
  jit::recordDataOwners(live, p.cu, p.unit->path);
  for (auto &name : p.plan.newData) {
    auto &global = p.cu.globals.at(name);
    live.data[name] = global;
    if (global.user)
      p.report.addedGlobals.push_back(global.displayName);
    if (global.exported && !global.threadLocal)
      host->exports().add(name, linked.addresses.at(name));
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
    initializers.emplace_back(&p, linked.addresses.at(p.split.initializer));
  p.report.times.redirectMs = msSince(redirectStart);
  p.report.ok = true;
}

// Libraries given with -l were loaded before the program's code existed: their calls into it
// bind lazily, to the exports published now.
void Engine::Impl::publishExportsForLibraries(std::vector<Pending> &pending) {
  if (options.libraries.empty())
    return;
  auto err = host->exports().publish();
  if (!err)
    return;
  auto why = llvm::toString(std::move(err));
  for (auto &p : pending)
    if (!p.failed) {
      p.report.notices.push_back(notice::LibrariesCannotCallBack{why});
      return;
    }
}

void Engine::Impl::runInitializers(const std::vector<Initializer> &initializers) {
  for (auto &[p, address] : initializers) {
    auto started = Clock::now();
    try {
      reinterpret_cast<void (*)()>(address)();
    } catch (const std::exception &e) {
      p->report.notices.push_back(notice::InitializerThrew{e.what()});
    } catch (...) {
      p->report.notices.push_back(notice::InitializerThrew{});
    }
    p->report.times.redirectMs += msSince(started);
  }
}

std::vector<ReloadReport> Engine::Impl::finishBatch(std::vector<Pending> &pending) {
  std::vector<ReloadReport> reports;
  for (auto &p : pending)
    reports.push_back(finish(p));
  return reports;
}

ReloadReport mergeReports(std::vector<ReloadReport> reports) {
  if (reports.size() == 1)
    return std::move(reports.front());
  ReloadReport merged;
  merged.ok = true;
  auto append = [](auto &into, auto &from) { into.insert(into.end(), from.begin(), from.end()); };
  for (auto &report : reports) {
    merged.ok = merged.ok && report.ok;
    merged.previousVersionRuns = merged.previousVersionRuns || report.previousVersionRuns;
    merged.version = std::max(merged.version, report.version);
    append(merged.files, report.files);
    append(merged.compiled, report.compiled);
    append(merged.compiledAt, report.compiledAt);
    append(merged.removed, report.removed);
    append(merged.addedGlobals, report.addedGlobals);
    append(merged.replacedGlobals, report.replacedGlobals);
    append(merged.changedLayouts, report.changedLayouts);
    append(merged.failures, report.failures);
    append(merged.warnings, report.warnings);
    append(merged.notices, report.notices);
    merged.capturedValues.insert(report.capturedValues.begin(), report.capturedValues.end());
    merged.unchanged += report.unchanged;
    merged.times.parseMs += report.times.parseMs;
    merged.times.analyzeMs += report.times.analyzeMs;
    merged.times.compileMs = std::max(merged.times.compileMs, report.times.compileMs);
    merged.times.redirectMs += report.times.redirectMs;
    merged.times.totalMs = std::max(merged.times.totalMs, report.times.totalMs);
  }
  return merged;
}

} // namespace hotcc
