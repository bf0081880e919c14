#include "module_split.hpp"

#include "hotcc/frontend/ir_surgery.hpp"

#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Support/Format.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <functional>

namespace hotcc::jit {

using frontend::dropSpecialArrays;
using frontend::dropUnusedLocals;
using frontend::initializersToRun;

std::string versionedBodyName(const std::string &linkName, std::uint64_t hash) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << linkName << ".hcv." << llvm::format_hex_no_prefix(hash, 16);
  return out;
}

namespace {

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

// Whether a module whose function definitions are those `defines` accepts may hold `gv`'s
// definition: a constant with label addresses needs the bodies the labels are in.
template <typename Defines>
bool labelsDefinedWith(const llvm::GlobalValue *gv, const Defines &defines) {
  const auto *var = llvm::dyn_cast<llvm::GlobalVariable>(gv);
  if (!var || !var->hasInitializer())
    return true;
  for (const auto *owner : frontend::labelOwners(*var->getInitializer()))
    if (!defines(owner))
      return false;
  return true;
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

  // Persistent half: storage, library code, and the initializer of what is new (nothing to clone
  // when nothing is new, the common case of an edited body).
  if (!input.newData.empty() || !input.newLibrary.empty()) {
    llvm::ValueToValueMapTy map;
    std::function<bool(const llvm::GlobalValue *)> defines = [&](const llvm::GlobalValue *gv) {
      if (gv->hasAvailableExternallyLinkage())
        return false;
      auto name = gv->getName().str();
      return (gv->hasLocalLinkage() || input.newData.count(name) || input.newLibrary.count(name)) &&
             labelsDefinedWith(gv, defines);
    };
    auto persistent = llvm::CloneModule(source, map, defines);
    auto initializers = initializersToRun(source, input.newData);
    dropSpecialArrays(*persistent);
    if (!initializers.empty()) {
      auto &ctx = persistent->getContext();
      auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false);
      out.initializer = "__hotcc_init." + input.unitTag + "." + std::to_string(input.reloadId);
      auto *init = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                          out.initializer, *persistent);
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", init));
      for (const auto *fn : initializers)
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
    std::function<bool(const llvm::GlobalValue *)> defines = [&](const llvm::GlobalValue *gv) {
      if (gv->hasAvailableExternallyLinkage())
        return false;
      return (gv->hasLocalLinkage() || input.compileNow.count(gv->getName().str()) != 0) &&
             labelsDefinedWith(gv, defines);
    };
    auto code = llvm::CloneModule(source, map, defines);
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

bool codeModuleReclaimable(const llvm::Module &code,
                           const std::map<std::string, std::string> &bodies) {
  std::set<std::string> bodyNames;
  for (auto &[name, body] : bodies)
    bodyNames.insert(body);
  for (const auto &g : code.globals())
    if (!g.isDeclaration())
      return false;
  for (const auto &fn : code.functions())
    if (!fn.isDeclaration() && !bodyNames.count(fn.getName().str()) && fn.hasAddressTaken())
      return false;
  return code.alias_empty() && code.ifunc_empty();
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
