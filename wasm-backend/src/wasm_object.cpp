#include "hotcc/wasm/wasm_object.hpp"

#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>

#include <memory>
#include <mutex>

extern "C" {
void LLVMInitializeWebAssemblyTargetInfo();
void LLVMInitializeWebAssemblyTarget();
void LLVMInitializeWebAssemblyTargetMC();
void LLVMInitializeWebAssemblyAsmPrinter();
}

namespace hotcc::wasm {

namespace {

void initialiseWebAssembly() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeWebAssemblyTargetInfo();
    LLVMInitializeWebAssemblyTarget();
    LLVMInitializeWebAssemblyTargetMC();
    LLVMInitializeWebAssemblyAsmPrinter();
  });
}

llvm::Error fail(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", message.c_str());
}

llvm::CodeGenOptLevel codeGenLevel(int optLevel) {
  switch (optLevel) {
  case 0: return llvm::CodeGenOptLevel::None;
  case 1: return llvm::CodeGenOptLevel::Less;
  case 2: return llvm::CodeGenOptLevel::Default;
  default: return llvm::CodeGenOptLevel::Aggressive;
  }
}

void optimise(llvm::Module &module, llvm::TargetMachine &machine, int optLevel) {
  if (optLevel <= 0)
    return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  auto level = optLevel == 1   ? llvm::OptimizationLevel::O1
               : optLevel == 2 ? llvm::OptimizationLevel::O2
                               : llvm::OptimizationLevel::O3;
  builder.buildPerModuleDefaultPipeline(level).run(module, mam);
}

} // namespace

llvm::Expected<std::string> emitWasmObject(llvm::Module &module, int optLevel) {
  initialiseWebAssembly();
  const llvm::Triple &triple = module.getTargetTriple();
  if (!triple.isWasm())
    return fail("hotcc: internal error: module for " + triple.str() + " handed to the wasm backend");
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return fail("hotcc: error: no WebAssembly target in this LLVM: " + error);
  llvm::TargetOptions options;
  // CPU and features come from each function's attributes (Clang's -mcpu/-m flags); the backend
  // merges them into the object's target_features section.
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, "generic", "", options, llvm::Reloc::PIC_, std::nullopt, codeGenLevel(optLevel)));
  if (!machine)
    return fail("hotcc: error: cannot create a TargetMachine for " + triple.str());
  module.setDataLayout(machine->createDataLayout());

  std::string verifyText;
  llvm::raw_string_ostream verifyStream(verifyText);
  if (llvm::verifyModule(module, &verifyStream))
    return fail("hotcc: internal error: invalid module before wasm code generation:\n" + verifyText);

  optimise(module, *machine, optLevel);

  llvm::SmallString<0> object;
  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::ObjectFile))
    return fail("hotcc: error: the WebAssembly backend cannot emit object files");
  passes.run(module);
  return std::string(object.data(), object.size());
}

} // namespace hotcc::wasm
