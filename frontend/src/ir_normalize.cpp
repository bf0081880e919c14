#include "ir_normalize.hpp"

#include "hotcc/frontend/ir_surgery.hpp"

#include <llvm/Demangle/Demangle.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/ModuleSlotTracker.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/xxhash.h>

#include <map>
#include <memory>
#include <set>

namespace hotcc::frontend {

std::string promotedName(const std::string &name, const std::string &promotedSuffix) {
  return name + promotedSuffix;
}

std::string promotedSuffixFor(const std::string &unitTag, bool identifierSafe) {
  return (identifierSafe ? "$hc$" : ".hc.") + unitTag;
}

namespace {

std::string hex(std::uint64_t v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format_hex_no_prefix(v, 16);
  return s;
}

// Drops what the printer numbers per module rather than per function: metadata attachments
// (", !tbaa !5") and attribute-group references (" #3"). Call attributes are hashed separately.
std::string stripModuleNumbering(std::string line) {
  for (std::size_t pos = line.find(", !"); pos != std::string::npos; pos = line.find(", !", pos)) {
    std::size_t nameEnd = pos + 3;
    while (nameEnd < line.size() && (std::isalnum(static_cast<unsigned char>(line[nameEnd])) ||
                                     line[nameEnd] == '.' || line[nameEnd] == '_'))
      ++nameEnd;
    if (nameEnd + 1 < line.size() && line[nameEnd] == ' ' && line[nameEnd + 1] == '!') {
      line.erase(pos);
      break;
    }
    pos = nameEnd;
  }
  // Attribute-group references (" #3"), wherever they stand (a call ends with one, a define line
  // has one before its brace). Their contents are hashed separately.
  for (std::size_t pos = line.find(" #"); pos != std::string::npos; pos = line.find(" #", pos)) {
    std::size_t end = pos + 2;
    while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end])))
      ++end;
    if (end > pos + 2 && (end == line.size() || line[end] == ' '))
      line.erase(pos, end - pos);
    else
      pos += 2;
  }
  return line;
}

void appendAttributes(llvm::raw_ostream &os, const llvm::AttributeList &attrs, unsigned params) {
  os << "fn{" << attrs.getFnAttrs().getAsString() << "} ret{" << attrs.getRetAttrs().getAsString()
     << "}";
  for (unsigned i = 0; i < params; ++i)
    os << " p" << i << "{" << attrs.getParamAttrs(i).getAsString() << "}";
}

class Normalizer {
public:
  Normalizer(llvm::Module &module, const DeclFacts &facts, const std::string &tag,
             CompiledUnit &unit)
      : module_(module), facts_(facts), tag_(tag), unit_(unit) {}

  void run() {
    unit_.records = facts_.records;
    localiseAvailableExternally();
    recordExports();
    classify();
    promoteInternals();
    reachEverythingIndirectly();
    nameCodeLocalsByContent();
    hashHotFunctions();
    describeGlobals();
  }

private:
  // A file's constants, and any table of label addresses (`&&label`, mutable or not: its values
  // only mean something to the body they point into), travel with the code that uses them.
  bool isCodeLocal(const llvm::GlobalVariable &g) const {
    if (!g.hasLocalLinkage())
      return false;
    return g.isConstant() || (g.hasInitializer() && !labelOwners(*g.getInitializer()).empty());
  }

  // available_externally bodies (extern templates, always_inline members of libstdc++) may have
  // no exported symbol behind them; each module that needs one gets its own internal copy.
  // Such globals (vtables of extern templates) do exist in the library: keep only a declaration.
  void localiseAvailableExternally() {
    for (auto &fn : module_.functions())
      if (fn.hasAvailableExternallyLinkage()) {
        fn.setLinkage(llvm::GlobalValue::InternalLinkage);
        fn.setComdat(nullptr);
      }
    for (auto &g : module_.globals())
      if (g.hasAvailableExternallyLinkage()) {
        g.setInitializer(nullptr);
        g.setLinkage(llvm::GlobalValue::ExternalLinkage);
      }
  }

