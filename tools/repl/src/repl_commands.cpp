// The REPL's %commands: what is not C++ — undo, reset, libraries, search paths, timing.
#include "hotcc/repl.hpp"

#include "input_text.hpp"
#include "repl_impl.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace hotcc {

namespace fs = std::filesystem;
using repl::Entry;


ReplResult ReplSession::Impl::evalCommand(const std::string &text) {
  ReplResult result;
  std::istringstream in(text.substr(1));
  std::string command;
  in >> command;
  std::string argument = repl::trim(text.substr(1 + std::min(text.size() - 1, command.size())));
  auto fail = [&](std::string message) {
    result.ok = false;
    result.error = "error: " + message + "\n";
    return result;
  };

  if (command == "help" || command == "?") {
    result.output = helpText();
  } else if (command == "quit" || command == "q" || command == "exit") {
    result.quit = true;
  } else if (command == "undo") {
    long count = 1;
    if (!argument.empty()) {
      char *end = nullptr;
      count = std::strtol(argument.c_str(), &end, 10);
      if (*end || count < 1)
        return fail("%undo takes a positive number of inputs, not '" + argument + "'");
    }
    if (history.empty())
      return fail("nothing to undo");
    count = std::min<long>(count, static_cast<long>(history.size()));
    auto target = history[history.size() - static_cast<std::size_t>(count)];
    // Cells stay (their functions exist); only their bodies are emptied.
    for (auto &entry : entries)
      if (entry.kind == Entry::Kind::Cell &&
          std::none_of(target.begin(), target.end(),
                       [&](auto &e) { return e.cellName == entry.cellName; }))
        target.push_back(entry);
    emptyCells(target);
    std::string error;
    if (!configure(target, false, error))
      return fail(error);
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
      configure(entries, false, error);
      result.ok = false;
      result.error = attempt.error;
      return result;
    }
    history.resize(kept);  // apply() recorded the undo itself as a change: drop that too
    result.output = "undone: " + std::to_string(count) + " input" + (count == 1 ? "" : "s") + "\n";
  } else if (command == "reset") {
    std::vector<Entry> none;
    includeDirs.clear();
    std::string error;
    if (!configure(none, false, error))
      return fail(error);
    auto attempt = apply(none, inputCounter, true);
    if (!attempt.ok) {
      result.ok = false;
      result.error = attempt.error;
      return result;
    }
    cellTypes.clear();
    history.clear();
    result.output = "session reset: every definition and include is forgotten\n";
  } else if (command == "lib") {
    if (argument.empty())
      return fail("%lib needs the path of a shared library");
    if (auto status = engine->loadLibrary(argument); !status)
      return fail(status.message().substr(status.message().find("cannot")));
    result.output = "loaded " + argument + "\n";
  } else if (command == "I") {
    if (argument.empty())
      return fail("%I needs a directory");
    std::error_code ec;
    auto dir = fs::absolute(argument, ec).lexically_normal().string();
    if (ec || !fs::is_directory(dir))
      return fail("no such directory: " + argument);
    includeDirs.push_back(dir);
    std::string error;
    if (!configure(entries, false, error)) {
      includeDirs.pop_back();
      configure(entries, false, error);
      return fail(error);
    }
    auto attempt = apply(entries, inputCounter, true);
    if (!attempt.ok) {
      includeDirs.pop_back();
      configure(entries, false, error);
      result.ok = false;
      result.error = attempt.error;
      return result;
    }
    result.output = "header search path: added " + dir + "\n";
  } else if (command == "time") {
    return fail("%time needs an input to run, e.g. %time fib(30)");
  } else {
    return fail("unknown command %" + command + " (%help lists the commands)");
  }
  return result;
}

} // namespace hotcc
