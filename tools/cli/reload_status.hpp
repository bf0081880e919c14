// How a reload is told to the user: one status line on success, the diagnostics on failure.
#pragma once
#include "hotcc/reload_report.hpp"

#include <string>

namespace hotcc::cli {

std::string statusLine(const ReloadReport &report, bool withPhases);
// Everything to print to stderr for a report (status line or error, plus notes).
std::string describeReload(const ReloadReport &report, bool verbose, bool quiet);
// The notes of a report (compiler warnings as clang printed them, hotcc's notes prefixed).
std::string describeNotes(const ReloadReport &report);

} // namespace hotcc::cli
