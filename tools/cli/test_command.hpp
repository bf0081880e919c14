// `hotcc test`: Catch2 / GoogleTest files JIT-compiled into this process and run; with --watch,
// a saved test file is compiled again on its own and the tests run again. --json: the events of
// test_output.hpp on stdout.
#pragma once
#include "common_flags.hpp"
#include "hotcc/test_session.hpp"

namespace hotcc::cli {

struct TestCommand {
  CommonFlags flags;
  std::vector<std::string> files;
  std::vector<std::string> link;
  std::vector<std::string> sources;
  std::vector<std::string> frameworkArgs;  // after --
  std::string cacheDir;
  unsigned timeoutMs = 0;
  bool watch = false;
  bool changedOnly = false;

  void addTo(CLI::App &app);
  int execute();

private:
  TestOptions testOptions() const;
};

} // namespace hotcc::cli
