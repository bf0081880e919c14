#include "input_text.hpp"

#include <cctype>
#include <set>
#include <string_view>

namespace hotcc::repl {

bool needsMoreInput(const std::string &text) {
  int depth = 0;
  enum { Code, LineComment, BlockComment, String, Char, Raw } state = Code;
  std::string rawEnd;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    switch (state) {
    case Code:
      if (c == '/' && next == '/') {
        state = LineComment;
        ++i;
      } else if (c == '/' && next == '*') {
        state = BlockComment;
        ++i;
      } else if (c == 'R' && next == '"' &&
                 (i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) ||
                              text[i - 1] == '_'))) {
        auto open = text.find('(', i + 2);
        if (open == std::string::npos)
          return true;
        rawEnd = ")" + text.substr(i + 2, open - i - 2) + "\"";
        state = Raw;
        i = open;
      } else if (c == '"') {
        state = String;
      } else if (c == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
        state = Char;
      } else if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || c == '}') {
        --depth;
      }
      break;
    case LineComment:
      if (c == '\n')
        state = Code;
      break;
    case BlockComment:
      if (c == '*' && next == '/') {
        state = Code;
        ++i;
      }
      break;
    case String:
    case Char:
      if (c == '\\')
        ++i;
      else if ((state == String && c == '"') || (state == Char && c == '\'') || c == '\n')
        state = Code;
      break;
    case Raw:
      if (text.compare(i, rawEnd.size(), rawEnd) == 0) {
        i += rawEnd.size() - 1;
        state = Code;
      }
      break;
    }
  }
  if (state == BlockComment || state == Raw)
    return true;
  if (depth > 0)
    return true;
  auto end = text.find_last_not_of(" \t\r\n");
  return end != std::string::npos && text[end] == '\\' && state != LineComment;
}

std::string trim(const std::string &text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos)
    return "";
  auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

namespace {

// The code with comments removed, so "x; // note" ends with ';'.
std::string withoutComments(const std::string &text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "//") == 0) {
      while (i < text.size() && text[i] != '\n')
        ++i;
      out += '\n';
      continue;
    }
    if (text.compare(i, 2, "/*") == 0) {
      auto close = text.find("*/", i + 2);
      i = close == std::string::npos ? text.size() : close + 1;
      out += ' ';
      continue;
    }
    if (text[i] == '"' || (text[i] == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))))) {
      char quote = text[i];
      out += text[i++];
      while (i < text.size() && text[i] != quote) {
        if (text[i] == '\\' && i + 1 < text.size())
          out += text[i++];
        out += text[i++];
      }
      if (i < text.size())
        out += text[i];
      continue;
    }
    out += text[i];
  }
  return out;
}

bool isIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool isIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

bool looksLikeDeclaration(const std::string &trimmed) {
  static const std::set<std::string> declarationWords = {
      "struct", "class", "union", "enum", "namespace", "template", "typedef", "using",
      "extern", "static", "inline", "constexpr", "consteval", "constinit", "const",
      "volatile", "unsigned", "signed", "int", "char", "short", "long", "float", "double",
      "bool", "void", "auto", "wchar_t", "char8_t", "char16_t", "char32_t", "thread_local",
      "virtual", "explicit", "friend", "typename", "decltype", "concept", "static_assert",
      "__attribute__", "alignas", "export", "register", "mutable", "_Bool", "_Complex"};
  std::string code = trim(withoutComments(trimmed));
  if (code.rfind("[[", 0) == 0)
    return true;
  std::size_t i = 0;
  if (i >= code.size() || !(isIdentStart(code[i]) || code[i] == ':'))
    return false;
  auto word = [&] {
    std::size_t begin = i;
    while (i < code.size() && isIdentChar(code[i]))
      ++i;
    return code.substr(begin, i - begin);
  };
  auto skipSpace = [&] {
    while (i < code.size() && std::isspace(static_cast<unsigned char>(code[i])))
      ++i;
  };
  if (code[i] != ':') {
    std::string first = word();
    if (declarationWords.count(first))
      return true;
    i = 0;
  }
  // A (qualified, possibly templated) name, then another name: "std::vector<int> v", "Point p".
  for (;;) {
    skipSpace();
    if (code.compare(i, 2, "::") == 0)
      i += 2;
    skipSpace();
    if (i >= code.size() || !isIdentStart(code[i]))
      return false;
    word();
    skipSpace();
    if (i < code.size() && code[i] == '<') {
      int depth = 0;
      for (; i < code.size(); ++i) {
        if (code[i] == '<')
          ++depth;
        else if (code[i] == '>' && --depth == 0) {
          ++i;
          break;
        } else if (code[i] == ';' || code[i] == '{')
          return false;
      }
      skipSpace();
    }
    if (code.compare(i, 2, "::") != 0)
      break;
  }
  while (i < code.size() && (code[i] == '*' || code[i] == '&' || std::isspace(static_cast<unsigned char>(code[i]))))
    ++i;
  if (code.compare(i, 5, "const") == 0 && !isIdentChar(i + 5 < code.size() ? code[i + 5] : ' '))
    return true;
  return i < code.size() && isIdentStart(code[i]);
}

InputShape shapeOf(const std::string &trimmed) {
  if (trimmed.empty())
    return InputShape::Statement;
  if (trimmed[0] == '#')
    return InputShape::Directive;
  if (trimmed[0] == '%')
    return InputShape::Command;
  std::string code = trim(withoutComments(trimmed));
  if (code.empty())
    return InputShape::Statement;
  char last = code.back();
  if (last != ';' && last != '}')
    return InputShape::Expression;
  return looksLikeDeclaration(code) ? InputShape::Declaration : InputShape::Statement;
}

std::string identifierBefore(const std::string &line, std::size_t cursor) {
  std::size_t begin = std::min(cursor, line.size());
  while (begin > 0 && isIdentChar(line[begin - 1]))
    --begin;
  return line.substr(begin, std::min(cursor, line.size()) - begin);
}

bool parseInclude(const std::string &line, std::string &name, bool &angled) {
  auto rest = trim(line.substr(1));
  if (rest.rfind("include", 0) != 0)
    return false;
  rest = trim(rest.substr(7));
  if (rest.size() < 3)
    return false;
  char open = rest[0];
  char close = open == '<' ? '>' : open == '"' ? '"' : 0;
  auto end = close ? rest.find(close, 1) : std::string::npos;
  if (end == std::string::npos)
    return false;
  name = rest.substr(1, end - 1);
  angled = open == '<';
  return trim(rest.substr(end + 1)).empty() || rest.substr(end + 1).find("//") != std::string::npos;
}

bool startsWithDeclarationKeyword(const std::string &text) {
  static const char *const words[] = {"struct", "class", "union", "enum", "namespace", "template",
                                      "typedef", "using", "extern", "static", "inline",
                                      "constexpr", "consteval", "concept"};
  for (const char *word : words) {
    std::string_view w(word);
    if (text.compare(0, w.size(), w) == 0 &&
        (text.size() == w.size() || !isIdentChar(text[w.size()])))
      return true;
  }
  return false;
}

} // namespace hotcc::repl
