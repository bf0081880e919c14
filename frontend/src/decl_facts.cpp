#include "decl_facts.hpp"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/RecordLayout.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>
#include <clang/CodeGen/ModuleBuilder.h>
#include <llvm/IR/Module.h>

#include <set>

namespace hotcc::frontend {
namespace {

std::string locationOf(const clang::Decl *decl, clang::SourceManager &sm) {
  auto loc = sm.getExpansionLoc(decl->getLocation());
  auto presumed = sm.getPresumedLoc(loc);
  if (presumed.isInvalid())
    return "";
  return std::string(presumed.getFilename()) + ":" + std::to_string(presumed.getLine());
}

bool isUserDecl(const clang::Decl *decl, clang::SourceManager &sm) {
  auto loc = sm.getExpansionLoc(decl->getLocation());
  return loc.isValid() && !sm.isInSystemHeader(loc);
}

clang::PrintingPolicy typePolicy(const clang::ASTContext &ctx) {
  clang::PrintingPolicy p(ctx.getLangOpts());
  p.SuppressTagKeyword = false;
  return p;
}

std::string fileOf(const clang::Decl *decl, clang::SourceManager &sm) {
  auto presumed = sm.getPresumedLoc(sm.getExpansionLoc(decl->getLocation()));
  return presumed.isValid() ? presumed.getFilename() : "";
}

// A record's name for people: "struct Player", "class game::Entity", or the typedef that names an
// anonymous struct. Empty for records nothing outside their own code can hold (lambdas, local
// classes, anonymous members).
std::string recordName(const clang::RecordDecl *record) {
  std::string kind = record->getKindName().str();
  if (record->getIdentifier())
    return kind + " " + record->getQualifiedNameAsString();
  if (const auto *typedefName = record->getTypedefNameForAnonDecl())
    return kind + " " + typedefName->getQualifiedNameAsString();
  return "";
}

// A record of the user's whose values code outside its own body may hold.
bool heldUserRecord(const clang::RecordDecl *record, clang::SourceManager &sm) {
  return record && record->isCompleteDefinition() && !record->isInvalidDecl() &&
         !record->isDependentType() && isUserDecl(record, sm) && !record->isLambda() &&
         !record->getParentFunctionOrMethod();
}

// The user record behind a type, held by value (arrays of it included); null otherwise.
const clang::RecordDecl *userRecordOf(clang::QualType type, clang::ASTContext &ctx,
                                      clang::SourceManager &sm) {
  if (type.isNull())
    return nullptr;
  type = type.getCanonicalType();
  while (const auto *array = ctx.getAsArrayType(type))
    type = array->getElementType().getCanonicalType();
  const auto *record = type->getAsRecordDecl();
  return heldUserRecord(record, sm) ? record->getDefinition() : nullptr;
}

// Fields as the compiler lays them out now: name, type, offset; bases and the vtable pointer too.
TypeLayout layoutOf(const clang::RecordDecl *record, clang::ASTContext &ctx,
                    clang::SourceManager &sm) {
  const auto &layout = ctx.getASTRecordLayout(record);
  TypeLayout out;
  out.name = recordName(record);
  out.file = fileOf(record, sm);
  out.sizeBytes = static_cast<std::uint64_t>(layout.getSize().getQuantity());
  auto policy = typePolicy(ctx);
  if (const auto *cxx = llvm::dyn_cast<clang::CXXRecordDecl>(record)) {
    for (const auto &base : cxx->bases()) {
      std::uint64_t offset = 0;
      if (const auto *baseDecl = base.getType()->getAsCXXRecordDecl(); baseDecl && !base.isVirtual())
        offset = static_cast<std::uint64_t>(ctx.toBits(layout.getBaseClassOffset(baseDecl)));
      out.fields.push_back({"(base)", base.getType().getAsString(policy), offset});
    }
    if (cxx->isDynamicClass())
      out.fields.push_back({"(vtable)", "", 0});
  }
  unsigned index = 0;
  for (const auto *field : record->fields())
    out.fields.push_back({field->getNameAsString(), field->getType().getAsString(policy),
                          layout.getFieldOffset(index++)});
  return out;
}

// Describes the records a global holds by value, and one level behind pointers, as laid out now.
// System-header records (std::string, ...) are left out: their layout does not change under us.
class LayoutCollector {
public:
  LayoutCollector(clang::ASTContext &ctx, clang::SourceManager &sm) : ctx_(ctx), sm_(sm) {}