  // What a normal link with -rdynamic would put in the program's dynamic symbol table: defined,
  // external, default visibility. Libraries the program dlopens may bind to these.
  void recordExports() {
    for (auto &go : module_.global_objects())
      if (!go.isDeclaration() && !go.hasLocalLinkage() && go.hasDefaultVisibility())
        exported_.insert(&go);
    for (auto &g : module_.globals())
      if (!g.isDeclaration() && g.hasExternalLinkage())
        strong_.insert(&g);
  }

  // Hot code is one program spread over JIT allocations that may lie far apart: a reference that
  // Clang made direct and PC-relative because the target was hidden or dso_local (same shared
  // object) could not reach it. Through the GOT it reaches anything; the JIT linker turns it back
  // into a direct reference where the target is in range.
  void reachEverythingIndirectly() {
    for (auto &gv : module_.global_values()) {
      if (gv.hasLocalLinkage() || gv.getName().starts_with("llvm."))
        continue;
      gv.setVisibility(llvm::GlobalValue::DefaultVisibility);
      gv.setDSOLocal(false);
    }
  }

  void classify() {
    for (auto &fn : module_.functions()) {
      if (fn.isDeclaration())
        continue;
      FunctionInfo info;
      auto facts = facts_.functions.find(fn.getName().str());
      if (facts != facts_.functions.end()) {
        info.displayName = facts->second.displayName;
        info.signature = facts->second.signature;
        info.location = facts->second.location;
        info.records = facts->second.records;
      } else {
        info.displayName = llvm::demangle(fn.getName().str());
      }
      if (facts != facts_.functions.end() && facts->second.user)
        info.kind = FunctionKind::Hot;
      else if (fn.hasLocalLinkage())
        info.kind = FunctionKind::Helper;
      else
        info.kind = FunctionKind::Library;
      info.odr = fn.hasLinkOnceODRLinkage() || fn.hasWeakODRLinkage();
      info.nounwind = fn.doesNotThrow();
      info.exported = exported_.count(&fn) != 0;
      kinds_[&fn] = info.kind;
      pendingFunctions_[&fn] = std::move(info);
    }
  }

  void promoteInternals() {
    for (auto &[fn, info] : pendingFunctions_) {
      if (info.kind == FunctionKind::Hot && fn->hasLocalLinkage()) {
        fn->setName(promotedName(fn->getName().str(), tag_));
        fn->setLinkage(llvm::GlobalValue::ExternalLinkage);
        fn->setVisibility(llvm::GlobalValue::DefaultVisibility);
      }
    }
    for (auto &g : module_.globals()) {
      if (g.isDeclaration() || isCodeLocal(g) || !g.hasLocalLinkage())
        continue;
      std::string original = g.getName().str();
      if (auto facts = facts_.globals.find(original); facts != facts_.globals.end())
        globalFacts_[&g] = facts->second;
      g.setName(promotedName(original.empty() ? "anon" : original, tag_));
      g.setLinkage(llvm::GlobalValue::ExternalLinkage);
      g.setVisibility(llvm::GlobalValue::DefaultVisibility);
    }
    for (auto &g : module_.globals())
      if (!g.isDeclaration() && !globalFacts_.count(&g))
        if (auto facts = facts_.globals.find(g.getName().str()); facts != facts_.globals.end())
          globalFacts_[&g] = facts->second;
  }

  // --- content hashing -------------------------------------------------------------------

