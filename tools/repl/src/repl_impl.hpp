// ReplSession's state, shared by the files that implement it (session core, commands, completion).
#pragma once
#include "hotcc/repl.hpp"
#include "session_text.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hotcc {

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
  // The entries before each input that changed them (a definition, an include): what %undo
  // goes back to, so undoing a redefinition brings the earlier definition back.
  std::vector<std::vector<Entry>> history;
  std::vector<std::string> includeDirs;  // %I
  // The last declaration attempt failed as a declaration Clang understood (a redefinition that
  // could not be applied, a refused change): trying the text as a statement would hide that.
  bool declarationUnderstood = false;
  std::string pchPath;                   // empty: no PCH (headers parsed in the preamble)
  std::string pchHeaderText;
  bool added = false;  // the engine has the session file (added by the first compile)
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

  std::string prelude(const std::vector<Entry> &list) const;
  std::string render(const std::vector<Entry> &list) const {
    return repl::renderSession(prelude(list), list);
  }
  bool usesCommonHeaders(const std::vector<Entry> &list) const;
  std::string headerTextFor(const std::vector<Entry> &list) const;
  // Points the session file at the PCH for `list`'s includes, building it if needed.
  // `onlyAdds`: the new header set contains the old one; inputs compiled before stay as they are.
  bool configure(const std::vector<Entry> &list, bool rebuild, std::string &error,
                 bool onlyAdds = false);
  // `alsoFresh`: inputs (besides `input`) whose variables get new storage (an undo restoring them).
  Attempt apply(std::vector<Entry> candidate, int input, bool full,
                const std::vector<std::string> &alsoFresh = {});
  // Makes `candidate` the session; remembers the old entries when definitions changed.
  void commit(std::vector<Entry> candidate);
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
