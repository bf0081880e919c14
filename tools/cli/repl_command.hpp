// `hotcc repl`: the interactive C++ prompt (libedit), or a script read from stdin.
#pragma once
#include "common_flags.hpp"

namespace hotcc::cli {

struct ReplCommand {
  CommonFlags flags;
  bool noPch = false;
  std::string cacheDir;

  void addTo(CLI::App &app);
  int execute();
};

} // namespace hotcc::cli
