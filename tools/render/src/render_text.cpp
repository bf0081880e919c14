// Diagnostics for people, as clang prints them: location, severity, message and flag; the source
// line with a caret; the include stack above; notes after. Plus the pieces the other text
// renderers share (colours, the headline, name lists, the wording hook).
#include "text_parts.hpp"

#include <atomic>
#include <filesystem>

namespace hotcc::render {
namespace text {

namespace {
constexpr const char *kReset = "\x1b[0m";
constexpr const char *kBold = "\x1b[1m";

const char *colorOf(Severity severity) {
  switch (severity) {
  case Severity::Note:
    return "\x1b[0;1;36m";
  case Severity::Remark:
    return "\x1b[0;1;34m";
  case Severity::Warning:
    return "\x1b[0;1;35m";
  case Severity::Error:
  case Severity::Fatal:
    break;
  }
  return "\x1b[0;1;31m";
}
} // namespace

std::string Paint::bold(const std::string &s) const {
  return on ? kBold + s + kReset : s;
}

std::string Paint::label(Severity severity, const char *word) const {
  std::string text = std::string(word ? word : labelOf(severity)) + ": ";
  return on ? colorOf(severity) + text + kReset : text;
}

std::string Paint::caret(const std::string &s) const {
  return on ? "\x1b[0;1;32m" + s + kReset : s;
}

std::string Paint::fixIt(const std::string &s) const {
  return on ? "\x1b[0;32m" + s + kReset : s;
}

// Clang's word for the severity: a fatal error is "fatal error".
const char *labelOf(Severity severity) {
  return severity == Severity::Fatal ? "fatal error" : severityName(severity);
}

std::string headline(const Style &style, Severity severity, const std::string &message,
                     const char *word) {
  Paint paint{style.color};
  // Clang leaves a note's message plain: it supplements the diagnostic before it.
  std::string body = severity == Severity::Note ? message : paint.bold(message);
  return paint.bold("hotcc: ") + paint.label(severity, word) + body + "\n";
}

namespace {

std::string location(const SourcePoint &where) {
  std::string out = where.file;
  if (where.line > 0) {
    out += ":" + std::to_string(where.line);
    if (where.column > 0)
      out += ":" + std::to_string(where.column);
  }
  return out + ": ";
}

// Blanks up to `column` of `line`: tabs kept, so both lines expand them alike; a UTF-8 character
// takes one place, not one per byte.
std::string padTo(const std::string &line, unsigned column) {
  std::string pad;
  std::size_t end = std::min<std::size_t>(column - 1, line.size());
  for (std::size_t i = 0; i < end; ++i) {
    unsigned char c = line[i];
    if (c == '\t')
      pad += '\t';
    else if ((c & 0xC0) != 0x80)  // not a UTF-8 continuation byte
      pad += ' ';
  }
  return pad;
}

// Whether column `column` of the diagnostic's line lies in one of its ranges.
bool inRange(const Diagnostic &d, unsigned column) {
  for (auto &r : d.ranges) {
    if (r.from.file != d.where.file || r.from.line > d.where.line || r.to.line < d.where.line)
      continue;
    unsigned from = r.from.line < d.where.line ? 1 : r.from.column;
    bool beforeEnd = r.to.line > d.where.line || column < r.to.column;
    if (column >= from && beforeEnd)
      return true;
  }
  return false;
}

// The line under the source: "~~^~~", the caret at the column, ranges underlined, tabs kept so
// both lines expand them alike, one place per UTF-8 character.
std::string markerLine(const Diagnostic &d) {
  std::string line;
  unsigned column = 0;
  for (std::size_t i = 0; i < d.sourceLine.size(); ++i) {
    unsigned char c = d.sourceLine[i];
    if ((c & 0xC0) == 0x80)
      continue;  // a UTF-8 continuation byte: the character has its place already
    column = static_cast<unsigned>(i) + 1;
    if (column == d.where.column)
      line += '^';
    else if (inRange(d, column))
      line += '~';
    else
      line += c == '\t' ? '\t' : ' ';
  }
  if (d.where.column > d.sourceLine.size())  // just past the end (a missing ';')
    line += std::string(d.where.column - d.sourceLine.size() - 1, ' ') + "^";
  return line.substr(0, line.find_last_not_of(" \t") + 1);
}

// "    2 | text" and "      |     ^": clang's gutter (at least four digits wide). Tabs before
// the column are kept in the caret line, so both lines expand them alike and the caret stays
// under its character; a UTF-8 character takes one place, not one per byte.
std::string snippet(const Diagnostic &d, const Paint &paint) {
  if (d.sourceLine.empty() || d.where.line == 0)
    return {};
  std::string number = std::to_string(d.where.line);
  std::size_t width = std::max<std::size_t>(4, number.size());
  std::string out = std::string(width - number.size() + 1, ' ') + number + " | " + d.sourceLine +
                    "\n";
  if (d.where.column == 0)
    return out;
  const std::string gutter = std::string(width + 2, ' ') + "| ";
  out += gutter + paint.caret(markerLine(d)) + "\n";
  // Proposed insertions on this line go under it, each where it would go (clang's fix-it line).
  std::string fixLine;
  for (auto &fix : d.fixIts) {
    if (fix.from.line != d.where.line || fix.to.line != fix.from.line || fix.from.column == 0 ||
        fix.replacement.empty() || fix.replacement.find('\n') != std::string::npos)
      continue;
    auto pad = padTo(d.sourceLine, fix.from.column);
    if (pad.size() < fixLine.size())
      continue;  // overlaps the one before
    fixLine += pad.substr(fixLine.size()) + fix.replacement;
  }
  if (!fixLine.empty())
    out += gutter + paint.fixIt(fixLine) + "\n";
  return out;
}

// Clang names the outermost file first.
std::string includeStack(const std::vector<SourcePoint> &from) {
  std::string out;
  for (auto it = from.rbegin(); it != from.rend(); ++it)
    out += "In file included from " + it->file + ":" + std::to_string(it->line) + ":\n";
  return out;
}

bool samePoint(const SourcePoint &a, const SourcePoint &b) {
  return a.file == b.file && a.line == b.line && a.column == b.column;
}

bool sameStack(const std::vector<SourcePoint> &a, const std::vector<SourcePoint> &b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), samePoint);
}

} // namespace

