#include "hotcc/wasm/wasm_builder.hpp"

#include "patch_cache.hpp"
#include "patch_plan.hpp"
#include "scratch_files.hpp"
#include "slot_rewriter.hpp"
#include "support.hpp"

#include "hotcc/frontend/compiler.hpp"
#include "hotcc/wasm/build_state.hpp"
#include "hotcc/wasm/wasm_binary.hpp"
#include "hotcc/wasm/wasm_linker.hpp"
#include "hotcc/wasm/wasm_object.hpp"

#include <clang/Basic/Version.h>
#include <llvm/ADT/STLFunctionalExtras.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/xxhash.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>

#include "hotcc/support.hpp"

namespace hotcc::wasm {

namespace {

void appendWarnings(std::vector<Diagnostic> &into, const frontend::CompiledUnit &unit) {
  into.insert(into.end(), unit.warnings.begin(), unit.warnings.end());
}

// wasm-ld names the objects in a scratch directory; the user knows the sources they came from.
llvm::Error linkErrorOf(llvm::Error error, const std::vector<std::string> &files) {
  auto why = frontend::toFailure(std::move(error));
  if (auto *link = std::get_if<failure::LinkError>(&why))
    link->files = files;
  return frontend::makeFailure(std::move(why));
}

void sortUnique(std::vector<std::string> &names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
}

// A patch while it is made: what compiling its units fills in, and linking and saving read.
struct PatchWork {
  PatchBuild build;
  BuildState after;                       // the state the patch leaves
  std::vector<std::string> dependencies;  // user files the compiles read
  ScratchFiles scratch;                   // the units' objects, then the linked patch
};

// Clang 22 names a `main(int, char **)` `__main_argc_argv` on every wasm target; Debian's
// emscripten 3.1.6 runtime calls `main`, and its libc has no `main` that forwards (newer ones do).
// An alias keeps the user's main reachable under both names, through its slot like any hot code.
void exportMainForEmscripten(llvm::Module &module) {
  if (!llvm::Triple(module.getTargetTriple()).isOSEmscripten() || module.getNamedValue("main"))
    return;
  auto *mainWithArguments = module.getFunction("__main_argc_argv");
  if (!mainWithArguments || mainWithArguments->isDeclaration())
    return;
  llvm::GlobalAlias::create(llvm::GlobalValue::ExternalLinkage, "main", mainWithArguments);
}

// A unit of the main module: its hot functions go through slots, and the state and the report
// learn its slots and the data it shares with patches.
void addMainUnit(const std::string &path, frontend::CompiledUnit &unit, BuildState &state,
                 MainBuild &result) {
  UnitState unitState;
  unitState.file = path;
  unitState.tag = frontend::unitTagFor(path);
  rewriteForMain(*unit.module, unit, unitState);
  exportMainForEmscripten(*unit.module);
  for (auto &[name, slot] : unitState.slots)
    result.slotNames.push_back(slot.displayName);
  for (auto &[name, global] : unitState.globals)
    result.exportedData.push_back(name);
  result.slots += unitState.slots.size();
  state.units[path] = std::move(unitState);
  state.dependencies.insert(state.dependencies.end(), unit.dependencies.begin(),
                            unit.dependencies.end());
}

// One unit's part of a patch: only its changed bodies stay, each filling its slot; the
// manifest, the state the patch leaves and the report learn which.
llvm::Error addPatchUnit(const std::string &path, frontend::CompiledUnit &unit,
                         const PatchPlan &plan, PatchWork &work) {
  auto &build = work.build;
  work.dependencies.insert(work.dependencies.end(), unit.dependencies.begin(),
                           unit.dependencies.end());
  auto &unitState = work.after.units.at(path);
  auto rewrite = rewriteForPatch(*unit.module, unit, unitState, plan.base, plan.key);
  if (!rewrite)
    return rewrite.takeError();
  build.manifest.units.push_back({unitState.tag, unitState.build});
  for (auto &fill : rewrite->fills) {
    unitState.slots.at(fill.slot).hash = unit.functions.at(fill.slot).hash;
    build.manifest.fills.push_back(fill);
  }
  for (auto &name : rewrite->newGlobals)
    unitState.globals[name] = GlobalState{unit.globals.at(name).layoutHash, plan.key};
  build.changed.insert(build.changed.end(), rewrite->changedDisplayNames.begin(),
                       rewrite->changedDisplayNames.end());
  return llvm::Error::success();
}

// The patch's objects linked into a side module in the scratch directory: its bytes.
llvm::Expected<std::string> linkPatch(const std::vector<std::string> &files,
                                      ScratchFiles &scratch) {
  auto linked = scratch.path("patch.wasm");
  if (!linked)
    return linked.takeError();
  if (auto e = linkSideModule(scratch.objects(), *linked))
    return linkErrorOf(std::move(e), files);
  return readFile(*linked);
}

// What the main module must export for this patch, beyond what `--main` exported itself: the
// functions and data the patch imports, less the slot tables and data hotcc exports anyway.
llvm::Expected<std::vector<std::string>> importsFromMain(const std::string &patch,
                                                         const BuildState &after) {
  auto summary = readWasm(patch);
  if (!summary)
    return summary.takeError();
  auto exportedByHotcc = [&](const std::string &name) {
    if (name.starts_with("__hotcc_slots_"))
      return true;
    for (auto &[path, unit] : after.units)
      if (unit.globals.count(name))
        return true;
    return false;
  };
  std::vector<std::string> imports;
  for (auto &import : summary->imports)
    if ((import.module == "env" && import.kind == ExternalKind::Function) ||
        import.module.starts_with("GOT."))
      if (!exportedByHotcc(import.name))
        imports.push_back(import.name);
  sortUnique(imports);
  return imports;
}

// The cache keeps a patch's report beside its module; a hit replays it (reportFromEntry).
CacheEntry entryFor(const PatchPlan &plan, const BuildState &after, const PatchBuild &build) {
  CacheEntry entry;
  entry.key = plan.key;
  entry.inputsHash = plan.inputsHash;
  entry.dependencies = after.dependencies;
  entry.stateAfter = after.toJson();
  entry.report = {{"manifest", build.manifest.serialize()},
                  {"changed", build.changed},
                  {"imports", build.imports}};
  return entry;
}

PatchBuild reportFromEntry(const CacheEntry &entry) {
  PatchBuild build;
  build.cacheHit = true;
  if (auto manifest = PatchManifest::parse(entry.report.value("manifest", "")))
    build.manifest = std::move(*manifest);
  else
    llvm::consumeError(manifest.takeError());
  build.changed = entry.report.value("changed", std::vector<std::string>{});
  build.imports = entry.report.value("imports", std::vector<std::string>{});
  return build;
}

} // namespace

struct WasmBuilder::Impl {
  WasmOptions options;
  TargetSetup target;
  std::unique_ptr<frontend::Compiler> compiler;
  std::string flagsKey;
  PatchCache cache;
  std::set<std::string> configured;  // files given their compile_commands.json flags

