// Clang in-process: a source file plus flags → CompiledUnit. One instance per engine; it caches the
// driver's expansion of the flags and a precompiled preamble per file, so a reload re-parses only
// what follows the file's leading #includes.
#pragma once
#include "hotcc/frontend/compiled_unit.hpp"

#include <llvm/Support/Error.h>

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
  bool colorDiagnostics = false;
  bool usePreamble = true;
  bool skipUnchangedBodies = true;       // see body_skipper.hpp
};

// A compile that failed: `rendered` holds clang's diagnostics as clang prints them.
class CompileError : public llvm::ErrorInfo<CompileError> {
public:
  static char ID;
  CompileError(std::string file, std::string rendered)
      : file_(std::move(file)), rendered_(std::move(rendered)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
  const std::string &rendered() const { return rendered_; }
  const std::string &file() const { return file_; }

private:
  std::string file_;
  std::string rendered_;
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

  // The engine accepted the last compile of `file`: later compiles may skip the bodies it had.
  void commit(const std::string &file);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Flags for `file` taken from BUILD_DIR/compile_commands.json, reduced to what matters in-process
// (-I, -D, -std, -O, -f..., -isystem, ...).
llvm::Expected<std::vector<std::string>> flagsFromCompileDatabase(const std::string &buildDir,
                                                                  const std::string &file);

} // namespace hotcc::frontend
