// Turns a freshly generated module into one the engine can diff against the last: names that
// do not depend on how many string literals or initializers came before, internal symbols promoted
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

// A file's internal (static) symbols promoted to shared names: `name` + the unit's suffix.
// `unitTag` below means that suffix.
std::string promotedName(const std::string &name, const std::string &promotedSuffix);

// ".hc.<tag>", or "$hc$<tag>" when names must also be identifiers (emscripten turns a main
// module's exported names into JavaScript variables).
std::string promotedSuffixFor(const std::string &unitTag, bool identifierSafe);

} // namespace hotcc::frontend
