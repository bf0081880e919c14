// A reload for people: the status line e2e tests and users read ("hotcc: reloaded a.cpp: 1
// compiled (f), 3 unchanged, 0 removed — 4.2 ms"), or the failures, grouped by file.
#include "reload_warnings.hpp"
#include "text_parts.hpp"

#include <cstdio>
#include <set>

namespace hotcc::render {

namespace {

std::string ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.1f" : "%.0f", v);
  return buf;
}

// The notices, plus a LayoutChanged one for each accepted layout change no notice names.
std::string noticesText(const ReloadReport &report, const Style &style) {
  std::string out;
  std::set<std::string> said;
  for (auto &n : report.notices) {
    if (auto *layout = std::get_if<notice::LayoutChanged>(&n))
      said.insert(layout->type);
    out += text::noticeText(n, style);
  }
  for (auto &change : report.changedLayouts)
    if (!said.count(change.type))
      out += text::noticeText(notice::LayoutChanged{change.type, change.sizeBefore,
                                                    change.sizeAfter},
                              style);
  return out;
}

std::string failuresText(const ReloadReport &report, const Style &style) {
  std::string out;
  // Consecutive failures of one group and file share a header.
  for (std::size_t i = 0; i < report.failures.size();) {
    std::vector<const Failure *> run = {&report.failures[i]};
    std::size_t j = i + 1;
    while (j < report.failures.size() && text::sameGroup(report.failures[i], report.failures[j]))
      run.push_back(&report.failures[j++]);
    out += text::failuresText(run, style, report.previousVersionRuns);
    i = j;
  }
  return out;
}

std::string statusText(const ReloadReport &report, bool withPhases) {
  std::string files;
  for (std::size_t i = 0; i < report.files.size(); ++i)
    files += (i ? ", " : "") + text::fileName(report.files[i]);
  std::string line = "hotcc: reloaded " + files + ": " + std::to_string(report.compiled.size()) +
                     " compiled";
  if (!report.compiled.empty()) {
    line += " (";
    for (std::size_t i = 0; i < report.compiled.size() && i < 6; ++i)
      line += (i ? ", " : "") + report.compiled[i];
    if (report.compiled.size() > 6)
      line += ", ...";
    line += ")";
  }
  line += ", " + std::to_string(report.unchanged) + " unchanged, " +
          std::to_string(report.removed.size()) + " removed \xE2\x80\x94 " +
          ms(report.times.totalMs) + " ms";
  if (withPhases)
    line += " (parse " + ms(report.times.parseMs) + ", analyze " + ms(report.times.analyzeMs) +
            ", compile " + ms(report.times.compileMs) + ", redirect " +
            ms(report.times.redirectMs) + ")";
  return line + "\n";
}

} // namespace

std::string statusLine(const ReloadReport &report, bool withPhases) {
  return text::rewritten(statusText(report, withPhases));
}

std::string failures(const ReloadReport &report, const Style &style) {
  return text::rewritten(failuresText(report, style));
}

std::string reload(const ReloadReport &report, const Style &style, bool verbose, bool quiet) {
  std::string out = text::diagnosticsText(warningsNotCarried(report), style);
  if (!report.ok) {
    // Notices first: one may explain the failure (a file compiled without its build's flags).
    out += noticesText(report, style);
    out += failuresText(report, style);
    if (report.previousVersionRuns)
      out += "hotcc: reload failed; the program keeps running its previous version\n";
    return text::rewritten(out);
  }
  out += noticesText(report, style);
  if (!quiet)
    out += statusText(report, verbose);
  return text::rewritten(out);
}

} // namespace hotcc::render
