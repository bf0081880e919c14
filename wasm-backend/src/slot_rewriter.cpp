#include "slot_rewriter.hpp"
#include "support.hpp"

#include "hotcc/frontend/ir_surgery.hpp"

#include <llvm/ADT/STLFunctionalExtras.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/xxhash.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include <algorithm>
#include <set>

namespace hotcc::wasm {

namespace {

const frontend::FunctionInfo *infoOf(const frontend::CompiledUnit &unit, llvm::StringRef name) {
  auto it = unit.functions.find(name.str());
  return it == unit.functions.end() ? nullptr : &it->second;
}

// The slot table as a patch sees it: an external array it reads through the GOT.
llvm::GlobalVariable *slotTableDeclaration(llvm::Module &module, const std::string &tag) {
  auto name = slotTableName(tag);
  if (auto *existing = module.getNamedGlobal(name))
    return existing;
  auto *ptr = llvm::PointerType::getUnqual(module.getContext());
  return new llvm::GlobalVariable(module, llvm::ArrayType::get(ptr, 0), false,
                                  llvm::GlobalValue::ExternalLinkage, nullptr, name);
}

// A function with `body`'s type and attributes whose body loads slot `index` and calls it.
llvm::Function *makeStub(llvm::Function &body, llvm::GlobalVariable &table, unsigned index,
                         llvm::GlobalValue::LinkageTypes linkage) {
  auto &ctx = body.getContext();
  auto *stub = llvm::Function::Create(body.getFunctionType(), linkage, body.getAddressSpace(), "",
                                      body.getParent());
  stub->copyAttributesFrom(&body);
  stub->setLinkage(linkage);
  stub->setComdat(nullptr);
  stub->removeFnAttr(llvm::Attribute::AlwaysInline);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", stub));
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *slot = b.CreateConstInBoundsGEP2_64(table.getValueType(), &table, 0, index);
  auto *target = b.CreateLoad(ptr, slot, "target");
  std::vector<llvm::Value *> args;
  for (auto &arg : stub->args())
    args.push_back(&arg);
  auto *call = b.CreateCall(body.getFunctionType(), target, args);
  call->setAttributes(body.getAttributes());
  call->setCallingConv(body.getCallingConv());
  if (call->getType()->isVoidTy())
    b.CreateRetVoid();
  else
    b.CreateRet(call);
  return stub;
}

// Replaces every use of `fn` with a new stub named as `fn` was; `fn` gets `newName`.
llvm::Function *interposeStub(llvm::Function &fn, llvm::GlobalVariable &table, unsigned index,
                              llvm::GlobalValue::LinkageTypes stubLinkage,
                              const std::string &newName) {
  std::string name = fn.getName().str();
  auto *comdat = fn.getComdat();
  auto *stub = makeStub(fn, table, index, stubLinkage);
  fn.replaceAllUsesWith(stub);
  fn.setName(newName);
  stub->setName(name);
  if (!stub->hasLocalLinkage())
    stub->setComdat(comdat);
  fn.setComdat(nullptr);
  return stub;
}

std::vector<llvm::Function *> slotFunctions(llvm::Module &module,
                                            const frontend::CompiledUnit &unit) {
  std::vector<llvm::Function *> out;
  for (auto &fn : module.functions()) {
    auto *info = infoOf(unit, fn.getName());
    if (!fn.isDeclaration() && info && hasSlot(fn, *info))
      out.push_back(&fn);
  }
  std::sort(out.begin(), out.end(),
            [](auto *a, auto *b) { return a->getName() < b->getName(); });
  return out;
}

bool isDataToShare(const llvm::GlobalVariable &g, const frontend::CompiledUnit &unit) {
  if (g.isDeclaration() || frontend::isSpecialArray(g) || g.isThreadLocal())
    return false;
  auto it = unit.globals.find(g.getName().str());
  return it != unit.globals.end() && it->second.kind == frontend::GlobalKind::Data;
}

// A `void()` function the module runs when it loads, at `priority` (lower runs first); `body`
// fills it in before its return.
void addConstructor(llvm::Module &module, const std::string &name, int priority,
                    llvm::function_ref<void(llvm::IRBuilder<> &)> body) {
  auto &ctx = module.getContext();
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
                                    llvm::GlobalValue::InternalLinkage, name, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  body(b);
  b.CreateRetVoid();
  llvm::appendToGlobalCtors(module, fn, priority);
}

// The main module's steps (rewriteForMain).

// Hot functions without a slot (variadic): their bodies, so that a patch changing one is refused.
void recordFixed(llvm::Module &module, const frontend::CompiledUnit &unit, UnitState &state) {
  for (auto &fn : module.functions()) {
    auto *info = infoOf(unit, fn.getName());
    if (!fn.isDeclaration() && info && info->kind == frontend::FunctionKind::Hot &&
        !hasSlot(fn, *info))
      state.fixed[fn.getName().str()] = info->hash;
  }
}

// Every slot function becomes a stub calling through the unit's slot table, whose initial
// entries are the bodies. Adds a descriptor line per slot to `slotLines`.
llvm::GlobalVariable *routeThroughSlots(llvm::Module &module, const frontend::CompiledUnit &unit,
                                        UnitState &state, std::string &slotLines) {
  auto *ptr = llvm::PointerType::getUnqual(module.getContext());
  auto hot = slotFunctions(module, unit);
  auto *tableType = llvm::ArrayType::get(ptr, hot.size());
  // External and kept: patches import it, and nothing may assume it still holds the first bodies.
  auto *table = new llvm::GlobalVariable(module, tableType, false, llvm::GlobalValue::ExternalLinkage,
                                         nullptr, slotTableName(state.tag));
  std::vector<llvm::Constant *> bodies;
  for (unsigned i = 0; i < hot.size(); ++i) {
    auto *fn = hot[i];
    const auto &info = *infoOf(unit, fn->getName());
    std::string name = fn->getName().str();
    auto signature = signatureOf(*fn, info);
    auto linkage = fn->getLinkage();
    if (llvm::GlobalValue::isLocalLinkage(linkage))
      linkage = llvm::GlobalValue::ExternalLinkage;  // promoted names are shared anyway
    interposeStub(*fn, *table, i, linkage, name + ".hcbody");
    fn->setLinkage(llvm::GlobalValue::InternalLinkage);
    fn->setVisibility(llvm::GlobalValue::DefaultVisibility);
    bodies.push_back(fn);
    state.slots[name] = SlotState{i, signature, info.hash, info.displayName};
    slotLines += "slot " + std::to_string(i) + " " + name + " " + signature + "\n";
  }
  table->setInitializer(llvm::ConstantArray::get(tableType, bodies));
  return table;
}

// Data the patches will import: exported by keeping it (emscripten exports `used` symbols of a
// MAIN_MODULE=2, like EMSCRIPTEN_KEEPALIVE), so it joins `keep`.
void shareData(llvm::Module &module, const frontend::CompiledUnit &unit, UnitState &state,
               std::vector<llvm::GlobalValue *> &keep) {
  for (auto &g : module.globals()) {
    if (!isDataToShare(g, unit))
      continue;
    if (g.hasLocalLinkage())
      g.setLinkage(llvm::GlobalValue::ExternalLinkage);
    g.setVisibility(llvm::GlobalValue::DefaultVisibility);
    keep.push_back(&g);
    state.globals[g.getName().str()] =
        GlobalState{unit.globals.at(g.getName().str()).layoutHash, "main"};
  }
}

// The unit's build id: its slots' names and types and its data's layouts, which patches rely on.
std::string buildIdOf(const UnitState &state, const std::string &slotLines) {
  std::string globalsText;
  for (auto &[name, g] : state.globals)
    globalsText += name + " " + hex16(g.layoutHash) + "\n";
  return hex16(llvm::xxh3_64bits(state.tag + "\n" + slotLines + globalsText));
}

// Hands the unit's descriptor and slot table to the C runtime when the module loads.
void addRegistration(llvm::Module &module, const std::string &tag, const std::string &descriptor,
                     llvm::GlobalVariable &table, unsigned slots) {
  auto &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *text = llvm::ConstantDataArray::getString(ctx, descriptor);
  auto *descriptorGlobal = new llvm::GlobalVariable(module, text->getType(), true,
                                                    llvm::GlobalValue::PrivateLinkage, text,
                                                    "__hotcc_unit_descriptor");
  auto *registerType = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx),
                                               {ptr, ptr, llvm::Type::getInt32Ty(ctx)}, false);
  auto registerUnit = module.getOrInsertFunction("hotcc_wasm_register_unit", registerType);
  // Before the app's own initializers, which may already call hot functions.
  addConstructor(module, "__hotcc_register_" + tag, 0, [&](llvm::IRBuilder<> &b) {
    b.CreateCall(registerUnit, {descriptorGlobal, &table, b.getInt32(slots)});
  });
}

