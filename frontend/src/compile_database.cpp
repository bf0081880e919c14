// Flags from a build's compile_commands.json, for programs of several files built by CMake & co.
#include "hotcc/frontend/compiler.hpp"

#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace hotcc::frontend {

llvm::Expected<std::vector<std::string>> flagsFromCompileDatabase(const std::string &buildDir,
                                                                  const std::string &file) {
  std::string error;
  auto db = clang::tooling::CompilationDatabase::loadFromDirectory(buildDir, error);
  if (!db)
    return llvm::createStringError("cannot load compile_commands.json from '" + buildDir +
                                   "': " + error);
  llvm::SmallString<256> absolute(file);
  llvm::sys::fs::make_absolute(absolute);
  auto commands = db->getCompileCommands(absolute);
  if (commands.empty())
    return llvm::createStringError("'" + file + "' is not in " + buildDir +
                                   "/compile_commands.json");

  // Keep what changes the meaning of the code; drop what names outputs and inputs.
  const auto &cmd = commands.front();
  std::vector<std::string> flags;
  const auto &args = cmd.CommandLine;
  for (std::size_t i = 1; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    if (arg == "-o" || arg == "-MF" || arg == "-MT" || arg == "-MQ") {
      ++i;
      continue;
    }
    if (arg == "-c" || arg == "-MD" || arg == "-MMD" || arg == "--" || arg.starts_with("-o"))
      continue;
    if (arg == cmd.Filename || arg == absolute)
      continue;
    if (arg == "-I" || arg == "-isystem" || arg == "-iquote" || arg == "-include" || arg == "-D" ||
        arg == "-U") {
      if (i + 1 < args.size()) {
        std::string value = args[i + 1];
        if ((arg == "-I" || arg == "-isystem" || arg == "-iquote") &&
            !llvm::sys::path::is_absolute(value)) {
          llvm::SmallString<256> joined(cmd.Directory);
          llvm::sys::path::append(joined, value);
          value = std::string(joined);
        }
        flags.push_back(arg.str());
        flags.push_back(value);
      }
      ++i;
      continue;
    }
    if (arg.starts_with("-I") && !llvm::sys::path::is_absolute(arg.drop_front(2))) {
      llvm::SmallString<256> joined(cmd.Directory);
      llvm::sys::path::append(joined, arg.drop_front(2));
      flags.push_back("-I" + std::string(joined));
      continue;
    }
    if (arg.starts_with("-"))
      flags.push_back(arg.str());
  }
  return flags;
}

} // namespace hotcc::frontend
