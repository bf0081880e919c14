// Runs a program to completion and takes its output: `hotcc serve` runs Debian's em++ once per
// main-module build (never on the patch path).
#pragma once
#include <string>
#include <vector>

namespace hotcc::serve {

struct ChildResult {
  bool started = false;  // false: the program could not be run at all (not installed)
  int exitCode = -1;
  int signal = 0;        // the signal that ended it, if one did
  std::string output;    // stdout and stderr, interleaved
};

// "exited with status 1", "was killed by SIGKILL"
std::string howItEnded(const ChildResult &result);

ChildResult runChild(const std::vector<std::string> &argv, const std::string &directory,
                     const std::vector<std::string> &extraEnvironment);

} // namespace hotcc::serve