  void visit(clang::QualType type, int pointerHops) {
    type = type.getCanonicalType();
    while (const auto *array = ctx_.getAsArrayType(type))
      type = array->getElementType().getCanonicalType();
    if (type->isPointerType() || type->isReferenceType()) {
      if (pointerHops < 1)
        visit(type->getPointeeType(), pointerHops + 1);
      return;
    }
    const auto *record = type->getAsRecordDecl();
    if (!record || !record->isCompleteDefinition() || record->isInvalidDecl())
      return;
    if (!isUserDecl(record, sm_) || !seen_.insert(record).second)
      return;
    layouts.push_back(layoutOf(record, ctx_, sm_));
    if (const auto *cxx = llvm::dyn_cast<clang::CXXRecordDecl>(record))
      for (const auto &base : cxx->bases())
        visit(base.getType(), pointerHops);
    for (const auto *field : record->fields())
      visit(field->getType(), 0);
  }

  std::vector<TypeLayout> layouts;

private:
  clang::ASTContext &ctx_;
  clang::SourceManager &sm_;
  std::set<const clang::RecordDecl *> seen_;
};

// The user records whose layout a function body depends on: fields it reads or writes, values of
// the record it makes, copies or passes (by value), sizeof/offsetof it takes, pointer arithmetic
// over it. A body that only hands pointers along does not depend on the layout.
class RecordUseCollector : public clang::RecursiveASTVisitor<RecordUseCollector> {
public:
  RecordUseCollector(clang::ASTContext &ctx, clang::SourceManager &sm,
                     std::map<std::string, TypeLayout> &layouts)
      : ctx_(ctx), sm_(sm), layouts_(layouts) {}

  std::vector<std::string> collect(const clang::FunctionDecl *fn) {
    keys_.clear();
    for (const auto *param : fn->parameters())
      use(param->getType());
    use(fn->getReturnType());
    TraverseStmt(fn->getBody());
    return {keys_.begin(), keys_.end()};
  }

  bool VisitMemberExpr(clang::MemberExpr *e) {
    if (const auto *field = llvm::dyn_cast<clang::FieldDecl>(e->getMemberDecl()))
      useRecord(field->getParent());
    return true;
  }
  bool VisitExpr(clang::Expr *e) {
    use(e->getType());
    return true;
  }
  bool VisitVarDecl(clang::VarDecl *var) {
    use(var->getType());
    return true;
  }
  bool VisitUnaryExprOrTypeTraitExpr(clang::UnaryExprOrTypeTraitExpr *e) {
    if (e->isArgumentType())
      use(e->getArgumentType());
    return true;
  }
  bool VisitOffsetOfExpr(clang::OffsetOfExpr *e) {
    use(e->getTypeSourceInfo()->getType());
    return true;
  }
  bool VisitCXXNewExpr(clang::CXXNewExpr *e) {
    use(e->getAllocatedType());
    return true;
  }
  bool VisitCXXDeleteExpr(clang::CXXDeleteExpr *e) {
    use(e->getDestroyedType());
    return true;
  }
  // p + n, p - q, p++ step by sizeof(*p).
  bool VisitBinaryOperator(clang::BinaryOperator *e) {
    if (e->isAdditiveOp() || e->isCompoundAssignmentOp())
      for (auto *side : {e->getLHS(), e->getRHS()})
        usePointee(side->getType());
    return true;
  }
  bool VisitUnaryOperator(clang::UnaryOperator *e) {
    if (e->isIncrementDecrementOp())
      usePointee(e->getSubExpr()->getType());
    return true;
  }
  // Lambdas in the body are compiled with it; their closure types are not held elsewhere.
  bool shouldVisitLambdaBody() const { return true; }

private:
  void use(clang::QualType type) {
    if (const auto *record = userRecordOf(type, ctx_, sm_))
      useRecord(record);
  }
  void usePointee(clang::QualType type) {
    if (const auto *pointer = type->getAs<clang::PointerType>())
      use(pointer->getPointeeType());
  }
  void useRecord(const clang::RecordDecl *record) {
    record = record->getDefinition();
    if (!heldUserRecord(record, sm_))
      return;
    auto found = keyOf_.find(record);
    if (found == keyOf_.end()) {
      auto layout = layoutOf(record, ctx_, sm_);
      if (layout.name.empty())
        return;
      auto key = recordKey(layout);
      layouts_.emplace(key, std::move(layout));
      found = keyOf_.emplace(record, key).first;
    }
    keys_.insert(found->second);
  }

