// ReplSession's state, shared by the files that implement it (session core, evaluation,
// commands, completion).
#pragma once
#include "hotcc/engine_session.hpp"
#include "hotcc/repl.hpp"
#include "session_terms.hpp"
#include "session_text.hpp"

#include <map>
#include <optional>
#include <set>
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
  std::optional<Failure> headerCacheFailure;  // why precompiling was given up

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
  };
  // An input tried one way (as a declaration, as statements, as a value).
  struct Evaluation {
    ReplResult result;
    bool rejected = false;  // the compiler or the engine turned it down: it never ran
  };

  std::string prelude(const std::vector<Entry> &list) const;
  std::string render(const std::vector<Entry> &list) const {
    return repl::renderSession(prelude(list), list);
  }
  bool usesCommonHeaders(const std::vector<Entry> &list) const;
  std::string headerTextFor(const std::vector<Entry> &list) const;
  std::vector<std::string> searchArgs() const;
  // Points the session file at the PCH for `list`'s includes, building it if needed.
  // `onlyAdds`: the new header set contains the old one; inputs compiled before stay as they are.
  Status configure(const std::vector<Entry> &list, bool rebuild, bool onlyAdds = false);
  // `alsoFresh`: inputs (besides `input`) whose variables get new storage (an undo restoring them).
  Attempt apply(std::vector<Entry> candidate, int input, bool full,
                const std::vector<std::string> &alsoFresh = {});
  ReloadReport compile(const SessionReload &how);
  // Makes `candidate` the session; remembers the old entries when definitions changed.
  void commit(std::vector<Entry> candidate);
  static void emptyCells(std::vector<Entry> &list) {
    for (auto &entry : list)
      if (entry.kind == Entry::Kind::Cell && !entry.text.empty())
        entry.text.clear();
  }

  // A failed attempt as the result of an input, told in the session's terms (`subject`: what the
  // session file stands for, the input's name or "the session").
  ReplResult rejection(const Attempt &attempt, const std::string &subject) const;
  // The warnings and notices of an accepted attempt that concern `input`.
  void noteWarnings(const Attempt &attempt, int input, ReplResult &result) const;
  repl::SessionTerms termsFor(const std::string &subject) const { return {sessionFile, subject}; }

  ReplResult evalExpression(const std::string &text, int input);
  ReplResult evalCode(const std::string &text, int input, bool declarationFirst);
  ReplResult evalInclude(const std::string &text, int input);
  Evaluation evalDeclaration(const std::string &text, int input, Entry::Kind kind);
  Evaluation redefineInPlace(const std::string &text, int input, Entry::Kind kind,
                             const std::set<int> &replaced);
  Evaluation evalCell(const std::string &body, int input, bool isValue);
  ReplResult runCell(const std::string &cellName, const CapturedValueType &type, int input,
                     bool isValue);
  ReplResult evalCommand(const std::string &text);
  ReplResult undo(const std::string &argument);
};

// A result that failed for one reason.
inline ReplResult failedWith(Failure failure) {
  ReplResult result;
  result.ok = false;
  result.failures.push_back(std::move(failure));
  return result;
}

} // namespace hotcc
