#include "line_editor.hpp"

#include <editline/readline.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace hotcc::cli {
namespace {

LineEditor::Completer activeCompleter;
std::vector<std::string> candidates;
volatile sig_atomic_t gotInterrupt = 0;

char *nextCandidate(const char *, int state) {
  static std::size_t index;
  if (state == 0)
    index = 0;
  if (index >= candidates.size())
    return nullptr;
  return strdup(candidates[index++].c_str());
}

char **completeHere(const char *text, int, int) {
  rl_attempted_completion_over = 1;  // no file-name completion when we have nothing
  if (!activeCompleter)
    return nullptr;
  candidates = activeCompleter(rl_line_buffer ? rl_line_buffer : "", static_cast<std::size_t>(rl_point));
  if (candidates.empty())
    return nullptr;
  return rl_completion_matches(text, nextCandidate);
}

void onInterrupt(int) {
  gotInterrupt = 1;
}

} // namespace

LineEditor::LineEditor(std::string historyFile, Completer completer)
    : historyFile_(std::move(historyFile)) {
  activeCompleter = std::move(completer);
  rl_readline_name = const_cast<char *>("hotcc");
  rl_attempted_completion_function = completeHere;
  rl_completion_append_character = '\0';
  // Word breaks for C++: "v.si<TAB>" completes "si", "std::vec<TAB>" completes "vec".
  rl_basic_word_break_characters = const_cast<char *>(" \t\n\"\\'`@$><=;|&{(,.:*+-/%!~[]^?");
  using_history();
  if (!historyFile_.empty())
    read_history(historyFile_.c_str());
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
}

LineEditor::~LineEditor() {
  if (!historyFile_.empty())
    write_history(historyFile_.c_str());
  activeCompleter = nullptr;
}

std::optional<std::string> LineEditor::readLine(const std::string &prompt) {
  gotInterrupt = 0;
  char *line = readline(prompt.c_str());
  if (!line) {
    if (gotInterrupt)
      return std::string();
    return std::nullopt;
  }
  std::string out(line);
  std::free(line);
  return out;
}

bool LineEditor::interrupted() {
  bool was = gotInterrupt;
  gotInterrupt = 0;
  return was;
}

void LineEditor::remember(const std::string &entry) {
  if (!entry.empty())
    add_history(entry.c_str());
}

} // namespace hotcc::cli