  clang::ASTContext &ctx_;
  clang::SourceManager &sm_;
  std::map<std::string, TypeLayout> &layouts_;
  std::map<const clang::RecordDecl *, std::string> keyOf_;
  std::set<std::string> keys_;
};

std::string functionDisplayName(const clang::FunctionDecl *fn, clang::ASTContext &ctx) {
  std::string name;
  llvm::raw_string_ostream os(name);
  clang::PrintingPolicy policy(ctx.getLangOpts());
  fn->printQualifiedName(os, policy);
  return name;
}

} // namespace

void collectDeclFacts(llvm::Module &module, clang::CodeGenerator &gen, clang::ASTContext &ctx,
                      clang::SourceManager &sm, DeclFacts &out) {
  clang::PrintingPolicy policy(ctx.getLangOpts());
  RecordUseCollector recordUses(ctx, sm, out.records);
  for (auto &fn : module.functions()) {
    if (fn.isDeclaration())
      continue;
    const auto *decl = gen.GetDeclForMangledName(fn.getName());
    const auto *fnDecl = llvm::dyn_cast_or_null<clang::FunctionDecl>(decl);
    if (!fnDecl)
      continue;
    FunctionFacts facts;
    facts.displayName = functionDisplayName(fnDecl, ctx);
    facts.signature = fnDecl->getType().getAsString(policy);
    facts.location = locationOf(fnDecl, sm);
    facts.user = isUserDecl(fnDecl, sm);
    if (facts.user && fnDecl->hasBody())
      if (const auto *definition = fnDecl->getDefinition())
        facts.records = recordUses.collect(definition);
    out.functions.emplace(fn.getName().str(), std::move(facts));
  }
  for (auto &global : module.globals()) {
    if (global.isDeclaration() || global.hasPrivateLinkage())
      continue;
    const auto *decl = gen.GetDeclForMangledName(global.getName());
    const auto *var = llvm::dyn_cast_or_null<clang::VarDecl>(decl);
    if (!var)
      continue;
    GlobalFacts facts;
    facts.displayName = var->getQualifiedNameAsString();
    if (var->isStaticLocal())
      if (const auto *owner = llvm::dyn_cast<clang::FunctionDecl>(var->getDeclContext()))
        facts.displayName = functionDisplayName(owner, ctx) + "()::" + var->getNameAsString();
    facts.location = locationOf(var, sm);
    facts.typeSpelling = var->getType().getAsString(policy);
    facts.user = isUserDecl(var, sm);
    if (facts.user) {
      LayoutCollector layouts(ctx, sm);
      layouts.visit(var->getType(), 0);
      facts.layouts = std::move(layouts.layouts);
    }
    out.globals.emplace(global.getName().str(), std::move(facts));
  }
}

} // namespace hotcc::frontend
