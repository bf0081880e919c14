// Module edits both backends make when they cut a unit into what one reload or patch carries:
// which global initializers to run, and removing what nothing uses.
#pragma once
#include <set>
#include <string>
#include <vector>

namespace llvm {
class Constant;
class Function;
class TargetMachine;
class GlobalVariable;
class Module;
} // namespace llvm

namespace hotcc::frontend {

// llvm.global_ctors, llvm.used and their kin: arrays the linker reads, not data.
bool isSpecialArray(const llvm::GlobalVariable &g);

// The initializers that construct globals in `newData`, in the order C++ runs them. Clang's
// per-file `_GLOBAL__sub_I_*` is opened up: it calls one init function per global, and each is
// chosen by whether the global it stores into is new.
std::vector<const llvm::Function *> initializersToRun(const llvm::Module &m,
                                                      const std::set<std::string> &newData);

void dropSpecialArrays(llvm::Module &m);

// The functions whose labels `constant` takes the address of (a `&&label` dispatch table). Such a
// constant belongs to one compiled body of those functions: it may only be cloned into a module
// that defines them, and never shared with another version.
std::set<const llvm::Function *> labelOwners(const llvm::Constant &constant);

// Removes module-local functions and globals nothing refers to, until none is left.
void dropUnusedLocals(llvm::Module &m);

// LLVM's default -O`optLevel` pipeline for `machine`'s target (nothing at -O0). Built for each
// module: pipelines keep state between runs (the inliner's wrapper moves its inner pipeline out).
void optimizeModule(llvm::Module &m, llvm::TargetMachine *machine, int optLevel);

} // namespace hotcc::frontend
