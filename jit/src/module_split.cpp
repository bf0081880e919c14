#include "module_split.hpp"

#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Support/Format.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

namespace hotcc::jit {

std::string versionedBodyName(const std::string &linkName, std::uint64_t hash) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << linkName << ".hcv." << llvm::format_hex_no_prefix(hash, 16);
  return out;
}

namespace {

bool isSpecialArray(const llvm::GlobalVariable &g) {
  auto name = g.getName();
  return name == "llvm.global_ctors" || name == "llvm.global_dtors" || name == "llvm.used" ||
         name == "llvm.compiler.used";
}

// Global initialisers, in the order the C++ rules want them, each a function to call.
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
// an initialiser is compiler-made code that stores into the globals it constructs.
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

// The initialisers to run: Clang's per-file `_GLOBAL__sub_I_*` only calls one init function per
// global, so it is opened up and each of those is chosen by whether its global is new.
std::vector<const llvm::Function *> initialisersToRun(const llvm::Module &m,
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

// Definitions that must stay even if nothing in this module uses them: a later reload binds to them.
void pinSharedDefinitions(llvm::Module &m) {
  for (auto &go : m.global_objects()) {
    if (go.isDeclaration())
      continue;
    go.setComdat(nullptr);
    if (go.hasLinkOnceLinkage() || go.hasWeakLinkage() || go.hasCommonLinkage())
      go.setLinkage(llvm::GlobalValue::WeakODRLinkage);
  }
}

bool hasAnyDefinition(const llvm::Module &m) {
  for (const auto &go : m.global_objects())
    if (!go.isDeclaration())
      return true;
  return false;
}

} // namespace

SplitModules splitModule(const llvm::Module &source, const frontend::CompiledUnit &unit,
                         const SplitInput &input) {
  SplitModules out;

  // Persistent half: storage, library code, and the initialiser of what is new.
  {
    llvm::ValueToValueMapTy map;
    auto persistent = llvm::CloneModule(source, map, [&](const llvm::GlobalValue *gv) {
      if (gv->hasAvailableExternallyLinkage())
        return false;
      auto name = gv->getName().str();
      return gv->hasLocalLinkage() || input.newData.count(name) || input.newLibrary.count(name);
    });
    auto initialisers = initialisersToRun(source, input.newData);
    dropSpecialArrays(*persistent);
    if (!initialisers.empty()) {
      auto &ctx = persistent->getContext();
      auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false);
      out.initializer = "__hotcc_init." + input.unitTag + "." + std::to_string(input.reloadId);
      auto *init = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                          out.initializer, *persistent);
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", init));
      for (const auto *fn : initialisers)
        b.CreateCall(llvm::cast<llvm::Function>(map[fn]));
      b.CreateRetVoid();
    }
    dropUnusedLocals(*persistent);
    pinSharedDefinitions(*persistent);
    if (hasAnyDefinition(*persistent))
      out.persistent = std::move(persistent);
  }

  // Code half: the new bodies, renamed; calls to them (even from each other) stay on the stubs.
  if (!input.compileNow.empty()) {
    llvm::ValueToValueMapTy map;
    auto code = llvm::CloneModule(source, map, [&](const llvm::GlobalValue *gv) {
      if (gv->hasAvailableExternallyLinkage())
        return false;
      return gv->hasLocalLinkage() || input.compileNow.count(gv->getName().str()) != 0;
    });
    dropSpecialArrays(*code);
    for (const auto &name : input.compileNow) {
      auto *body = code->getFunction(name);
      auto info = unit.functions.find(name);
      if (!body || body->isDeclaration() || info == unit.functions.end())
        continue;
      auto versioned = versionedBodyName(name, info->second.hash);
      auto *stubDecl = llvm::Function::Create(body->getFunctionType(),
                                              llvm::GlobalValue::ExternalLinkage, "", *code);
      stubDecl->copyAttributesFrom(body);
      stubDecl->setLinkage(llvm::GlobalValue::ExternalLinkage);
      stubDecl->setVisibility(llvm::GlobalValue::DefaultVisibility);
      stubDecl->setComdat(nullptr);
      body->replaceAllUsesWith(stubDecl);
      body->setName(versioned);
      stubDecl->setName(name);
      body->setLinkage(llvm::GlobalValue::ExternalLinkage);
      body->setVisibility(llvm::GlobalValue::DefaultVisibility);
      body->setComdat(nullptr);
      out.bodies[name] = versioned;
    }
    dropUnusedLocals(*code);
    for (auto &go : code->global_objects())
      go.setComdat(nullptr);
    out.code = std::move(code);
  }
  return out;
}

std::map<std::string, std::set<std::string>> undefinedSymbols(const llvm::Module &module) {
  std::map<std::string, std::set<std::string>> out;
  auto note = [&](const llvm::GlobalValue &gv) {
    if (!gv.isDeclaration() || gv.getName().starts_with("llvm.") || gv.use_empty())
      return;
    auto &users = out[gv.getName().str()];
    for (const auto *user : gv.users())
      if (const auto *inst = llvm::dyn_cast<llvm::Instruction>(user))
        users.insert(inst->getFunction()->getName().str());
  };
  for (const auto &fn : module.functions())
    if (!fn.isIntrinsic())
      note(fn);
  for (const auto &g : module.globals())
    note(g);
  return out;
}

} // namespace hotcc::jit
