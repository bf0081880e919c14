// The wasm backend's entry point: C/C++ files → a main-module object whose hot functions go
// through slots, or → a patch (side module + manifest) with just the functions that changed since
// the state the main module (and earlier patches) left. One builder can build many times; it keeps
// Clang's caches between builds.
//
// Failures leave as llvm::Errors carrying a typed hotcc::Failure (frontend::OutcomeError; take it
// with frontend::toFailure): CompileError, FileUnreadable, NotInProgram, PatchCannotApply,
// LinkError, SetupError, InternalError. Nothing here prints or words an outcome.
#pragma once
#include "hotcc/outcome.hpp"
#include "hotcc/wasm/patch_manifest.hpp"
#include "hotcc/wasm/wasm_target.hpp"

#include <llvm/Support/Error.h>

#include <memory>
#include <string>
#include <vector>

namespace hotcc::wasm {

struct WasmOptions {
  WasmTarget target = WasmTarget::Emscripten;
  std::string sysroot;  // empty: found (see targetSetup)
  int optLevel = 2;
  std::vector<std::string> includeDirs;
  std::vector<std::string> defines;
  std::string languageStandard;
  std::vector<std::string> extraArgs;
  std::string compileDatabaseDir;  // per-file flags from compile_commands.json (-p)
  std::string cacheDir;   // patches by content hash, and build states; required
  std::string statePath;  // empty: <cacheDir>/wasm/state/<hash of target and files>.json
  bool useCache = true;
  // Keep Clang's per-file preamble between builds (a long-lived builder: watch mode, benchmarks).
  bool reuseAcrossBuilds = false;
};

struct MainBuild {
  std::string output;
  std::string statePath;
  std::size_t slots = 0;
  std::vector<std::string> slotNames;     // display names
  std::vector<std::string> exportedData;  // data symbols the main module exports for patches
  std::vector<Diagnostic> warnings;       // the compiler's, in order
  double ms = 0;
};

struct PatchBuild {
  std::string output;
  std::string statePath;
  bool cacheHit = false;
  PatchManifest manifest;
  std::vector<std::string> changed;   // display names of the functions the patch replaces
  std::vector<std::string> imports;   // symbols the main module must export
  std::vector<Diagnostic> warnings;   // the compiler's, in order (none on a cache hit)
  bool flagsDiffer = false;  // the compiler flags are not the main module's: layouts may differ
  double compileMs = 0, linkMs = 0, totalMs = 0;
};

class WasmBuilder {
public:
  static llvm::Expected<std::unique_ptr<WasmBuilder>> create(WasmOptions options);
  ~WasmBuilder();

  // The object the app links into its MAIN_MODULE (with emcc), plus a fresh build state.
  llvm::Expected<MainBuild> buildMain(const std::vector<std::string> &files,
                                      const std::string &output);

  // A side module replacing the functions of `files` that changed since the build state.
  // Fails, saying what to run, when there is no state (no main build of these files).
  llvm::Expected<PatchBuild> buildPatch(const std::vector<std::string> &files,
                                        const std::string &output);

  // A plain side module of `files` (no slots, no manifest): `hotcc wasm --plain`.
  llvm::Expected<PatchBuild> buildPlainSideModule(const std::vector<std::string> &files,
                                                  const std::string &output);

  const TargetSetup &target() const;
  std::string statePathFor(const std::vector<std::string> &files) const;

private:
  struct Impl;
  explicit WasmBuilder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc::wasm
