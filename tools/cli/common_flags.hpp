// The compiler flags every hotcc subcommand takes: -I, -D, -std=, -O0..3, -p, -v/--quiet, and
// any other flag Clang knows (-fwrapv, -Wno-..., -include F, -lNAME), sorted by Clang's table.
#pragma once
#include "hotcc/engine.hpp"
#include "hotcc/frontend/compiler_flags.hpp"
#include "outcome_output.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace hotcc::cli {

struct CommonFlags {
  std::vector<std::string> includeDirs;
  std::vector<std::string> defines;
  std::string languageStandard;
  int optLevel = 0;
  std::string buildDir;
  int verbosity = 0;  // -v: phase timings; -vv: the engine's debug log too
  bool verbose() const { return verbosity >= 1; }
  bool debugLog() const { return verbosity >= 2; }
  bool quiet = false;
  bool json = false;  // --json: outcomes as JSON lines on stdout (see outcome_output.hpp)
  frontend::SortedFlags compiler;  // the rest of the compiler flags, sorted before parsing

  void addTo(CLI::App &command);
  EngineOptions engineOptions() const;
  // How this command's outcomes are shown (people or --json; -v; --quiet).
  OutcomeOutput::Settings outputSettings() const { return {json, verbose(), quiet}; }
  // The log level -v/-vv ask for, or `otherwise`.
  void applyLogLevel(int otherwise) const;
  // One note per reason for the flags that have no effect in-process (nothing when --quiet); with
  // --json a flag-dropped notice per flag.
  void noteDroppedFlags(OutcomeOutput &output) const;
};

// Takes the compiler flags out of a subcommand's arguments (everything the subcommand's own
// parser does not know that Clang does), and rewrites clang-style single-dash long flags
// (-std=c++20) into the form the parser takes. `subcommand` may be null (no subcommand given).
std::vector<std::string> separateCompilerFlags(int argc, char **argv, CLI::App &app,
                                               CommonFlags *subcommandFlags);

} // namespace hotcc::cli
