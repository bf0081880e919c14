// Reading REPL input as text, before Clang sees it: when an entry is complete, what kind of input
// it probably is, which header it includes. Pure string work on the user's input, no compiler.
#pragma once
#include <string>
#include <vector>

namespace hotcc::repl {

// An unbalanced (, [ or {, an open comment or string, or a trailing backslash: more lines follow.
bool needsMoreInput(const std::string &text);

std::string trim(const std::string &text);

enum class InputShape {
  Directive,    // starts with '#'
  Command,      // starts with '%'
  Expression,   // no trailing ';' or '}': print its value
  Declaration,  // looks like one (a type, a keyword that starts declarations)
  Statement,    // anything else that ends with ';' or '}'
};
InputShape shapeOf(const std::string &trimmed);

// Whether a trimmed statement/declaration is probably a declaration (used by shapeOf and to
// choose which attempt's errors to show).
bool looksLikeDeclaration(const std::string &trimmed);

// The identifier that ends at `cursor` in `line` (for completion).
std::string identifierBefore(const std::string &line, std::size_t cursor);

// "#include <vector>" → ("vector", true); "#include "a.h"" → ("a.h", false). False for any other
// directive.
bool parseInclude(const std::string &line, std::string &name, bool &angled);

// Inputs starting with one of these keywords are declarations whatever else they could parse as.
bool startsWithDeclarationKeyword(const std::string &text);

} // namespace hotcc::repl