  // Hash of a constant's value; references to code-local constants and helpers by their content,
  // to everything else by name.
  void printConstant(llvm::raw_ostream &os, const llvm::Constant *c) {
    if (const auto *gv = llvm::dyn_cast<llvm::GlobalValue>(c)) {
      os << referenceToken(gv);
      return;
    }
    if (const auto *label = llvm::dyn_cast<llvm::BlockAddress>(c)) {
      // Which function and which of its blocks: two label tables of the same size must differ.
      const auto *block = label->getBasicBlock();
      os << "(label " << referenceToken(label->getFunction()) << " "
         << std::distance(block->getParent()->begin(), block->getIterator()) << ")";
      return;
    }
    if (llvm::isa<llvm::ConstantData>(c) && !llvm::isa<llvm::ConstantDataSequential>(c)) {
      c->printAsOperand(os, true, &module_);
      return;
    }
    if (const auto *seq = llvm::dyn_cast<llvm::ConstantDataSequential>(c)) {
      seq->printAsOperand(os, true, &module_);
      return;
    }
    os << "(" << c->getValueID() << " ";
    c->getType()->print(os);
    if (const auto *ce = llvm::dyn_cast<llvm::ConstantExpr>(c))
      os << " op" << ce->getOpcodeName();
    for (const auto &op : c->operands()) {
      os << " ";
      if (const auto *opc = llvm::dyn_cast<llvm::Constant>(op.get()))
        printConstant(os, opc);
      else
        os << "?";
    }
    os << ")";
  }

  std::string referenceToken(const llvm::GlobalValue *gv) {
    if (const auto *var = llvm::dyn_cast<llvm::GlobalVariable>(gv); var && isCodeLocal(*var))
      return "k:" + hex(contentHash(var));
    if (const auto *fn = llvm::dyn_cast<llvm::Function>(gv))
      if (auto it = kinds_.find(fn); it != kinds_.end() && it->second == FunctionKind::Helper)
        return "h:" + hex(contentHash(fn));
    return "@" + gv->getName().str();
  }

  std::uint64_t contentHash(const llvm::GlobalVariable *var) {
    if (auto it = hashes_.find(var); it != hashes_.end())
      return it->second;
    if (!inProgress_.insert(var).second)
      return llvm::xxh3_64bits(var->getName());  // a cycle: fall back to the name
    std::string text;
    llvm::raw_string_ostream os(text);
    var->getValueType()->print(os);
    os << " const align " << var->getAlign().valueOrOne().value() << " ";
    if (var->hasInitializer())
      printConstant(os, var->getInitializer());
    inProgress_.erase(var);
    return hashes_[var] = llvm::xxh3_64bits(text);
  }

  std::uint64_t contentHash(const llvm::Function *fn) {
    if (auto it = hashes_.find(fn); it != hashes_.end())
      return it->second;
    if (!inProgress_.insert(fn).second)
      return llvm::xxh3_64bits(fn->getName());
    std::string text = printFunction(*fn);
    inProgress_.erase(fn);
    return hashes_[fn] = llvm::xxh3_64bits(text);
  }

  std::string printFunction(const llvm::Function &fn) {
    std::string text;
    llvm::raw_string_ostream os(text);
    fn.getFunctionType()->print(os);
    os << " cc" << fn.getCallingConv() << " ";
    appendAttributes(os, fn.getAttributes(), fn.arg_size());
    if (fn.hasPersonalityFn())
      os << " personality " << referenceToken(llvm::cast<llvm::GlobalValue>(
                                   fn.getPersonalityFn()->stripPointerCasts()));
    if (fn.hasSection())
      os << " section " << fn.getSection();
    os << "\n";

    // The whole body in one print with the module's slot tracker: printing instruction by
    // instruction makes the printer walk every global of the module for each one, which grows
    // with the square of a big file's size.
    std::string body;
    llvm::raw_string_ostream bodyOs(body);
    static_cast<const llvm::Value &>(fn).print(bodyOs, slotTracker());
    llvm::StringRef rest(body);
    while (!rest.empty()) {
      auto [line, next] = rest.split('\n');
      rest = next;
      // Debug records say where code came from, not what it does (and number metadata per module).
      if (line.ltrim().starts_with("#dbg_"))
        continue;
      os << stripModuleNumbering(line.str()) << "\n";
    }
    // What the printed text leaves out or names by module-wide numbers: call-site attributes, and
    // code-local constants and helpers by their content.
    for (const auto &block : fn)
      for (const auto &inst : block) {
        if (const auto *call = llvm::dyn_cast<llvm::CallBase>(&inst)) {
          os << "call ";
          appendAttributes(os, call->getAttributes(), call->arg_size());
        }
        for (const auto &op : inst.operands())
          foldReferences(os, op.get());
        os << "\n";
      }
    return text;
  }