// A patch's steps (rewriteForPatch).

// EM_ASM compiles to a call of emscripten_asm_const_* with the address of its JavaScript text;
// the main module's JavaScript knows the texts it was linked with, and Debian's emscripten 3.1.6
// does not load a side module's: a changed body with EM_ASM would throw where it runs.
bool callsEmAsm(const llvm::Function &fn) {
  for (auto &block : fn)
    for (auto &instruction : block)
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction))
        if (auto *callee = call->getCalledFunction();
            callee && callee->getName().starts_with("emscripten_asm_const"))
          return true;
  return false;
}

// One entry per change a patch cannot carry, naming what changed and whose (the renderer says
// that the main module must be rebuilt).
std::vector<std::string> changesThatCannotApply(llvm::Module &module,
                                                const frontend::CompiledUnit &unit,
                                                const UnitState &state) {
  std::vector<std::string> problems;
  for (auto &fn : module.functions()) {
    auto *info = infoOf(unit, fn.getName());
    auto slot = state.slots.find(fn.getName().str());
    if (auto fixed = state.fixed.find(fn.getName().str());
        !fn.isDeclaration() && info && fixed != state.fixed.end() && fixed->second != info->hash)
      problems.push_back("body of variadic '" + info->displayName + "' (it has no slot)");
    if (fn.isDeclaration() || !info || slot == state.slots.end())
      continue;
    if (!hasSlot(fn, *info) || signatureOf(fn, *info) != slot->second.signature)
      problems.push_back("signature of '" + info->displayName + "' (now '" + info->signature +
                         "'; its slot has the old type)");
    else if (info->hash != slot->second.hash && callsEmAsm(fn))
      problems.push_back("EM_ASM in '" + info->displayName + "' (a patch's EM_ASM JavaScript "
                         "cannot be loaded into the running page)");
  }
  for (auto &g : module.globals()) {
    auto known = state.globals.find(g.getName().str());
    if (!isDataToShare(g, unit) || known == state.globals.end())
      continue;
    auto &info = unit.globals.at(g.getName().str());
    if (info.layoutHash != known->second.layoutHash)
      problems.push_back("type or layout of '" + info.displayName +
                         "' (the main module holds it in the old layout)");
  }
  return problems;
}

