// The IR side of slots. A main build turns every hot function F of a unit into a stub `F` that
// calls through `__hotcc_slots.<unit>[i]`, whose initial value is F's body, and registers the unit
// with the C runtime. A patch keeps only the bodies that changed (renamed to unique exports), turns
// every other hot function into the same kind of stub, and imports the main module's data instead
// of defining it.
#pragma once
#include "hotcc/frontend/compiled_unit.hpp"
#include "hotcc/wasm/build_state.hpp"
#include "hotcc/wasm/patch_manifest.hpp"

#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace hotcc::wasm {

// Name of a unit's slot table; patches import it (GOT.mem), so the main module exports it.
std::string slotTableName(const std::string &unitTag);

// The slot type of a hot function: its IR type and its C++ type, hashed (16 hex digits).
std::string signatureOf(const llvm::Function &fn, const frontend::FunctionInfo &info);

// Whether a defined function gets a slot.
bool hasSlot(const llvm::Function &fn, const frontend::FunctionInfo &info);

// Rewrites `module` for the main module and fills `state` (slots, data) for the unit.
// Returns the C runtime's descriptor text the unit registers.
std::string rewriteForMain(llvm::Module &module, const frontend::CompiledUnit &unit,
                           UnitState &state);

struct PatchRewrite {
  std::vector<SlotFill> fills;
  std::vector<std::string> changedDisplayNames;
  std::vector<std::string> newGlobals;  // data the patch defines (exported for later patches)
};

// Rewrites `module` into the patch's part for one unit. Fails when a slot's type or a global's
// layout changed (the running main module cannot take that; it needs a rebuild).
// `program`: every unit of the main module, so calls into another file's hot functions go
// through that file's slots too.
llvm::Expected<PatchRewrite> rewriteForPatch(llvm::Module &module,
                                             const frontend::CompiledUnit &unit,
                                             const UnitState &state, const BuildState &program,
                                             const std::string &patchId);

} // namespace hotcc::wasm
