// `hotcc run [flags] FILE... [--watch] [-- ARGS]`: JIT-run a program's main(); with --watch,
// reload edits while main keeps running.
#pragma once
#include "common_flags.hpp"

namespace hotcc::cli {

struct ProgramThread;

struct RunCommand {
  CommonFlags flags;
  std::vector<std::string> files;
  std::vector<std::string> programArgs;
  bool watch = false;
  std::string argv0;
  bool acceptLayoutChanges = false;
  bool noReclaim = false;  // keep every retired version mapped (see README, "Reclamation")

  void addTo(CLI::App &app);
  int execute();
  std::unique_ptr<Engine> loadProgram(OutcomeOutput &output);
  bool addAll(Engine &engine, OutcomeOutput &output, std::vector<std::string> &named);
  bool waitForGoodSave(Engine &engine, OutcomeOutput &output, std::vector<std::string> named);
  std::vector<std::string> programArguments(Engine &engine);
  bool runWatching(Engine &engine, ProgramThread &program, OutcomeOutput &output);
  std::vector<std::string> rerunCommand() const;
};

} // namespace hotcc::cli