// The initializers of the storage this patch defines for the first time: only they run when the
// patch loads (the main module's data keeps its values).
std::vector<llvm::Function *> initializersOfNewData(llvm::Module &module,
                                                    const frontend::CompiledUnit &unit,
                                                    const UnitState &state) {
  std::set<std::string> newData;
  for (auto &g : module.globals())
    if (isDataToShare(g, unit) && !state.globals.count(g.getName().str()))
      newData.insert(g.getName().str());
  std::vector<llvm::Function *> toRun;
  for (auto *fn : frontend::initializersToRun(module, newData))
    toRun.push_back(const_cast<llvm::Function *>(fn));
  return toRun;
}

// Data the main module (or an earlier patch) has is imported, never defined again; new user
// storage is defined and exported (listed in `newGlobals`); a library's data is a private copy.
void importOrDefineData(llvm::Module &module, const frontend::CompiledUnit &unit,
                        const UnitState &state, std::vector<std::string> &newGlobals) {
  for (auto &g : module.globals()) {
    if (!isDataToShare(g, unit))
      continue;
    auto name = g.getName().str();
    g.setComdat(nullptr);
    if (state.globals.count(name)) {
      g.setInitializer(nullptr);
      g.setLinkage(llvm::GlobalValue::ExternalLinkage);
      g.setVisibility(llvm::GlobalValue::DefaultVisibility);
      g.setDSOLocal(false);
    } else if (unit.globals.at(name).user) {
      // New user storage: exported, so the patches after this one import it from here.
      if (g.hasLocalLinkage() || g.hasLinkOnceLinkage() || g.hasWeakLinkage())
        g.setLinkage(llvm::GlobalValue::ExternalLinkage);
      g.setVisibility(llvm::GlobalValue::DefaultVisibility);
      newGlobals.push_back(name);
    } else {
      g.setLinkage(llvm::GlobalValue::InternalLinkage);  // a library's own data: a private copy
    }
  }
}

// A changed body is exported under a name unique to the patch, which fills its slot, and its
// callers here go through the slot; an unchanged one is dropped for a stub calling through its
// slot. Everything else the changed code needs is the patch's own: new functions, library code.
void keepChangedBodies(llvm::Module &module, const frontend::CompiledUnit &unit,
                       const UnitState &state, const std::string &patchId, PatchRewrite &out) {
  auto *table = slotTableDeclaration(module, state.tag);
  std::vector<llvm::Function *> defined;
  for (auto &fn : module.functions())
    if (!fn.isDeclaration())
      defined.push_back(&fn);
  std::vector<llvm::Function *> unchanged;
  for (auto *fn : defined) {
    auto name = fn->getName().str();
    auto *info = infoOf(unit, name);
    auto slot = state.slots.find(name);
    if (!info || slot == state.slots.end()) {
      fn->setLinkage(llvm::GlobalValue::InternalLinkage);
      fn->setComdat(nullptr);
    } else if (info->hash == slot->second.hash) {
      unchanged.push_back(fn);
    } else {
      auto exportName = name + "$hcp$" + patchId;
      interposeStub(*fn, *table, slot->second.index, llvm::GlobalValue::InternalLinkage, exportName);
      fn->setLinkage(llvm::GlobalValue::ExternalLinkage);
      fn->setVisibility(llvm::GlobalValue::DefaultVisibility);
      out.fills.push_back(SlotFill{state.tag, name, slot->second.signature,
                                   hex16(info->hash), exportName});
      out.changedDisplayNames.push_back(info->displayName);
    }
  }
  for (auto *fn : unchanged) {
    auto slot = state.slots.at(fn->getName().str());
    interposeStub(*fn, *table, slot.index, llvm::GlobalValue::InternalLinkage, "");
    fn->eraseFromParent();
  }
}

