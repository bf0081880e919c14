// Tab completion: Clang's own code completion, run at the cursor as if the line were a statement
// after everything the session defined — so it knows session names, header names and members.
#include "input_text.hpp"
#include "repl_impl.hpp"

#include <algorithm>

namespace hotcc {

std::vector<std::string> ReplSession::complete(const std::string &line, std::size_t cursor,
                                               const std::string &pending) {
  auto &impl = *impl_;
  std::string before = line.substr(0, std::min(cursor, line.size()));
  std::string head = repl::trim(pending + before);
  if (!head.empty() && (head[0] == '#' || head[0] == '%'))
    return {};
  std::string prefix = repl::identifierBefore(line, cursor);

  auto list = impl.entries;
  Impl::emptyCells(list);
  std::string text = impl.render(list);
  text += "extern \"C\" void __hotcc_completion(void) {\n" + pending + before;
  unsigned lineNumber = static_cast<unsigned>(std::count(text.begin(), text.end(), '\n')) + 1;
  auto lastNewline = text.rfind('\n');
  // Clang completes at the start of the identifier being typed, then we filter by it.
  unsigned column = static_cast<unsigned>(text.size() - lastNewline - prefix.size());
  auto names = impl.engine->session().complete(text, lineNumber, column, impl.sessionFile);

  std::vector<std::string> out;
  for (auto &name : names)
    if (name.rfind(prefix, 0) == 0 && name.rfind("__hotcc", 0) != 0 &&
        !(name.size() > 1 && name[0] == '_' && (name[1] == '_' || std::isupper(name[1])) &&
          prefix.rfind("_", 0) != 0))
      out.push_back(name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace hotcc
