// Reading REPL input as text, before Clang sees it: when an entry is complete, what kind of input
// it probably is, and where Clang's diagnostics point. Pure string work, no compiler.
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

// A location Clang's diagnostics point at, e.g. "input_3:1:5: note: previous definition is here".
struct DiagnosticPoint {
  std::string file;
  unsigned line = 0;
  std::string severity;  // "error", "warning", "note"
  std::string message;
};
std::vector<DiagnosticPoint> diagnosticPoints(const std::string &rendered);

// Keeps the diagnostics (with their source lines and notes) located in `file`.
std::string diagnosticsIn(const std::string &rendered, const std::string &file);

} // namespace hotcc::repl