std::string diagnosticText(const Diagnostic &d, const Style &style, bool withIncludes,
                           SourcePoint *lastCaret) {
  Paint paint{style.color};
  std::string message = d.message + (d.option.empty() ? "" : " [" + d.option + "]");
  std::string out;
  if (d.where.file.empty()) {
    // A diagnostic without a place (bad flags, a tool's complaint) speaks as hotcc.
    out = headline(style, d.severity, message);
  } else {
    out = withIncludes ? includeStack(d.includedFrom) : std::string();
    out += paint.bold(location(d.where)) + paint.label(d.severity) +
           (d.severity == Severity::Note ? message : paint.bold(message)) + "\n";
    // A second diagnostic at the same place shows the line again only to propose a change.
    if (!lastCaret || !samePoint(*lastCaret, d.where) || !d.fixIts.empty())
      out += snippet(d, paint);
    if (lastCaret)
      *lastCaret = d.where;
  }
  for (auto &note : d.notes)
    out += diagnosticText(note, style, true, lastCaret);
  return out;
}

std::string diagnosticsText(const std::vector<Diagnostic> &list, const Style &style) {
  std::string out;
  const std::vector<SourcePoint> none;
  const std::vector<SourcePoint> *lastStack = &none;
  SourcePoint lastCaret;
  // Like clang, the include stack is said once for a run of diagnostics in the same header.
  for (auto &d : list) {
    bool repeat = !d.where.file.empty() && sameStack(d.includedFrom, *lastStack);
    out += diagnosticText(d, style, !repeat, &lastCaret);
    lastStack = d.where.file.empty() ? &none : &d.includedFrom;
  }
  return out;
}

std::string joinNames(const std::vector<std::string> &items, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i)
    out += (i ? ", " : "") + items[i];
  if (items.size() > max)
    out += ", and " + std::to_string(items.size() - max) + " more";
  return out;
}

std::string fileName(const std::string &path) {
  return std::filesystem::path(path).filename().string();
}

namespace {
std::atomic<std::string (*)(const std::string &)> wordingRewriter{nullptr};
}

std::string rewritten(std::string text) {
  auto rewrite = wordingRewriter.load();
  if (!rewrite)
    return text;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    bool newline = end != std::string::npos;
    if (!newline)
      end = text.size();
    out += rewrite(text.substr(start, end - start)) + (newline ? "\n" : "");
    start = end + 1;
  }
  return out;
}

} // namespace text

void setWordingRewriterForTesting(std::string (*rewrite)(const std::string &)) {
  text::wordingRewriter = rewrite;
}

std::string diagnostic(const Diagnostic &d, const Style &style) {
  return text::rewritten(text::diagnosticText(d, style, true));
}

std::string diagnostics(const std::vector<Diagnostic> &list, const Style &style) {
  return text::rewritten(text::diagnosticsText(list, style));
}

} // namespace hotcc::render
