#include "reload_status.hpp"

#include <cstdio>
#include <filesystem>

namespace hotcc::cli {

static std::string ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.1f" : "%.0f", v);
  return buf;
}

std::string statusLine(const ReloadReport &report, bool withPhases) {
  std::string files;
  for (std::size_t i = 0; i < report.files.size(); ++i)
    files += (i ? ", " : "") + std::filesystem::path(report.files[i]).filename().string();
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
    line += " (parse " + ms(report.times.parseMs) + ", analyse " + ms(report.times.analyseMs) +
            ", compile " + ms(report.times.compileMs) + ", redirect " +
            ms(report.times.redirectMs) + ")";
  return line + "\n";
}

std::string describeReload(const ReloadReport &report, bool verbose, bool quiet) {
  std::string out;
  if (!report.ok) {
    out += report.error;
    if (!out.empty() && out.back() != '\n')
      out += '\n';
    out += "hotcc: reload failed; the program keeps running its previous version\n";
    return out;
  }
  if (quiet)
    return out;
  out += describeNotes(report);
  out += statusLine(report, verbose);
  return out;
}

std::string describeNotes(const ReloadReport &report) {
  std::string out;
  for (auto &change : report.changedLayouts)
    out += "hotcc: note: the layout of '" + change.type + "' changed (" +
           std::to_string(change.sizeBefore) + " -> " + std::to_string(change.sizeAfter) +
           " bytes); objects made before keep the old layout\n";
  for (auto &note : report.notes) {
    out += note.find("warning:") != std::string::npos ? note : "hotcc: note: " + note;
    if (!out.empty() && out.back() != '\n')
      out += '\n';
  }
  return out;
}

} // namespace hotcc::cli
