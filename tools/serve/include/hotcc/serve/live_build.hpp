// What `hotcc serve` builds: the page's main module once (hotcc's --main object of the hot files,
// linked by Debian's em++ as an emscripten MAIN_MODULE with hotcc's wasm runtime), then, for each
// save, a patch built in-process by the wasm backend (no emcc on the patch path). Failures are
// typed (hotcc/outcome.hpp): a compile error, a change no patch can carry (PatchCannotApply),
// a main-module link that failed (LinkError), a missing tool (SetupError).
#pragma once
#include "hotcc/outcome.hpp"
#include "hotcc/result.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hotcc::serve {

struct LiveBuildOptions {
  std::vector<std::string> files;  // absolute paths; all hot
  std::vector<std::string> includeDirs, defines, extraArgs;
  std::string languageStandard;
  std::string compileDatabaseDir;
  int optLevel = 2;
  std::string cacheDir;  // hotcc's cache (patches by content, preambles)
  std::string workDir;   // this run's main modules and build state
};

struct MainModule {
  unsigned generation = 0;   // 1 for the first build, +1 for each full rebuild
  std::string javascript;    // emscripten's loader (app.js)
  std::string wasm;          // the main module (app.wasm)
  std::size_t slots = 0;
  std::vector<Diagnostic> warnings;
  double hotObjectMs = 0, linkMs = 0, totalMs = 0;
};

struct Patch {
  std::string id;
  std::string bytes;
  std::vector<std::string> functions;  // display names of what it replaces
  std::vector<Diagnostic> warnings;
  bool cacheHit = false;
  double compileMs = 0, linkMs = 0, totalMs = 0;
};

class LiveBuild {
public:
  static Result<std::unique_ptr<LiveBuild>> create(LiveBuildOptions options);
  ~LiveBuild();

  Result<MainModule> buildMainModule();
  // The functions changed since the main module and the patches before; an empty patch (no
  // function changed) has no bytes.
  Result<Patch> buildPatch();

  // The files the last build read (sources and the user headers they include): what to watch.
  std::vector<std::string> dependencies() const;

  struct Impl;

private:
  explicit LiveBuild(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc::serve
