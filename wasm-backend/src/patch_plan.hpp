// What a patch is built against, settled before anything compiles: the build state the main
// module (and the patches since) left, checked against this build; the hash of the patch's
// inputs; and the patch's id, which is also its cache key. The same inputs as the last patch's
// make that patch again (same id, same bytes) rather than an empty one.
#pragma once
#include "hotcc/wasm/build_state.hpp"

#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace hotcc::wasm {

struct PatchPlan {
  std::string statePath;
  BuildState state;          // as the last build left it
  BuildState base;           // what the patch diffs against: `state`, or on a repeat the state
                             // the last patch was built against
  std::string inputsHash;    // the flags, the sources and the user headers the last build read
  std::string key;           // the patch's id: its inputs and its base
  bool repeat = false;       // the last patch's inputs again
  bool flagsDiffer = false;  // not the main module's flags: its data layout may not match
};

// `triple` and `flagsKey` are this build's. Fails when a file is missing, there is no state
// from a main build of exactly these files, the state is for another target, or a file is not
// one of its units.
llvm::Expected<PatchPlan> planPatch(const std::vector<std::string> &files,
                                    const std::string &statePath, const std::string &triple,
                                    const std::string &flagsKey);

// Makes `after` (the base with the patch's slots and data) the state the planned patch leaves:
// it records the patch, the inputs and the user files the patch read (`dependencies`, sorted
// and without repeats).
void recordPatch(BuildState &after, const PatchPlan &plan,
                 const std::vector<std::string> &dependencies);

} // namespace hotcc::wasm