  explicit Impl(WasmOptions o, TargetSetup t)
      : options(std::move(o)), target(std::move(t)), cache(options.cacheDir) {}

  // What a build does to a unit's IR between compiling and code generation.
  using UnitStep = llvm::function_ref<llvm::Error(const std::string &path,
                                                  frontend::CompiledUnit &unit)>;

  llvm::Expected<frontend::CompiledUnit> compile(const std::string &file);
  // `path` compiled, changed by `step` and emitted as a wasm object; its warnings go to `warnings`.
  llvm::Expected<std::string> compileToObject(const std::string &path,
                                              std::vector<Diagnostic> &warnings, UnitStep step);
  // Every file's object into `scratch`, in the order of the files.
  llvm::Error compileAll(const std::vector<std::string> &files, std::vector<Diagnostic> &warnings,
                         ScratchFiles &scratch, UnitStep step);

  // A patch's two ways, once planned: from the cache, or made.
  llvm::Expected<PatchBuild> reusePatch(const PatchPlan &plan, const CacheEntry &entry,
                                        const std::string &output);
  llvm::Expected<PatchBuild> makePatch(const std::vector<std::string> &files,
                                       const PatchPlan &plan, const std::string &output);

private:
  llvm::Error savePatch(const PatchPlan &plan, const std::string &linked, PatchWork &work,
                        const std::string &output);
};

llvm::Expected<frontend::CompiledUnit> WasmBuilder::Impl::compile(const std::string &file) {
  if (!options.compileDatabaseDir.empty() && !configured.count(file)) {
    auto flags = frontend::flagsFromCompileDatabase(options.compileDatabaseDir, file);
    if (!flags)
      return flags.takeError();
    frontend::FileSettings settings;
    settings.extraArgs = std::move(flags->compile);
    compiler->configureFile(file, std::move(settings));
    configured.insert(file);
  }
  auto unit = compiler->compile(file, frontend::unitTagFor(file), /*allowSkipping=*/false);
  if (unit && options.reuseAcrossBuilds)
    compiler->commit(file);
  return unit;
}

llvm::Expected<std::string> WasmBuilder::Impl::compileToObject(const std::string &path,
                                                               std::vector<Diagnostic> &warnings,
                                                               UnitStep step) {
  auto unit = compile(path);
  if (!unit)
    return unit.takeError();
  appendWarnings(warnings, *unit);
  if (auto e = step(path, *unit))
    return std::move(e);
  auto emitStart = Clock::now();
  auto object = emitWasmObject(*unit->module, options.optLevel);
  if (!object)
    return object.takeError();
  spdlog::debug("{}: clang {:.1f} ms, wasm code generation {:.1f} ms", path,
                unit->timing.parseMs + unit->timing.analyzeMs, msSince(emitStart));
  return object;
}

llvm::Error WasmBuilder::Impl::compileAll(const std::vector<std::string> &files,
                                          std::vector<Diagnostic> &warnings,
                                          ScratchFiles &scratch, UnitStep step) {
  for (auto &file : files) {
    auto object = compileToObject(absolutePath(file), warnings, step);
    if (!object)
      return object.takeError();
    if (auto e = scratch.addObject(*object))
      return e;
  }
  return llvm::Error::success();
}

// A cache hit: the stored module, and the state it left (on a repeat of the last patch the saved
// state already is that one).
llvm::Expected<PatchBuild> WasmBuilder::Impl::reusePatch(const PatchPlan &plan,
                                                         const CacheEntry &entry,
                                                         const std::string &output) {
  auto bytes = readFile(cache.modulePath(entry.key));
  if (!bytes)
    return bytes.takeError();
  if (auto e = writeFileAtomically(output, *bytes))
    return std::move(e);
  if (!plan.repeat) {
    auto after = BuildState::fromJson(entry.stateAfter, plan.statePath);
    if (!after)
      return after.takeError();
    if (auto e = after->save(plan.statePath))
      return std::move(e);
  }
  return reportFromEntry(entry);
}

llvm::Expected<PatchBuild> WasmBuilder::Impl::makePatch(const std::vector<std::string> &files,
                                                        const PatchPlan &plan,
                                                        const std::string &output) {
  PatchWork work;
  auto &manifest = work.build.manifest;
  manifest.id = plan.key;
  manifest.target = target.triple;
  manifest.after = plan.base.lastPatch.empty() ? "main" : plan.base.lastPatch;
  work.after = plan.base;

  auto compileStart = Clock::now();
  auto addUnit = [&](const std::string &path, frontend::CompiledUnit &unit) {
    return addPatchUnit(path, unit, plan, work);
  };
  if (auto e = compileAll(files, work.build.warnings, work.scratch, addUnit))
    return std::move(e);
  work.build.compileMs = msSince(compileStart);

  auto linkStart = Clock::now();
  auto linked = linkPatch(files, work.scratch);
  if (!linked)
    return linked.takeError();
  work.build.linkMs = msSince(linkStart);
  spdlog::debug("wasm-ld: {:.2f} ms", work.build.linkMs);
  auto imports = importsFromMain(*linked, work.after);
  if (!imports)
    return imports.takeError();
  work.build.imports = std::move(*imports);

  if (auto e = savePatch(plan, *linked, work, output))
    return std::move(e);
  spdlog::debug("patch written, state saved, cache filled: {:.2f} ms after the link",
                msSince(linkStart) - work.build.linkMs);
  return std::move(work.build);
}

// The patch (the linked module with its manifest), the state it leaves, its cache entry.
llvm::Error WasmBuilder::Impl::savePatch(const PatchPlan &plan, const std::string &linked,
                                         PatchWork &work, const std::string &output) {
  std::string patch = withCustomSection(linked, kManifestSection, work.build.manifest.serialize());
  if (auto e = writeFileAtomically(output, patch))
    return e;
  sortUnique(work.dependencies);
  recordPatch(work.after, plan, work.dependencies);
  if (auto e = work.after.save(plan.statePath))
    return e;
  if (options.useCache)
    cache.store(entryFor(plan, work.after, work.build), patch);
  return llvm::Error::success();
}

WasmBuilder::WasmBuilder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WasmBuilder::~WasmBuilder() = default;

const TargetSetup &WasmBuilder::target() const {
  return impl_->target;
}

llvm::Expected<std::unique_ptr<WasmBuilder>> WasmBuilder::create(WasmOptions options) {
  if (options.cacheDir.empty())
    return internalError("WasmBuilder needs a cache directory");
  auto target = targetSetup(options.target, options.sysroot);
  if (!target)
    return target.takeError();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*target));
  auto &o = impl->options;
  frontend::CompileOptions co;
  co.includeDirs = o.includeDirs;
  co.defines = o.defines;
  co.languageStandard = o.languageStandard;
  co.optLevel = o.optLevel;
  co.targetTriple = impl->target.triple;
  co.extraArgs = impl->target.driverFlags;
  // The helpers a patch may call (hotcc_wasm.h) are on every compile's include path.
  co.extraArgs.push_back("-I" HOTCC_WASM_RUNTIME_INCLUDE_DIR);
  co.extraArgs.insert(co.extraArgs.end(), o.extraArgs.begin(), o.extraArgs.end());
  co.usePreamble = o.reuseAcrossBuilds;
  co.skipUnchangedBodies = false;
  co.identifierSafeNames = true;  // emscripten makes exported data names JavaScript variables
  // Bumped when what hotcc does to a patch changes (link flags, rewriting): old cache entries
  // and states then no longer match.
  constexpr const char *kBackendVersion = "hotcc-wasm 2";
  std::string flags = std::string(kBackendVersion) + "\n" + clang::getClangFullVersion() + "\n" + impl->target.triple + "\n-O" +
                      std::to_string(o.optLevel) + "\n" + o.languageStandard + "\n";
  for (auto &list : {co.includeDirs, co.defines, co.extraArgs})
    for (auto &flag : list)
      flags += flag + "\n";
  impl->flagsKey = hex16(llvm::xxh3_64bits(flags));
  impl->compiler = std::make_unique<frontend::Compiler>(std::move(co));
  return std::unique_ptr<WasmBuilder>(new WasmBuilder(std::move(impl)));
}

