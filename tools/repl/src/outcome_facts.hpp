// What the REPL decides on, read from the engine's typed outcomes: which inputs a redefinition
// clashes with, whether an input parsed as a declaration, whether the PCH is stale, whether the
// engine refused a change. Every answer comes from a kind or a field, never from a message.
#pragma once
#include "hotcc/outcome.hpp"

#include <set>
#include <string>
#include <vector>

namespace hotcc::repl {

// A refusal of a change that compiled (a signature, a layout, a global's type, a virtual table,
// a duplicate definition): the text was understood, the engine would not apply it.
bool isRefusal(const Failure &failure);
bool anyRefusal(const std::vector<Failure> &failures);

// Whether Clang read the text as a declaration: no diagnostic says it failed to parse, met an
// unknown type name, or a declaration without a type.
bool parsedAsDeclaration(const std::vector<Failure> &failures);

// The inputs (by number) whose earlier definitions a redefinition points at.
std::set<int> redefinedInputs(const std::vector<Failure> &failures);

// A header changed since the precompiled header was built (a package upgrade).
bool precompiledHeaderIsStale(const std::vector<Failure> &failures);

// The diagnostics located in `file` (their notes go with them).
std::vector<Diagnostic> diagnosticsIn(const std::vector<Diagnostic> &list, const std::string &file);

// The notices about a reload that concern what the user wrote (an initializer that threw, a value
// kept); the rest are about the REPL's own rewriting of the session file.
std::vector<Notice> noticesForTheUser(const std::vector<Notice> &notices);

} // namespace hotcc::repl
