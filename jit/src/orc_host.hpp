// The ORC side of the engine: one LLJIT in this process, one JITDylib for all hot code, an
// indirection-stub manager for the stable entry points, and the platform symbols hot code needs
// (__dso_handle, __cxa_atexit, atexit) routed to the engine.
#pragma once
#include "code_map.hpp"
#include "hotcc/exit_handlers.hpp"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/IndirectionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace hotcc::jit {

class ExportTable;

struct StubHandle {
  std::uintptr_t stub = 0;
  void **slot = nullptr;
};

class OrcHost {
public:
  static llvm::Expected<std::unique_ptr<OrcHost>> create(int optLevel, ExitHandlers &exitHandlers);

  // Creates stubs (pointing at a trap until a body is set) and defines their names in the dylib.
  llvm::Error createStubs(const std::vector<std::string> &names);
  StubHandle stub(const std::string &name);

  // Adds a module under a fresh tracker. Nothing is compiled until lookup.
  llvm::Expected<llvm::orc::ResourceTrackerSP> add(llvm::orc::ThreadSafeModule module);
  // Compiles and links whatever defines `names`; returns their addresses.
  llvm::Expected<std::map<std::string, std::uintptr_t>> resolve(const std::vector<std::string> &names);
  // Address of one defined symbol, or 0.
  std::uintptr_t address(const std::string &name);

  // Binds `name` to `address` in the dylib, ahead of anything the process exports.
  llvm::Error bindSymbol(const std::string &name, void *address);
  // Makes the exports of the shared library at `path` resolve before the process's own.
  llvm::Error searchLibraryFirst(const std::string &path);

  // Whether a name resolves: defined in the dylib (by us) or exported by the host process.
  bool isKnown(const std::string &name) const;

  // The -O pipeline for a module about to be compiled (the JIT's transform layer calls it).
  llvm::Error optimize(llvm::orc::ThreadSafeModule &module);
  // What libraries the program loads may bind to; hot code's dlopen/dlsym publish it first.
  ExportTable &exports() { return *exports_; }
  // Which JIT'd function an address is in (async-signal-safe lookups).
  const CodeMap &codeMap() const { return *codeMap_; }
  const llvm::DataLayout &dataLayout() const { return jit_->getDataLayout(); }
  const llvm::Triple &triple() const { return jit_->getTargetTriple(); }

  ~OrcHost();

private:
  OrcHost();
  llvm::Error definePlatformSymbols(ExitHandlers &exitHandlers);

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unique_ptr<llvm::orc::IndirectStubsManager> stubs_;
  std::unique_ptr<llvm::orc::JITTargetMachineBuilder> targetBuilder_;
  std::mutex optimizerMutex_;
  std::vector<std::unique_ptr<llvm::TargetMachine>> idleOptimizers_;
  llvm::orc::JITDylib *dylib_ = nullptr;
  int optLevel_ = 0;
  std::set<std::string> defined_;  // every name we defined in the dylib
  std::vector<void *> firstLibraries_;   // searched before the process (searchLibraryFirst)
  std::map<std::string, void *> bound_;  // bindSymbol's names, so binding again is harmless
  std::unique_ptr<ExportTable> exports_;
  std::shared_ptr<CodeMap> codeMap_;
};

} // namespace hotcc::jit
