// Line editing, history and tab completion for the REPL, over libedit's readline interface.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hotcc::cli {

class LineEditor {
public:
  using Completer = std::function<std::vector<std::string>(const std::string &line,
                                                           std::size_t cursor)>;
  // `historyFile` empty: history lives for the session only.
  LineEditor(std::string historyFile, Completer completer);
  ~LineEditor();

  // One line without its newline; nullopt at end of input (Ctrl-D). Ctrl-C at the prompt gives
  // back an empty line and sets interrupted().
  std::optional<std::string> readLine(const std::string &prompt);
  bool interrupted();
  void remember(const std::string &entry);

private:
  std::string historyFile_;
};

} // namespace hotcc::cli
