// Facts about the declarations behind a module's symbols, read from Clang's AST while it is alive.
#pragma once
#include "hotcc/frontend/compiled_unit.hpp"

#include <map>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CodeGenerator;
class SourceManager;
} // namespace clang

namespace hotcc::frontend {

struct FunctionFacts {
  std::string displayName;
  std::string signature;
  std::string location;
  bool user = false;  // declared outside system headers
  std::vector<std::string> records;  // keys of the user records whose layout the body uses
};

struct GlobalFacts {
  std::string displayName;
  std::string location;
  std::string typeSpelling;
  bool user = false;
  std::vector<TypeLayout> layouts;
};

struct DeclFacts {
  std::map<std::string, FunctionFacts> functions;  // by link name as CodeGen emitted it
  std::map<std::string, GlobalFacts> globals;
  std::map<std::string, TypeLayout> records;       // by recordKey, those the bodies use
};

void collectDeclFacts(llvm::Module &module, clang::CodeGenerator &gen, clang::ASTContext &ctx,
                      clang::SourceManager &sm, DeclFacts &out);

} // namespace hotcc::frontend
