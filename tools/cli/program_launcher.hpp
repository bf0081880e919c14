// argv[0] for a program `hotcc run` runs: a small executable named like the program ("lua") that
// runs it again the same way, so a program that re-executes itself (a test suite starting its own
// interpreter) or names itself in messages behaves as it does when built normally.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace hotcc::cli {

class ProgramLauncher {
public:
  // Stands for the script's own path (the path it was run by) in a command.
  static constexpr const char *kSelf = "\x01self";

  // Writes `name` in a fresh private directory: a shell script that execs `command` followed by
  // the arguments it is given. Null when the directory or file cannot be made.
  static std::optional<ProgramLauncher> create(const std::string &name,
                                               const std::vector<std::string> &command);
  ProgramLauncher(ProgramLauncher &&other) noexcept;
  ProgramLauncher &operator=(ProgramLauncher &&) = delete;
  ~ProgramLauncher();  // removes the script and its directory

  const std::string &path() const { return path_; }

private:
  ProgramLauncher(std::string directory, std::string path)
      : directory_(std::move(directory)), path_(std::move(path)) {}
  std::string directory_;
  std::string path_;
};

// This process's own executable (for a command that runs hotcc again).
std::string currentExecutable();

} // namespace hotcc::cli
