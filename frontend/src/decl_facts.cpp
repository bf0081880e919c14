#include "decl_facts.hpp"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/RecordLayout.h>
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

    const auto &layout = ctx_.getASTRecordLayout(record);
    TypeLayout out;
    out.name = std::string(record->getKindName()) + " " + record->getQualifiedNameAsString();
    out.sizeBytes = static_cast<std::uint64_t>(layout.getSize().getQuantity());
    if (const auto *cxx = llvm::dyn_cast<clang::CXXRecordDecl>(record)) {
      for (const auto &base : cxx->bases()) {
        auto baseType = base.getType().getAsString(policy());
        std::uint64_t offset = 0;
        if (const auto *baseDecl = base.getType()->getAsCXXRecordDecl(); baseDecl && !base.isVirtual())
          offset = static_cast<std::uint64_t>(ctx_.toBits(layout.getBaseClassOffset(baseDecl)));
        out.fields.push_back({"(base)", baseType, offset});
        visit(base.getType(), pointerHops);
      }
      if (cxx->isDynamicClass())
        out.fields.push_back({"(vtable)", "", 0});
    }
    unsigned index = 0;
    for (const auto *field : record->fields()) {
      out.fields.push_back({field->getNameAsString(), field->getType().getAsString(policy()),
                            layout.getFieldOffset(index++)});
    }
    layouts.push_back(std::move(out));
    for (const auto *field : record->fields())
      visit(field->getType(), 0);
  }

  std::vector<TypeLayout> layouts;

private:
  clang::PrintingPolicy policy() const {
    clang::PrintingPolicy p(ctx_.getLangOpts());
    p.SuppressTagKeyword = false;
    return p;
  }
  clang::ASTContext &ctx_;
  clang::SourceManager &sm_;
  std::set<const clang::RecordDecl *> seen_;
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
