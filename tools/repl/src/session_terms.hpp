// Outcomes told in the session's terms before they leave the REPL: the engine speaks of the
// session file and of the cell functions that wrap statements, which the user never wrote. Their
// subject fields are rewritten (the session file and a cell become the input's name, "input_3");
// the compiler's own words are left as they are.
#pragma once
#include "hotcc/outcome.hpp"

#include <string>
#include <vector>

namespace hotcc::repl {

// What to call the session file (the input being evaluated, or "the session" for a %command).
struct SessionTerms {
  std::string sessionFile;
  std::string subject;
};

void inSessionTerms(std::vector<Failure> &failures, const SessionTerms &terms);
void inSessionTerms(std::vector<Diagnostic> &diagnostics, const SessionTerms &terms);

} // namespace hotcc::repl
