// The session file: every accepted input, in order, as one translation unit. Each input is preceded
// by `#line 1 "input_N"` so Clang's diagnostics point at the user's input, not at the file.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace hotcc::repl {

struct Entry {
  enum class Kind {
    Include,    // #include: precompiled with the session's PCH when it can be
    Directive,  // #define, #pragma, ... (and includes that must follow one)
    Code,       // declarations and definitions
    Cell,       // a function holding the latest statements; its body is emptied once they ran
  };
  Entry() = default;
  Entry(Kind k, int in, std::string t) : kind(k), input(in), text(std::move(t)) {}

  Kind kind = Kind::Code;
  int input = 0;          // the input number it came from (its "input_N" name)
  std::string text;       // the user's text; for a cell, its body
  std::string cellName;   // for a cell: its extern "C" name
  bool precompiled = false;  // an include that is in the PCH, so it is not in the text
};

inline std::string inputName(int input) {
  return "input_" + std::to_string(input);
}
// The input a file name given by inputName() stands for; 0 for any other file.
int inputNumberOf(const std::string &file);

// The prefix of every cell function's name ("__hotcc_cell_3").
inline constexpr const char kCellPrefix[] = "__hotcc_cell_";

// `prelude`: text every input sees, first in the file (host declarations, or the includes when
// there is no PCH).
std::string renderSession(const std::string &prelude, const std::vector<Entry> &entries);

// The body of a cell that evaluates `expression` and hands its value to the value printer.
std::string valueCellBody(int input, const std::string &expression);
// Where the statements of "stmt; stmt; expr" end (npos: none), ignoring nested and quoted ';'.
std::size_t lastTopLevelSemicolon(const std::string &text);
// The body of a cell that runs `statements`.
std::string statementCellBody(int input, const std::string &statements);

} // namespace hotcc::repl
