#include "program_launcher.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace hotcc::cli {

namespace {

std::string shellQuoted(const std::string &word) {
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

} // namespace

std::string currentExecutable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("hotcc") : path.string();
}

std::optional<ProgramLauncher> ProgramLauncher::create(const std::string &name,
                                                       const std::vector<std::string> &command) {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/hotcc-run-XXXXXX";
  if (!mkdtemp(pattern.data()))
    return std::nullopt;
  std::string path = pattern + "/" + name;
  {
    std::ofstream script(path);
    script << "#!/bin/sh\n# Runs " << name << " again under hotcc, as the program it was built as.\nexec";
    for (auto &word : command)
      script << ' ' << (word == kSelf ? std::string("\"$0\"") : shellQuoted(word));
    script << " \"$@\"\n";
    if (!script)
      return std::nullopt;
  }
  std::error_code ec;
  std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);
  return ProgramLauncher(pattern, path);
}

ProgramLauncher::ProgramLauncher(ProgramLauncher &&other) noexcept
    : directory_(std::move(other.directory_)), path_(std::move(other.path_)) {
  other.directory_.clear();
}

ProgramLauncher::~ProgramLauncher() {
  if (directory_.empty())
    return;
  std::error_code ec;
  std::filesystem::remove_all(directory_, ec);
}

} // namespace hotcc::cli