  // One slot tracker for the module as it is now: renaming or erasing globals invalidates it.
  llvm::ModuleSlotTracker &slotTracker() {
    if (!slots_)
      slots_ = std::make_unique<llvm::ModuleSlotTracker>(&module_,
                                                         /*ShouldInitializeAllMetadata=*/false);
    return *slots_;
  }

  void foldReferences(llvm::raw_ostream &os, const llvm::Value *v) {
    if (const auto *gv = llvm::dyn_cast<llvm::GlobalValue>(v)) {
      auto token = referenceToken(gv);
      if (token[0] != '@')
        os << " [" << gv->getName() << "=" << token << "]";
      return;
    }
    if (const auto *ce = llvm::dyn_cast<llvm::ConstantExpr>(v))
      for (const auto &op : ce->operands())
        foldReferences(os, op.get());
  }

  // Gives a value a content-derived name, or folds it into an identical one that already has it.
  void nameByContent(llvm::GlobalValue *gv, const std::string &name) {
    slots_.reset();
    if (auto it = byContentName_.find(name); it != byContentName_.end()) {
      if (it->second->getValueID() == gv->getValueID() &&
          it->second->getLinkage() == gv->getLinkage()) {
        gv->replaceAllUsesWith(it->second);
        dead_.push_back(gv);
      }
      return;
    }
    gv->setName(name);
    byContentName_[name] = gv;
  }

  bool isHelper(const llvm::Value *v) const {
    const auto *fn = llvm::dyn_cast<llvm::Function>(v);
    auto it = fn ? kinds_.find(fn) : kinds_.end();
    return it != kinds_.end() && it->second == FunctionKind::Helper;
  }

  void helpersReferencedBy(const llvm::Value *v, std::vector<llvm::Function *> &out,
                           std::set<const llvm::Value *> &seen) {
    if (!seen.insert(v).second)
      return;
    if (isHelper(v)) {
      out.push_back(const_cast<llvm::Function *>(llvm::cast<llvm::Function>(v)));
      return;
    }
    if (llvm::isa<llvm::GlobalValue>(v))
      return;
    if (const auto *c = llvm::dyn_cast<llvm::Constant>(v))
      for (const auto &op : c->operands())
        helpersReferencedBy(op.get(), out, seen);
  }

  // Names a helper after its content, callees first, so that its printed body (which names its
  // callees) no longer depends on the order Clang numbered its initializers in.
  void nameHelper(llvm::Function *fn) {
    if (!namedHelpers_.insert(fn).second)
      return;
    std::vector<llvm::Function *> callees;
    std::set<const llvm::Value *> seen{fn};
    for (const auto &block : *fn)
      for (const auto &inst : block)
        for (const auto &op : inst.operands())
          helpersReferencedBy(op.get(), callees, seen);
    for (auto *callee : callees)
      nameHelper(callee);
    nameByContent(fn, "__hotcc_h." + hex(contentHash(fn)));
  }

