#include "hotcc/wasm/wasm_object.hpp"

#include "hotcc/frontend/ir_surgery.hpp"
#include "support.hpp"

#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

extern "C" {
void LLVMInitializeWebAssemblyTargetInfo();
void LLVMInitializeWebAssemblyTarget();
void LLVMInitializeWebAssemblyTargetMC();
void LLVMInitializeWebAssemblyAsmPrinter();
}

namespace hotcc::wasm {

namespace {

void initializeWebAssembly() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeWebAssemblyTargetInfo();
    LLVMInitializeWebAssemblyTarget();
    LLVMInitializeWebAssemblyTargetMC();
    LLVMInitializeWebAssemblyAsmPrinter();
  });
}

llvm::CodeGenOptLevel codeGenLevel(int optLevel) {
  switch (optLevel) {
  case 0: return llvm::CodeGenOptLevel::None;
  case 1: return llvm::CodeGenOptLevel::Less;
  case 2: return llvm::CodeGenOptLevel::Default;
  default: return llvm::CodeGenOptLevel::Aggressive;
  }
}

} // namespace

llvm::Expected<std::string> emitWasmObject(llvm::Module &module, int optLevel) {
  initializeWebAssembly();
  const llvm::Triple &triple = module.getTargetTriple();
  if (!triple.isWasm())
    return internalError("a module for " + triple.str() + " was handed to the wasm backend");
  // A TargetMachine costs milliseconds to make and can serve any number of modules in turn: one
  // per thread, target and level.
  thread_local std::map<std::pair<std::string, int>, std::unique_ptr<llvm::TargetMachine>> machines;
  auto &machine = machines[{triple.str(), optLevel}];
  if (!machine) {
    std::string error;
    const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
    if (!target)
      return setupError("the WebAssembly target", "not in this LLVM: " + error);
    llvm::TargetOptions options;
    // CPU and features come from each function's attributes (Clang's -mcpu/-m flags); the
    // backend merges them into the object's target_features section.
    machine.reset(target->createTargetMachine(triple, "generic", "", options, llvm::Reloc::PIC_,
                                              std::nullopt, codeGenLevel(optLevel)));
    if (!machine)
      return setupError("the WebAssembly target", "cannot create a TargetMachine for " + triple.str());
  }
  module.setDataLayout(machine->createDataLayout());

  std::string verifyText;
  llvm::raw_string_ostream verifyStream(verifyText);
  if (llvm::verifyModule(module, &verifyStream))
    return internalError("invalid module before wasm code generation:\n" + verifyText);

  auto started = std::chrono::steady_clock::now();
  frontend::optimizeModule(module, machine.get(), optLevel);
  auto optimized = std::chrono::steady_clock::now();

  llvm::SmallString<0> object;
  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::ObjectFile))
    return setupError("the WebAssembly target", "its backend cannot emit object files");
  passes.run(module);

  spdlog::debug("wasm: optimize {:.1f} ms, code generation {:.1f} ms",
                std::chrono::duration<double, std::milli>(optimized - started).count(),
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                          optimized).count());
  return std::string(object.data(), object.size());
}

} // namespace hotcc::wasm