std::string WasmBuilder::statePathFor(const std::vector<std::string> &files) const {
  if (!impl_->options.statePath.empty())
    return impl_->options.statePath;
  std::vector<std::string> sorted;
  for (auto &f : files)
    sorted.push_back(absolutePath(f));
  std::sort(sorted.begin(), sorted.end());
  std::string key = impl_->target.triple + "\n";
  for (auto &f : sorted)
    key += f + "\n";
  return impl_->options.cacheDir + "/wasm/state/" + hex16(llvm::xxh3_64bits(key)) + ".json";
}

llvm::Expected<MainBuild> WasmBuilder::buildMain(const std::vector<std::string> &files,
                                                 const std::string &output) {
  auto started = Clock::now();
  MainBuild result;
  result.output = output;
  BuildState state;
  state.target = impl_->target.triple;
  state.flagsKey = impl_->flagsKey;
  auto addUnit = [&](const std::string &path, frontend::CompiledUnit &unit) {
    addMainUnit(path, unit, state, result);
    return llvm::Error::success();
  };
  if (files.size() == 1) {
    // One file: its object is the output, with no link.
    auto object = impl_->compileToObject(absolutePath(files[0]), result.warnings, addUnit);
    if (!object)
      return object.takeError();
    if (auto e = writeFileAtomically(output, *object))
      return std::move(e);
  } else {
    ScratchFiles scratch;
    if (auto e = impl_->compileAll(files, result.warnings, scratch, addUnit))
      return std::move(e);
    if (auto e = linkRelocatable(scratch.objects(), output))
      return linkErrorOf(std::move(e), files);
  }
  result.statePath = statePathFor(files);
  if (auto e = state.save(result.statePath))
    return std::move(e);
  result.ms = msSince(started);
  return result;
}