  void nameCodeLocalsByContent() {
    std::vector<llvm::GlobalVariable *> locals;
    for (auto &g : module_.globals())
      if (!g.isDeclaration() && isCodeLocal(g))
        locals.push_back(&g);
    for (auto *var : locals)
      nameByContent(var, "__hotcc_k." + hex(contentHash(var)));

    std::vector<llvm::Function *> helpers;
    for (auto &[fn, kind] : kinds_)
      if (kind == FunctionKind::Helper)
        helpers.push_back(const_cast<llvm::Function *>(fn));
    for (auto *fn : helpers)
      nameHelper(fn);

    slots_.reset();
    for (auto *gv : dead_) {
      if (auto *fn = llvm::dyn_cast<llvm::Function>(gv)) {
        kinds_.erase(fn);
        pendingFunctions_.erase(fn);
      }
      hashes_.erase(gv);
      gv->eraseFromParent();
    }
    dead_.clear();
  }

  void collectReferences(const llvm::Value *v, std::set<std::string> &out,
                         std::set<const llvm::Value *> &seen) {
    if (!seen.insert(v).second)
      return;
    if (const auto *fn = llvm::dyn_cast<llvm::Function>(v)) {
      auto kind = kinds_.find(fn);
      if (kind != kinds_.end() && kind->second == FunctionKind::Helper) {
        for (const auto &block : *fn)
          for (const auto &inst : block)
            for (const auto &op : inst.operands())
              collectReferences(op.get(), out, seen);
      } else {
        out.insert(fn->getName().str());
      }
      return;
    }
    if (const auto *var = llvm::dyn_cast<llvm::GlobalVariable>(v)) {
      if (isCodeLocal(*var)) {
        if (var->hasInitializer())
          collectReferences(var->getInitializer(), out, seen);
      } else {
        out.insert(var->getName().str());
      }
      return;
    }
    if (const auto *alias = llvm::dyn_cast<llvm::GlobalAlias>(v)) {
      out.insert(alias->getName().str());
      return;
    }
    if (const auto *c = llvm::dyn_cast<llvm::Constant>(v))
      for (const auto &op : c->operands())
        collectReferences(op.get(), out, seen);
  }

  void hashHotFunctions() {
    for (auto &[fn, info] : pendingFunctions_) {
      if (info.kind == FunctionKind::Hot) {
        info.hash = contentHash(fn);
        std::set<std::string> refs;
        std::set<const llvm::Value *> seen{fn};
        for (const auto &block : *fn)
          for (const auto &inst : block)
            for (const auto &op : inst.operands())
              collectReferences(op.get(), refs, seen);
        refs.erase(fn->getName().str());
        info.references.assign(refs.begin(), refs.end());
      }
      info.linkName = fn->getName().str();
      unit_.functions.emplace(info.linkName, std::move(info));
    }
  }

  // A global with a dynamic initializer (a constructor call, `std::string s = "..."`) is set up by
  // a helper that global_ctors reaches; its content stands for the initializer.
  void hashDynamicInitializers() {
    auto *ctors = module_.getNamedGlobal("llvm.global_ctors");
    if (!ctors || !ctors->hasInitializer())
      return;
    std::vector<const llvm::Function *> work;
    std::set<const llvm::Function *> seen;
    for (const auto &entry : ctors->getInitializer()->operands())
      if (auto *fields = llvm::dyn_cast<llvm::ConstantStruct>(entry.get()))
        if (fields->getNumOperands() >= 2)
          if (auto *fn = llvm::dyn_cast<llvm::Function>(fields->getOperand(1)->stripPointerCasts()))
            work.push_back(fn);
    while (!work.empty()) {
      const auto *fn = work.back();
      work.pop_back();
      if (!seen.insert(fn).second || fn->isDeclaration() || !isHelper(fn))
        continue;
      auto hash = contentHash(fn);
      for (const auto &block : *fn)
        for (const auto &inst : block)
          for (const auto &op : inst.operands()) {
            const auto *value = op.get()->stripPointerCasts();
            if (const auto *callee = llvm::dyn_cast<llvm::Function>(value))
              work.push_back(callee);
            else if (const auto *g = llvm::dyn_cast<llvm::GlobalVariable>(value);
                     g && !isCodeLocal(*g))
              dynamicInitHashes_[g].insert(hash);
          }
    }
  }

