#include "hotcc/wasm/wasm_builder.hpp"

#include "patch_cache.hpp"
#include "slot_rewriter.hpp"
#include "support.hpp"

#include "hotcc/frontend/compiler.hpp"
#include "hotcc/wasm/build_state.hpp"
#include "hotcc/wasm/wasm_binary.hpp"
#include "hotcc/wasm/wasm_linker.hpp"
#include "hotcc/wasm/wasm_object.hpp"

#include <clang/Basic/Version.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/xxhash.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>
#include <unistd.h>

#include "hotcc/support.hpp"

namespace hotcc::wasm {

namespace {

llvm::Expected<std::string> readFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return fileUnreadable(path, buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

// A private directory for one build's objects and link output, removed when the build ends,
// whatever happens. Fixed names inside it: lld writes the output's name into the module, and the
// same sources must give the same bytes.
class ScratchFiles {
public:
  ~ScratchFiles() {
    if (!dir_.empty())
      llvm::sys::fs::remove_directories(dir_);
  }
  llvm::Expected<std::string> path(const std::string &name) {
    if (dir_.empty()) {
      llvm::SmallString<128> dir;
      if (auto ec = llvm::sys::fs::createUniqueDirectory("hotcc-wasm", dir))
        return setupError("a temporary directory", "cannot create it: " + ec.message());
      dir_ = std::string(dir);
    }
    return dir_ + "/" + name;
  }
  llvm::Expected<std::string> write(const std::string &name, const std::string &bytes) {
    auto file = path(name);
    if (!file)
      return file.takeError();
    if (auto e = writeFileAtomically(*file, bytes))
      return std::move(e);
    return *file;
  }

private:
  std::string dir_;
};

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

// The build state without the record of the last patch: what a patch's content depends on.
std::string stateKey(const BuildState &state) {
  BuildState copy = state;
  copy.patches = 0;
  copy.lastInputs.clear();
  copy.before.clear();
  copy.dependencies.clear();
  return hex16(llvm::xxh3_64bits(copy.toJson()));
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

  llvm::Expected<frontend::CompiledUnit> compile(const std::string &file) {
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
};

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
  ScratchFiles scratch;
  std::vector<std::string> objects;
  for (auto &file : files) {
    auto path = absolutePath(file);
    auto unit = impl_->compile(path);
    if (!unit)
      return unit.takeError();
    appendWarnings(result.warnings, *unit);
    UnitState unitState;
    unitState.file = path;
    unitState.tag = frontend::unitTagFor(path);
    rewriteForMain(*unit->module, *unit, unitState);
    auto object = emitWasmObject(*unit->module, impl_->options.optLevel);
    if (!object)
      return object.takeError();
    for (auto &[name, slot] : unitState.slots)
      result.slotNames.push_back(slot.displayName);
    for (auto &[name, global] : unitState.globals)
      result.exportedData.push_back(name);
    result.slots += unitState.slots.size();
    state.units[path] = std::move(unitState);
    state.dependencies.insert(state.dependencies.end(), unit->dependencies.begin(),
                              unit->dependencies.end());
    if (files.size() == 1) {
      if (auto e = writeFileAtomically(output, *object))
        return std::move(e);
    } else {
      auto objectPath = scratch.write(std::to_string(objects.size()) + ".o", *object);
      if (!objectPath)
        return objectPath.takeError();
      objects.push_back(*objectPath);
    }
  }
  if (files.size() > 1)
    if (auto e = linkRelocatable(objects, output))
      return linkErrorOf(std::move(e), files);
  result.statePath = statePathFor(files);
  if (auto e = state.save(result.statePath))
    return std::move(e);
  result.ms = msSince(started);
  return result;
}

namespace {

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

llvm::Expected<PatchBuild> WasmBuilder::buildPatch(const std::vector<std::string> &files,
                                                   const std::string &output) {
  auto started = Clock::now();
  auto &impl = *impl_;
  const std::string statePath = statePathFor(files);
  for (auto &file : files)
    if (!llvm::sys::fs::exists(file))
      return fileUnreadable(file, "no such file");
  if (!llvm::sys::fs::exists(statePath)) {
    std::string list;
    for (auto &f : files)
      list += " " + f;
    return setupError(list.substr(1),
                      "no main-module build of exactly these files to patch; pass the same files "
                      "as to 'hotcc wasm --main' (or its --state FILE), or build the object "
                      "first: hotcc wasm --main" + list + " -o OBJECT.o");
  }
  auto state = BuildState::load(statePath);
  if (!state)
    return state.takeError();
  if (state->target != impl.target.triple)
    return setupError("build state " + statePath, "the main module was built for " +
                                                     state->target + ", this patch is for " +
                                                     impl.target.triple);
  // Said by the caller (a warning): the patch may not match the main module's data layout.
  const bool flagsDiffer = state->flagsKey != impl.flagsKey;

  // Cache lookup: the sources' text and the flags, then the build state.
  std::string inputs = impl.flagsKey + "\n";
  for (auto &file : files) {
    auto path = absolutePath(file);
    if (!state->units.count(path))
      return frontend::makeFailure(failure::NotInProgram{path});
    auto text = readFile(path);
    if (!text)
      return text.takeError();
    inputs += path + "\n" + hex16(llvm::xxh3_64bits(*text)) + "\n";
  }
  // The user headers the last build read count too (a header edit is a new patch).
  for (auto &dep : state->dependencies)
    if (std::find(files.begin(), files.end(), dep) == files.end())
      if (auto text = llvm::MemoryBuffer::getFile(dep))
        inputs += dep + "\n" + hex16(llvm::xxh3_64bits((*text)->getBuffer())) + "\n";
  const std::string inputsHash = hex16(llvm::xxh3_64bits(inputs));

  // The sources of the last patch again: build against what that patch was built against.
  const bool repeat = state->lastInputs == inputsHash && !state->before.empty();
  BuildState base = *state;
  if (repeat) {
    auto before = BuildState::fromJson(state->before, statePath);
    if (!before)
      return before.takeError();
    base = std::move(*before);
  }
  const std::string key = hex16(llvm::xxh3_64bits(inputsHash + stateKey(base)));

  if (impl.options.useCache)
    if (auto entry = impl.cache.find(key)) {
      auto bytes = readFile(impl.cache.modulePath(entry->key));
      if (!bytes)
        return bytes.takeError();
      if (auto e = writeFileAtomically(output, *bytes))
        return std::move(e);
      if (!repeat) {
        auto after = BuildState::fromJson(entry->stateAfter, statePath);
        if (!after)
          return after.takeError();
        if (auto e = after->save(statePath))
          return std::move(e);
      }
      auto build = reportFromEntry(*entry);
      build.flagsDiffer = flagsDiffer;
      build.output = output;
      build.statePath = statePath;
      build.totalMs = msSince(started);
      return build;
    }

  PatchBuild build;
  build.flagsDiffer = flagsDiffer;
  build.output = output;
  build.statePath = statePath;
  PatchManifest manifest;
  manifest.id = key;
  manifest.target = impl.target.triple;
  manifest.after = base.lastPatch.empty() ? "main" : base.lastPatch;
  BuildState after = base;
  ScratchFiles scratch;
  std::vector<std::string> objects;
  std::vector<std::string> dependencies;
  auto compileStart = Clock::now();
  for (auto &file : files) {
    auto path = absolutePath(file);
    auto unit = impl.compile(path);
    if (!unit)
      return unit.takeError();
    appendWarnings(build.warnings, *unit);
    dependencies.insert(dependencies.end(), unit->dependencies.begin(), unit->dependencies.end());
    auto &unitState = after.units.at(path);
    auto rewrite = rewriteForPatch(*unit->module, *unit, unitState, base, key);
    if (!rewrite)
      return rewrite.takeError();
    manifest.units.push_back({unitState.tag, unitState.build});
    for (auto &fill : rewrite->fills) {
      unitState.slots.at(fill.slot).hash = unit->functions.at(fill.slot).hash;
      manifest.fills.push_back(fill);
    }
    for (auto &name : rewrite->newGlobals)
      unitState.globals[name] = GlobalState{unit->globals.at(name).layoutHash, key};
    build.changed.insert(build.changed.end(), rewrite->changedDisplayNames.begin(),
                         rewrite->changedDisplayNames.end());
    auto emitStart = Clock::now();
    auto object = emitWasmObject(*unit->module, impl.options.optLevel);
    if (!object)
      return object.takeError();
    spdlog::debug("{}: clang {:.1f} ms, wasm code generation {:.1f} ms", path,
                  unit->timing.parseMs + unit->timing.analyzeMs, msSince(emitStart));
    auto objectPath = scratch.write(std::to_string(objects.size()) + ".o", *object);
    if (!objectPath)
      return objectPath.takeError();
    objects.push_back(*objectPath);
  }
  build.compileMs = msSince(compileStart);
  spdlog::debug("state and cache lookup {:.1f} ms", std::chrono::duration<double, std::milli>(
                                                       compileStart - started).count());

  auto linkStart = Clock::now();
  auto linked = scratch.path("patch.wasm");
  if (!linked)
    return linked.takeError();
  if (auto e = linkSideModule(objects, *linked))
    return linkErrorOf(std::move(e), files);
  auto bytes = readFile(*linked);
  if (!bytes)
    return bytes.takeError();
  build.linkMs = msSince(linkStart);
  spdlog::debug("wasm-ld: {:.2f} ms", build.linkMs);
  auto summary = readWasm(*bytes);
  if (!summary)
    return summary.takeError();
  // What the main module must export for this patch, beyond what `--main` exported itself.
  auto exportedByHotcc = [&](const std::string &name) {
    if (name.starts_with("__hotcc_slots_"))
      return true;
    for (auto &[path, unit] : after.units)
      if (unit.globals.count(name))
        return true;
    return false;
  };
  for (auto &import : summary->imports)
    if ((import.module == "env" && import.kind == ExternalKind::Function) ||
        import.module.starts_with("GOT."))
      if (!exportedByHotcc(import.name))
        build.imports.push_back(import.name);
  std::sort(build.imports.begin(), build.imports.end());
  build.imports.erase(std::unique(build.imports.begin(), build.imports.end()), build.imports.end());

  std::string patch = withCustomSection(*bytes, kManifestSection, manifest.serialize());
  if (auto e = writeFileAtomically(output, patch))
    return std::move(e);
  build.manifest = std::move(manifest);

  after.patches = state->patches + (repeat ? 0 : 1);
  after.lastInputs = inputsHash;
  after.lastPatch = key;
  {
    std::sort(dependencies.begin(), dependencies.end());
    dependencies.erase(std::unique(dependencies.begin(), dependencies.end()), dependencies.end());
    after.dependencies = dependencies;
  }
  {
    BuildState withoutHistory = base;
    withoutHistory.before.clear();
    after.before = withoutHistory.toJson();
  }
  if (auto e = after.save(statePath))
    return std::move(e);
  if (impl.options.useCache) {
    CacheEntry entry;
    entry.key = key;
    entry.inputsHash = inputsHash;
    std::sort(dependencies.begin(), dependencies.end());
    dependencies.erase(std::unique(dependencies.begin(), dependencies.end()), dependencies.end());
    entry.dependencies = dependencies;
    entry.stateAfter = after.toJson();
    entry.report = {{"manifest", build.manifest.serialize()},
                    {"changed", build.changed},
                    {"imports", build.imports}};
    impl.cache.store(entry, patch);
  }
  build.totalMs = msSince(started);
  spdlog::debug("patch written, state saved, cache filled: {:.2f} ms after the link",
                msSince(linkStart) - build.linkMs);
  return build;
}

llvm::Expected<PatchBuild> WasmBuilder::buildPlainSideModule(const std::vector<std::string> &files,
                                                             const std::string &output) {
  auto started = Clock::now();
  PatchBuild build;
  build.output = output;
  ScratchFiles scratch;
  std::vector<std::string> objects;
  for (auto &file : files) {
    auto unit = impl_->compile(absolutePath(file));
    if (!unit)
      return unit.takeError();
    appendWarnings(build.warnings, *unit);
    auto object = emitWasmObject(*unit->module, impl_->options.optLevel);
    if (!object)
      return object.takeError();
    auto objectPath = scratch.write(std::to_string(objects.size()) + ".o", *object);
    if (!objectPath)
      return objectPath.takeError();
    objects.push_back(*objectPath);
  }
  build.compileMs = msSince(started);
  auto linkStart = Clock::now();
  if (auto e = linkSideModule(objects, output))
    return linkErrorOf(std::move(e), files);
  build.linkMs = msSince(linkStart);
  build.totalMs = msSince(started);
  return build;
}

} // namespace hotcc::wasm
