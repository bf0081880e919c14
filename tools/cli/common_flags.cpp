#include "common_flags.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace hotcc::cli {

void CommonFlags::addTo(CLI::App &command) {
  // One value per occurrence, so `-D X=1 a.cpp b.cpp` leaves the files to the file list.
  command.add_option("-I", includeDirs, "add a directory to the include search path")
      ->allow_extra_args(false);
  command.add_option("-D", defines, "define a macro: NAME or NAME=VALUE")->allow_extra_args(false);
  command.add_option("--std", languageStandard, "language standard, e.g. -std=c++20");
  command.add_option("-O", optLevel, "optimization level 0-3 (default 0)")->check(CLI::Range(0, 3));
  command.add_option("-p", buildDir, "build directory with compile_commands.json");
  command.add_flag("-v,--verbose", verbosity,
                   "phase timings per reload; twice (-vv): the engine's debug log too");
  command.add_flag("--quiet", quiet, "print only errors");
  command.add_flag("--json", json,
                   "outcomes as JSON, one object per line on stdout (the program's own stdout "
                   "goes to stderr)");
}

void CommonFlags::applyLogLevel(int otherwise) const {
  spdlog::set_level(debugLog() ? spdlog::level::debug
                             : static_cast<spdlog::level::level_enum>(otherwise));
}

EngineOptions CommonFlags::engineOptions() const {
  EngineOptions options;
  options.includeDirs = includeDirs;
  options.defines = defines;
  options.languageStandard = languageStandard;
  options.optLevel = optLevel;
  options.extraArgs = compiler.compile;
  options.libraries = compiler.libraries;
  options.libraryDirs = compiler.libraryDirs;
  options.compileDatabaseDir = buildDir;
  return options;
}

void CommonFlags::noteDroppedFlags(OutcomeOutput &output) const {
  if (json) {
    for (auto &dropped : compiler.dropped)
      output.notice(notice::FlagDropped{dropped.flag, dropped.reason, "the command line"});
    return;
  }
  if (quiet)
    return;
  std::vector<std::pair<std::string, std::string>> byReason;  // reason → flags, in first order
  for (auto &dropped : compiler.dropped) {
    auto it = std::find_if(byReason.begin(), byReason.end(),
                           [&](auto &entry) { return entry.first == dropped.reason; });
    if (it == byReason.end())
      byReason.emplace_back(dropped.reason, dropped.flag);
    else
      it->second += ", " + dropped.flag;
  }
  for (auto &[reason, flags] : byReason)
    std::fprintf(stderr, "hotcc: note: ignoring %s: %s\n", flags.c_str(), reason.c_str());
}

namespace {

// The options a subcommand's parser takes (and the app's: --help), as the flag sorter wants them.
std::vector<frontend::CallerOption> ownOptions(const CLI::App &app, const CLI::App *subcommand) {
  std::vector<frontend::CallerOption> out;
  for (const auto *command : {&app, subcommand}) {
    if (!command)
      continue;
    for (const auto *option : command->get_options()) {
      // A flag's type size is 1 too (its bool or count); the number of values it expects is 0.
      bool takesValue = option->get_expected_max() > 0;
      for (auto &name : option->get_snames())
        out.push_back({"-" + name, takesValue});
      for (auto &name : option->get_lnames())
        out.push_back({"--" + name, takesValue});
    }
  }
  out.push_back({"-std=", false});  // -std=c99, Clang's spelling, taken as --std (see below)
  return out;
}

} // namespace

std::vector<std::string> separateCompilerFlags(int argc, char **argv, CLI::App &app,
                                               CommonFlags *subcommandFlags) {
  std::vector<std::string> out;
  int first = 1;
  if (argc > 1)
    out = {argv[0], argv[1]};
  else
    out = {argv[0]};
  first = static_cast<int>(out.size());
  std::vector<std::string> rest(argv + first, argv + argc);
  if (subcommandFlags) {
    auto sorted = frontend::sortCompilerFlags(rest, ownOptions(app, app.get_subcommand(argv[1])));
    rest = sorted.rest;
    subcommandFlags->compiler = std::move(sorted);
    subcommandFlags->compiler.rest.clear();
  }
  for (auto &arg : rest) {
    if (arg == "--")
      break;
    if (arg.rfind("-std=", 0) == 0)
      arg = "-" + arg;
  }
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

} // namespace hotcc::cli
