// Compiler flags as a real build gives them — a makefile's CFLAGS, a compile database, a user's
// command line — sorted by what they mean to an in-process compile, using Clang's own option
// table: flags that change the code are kept, linker inputs become libraries to load, and flags
// that make no sense in-process (outputs, dependency files, -c) or that Clang does not know (a
// gcc-only -W or -f) are dropped, each with the reason, so a caller can say it once.
// No LLVM header is reachable from here: the CLI uses it.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace hotcc::frontend {

struct DroppedFlag {
  std::string flag;    // as given, with its value ("-o lua.o")
  std::string reason;  // why it has no effect here
};

struct SortedFlags {
  std::vector<std::string> compile;      // passed to Clang on every compile of every file
  std::vector<std::string> libraries;    // -lNAME → NAME, to load before the program's code
  std::vector<std::string> libraryDirs;  // -LDIR → DIR, where those are searched first
  std::vector<std::string> rest;         // everything else, in order: files, the caller's options
  std::vector<DroppedFlag> dropped;
};

// An option of the caller's own (hotcc's CLI): it keeps these, with their value when `takesValue`.
struct CallerOption {
  std::string spelling;  // "-p", "--watch", "-I"
  bool takesValue = false;
};

// Whether Clang compiles `path` as a C or C++ (or Objective-C) source by its extension: a program's
// file, not a header or a script.
bool isSourceFile(const std::string &path);

// Sorts `args` (no program name). Arguments after "--" are left to the caller untouched.
SortedFlags sortCompilerFlags(const std::vector<std::string> &args,
                              const std::vector<CallerOption> &callerOptions = {});

} // namespace hotcc::frontend
