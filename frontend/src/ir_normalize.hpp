// Turns a freshly generated module into one the engine can diff against the last: names that
// do not depend on how many string literals or initialisers came before, internal symbols promoted
// to file-unique shared names, and a content hash per function body and per global.
#pragma once
#include "decl_facts.hpp"
#include "hotcc/frontend/compiled_unit.hpp"

#include <map>
#include <set>
#include <string>

namespace hotcc::frontend {

// `skippedInternal`: functions whose bodies were skipped and which the module only declares under
// their internal names; they are renamed like promoted definitions.
// `renamed`: globals whose storage the engine replaced (old link name → new), renamed first so
// that definitions, references and hashes all use the new name.
void normalizeAndHash(llvm::Module &module, const DeclFacts &facts, const std::string &unitTag,
                      const std::set<std::string> &skippedInternal,
                      const std::map<std::string, std::string> &renamed, CompiledUnit &unit);

// Suffix added to a file's internal (static) symbols when they are promoted to shared names.
std::string promotedName(const std::string &name, const std::string &unitTag);

} // namespace hotcc::frontend
