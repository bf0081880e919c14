#include "captured_values.hpp"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/Stmt.h>

namespace hotcc::frontend {
namespace {

bool isCaptureObject(const clang::Expr *e) {
  const auto *record = e->getType()->getAsCXXRecordDecl();
  return record && record->getName() == "Capture" && record->getDeclContext()->isNamespace() &&
         llvm::cast<clang::NamespaceDecl>(record->getDeclContext())->getName() == "hotcc_repl";
}

// A typedef worth showing: one the user wrote at namespace scope, or std's own names for strings.
// Member typedefs (size_type, value_type) and library internals read better as what they stand for.
bool keepsItsName(const clang::TypedefNameDecl *typedefDecl, clang::ASTContext &ctx) {
  const auto *context = typedefDecl->getDeclContext()->getRedeclContext();
  // Compiler-made names (__size_t, __int128_t) have no location; reserved names are internals.
  if (!context->isFileContext() || typedefDecl->getLocation().isInvalid() ||
      typedefDecl->getName().starts_with("__"))
    return false;
  if (!ctx.getSourceManager().isInSystemHeader(typedefDecl->getLocation()))
    return true;
  if (!context->isStdNamespace())
    return false;
  auto name = typedefDecl->getName();
  return name == "string" || name == "wstring" || name == "u8string" || name == "u16string" ||
         name == "u32string" || name == "string_view" || name == "wstring_view";
}

// The user's own typedef names and std::string stay; anything else reads as the canonical type
// (a template's "basic_string<_CharT, ...>" as written inside the library means nothing here).
clang::QualType readableType(clang::QualType type, clang::ASTContext &ctx) {
  for (int hops = 0; hops < 16; ++hops) {
    const auto *typedefType = type->getAs<clang::TypedefType>();
    if (!typedefType)
      break;
    if (keepsItsName(typedefType->getDecl(), ctx))
      return type;
    type = typedefType->desugar().withFastQualifiers(type.getLocalFastQualifiers());
  }
  return type.getCanonicalType();
}

void replaceAll(std::string &text, const std::string &from, const std::string &to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

std::string spell(clang::QualType type, clang::ASTContext &ctx) {
  clang::PrintingPolicy policy(ctx.getLangOpts());
  policy.SuppressInlineNamespace =
      llvm::to_underlying(clang::PrintingPolicy::SuppressInlineNamespaceMode::All);
  policy.SuppressDefaultTemplateArgs = true;
  policy.SuppressTagKeyword = true;
  policy.SuppressUnwrittenScope = true;
  std::string text = type.getAsString(policy);
  // A canonical string type spells all its arguments; say what the user would have written.
  replaceAll(text, "std::basic_string<char>", "std::string");
  replaceAll(text, "std::basic_string<char, std::char_traits<char>, std::allocator<char>>",
             "std::string");
  replaceAll(text, "std::basic_string_view<char>", "std::string_view");
  return text;
}

void inspectCell(const clang::FunctionDecl *fn, clang::ASTContext &ctx,
                 std::map<std::string, CapturedValue> &out) {
  const auto *body = llvm::dyn_cast_or_null<clang::CompoundStmt>(fn->getBody());
  if (!body)
    return;
  for (const auto *stmt : body->body()) {
    const auto *expr = llvm::dyn_cast<clang::Expr>(stmt);
    if (!expr)
      continue;
    const auto *call = llvm::dyn_cast<clang::CXXOperatorCallExpr>(expr->IgnoreImplicit());
    if (!call || call->getOperator() != clang::OO_Comma || call->getNumArgs() != 2 ||
        !isCaptureObject(call->getArg(0)->IgnoreImplicit()))
      continue;
    const clang::Expr *value = call->getArg(1)->IgnoreImplicitAsWritten();
    if (const auto *paren = llvm::dyn_cast<clang::ParenExpr>(value))
      value = paren->getSubExpr()->IgnoreImplicitAsWritten();
    CapturedValue captured;
    clang::QualType type = value->getType();
    captured.lvalue = value->isLValue();
    captured.record = type->isRecordType();
    if (const auto *array = ctx.getAsArrayType(type); array && array->getElementType()->isAnyCharacterType())
      type = ctx.getPointerType(array->getElementType());  // a string literal reads as a pointer
    captured.type = spell(readableType(type, ctx), ctx);
    out[fn->getName().str()] = std::move(captured);
    return;
  }
}

} // namespace

void collectCapturedValues(clang::Decl *decl, clang::ASTContext &ctx,
                           std::map<std::string, CapturedValue> &out) {
  if (auto *linkage = llvm::dyn_cast<clang::LinkageSpecDecl>(decl)) {
    for (auto *inner : linkage->decls())
      collectCapturedValues(inner, ctx, out);
    return;
  }
  const auto *fn = llvm::dyn_cast<clang::FunctionDecl>(decl);
  if (fn && fn->getIdentifier() && fn->getName().starts_with("__hotcc_cell") &&
      fn->doesThisDeclarationHaveABody() && !fn->hasSkippedBody())
    inspectCell(fn, ctx, out);
}

} // namespace hotcc::frontend