llvm::Expected<PatchBuild> WasmBuilder::buildPatch(const std::vector<std::string> &files,
                                                   const std::string &output) {
  auto started = Clock::now();
  auto &impl = *impl_;
  auto plan = planPatch(files, statePathFor(files), impl.target.triple, impl.flagsKey);
  if (!plan)
    return plan.takeError();
  std::optional<CacheEntry> entry;
  if (impl.options.useCache)
    entry = impl.cache.find(plan->key);
  if (!entry)
    spdlog::debug("state and cache lookup {:.1f} ms", msSince(started));
  auto build =
      entry ? impl.reusePatch(*plan, *entry, output) : impl.makePatch(files, *plan, output);
  if (!build)
    return build.takeError();
  build->flagsDiffer = plan->flagsDiffer;
  build->output = output;
  build->statePath = plan->statePath;
  build->totalMs = msSince(started);
  return build;
}

llvm::Expected<PatchBuild> WasmBuilder::buildPlainSideModule(const std::vector<std::string> &files,
                                                             const std::string &output) {
  auto started = Clock::now();
  PatchBuild build;
  build.output = output;
  ScratchFiles scratch;
  auto asItIs = [](const std::string &, frontend::CompiledUnit &) {
    return llvm::Error::success();
  };
  if (auto e = impl_->compileAll(files, build.warnings, scratch, asItIs))
    return std::move(e);
  build.compileMs = msSince(started);
  auto linkStart = Clock::now();
  if (auto e = linkSideModule(scratch.objects(), output))
    return linkErrorOf(std::move(e), files);
  build.linkMs = msSince(linkStart);
  build.totalMs = msSince(started);
  return build;
}

} // namespace hotcc::wasm