  void describeGlobals() {
    hashDynamicInitializers();
    for (auto &g : module_.globals()) {
      if (g.isDeclaration() || g.getName().starts_with("llvm."))
        continue;
      GlobalInfo info;
      info.linkName = g.getName().str();
      info.kind = isCodeLocal(g) ? GlobalKind::CodeLocal : GlobalKind::Data;
      info.threadLocal = g.isThreadLocal();
      info.exported = exported_.count(&g) != 0;
      info.strong = strong_.count(&g) != 0;
      info.displayName = llvm::demangle(info.linkName);
      if (auto it = globalFacts_.find(&g); it != globalFacts_.end()) {
        info.displayName = it->second.displayName;
        info.location = it->second.location;
        info.user = it->second.user;
        info.typeSpelling = it->second.typeSpelling;
        info.layouts = it->second.layouts;
      }
      std::string layoutText;
      llvm::raw_string_ostream os(layoutText);
      g.getValueType()->print(os);
      for (const auto &layout : info.layouts) {
        os << "|" << layout.name << ":" << layout.sizeBytes;
        for (const auto &field : layout.fields)
          os << ";" << field.name << ":" << field.type << "@" << field.offsetBits;
      }
      info.layoutHash = llvm::xxh3_64bits(layoutText);
      std::string init;
      llvm::raw_string_ostream initOs(init);
      if (g.hasInitializer())
        printConstant(initOs, g.getInitializer());
      if (auto dynamic = dynamicInitHashes_.find(&g); dynamic != dynamicInitHashes_.end())
        for (auto hash : dynamic->second)
          initOs << " dynamic " << hash;
      info.initializerHash = llvm::xxh3_64bits(init);
      unit_.globals.emplace(info.linkName, std::move(info));
    }
  }

  llvm::Module &module_;
  const DeclFacts &facts_;
  const std::string &tag_;
  CompiledUnit &unit_;
  std::map<const llvm::Function *, FunctionKind> kinds_;
  std::map<llvm::Function *, FunctionInfo> pendingFunctions_;
  std::map<const llvm::GlobalVariable *, GlobalFacts> globalFacts_;
  std::map<const llvm::Value *, std::uint64_t> hashes_;
  std::set<const llvm::Value *> inProgress_;
  std::map<std::string, llvm::GlobalValue *> byContentName_;
  std::vector<llvm::GlobalValue *> dead_;
  std::set<const llvm::Function *> namedHelpers_;
  std::set<const llvm::GlobalObject *> exported_;
  std::set<const llvm::GlobalVariable *> strong_;  // see GlobalInfo::strong
  std::unique_ptr<llvm::ModuleSlotTracker> slots_;
  std::map<const llvm::GlobalVariable *, std::set<std::uint64_t>> dynamicInitHashes_;
};

} // namespace

void normalizeAndHash(llvm::Module &module, const DeclFacts &facts, const std::string &unitTag,
                      const std::set<std::string> &skippedInternal,
                      const std::map<std::string, std::string> &renamed, CompiledUnit &unit) {
  for (const auto &name : skippedInternal)
    if (auto *fn = module.getFunction(name); fn && fn->isDeclaration())
      fn->setName(promotedName(name, unitTag));
  if (renamed.empty()) {
    Normalizer(module, facts, unitTag, unit).run();
    return;
  }
  DeclFacts renamedFacts = facts;
  for (const auto &[from, to] : renamed) {
    auto *global = module.getNamedGlobal(from);
    if (!global)
      continue;
    global->setName(to);
    if (auto it = renamedFacts.globals.find(from); it != renamedFacts.globals.end()) {
      auto node = renamedFacts.globals.extract(it);
      node.key() = global->getName().str();
      renamedFacts.globals.insert(std::move(node));
    }
  }
  Normalizer(module, renamedFacts, unitTag, unit).run();
}

} // namespace hotcc::frontend
