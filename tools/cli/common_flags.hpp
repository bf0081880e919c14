// The compiler flags every hotcc subcommand takes: -I, -D, -std=, -O0..3, -p, -v/--quiet.
#pragma once
#include "hotcc/engine.hpp"

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
  bool verbose = false;
  bool quiet = false;

  void addTo(CLI::App &command);
  EngineOptions engineOptions(bool colour) const;
};

// Rewrites clang-style single-dash long flags (-std=c++20) into the form the parser takes.
std::vector<std::string> normaliseArguments(int argc, char **argv);

} // namespace hotcc::cli
