// REPL values: which expression a cell captures and how its type reads, taken from the AST because
// only Clang knows the spelling the user wrote (std::string, not std::basic_string<char, ...>).
#pragma once
#include "hotcc/frontend/compiled_unit.hpp"

namespace clang {
class ASTContext;
class Decl;
}

namespace hotcc::frontend {

// For a top-level declaration parsed from the main file: if it is (or, in an extern "C" block,
// holds) a function whose name starts with "__hotcc_cell" with a top-level statement
// `hotcc_repl::capture(...) , (expr);`, records how expr's type is printed. Called per parsed
// declaration: walking the translation unit would deserialize a whole PCH.
void collectCapturedValues(clang::Decl *decl, clang::ASTContext &ctx,
                           std::map<std::string, CapturedValue> &out);

} // namespace hotcc::frontend
