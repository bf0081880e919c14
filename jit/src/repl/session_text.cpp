#include "session_text.hpp"

namespace hotcc::repl {

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
  return "\n::hotcc_repl::capture(__hotcc_sink) , (\n#line 1 \"" + inputName(input) + "\"\n" +
         expression + "\n);\n";
}

std::string statementCellBody(int input, const std::string &statements) {
  return "\n(void)__hotcc_sink;\n#line 1 \"" + inputName(input) + "\"\n" + statements + "\n";
}

} // namespace hotcc::repl
