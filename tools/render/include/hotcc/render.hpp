// The one place outcomes (hotcc/outcome.hpp, hotcc/reload_report.hpp) become text: clang-style
// lines for people, one JSON object per line for machines (`--json`). Every user of the engine
// (the CLI, the REPL's output, the test runner's output, the C API) renders through here.
#pragma once
#include "hotcc/outcome.hpp"
#include "hotcc/registry.hpp"
#include "hotcc/reload_report.hpp"

#include <string>
#include <vector>

namespace hotcc::render {

// ---- For people ----

struct Style {
  bool color = false;  // ANSI colours as clang uses them (a terminal)
};

// "file:line:col: error: message [-Wflag]", the source line with a caret under the column, the
// include stack above it ("In file included from ..."), then each note the same way.
std::string diagnostic(const Diagnostic &d, const Style &style = {});
std::string diagnostics(const std::vector<Diagnostic> &list, const Style &style = {});

// A failure: compile errors as their diagnostics; every other kind as "hotcc: error: ..." with its
// subjects, in the wording users know ("refusing to reload a.cpp:", "cannot link a.cpp:", ...).
std::string failure(const Failure &f, const Style &style = {});
// "hotcc: note: ..." for a notice.
std::string notice(const Notice &n, const Style &style = {});

// "hotcc: reloaded a.cpp: 1 compiled (f), 3 unchanged, 0 removed — 4.2 ms" (+ phases).
std::string statusLine(const ReloadReport &report, bool withPhases);
// Everything to show for a report on stderr: warnings and notices then the status line on
// success (only warnings and notices when `quiet`); on failure its failures and "hotcc: reload
// failed; the program keeps running its previous version" when previousVersionRuns.
std::string reload(const ReloadReport &report, const Style &style, bool verbose, bool quiet);
// A report's failures alone, grouped as reload() groups them (for hosts that report a failed
// load or reload in their own words: the C API, the benchmarks).
std::string failures(const ReloadReport &report, const Style &style = {});

// "hotcc: code versions: 12 reclaimed, 3 retained (1 kept for their data, 0 held by a thread);
// 8 passes, 0 skipped": what reclamation freed and kept so far.
std::string versionStats(const VersionStats &stats);

// For tests that prove nothing decides by wording: every line the people-renderer produces
// (without its "\n") passes through `rewrite` first (null: as written). The JSON renderer is
// unaffected. Not for production use.
void setWordingRewriterForTesting(std::string (*rewrite)(const std::string &));

// ---- For machines: one JSON object per line, each {"schema": 1, "event": ..., ...} ----

constexpr int kJsonSchema = 1;

// A duration as every event gives it: milliseconds, to the microsecond (short lines).
double jsonMs(double ms);

std::string jsonDiagnostic(const Diagnostic &d);  // event "diagnostic"
std::string jsonFailure(const Failure &f);        // event "failure", "kind": kindName(f)
std::string jsonNotice(const Notice &n);          // event "notice", "kind": kindName(n)
// The events of one reload: each warning and each compile error's diagnostic ("diagnostic"),
// each failure ("failure"), each notice ("notice"), then one "reload" event (ok, version, files,
// compiled [{name, at}], unchanged, removed, timesMs{parse, analyze, compile, redirect, total}).
std::vector<std::string> jsonReload(const ReloadReport &report);
// Event "versions": reclaimed, retained, keptForData, heldByThreads, passes, passesSkipped.
std::string jsonVersionStats(const VersionStats &stats);

} // namespace hotcc::render