// Hot functions of the program's other files: the main module does not export their stubs
// (MAIN_MODULE=2 exports only what it is told), so calls go through their slots from here.
void callOtherUnitsThroughSlots(llvm::Module &module, const UnitState &state,
                                const BuildState &program) {
  std::vector<std::pair<llvm::Function *, std::pair<const UnitState *, unsigned>>> foreign;
  for (auto &fn : module.functions()) {
    if (!fn.isDeclaration() || fn.isIntrinsic() || fn.use_empty())
      continue;
    for (auto &[path, other] : program.units) {
      auto slot = other.slots.find(fn.getName().str());
      if (other.tag != state.tag && slot != other.slots.end()) {
        foreign.push_back({&fn, {&other, slot->second.index}});
        break;
      }
    }
  }
  for (auto &[fn, where] : foreign) {
    auto *otherTable = slotTableDeclaration(module, where.first->tag);
    interposeStub(*fn, *otherTable, where.second, llvm::GlobalValue::InternalLinkage, "");
    fn->eraseFromParent();
  }
}

} // namespace

std::string slotTableName(const std::string &unitTag) {
  return "__hotcc_slots_" + unitTag;
}

std::string signatureOf(const llvm::Function &fn, const frontend::FunctionInfo &info) {
  std::string text;
  llvm::raw_string_ostream os(text);
  fn.getFunctionType()->print(os);
  os << "|" << info.signature << "|" << fn.getCallingConv();
  return hex16(llvm::xxh3_64bits(text));
}

bool hasSlot(const llvm::Function &fn, const frontend::FunctionInfo &info) {
  // A variadic function cannot be forwarded by a stub without knowing its arguments.
  return info.kind == frontend::FunctionKind::Hot && !fn.isVarArg() &&
         !fn.getName().starts_with("__hotcc");
}

std::string rewriteForMain(llvm::Module &module, const frontend::CompiledUnit &unit,
                           UnitState &state) {
  state.slots.clear();
  state.globals.clear();
  state.fixed.clear();
  recordFixed(module, unit, state);
  std::string slotLines;
  auto *table = routeThroughSlots(module, unit, state, slotLines);
  std::vector<llvm::GlobalValue *> keep = {table};
  shareData(module, unit, state, keep);
  state.build = buildIdOf(state, slotLines);
  std::string descriptor = "hotcc-unit 1\nunit " + state.tag + "\nbuild " + state.build + "\n" +
                           "file " + unit.file + "\n" + slotLines;
  addRegistration(module, state.tag, descriptor, *table, state.slots.size());
  llvm::appendToUsed(module, keep);
  return descriptor;
}

llvm::Expected<PatchRewrite> rewriteForPatch(llvm::Module &module,
                                             const frontend::CompiledUnit &unit,
                                             const UnitState &state, const BuildState &program,
                                             const std::string &patchId) {
  // Refusals first, before the module is touched.
  auto problems = changesThatCannotApply(module, unit, state);
  if (!problems.empty())
    return frontend::makeFailure(failure::PatchCannotApply{unit.file, std::move(problems)});

  PatchRewrite out;
  // Read from llvm.global_ctors before it goes: the patch's own constructor runs only these.
  auto toRun = initializersOfNewData(module, unit, state);
  frontend::dropSpecialArrays(module);
  importOrDefineData(module, unit, state, out.newGlobals);
  keepChangedBodies(module, unit, state, patchId, out);
  callOtherUnitsThroughSlots(module, state, program);
  if (!toRun.empty())
    addConstructor(module, "__hotcc_init_" + state.tag, 65535, [&](llvm::IRBuilder<> &b) {
      for (auto *fn : toRun)
        b.CreateCall(fn);
    });
  frontend::dropUnusedLocals(module);
  for (auto &go : module.global_objects())
    if (go.hasLocalLinkage())
      go.setComdat(nullptr);
  return out;
}

} // namespace hotcc::wasm
