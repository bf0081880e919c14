#include "patch_plan.hpp"
#include "support.hpp"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/xxhash.h>

#include <algorithm>

#include "hotcc/support.hpp"

namespace hotcc::wasm {

namespace {

// The state a main build of exactly `files` saved, for this build's target.
llvm::Expected<BuildState> loadState(const std::vector<std::string> &files,
                                     const std::string &statePath, const std::string &triple) {
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
  if (state->target != triple)
    return setupError("build state " + statePath, "the main module was built for " +
                                                     state->target + ", this patch is for " +
                                                     triple);
  return state;
}

// The flags and the sources' text, then the user headers the last build read: a header edit is
// a new patch even when no source changed.
llvm::Expected<std::string> hashInputs(const std::vector<std::string> &files,
                                       const BuildState &state, const std::string &flagsKey) {
  std::string inputs = flagsKey + "\n";
  for (auto &file : files) {
    auto path = absolutePath(file);
    if (!state.units.count(path))
      return frontend::makeFailure(failure::NotInProgram{path});
    auto text = readFile(path);
    if (!text)
      return text.takeError();
    inputs += path + "\n" + hex16(llvm::xxh3_64bits(*text)) + "\n";
  }
  // A header that is gone is left out: if a source still includes it, the compile says so.
  for (auto &dep : state.dependencies)
    if (std::find(files.begin(), files.end(), dep) == files.end())
      if (auto text = llvm::MemoryBuffer::getFile(dep))
        inputs += dep + "\n" + hex16(llvm::xxh3_64bits((*text)->getBuffer())) + "\n";
  return hex16(llvm::xxh3_64bits(inputs));
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

llvm::Expected<PatchPlan> planPatch(const std::vector<std::string> &files,
                                    const std::string &statePath, const std::string &triple,
                                    const std::string &flagsKey) {
  auto state = loadState(files, statePath, triple);
  if (!state)
    return state.takeError();
  auto inputsHash = hashInputs(files, *state, flagsKey);
  if (!inputsHash)
    return inputsHash.takeError();
  PatchPlan plan;
  plan.statePath = statePath;
  plan.flagsDiffer = state->flagsKey != flagsKey;
  plan.inputsHash = std::move(*inputsHash);
  // The sources of the last patch again: build against what that patch was built against.
  plan.repeat = state->lastInputs == plan.inputsHash && !state->before.empty();
  plan.base = *state;
  if (plan.repeat) {
    auto before = BuildState::fromJson(state->before, statePath);
    if (!before)
      return before.takeError();
    plan.base = std::move(*before);
  }
  plan.key = hex16(llvm::xxh3_64bits(plan.inputsHash + stateKey(plan.base)));
  plan.state = std::move(*state);
  return plan;
}

void recordPatch(BuildState &after, const PatchPlan &plan,
                 const std::vector<std::string> &dependencies) {
  after.patches = plan.state.patches + (plan.repeat ? 0 : 1);
  after.lastInputs = plan.inputsHash;
  after.lastPatch = plan.key;
  after.dependencies = dependencies;
  // Only one step of history: what the next repeat of these inputs is built against.
  BuildState withoutHistory = plan.base;
  withoutHistory.before.clear();
  after.before = withoutHistory.toJson();
}

} // namespace hotcc::wasm
