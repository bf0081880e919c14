#include "common_flags.hpp"

namespace hotcc::cli {

void CommonFlags::addTo(CLI::App &command) {
  // One value per occurrence, so `-D X=1 a.cpp b.cpp` leaves the files to the file list.
  command.add_option("-I", includeDirs, "add a directory to the include search path")
      ->allow_extra_args(false);
  command.add_option("-D", defines, "define a macro: NAME or NAME=VALUE")->allow_extra_args(false);
  command.add_option("--std", languageStandard, "language standard, e.g. -std=c++20");
  command.add_option("-O", optLevel, "optimisation level 0-3 (default 0)")->check(CLI::Range(0, 3));
  command.add_option("-p", buildDir, "build directory with compile_commands.json");
  command.add_flag("-v,--verbose", verbose, "log what the engine does, with timings");
  command.add_flag("--quiet", quiet, "print only errors");
}

EngineOptions CommonFlags::engineOptions(bool colour) const {
  EngineOptions options;
  options.includeDirs = includeDirs;
  options.defines = defines;
  options.languageStandard = languageStandard;
  options.optLevel = optLevel;
  options.compileDatabaseDir = buildDir;
  options.colorDiagnostics = colour;
  return options;
}

std::vector<std::string> normaliseArguments(int argc, char **argv) {
  std::vector<std::string> out;
  bool passThrough = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--")
      passThrough = true;
    if (!passThrough && arg.rfind("-std=", 0) == 0)
      arg = "-" + arg;
    out.push_back(arg);
  }
  return out;
}

} // namespace hotcc::cli
