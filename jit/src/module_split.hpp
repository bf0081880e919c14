// Cuts a unit's module into what a reload links: a persistent module (storage of new globals,
// library functions, the initializer that constructs just the new globals) that is never unloaded,
// and a code module holding the new bodies of changed hot functions under versioned names, every
// call among them still going through the stubs.
#pragma once
#include "hotcc/frontend/compiled_unit.hpp"

#include <llvm/IR/Module.h>

#include <map>
#include <memory>
#include <set>
#include <string>

namespace hotcc::jit {

struct SplitInput {
  std::set<std::string> compileNow;   // hot functions that get a new body in this reload
  std::set<std::string> newData;      // data globals to define
  std::set<std::string> newLibrary;   // library functions to define
  std::uint64_t reloadId = 0;
  std::string unitTag;  // several files reload in one batch: their initializers need distinct names
};

struct SplitModules {
  std::unique_ptr<llvm::Module> persistent;   // null when the reload defines no storage or library
  std::unique_ptr<llvm::Module> code;         // null when no body changed
  std::map<std::string, std::string> bodies;  // hot link name → symbol of its new body
  std::string initializer;                    // symbol to call once linked; empty when none
};

// Name of the body of `linkName` whose content hash is `hash`.
std::string versionedBodyName(const std::string &linkName, std::uint64_t hash);

SplitModules splitModule(const llvm::Module &source, const frontend::CompiledUnit &unit,
                         const SplitInput &input);

// Whether a code module may ever be freed: not when it defines data (string literals, constant
// tables: a live object may keep a pointer to them) or a function other than the hot bodies whose
// address is taken (a pointer to it may be stored anywhere, not only on a stack). The bodies
// themselves are reached only through their slots.
bool codeModuleReclaimable(const llvm::Module &code, const std::map<std::string, std::string> &bodies);

// Undefined symbols of `module` (named, not intrinsics), each with the functions that use it.
std::map<std::string, std::set<std::string>> undefinedSymbols(const llvm::Module &module);

} // namespace hotcc::jit
