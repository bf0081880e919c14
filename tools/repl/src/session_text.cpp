#include "session_text.hpp"

#include <cctype>
#include <string_view>

namespace hotcc::repl {

int inputNumberOf(const std::string &file) {
  constexpr std::string_view prefix = "input_";
  if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0)
    return 0;
  int number = 0;
  for (std::size_t i = prefix.size(); i < file.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(file[i])))
      return 0;
    number = number * 10 + (file[i] - '0');
  }
  return number;
}

std::string renderSession(const std::string &prelude, const std::vector<Entry> &entries) {
  std::string text = "// hotcc repl session: generated, rewritten after every input\n";
  if (!prelude.empty())
    text += "#line 1 \"prelude\"\n" + prelude + "\n";
  for (const auto &entry : entries) {
    switch (entry.kind) {
    case Entry::Kind::Include:
      if (entry.precompiled)
        break;
      [[fallthrough]];
    case Entry::Kind::Directive:
    case Entry::Kind::Code:
      text += "#line 1 \"" + inputName(entry.input) + "\"\n" + entry.text + "\n";
      break;
    case Entry::Kind::Cell:
      // The header stays the same whatever the body: the file's skeleton only grows.
      text += "extern \"C\" void " + entry.cellName + "(void *__hotcc_sink) {" + entry.text + "}\n";
      break;
    }
  }
  return text;
}

std::string valueCellBody(int input, const std::string &expression) {
  // "printf(...); 42": the statements run first, the last expression is the value. The capture
  // goes on the same line, so columns before it stay right.
  auto split = lastTopLevelSemicolon(expression);
  if (split != std::string::npos)
    return "\n(void)__hotcc_sink;\n#line 1 \"" + inputName(input) + "\"\n" +
           expression.substr(0, split + 1) + " ::hotcc_repl::capture(__hotcc_sink) , (" +
           expression.substr(split + 1) + "\n);\n";
  return "\n::hotcc_repl::capture(__hotcc_sink) , (\n#line 1 \"" + inputName(input) + "\"\n" +
         expression + "\n);\n";
}

std::size_t lastTopLevelSemicolon(const std::string &text) {
  int depth = 0;
  std::size_t last = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || (c == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))))) {
      for (++i; i < text.size() && text[i] != c; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      i = text.find('\n', i);
      if (i == std::string::npos)
        break;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == ';' && depth == 0) {
      last = i;
    }
  }
  return last;
}

std::string statementCellBody(int input, const std::string &statements) {
  return "\n(void)__hotcc_sink;\n#line 1 \"" + inputName(input) + "\"\n" + statements + "\n";
}

} // namespace hotcc::repl
