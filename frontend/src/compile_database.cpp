// Flags from a build's compile_commands.json, for programs of several files built by CMake & co.
#include "hotcc/frontend/compiler.hpp"
#include "hotcc/frontend/outcome_error.hpp"
#include "hotcc/support.hpp"
#include "hotcc/frontend/compiler_flags.hpp"

#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace hotcc::frontend {

llvm::Expected<SortedFlags> flagsFromCompileDatabase(const std::string &buildDir,
                                                     const std::string &file) {
  std::string error;
  auto db = clang::tooling::CompilationDatabase::loadFromDirectory(buildDir, error);
  if (!db)
    return makeFailure(failure::SetupError{buildDir + "/compile_commands.json",
                                           "cannot load it: " + error});
  const std::string absolute = absolutePath(file);
  auto commands = db->getCompileCommands(absolute);
  if (commands.empty())
    return makeFailure(failure::SetupError{file, "not in " + buildDir + "/compile_commands.json"});

  // The command without the compiler and the file itself; include directories made absolute,
  // since the compile does not run in the build's directory.
  const auto &cmd = commands.front();
  const auto &args = cmd.CommandLine;
  auto fromBuildDir = [&](llvm::StringRef path) {
    if (llvm::sys::path::is_absolute(path))
      return path.str();
    llvm::SmallString<256> joined(cmd.Directory);
    llvm::sys::path::append(joined, path);
    return std::string(joined);
  };
  std::vector<std::string> command;
  for (std::size_t i = 1; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    if (arg == cmd.Filename || arg == absolute || absolutePath(fromBuildDir(arg)) == absolute)
      continue;
    if ((arg == "-I" || arg == "-isystem" || arg == "-iquote" || arg == "-include") &&
        i + 1 < args.size()) {
      command.push_back(arg.str());
      command.push_back(fromBuildDir(args[++i]));
      continue;
    }
    if (arg.starts_with("-I") && arg.size() > 2) {
      command.push_back("-I" + fromBuildDir(arg.drop_front(2)));
      continue;
    }
    command.push_back(arg.str());
  }
  // Keep what changes the meaning of the code; what names outputs and inputs, and what Clang
  // does not know (a gcc build's flags), is dropped with its reason.
  auto sorted = sortCompilerFlags(command);
  for (auto &other : sorted.rest)
    if (llvm::StringRef(other).starts_with("-"))
      sorted.dropped.push_back({other, "not a compiler flag"});
  sorted.rest.clear();
  return sorted;
}

} // namespace hotcc::frontend
