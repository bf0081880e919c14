// The REPL's %commands: what is not C++ — undo, reset, libraries, search paths, timing.
#include "hotcc/repl.hpp"

#include "input_text.hpp"
#include "repl_impl.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace hotcc {

namespace fs = std::filesystem;
using repl::Entry;

namespace {

// What a failed %command speaks of: the session, not one input.
constexpr const char kSession[] = "the session";

// A %command that cannot do what it was asked: `subject` is the command (or its argument).
ReplResult refused(std::string subject, std::string problem) {
  return failedWith(failure::SetupError{std::move(subject), std::move(problem)});
}

} // namespace

ReplResult ReplSession::Impl::evalCommand(const std::string &text) {
  std::istringstream in(text.substr(1));
  std::string command;
  in >> command;
  std::string argument = repl::trim(text.substr(1 + std::min(text.size() - 1, command.size())));
  ReplResult result;
  if (command == "help" || command == "?") {
    result.output = helpText();
  } else if (command == "quit" || command == "q" || command == "exit") {
    result.quit = true;
  } else if (command == "undo") {
    return undo(argument);
  } else if (command == "reset") {
    std::vector<Entry> none;
    includeDirs.clear();
    if (auto status = configure(none, false); !status)
      return failedWith(status.failure());
    auto attempt = apply(none, inputCounter, true);
    if (!attempt.ok)
      return rejection(attempt, kSession);
    cellTypes.clear();
    history.clear();
    result.output = "session reset: every definition and include is forgotten\n";
  } else if (command == "lib") {
    if (argument.empty())
      return refused("%lib", "needs the path of a shared library");
    if (auto status = engine->loadLibrary(argument); !status)
      return failedWith(status.failure());
    result.output = "loaded " + argument + "\n";
  } else if (command == "I") {
    if (argument.empty())
      return refused("%I", "needs a directory");
    std::error_code ec;
    auto dir = fs::absolute(argument, ec).lexically_normal().string();
    if (ec || !fs::is_directory(dir))
      return refused(argument, "no such directory");
    includeDirs.push_back(dir);
    auto status = configure(entries, false);
    auto attempt = status ? apply(entries, inputCounter, true) : Attempt{};
    if (!attempt.ok) {
      includeDirs.pop_back();
      configure(entries, false);
      return status ? rejection(attempt, kSession) : failedWith(status.failure());
    }
    result.output = "header search path: added " + dir + "\n";
  } else if (command == "time") {
    return refused("%time", "needs an input to run, e.g. %time fib(30)");
  } else {
    return refused("%" + command, "unknown command (%help lists the commands)");
  }
  return result;
}

ReplResult ReplSession::Impl::undo(const std::string &argument) {
  long count = 1;
  if (!argument.empty()) {
    char *end = nullptr;
    count = std::strtol(argument.c_str(), &end, 10);
    if (*end || count < 1)
      return refused("%undo " + argument, "takes a positive number of inputs");
  }
  if (history.empty())
    return refused("%undo", "nothing to undo");
  count = std::min<long>(count, static_cast<long>(history.size()));
  auto target = history[history.size() - static_cast<std::size_t>(count)];
  // Cells stay (their functions exist); only their bodies are emptied.
  for (auto &entry : entries)
    if (entry.kind == Entry::Kind::Cell &&
        std::none_of(target.begin(), target.end(),
                     [&](auto &e) { return e.cellName == entry.cellName; }))
      target.push_back(entry);
  emptyCells(target);
  if (auto status = configure(target, false); !status)
    return failedWith(status.failure());
  const auto kept = history.size() - static_cast<std::size_t>(count);
  // Variables the restored inputs define come back as they were defined: new storage.
  std::vector<std::string> restored;
  for (auto &entry : target)
    if (entry.kind != Entry::Kind::Cell &&
        std::none_of(entries.begin(), entries.end(), [&](auto &e) {
          return e.input == entry.input && e.text == entry.text;
        }))
      restored.push_back(repl::inputName(entry.input));
  auto attempt = apply(target, inputCounter, true, restored);
  if (!attempt.ok) {
    configure(entries, false);
    return rejection(attempt, kSession);
  }
  history.resize(kept);  // apply() recorded the undo itself as a change: drop that too
  ReplResult result;
  result.output = "undone: " + std::to_string(count) + " input" + (count == 1 ? "" : "s") + "\n";
  return result;
}

} // namespace hotcc
