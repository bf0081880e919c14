// ReplSession's state, shared by the files that implement it (session core, commands, completion).
#pragma once
#include "hotcc/repl.hpp"
#include "session_text.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hotcc {

std::string firstLineOf(const std::string &text);

struct ReplSession::Impl {
  using Entry = repl::Entry;
  Engine *engine = nullptr;
  ReplOptions options;
  std::string workDir;
  bool ownsWorkDir = false;
  std::string sessionFile;
  std::string cacheDir;
  std::string valuePrinterHeader;

  std::vector<Entry> entries;
  std::vector<std::string> includeDirs;  // %I
  std::string pchPath;                   // empty: no PCH (headers parsed in the preamble)
  std::string pchHeaderText;
  int inputCounter = 0;
  int cellCounter = 0;
  // The type of the value each cell body printed last: an unchanged body is not recompiled, so
  // the engine reports no type for it the second time.
  std::map<std::string, std::pair<std::string, CapturedValueType>> cellTypes;

  struct Attempt {
    bool ok = false;
    ReloadReport report;
    std::string error;
  };

  std::string prelude() const;
  std::string render(const std::vector<Entry> &list) const {
    return repl::renderSession(prelude(), list);
  }
  bool usesCommonHeaders(const std::vector<Entry> &list) const;
  std::string headerTextFor(const std::vector<Entry> &list) const;
  // Points the session file at the PCH for `list`'s includes, building it if needed.
  // `onlyAdds`: the new header set contains the old one; inputs compiled before stay as they are.
  bool configure(const std::vector<Entry> &list, bool rebuild, std::string &error,
                 bool onlyAdds = false);
  Attempt apply(std::vector<Entry> candidate, int input, bool full);
  static void emptyCells(std::vector<Entry> &list) {
    for (auto &entry : list)
      if (entry.kind == Entry::Kind::Cell && !entry.text.empty())
        entry.text.clear();
  }

  ReplResult evalInclude(const std::string &text, int input);
  ReplResult evalDeclaration(const std::string &text, int input, Entry::Kind kind,
                             std::string *errorOut = nullptr);
  ReplResult evalCell(const std::string &body, int input, bool isValue,
                      std::string *errorOut = nullptr);
  ReplResult evalCommand(const std::string &text);
  void warningsOf(const Attempt &attempt, int input, ReplResult &result) const;
};


} // namespace hotcc
