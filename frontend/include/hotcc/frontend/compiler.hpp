// Clang in-process: a source file plus flags → CompiledUnit. One instance per engine; it caches the
// driver's expansion of the flags and a precompiled preamble per file, so a reload re-parses only
// what follows the file's leading #includes.
#pragma once
#include "hotcc/frontend/compiled_unit.hpp"
#include "hotcc/frontend/compiler_flags.hpp"
#include "hotcc/frontend/outcome_error.hpp"

#include <llvm/Support/Error.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hotcc::frontend {

struct CompileOptions {
  std::vector<std::string> includeDirs;  // -I
  std::vector<std::string> defines;      // -D NAME[=V]
  std::string languageStandard;          // -std=..., empty: the compiler's default
  int optLevel = 0;                      // -O0..-O3
  std::vector<std::string> extraArgs;    // passed to the driver as they are
  std::string targetTriple;              // empty: the host
  bool usePreamble = true;
  bool skipUnchangedBodies = true;       // see body_skipper.hpp
  bool identifierSafeNames = false;      // promoted statics named name$hc$tag, not name.hc.tag
  // The first compile of a file parses its headers as a compiler would instead of building the
  // preamble (a PCH costs more than one parse); prepareReload() builds it afterwards.
  bool deferPreamble = false;
};

// What one file gets beyond the compiler's options (a REPL session's file: its PCH, its own -I).
struct FileSettings {
  std::vector<std::string> extraArgs;  // after the compiler's own flags
  bool usePreamble = true;
  // Globals whose storage was replaced: every compile of the file defines and refers to them under
  // the new link name, so code compiled later uses the new storage.
  std::map<std::string, std::string> renamedGlobals;
};

// A precompiled header in the on-disk cache (see precompiledHeader()).
struct PrecompiledHeader {
  std::string path;
  bool built = false;  // false: found in the cache
  double ms = 0;
};

class Compiler {
public:
  explicit Compiler(CompileOptions options);
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  // Compiles `file` (C or C++ by its extension). `unitTag` makes the file's internal symbols unique
  // when they are promoted to the engine's shared namespace.
  // `allowSkipping` false: parse every body even if unchanged (see body_skipper.hpp).
  llvm::Expected<CompiledUnit> compile(const std::string &file, const std::string &unitTag,
                                       bool allowSkipping = true);

  // Compiles source text held in memory, named `virtualName` for diagnostics.
  llvm::Expected<CompiledUnit> compileText(const std::string &virtualName, const std::string &text,
                                           const std::string &unitTag);

  const CompileOptions &options() const;

  // Per-file flags and renames. A change makes the next compile of the file a full one, unless
  // `keepBodies` (the change only adds headers and earlier bodies may stay as compiled).
  void configureFile(const std::string &file, FileSettings settings, bool keepBodies = false);

  // The PCH of `headerText` (a C++ header, usually #include lines) compiled with this compiler's
  // flags plus `extraArgs`, from `cacheDir` when present; built and stored there when not (or
  // when `rebuild`). Keyed by the Clang version, the flags and the text; Clang itself checks the
  // headers' sizes and times when the PCH is used.
  llvm::Expected<PrecompiledHeader> precompiledHeader(const std::string &headerText,
                                                      const std::string &cacheDir,
                                                      const std::vector<std::string> &extraArgs,
                                                      bool rebuild = false);

  // Code completion: the names Clang offers at (line, column) of `text` (1-based), parsed as the
  // file `virtualName` with `file`'s settings. Filtered by the identifier that ends there.
  llvm::Expected<std::vector<std::string>> complete(const std::string &virtualName,
                                                    const std::string &text, unsigned line,
                                                    unsigned column,
                                                    const std::string &settingsOf = "");

  // The engine accepted the last compile of `file`: later compiles may skip the bodies it had.
  void commit(const std::string &file);

  // Builds what a first compile left for later (see CompileOptions::deferPreamble), so the next
  // compile of `file` is a reload's. Safe on another thread: it takes the file's lock.
  void prepareReload(const std::string &file);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The tag that makes a file's internal symbols unique in the engine's shared namespace: a hash of
// its absolute path, 8 hex digits.
std::string unitTagFor(const std::string &absolutePath);

// Flags for `file` taken from BUILD_DIR/compile_commands.json, sorted as sortCompilerFlags does:
// `compile` is what matters in-process (-I, -D, -std, -O, -f..., -isystem, ...).
llvm::Expected<SortedFlags> flagsFromCompileDatabase(const std::string &buildDir,
                                                     const std::string &file);

} // namespace hotcc::frontend
