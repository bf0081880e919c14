// Module edits shared by the native engine and the wasm backend (see ir_surgery.hpp).
#include "hotcc/frontend/ir_surgery.hpp"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>

#include <algorithm>
#include <tuple>

namespace hotcc::frontend {

namespace {
// Global initializers, in the order the C++ rules want them, each a function to call.
std::vector<const llvm::Function *> constructorsOf(const llvm::Module &m) {
  // (priority, position in the array): equal priorities keep the order the file gave them.
  std::vector<std::tuple<std::uint64_t, std::size_t, const llvm::Function *>> ordered;
  const auto *ctors = m.getNamedGlobal("llvm.global_ctors");
  if (!ctors || !ctors->hasInitializer())
    return {};
  const auto *array = llvm::dyn_cast<llvm::ConstantArray>(ctors->getInitializer());
  if (!array)
    return {};
  for (const auto &entry : array->operands()) {
    const auto *fields = llvm::dyn_cast<llvm::ConstantStruct>(entry.get());
    if (!fields || fields->getNumOperands() < 2)
      continue;
    auto *priority = llvm::dyn_cast<llvm::ConstantInt>(fields->getOperand(0));
    auto *fn = llvm::dyn_cast<llvm::Function>(fields->getOperand(1)->stripPointerCasts());
    if (priority && fn)
      ordered.emplace_back(priority->getZExtValue(), ordered.size(), fn);
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<const llvm::Function *> out;
  for (auto &[priority, position, fn] : ordered)
    out.push_back(fn);
  return out;
}

// Does running `fn` touch storage created in this reload? Looks through module-local helpers only:
// an initializer is compiler-made code that stores into the globals it constructs.
bool touchesNewData(const llvm::Value *v, const std::set<std::string> &newData,
                    std::set<const llvm::Value *> &seen) {
  if (!seen.insert(v).second)
    return false;
  if (const auto *g = llvm::dyn_cast<llvm::GlobalVariable>(v))
    return newData.count(g->getName().str()) != 0;
  if (const auto *fn = llvm::dyn_cast<llvm::Function>(v)) {
    if (!fn->hasLocalLinkage() || fn->isDeclaration())
      return false;
    for (const auto &block : *fn)
      for (const auto &inst : block)
        for (const auto &op : inst.operands())
          if (touchesNewData(op.get(), newData, seen))
            return true;
    return false;
  }
  if (const auto *c = llvm::dyn_cast<llvm::Constant>(v))
    for (const auto &op : c->operands())
      if (touchesNewData(op.get(), newData, seen))
        return true;
  return false;
}

} // namespace

bool isSpecialArray(const llvm::GlobalVariable &g) {
  auto name = g.getName();
  return name == "llvm.global_ctors" || name == "llvm.global_dtors" || name == "llvm.used" ||
         name == "llvm.compiler.used";
}

// The initializers to run: Clang's per-file `_GLOBAL__sub_I_*` only calls one init function per
// global, so it is opened up and each of those is chosen by whether its global is new.
std::vector<const llvm::Function *> initializersToRun(const llvm::Module &m,
                                                      const std::set<std::string> &newData) {
  std::vector<const llvm::Function *> run;
  for (const auto *ctor : constructorsOf(m)) {
    std::vector<const llvm::Function *> parts;
    bool onlyCalls = ctor->hasLocalLinkage();
    for (const auto &block : *ctor)
      for (const auto &inst : block) {
        if (const auto *call = llvm::dyn_cast<llvm::CallInst>(&inst)) {
          const auto *callee = call->getCalledFunction();
          if (callee && callee->hasLocalLinkage() && !callee->isDeclaration() &&
              call->arg_size() == 0) {
            parts.push_back(callee);
            continue;
          }
        }
        if (!llvm::isa<llvm::ReturnInst>(inst))
          onlyCalls = false;
      }
    if (!onlyCalls)
      parts = {ctor};
    for (const auto *part : parts) {
      std::set<const llvm::Value *> seen;
      if (touchesNewData(part, newData, seen))
        run.push_back(part);
    }
  }
  return run;
}

static void collectLabelOwners(const llvm::Constant &c, std::set<const llvm::Function *> &out,
                               std::set<const llvm::Constant *> &seen) {
  if (!seen.insert(&c).second || llvm::isa<llvm::GlobalValue>(c))
    return;
  if (const auto *label = llvm::dyn_cast<llvm::BlockAddress>(&c)) {
    out.insert(label->getFunction());
    return;
  }
  for (const auto &op : c.operands())
    if (const auto *inner = llvm::dyn_cast<llvm::Constant>(op.get()))
      collectLabelOwners(*inner, out, seen);
}

std::set<const llvm::Function *> labelOwners(const llvm::Constant &constant) {
  std::set<const llvm::Function *> out;
  std::set<const llvm::Constant *> seen;
  collectLabelOwners(constant, out, seen);
  return out;
}

void dropSpecialArrays(llvm::Module &m) {
  std::vector<llvm::GlobalVariable *> special;
  for (auto &g : m.globals())
    if (isSpecialArray(g))
      special.push_back(&g);
  for (auto *g : special)
    g->eraseFromParent();
}

// Removes module-local functions and constants nothing refers to (copies of helpers the other
// half of the split needed).
void dropUnusedLocals(llvm::Module &m) {
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<llvm::GlobalValue *> dead;
    for (auto &fn : m.functions())
      if (fn.hasLocalLinkage() && fn.use_empty())
        dead.push_back(&fn);
    for (auto &g : m.globals())
      if (g.hasLocalLinkage() && g.use_empty())
        dead.push_back(&g);
    for (auto *gv : dead) {
      if (auto *fn = llvm::dyn_cast<llvm::Function>(gv))
        fn->dropAllReferences();
      gv->eraseFromParent();
      changed = true;
    }
  }
}

void optimizeModule(llvm::Module &m, llvm::TargetMachine *machine, int optLevel) {
  if (optLevel <= 0)
    return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  auto level = optLevel == 1   ? llvm::OptimizationLevel::O1
               : optLevel == 2 ? llvm::OptimizationLevel::O2
                               : llvm::OptimizationLevel::O3;
  builder.buildPerModuleDefaultPipeline(level).run(m, mam);
}

} // namespace hotcc::frontend
