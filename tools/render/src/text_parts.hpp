// Pieces the people-renderer's files share: clang's colours, the "hotcc: error: ..." headline,
// name lists, and the wording hook. Internal to hotcc_render.
#pragma once
#include "hotcc/outcome.hpp"
#include "hotcc/render.hpp"

#include <string>
#include <vector>

namespace hotcc::render::text {

// The SGR sequences clang 22 writes (TextDiagnostic.cpp): bold location and message, red error,
// magenta warning, cyan note, blue remark, green caret. Empty without Style::color.
struct Paint {
  bool on;
  std::string bold(const std::string &s) const;
  // "error: " in its colour; `word` replaces the severity's word ("internal error").
  std::string label(Severity severity, const char *word = nullptr) const;
  std::string caret(const std::string &s) const;
  std::string fixIt(const std::string &s) const;
};

const char *labelOf(Severity severity);  // "error", "fatal error", "warning", "note", "remark"

// "hotcc: <label>: message" + "\n", coloured as clang colours a diagnostic without a location.
std::string headline(const Style &style, Severity severity, const std::string &message,
                     const char *word = nullptr);

// One diagnostic, clang-style, ending in "\n". `withIncludes`: print its include stack.
// `lastCaret` (optional): where the previous caret was; like clang, a diagnostic at the same
// place shows no second copy of the line.
std::string diagnosticText(const Diagnostic &d, const Style &style, bool withIncludes,
                           SourcePoint *lastCaret = nullptr);
std::string diagnosticsText(const std::vector<Diagnostic> &list, const Style &style);

// A crash: the headline (what, in which function, where), the backtrace, and what became of the
// program (crash_text.cpp).
std::string crashText(const failure::Crash &c, const Style &style);

// A run of failures `render::reload` groups under one header (all the same group and file; one
// element for `render::failure`). `previousVersionRuns`: code from an earlier load keeps running.
std::string failuresText(const std::vector<const Failure *> &run, const Style &style,
                         bool previousVersionRuns);
// Whether `b` belongs under the header `a` starts.
bool sameGroup(const Failure &a, const Failure &b);

std::string noticeText(const Notice &n, const Style &style);

// "a, b, c, and 2 more" (at most `max` names).
std::string joinNames(const std::vector<std::string> &items, std::size_t max = 5);
// The last component of a path: headers name files as people see them in their editor.
std::string fileName(const std::string &path);

// Every line of `text` through the wording hook (see setWordingRewriterForTesting).
std::string rewritten(std::string text);

} // namespace hotcc::render::text
