#include "hotcc/serve/live_build.hpp"

#include "child_process.hpp"

#include "hotcc/frontend/outcome_error.hpp"
#include "hotcc/support.hpp"
#include "hotcc/wasm/build_state.hpp"
#include "hotcc/wasm/wasm_builder.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace hotcc::serve {

namespace fs = std::filesystem;

namespace {

// This run's build state: the main module's slots, which each patch diffs against.
std::string statePathIn(const std::string &workDir) {
  return (fs::path(workDir) / "state.json").string();
}

// Debian's emscripten runs on python; EMSDK_PYTHON picks Debian's own interpreter, so a shim on
// PATH (pyenv) does not add its start-up to every em++ run.
std::vector<std::string> emscriptenEnvironment() {
  if (std::getenv("EMSDK_PYTHON") || !fs::exists("/usr/bin/python3"))
    return {};
  return {"EMSDK_PYTHON=/usr/bin/python3"};
}

// hotcc's runtime for the page, compiled as C (position-independent, as a MAIN_MODULE's code is):
// it applies patches (hotcc_wasm_runtime.c) and draws on the canvas (hotcc_web.c).
std::vector<std::string> runtimeCompile() {
  const std::string runtime = HOTCC_WASM_RUNTIME_DIR;
  return {"emcc", "-c", "-O2", "-fPIC", "-I" + runtime + "/include",
          runtime + "/hotcc_wasm_runtime.c", runtime + "/hotcc_web.c"};
}

// The em++ link of the main module: MAIN_MODULE=1 exports all of libc and libc++, so a patch may
// call any of it.
std::vector<std::string> mainModuleLink() {
  return {"em++",
          "-O1",
          "-sMAIN_MODULE=1",
          "-sWASM_BIGINT",
          "-sALLOW_MEMORY_GROWTH=1",
          "-sEXIT_RUNTIME=0",
          "-sEXPORTED_RUNTIME_METHODS=FS,ccall,cwrap,UTF8ToString",
          "hot.o",
          "hotcc_wasm_runtime.o",
          "hotcc_web.o",
          "-o",
          "app.js"};
}

} // namespace

struct LiveBuild::Impl {
  LiveBuildOptions options;
  std::unique_ptr<wasm::WasmBuilder> builder;
  unsigned generation = 0;
  unsigned patches = 0;


  Result<MainModule> buildMainModule() {
    auto started = std::chrono::steady_clock::now();
    MainModule module;
    module.generation = ++generation;
    fs::path dir = fs::path(options.workDir) / ("main-" + std::to_string(module.generation));
    std::error_code error;
    fs::create_directories(dir, error);
    if (error)
      return failure::SetupError{dir.string(), "cannot create it: " + error.message()};
    auto built = builder->buildMain(options.files, (dir / "hot.o").string());
    if (!built)
      return frontend::toFailure(built.takeError());
    module.slots = built->slots;
    module.warnings = built->warnings;
    module.hotObjectMs = built->ms;
    auto linkStarted = std::chrono::steady_clock::now();
    for (auto &step : {runtimeCompile(), mainModuleLink()}) {
      auto run = runChild(step, dir.string(), emscriptenEnvironment());
      if (!run.started)
        return failure::SetupError{step[0], "not found: hotcc serve links the page's main module "
                                            "with Debian's emscripten (tools/bootstrap.sh "
                                            "installs it)"};
      if (run.exitCode != 0)
        return failure::LinkError{options.files, step[0] + " could not build the main module (it " +
                                                     howItEnded(run) + ")" +
                                                     (run.output.empty() ? "" : ":\n" + run.output)};
    }
    module.linkMs = msSince(linkStarted);
    auto javascript = readWholeFile((dir / "app.js").string());
    auto wasmBytes = readWholeFile((dir / "app.wasm").string());
    if (!javascript || !wasmBytes)
      return failure::LinkError{options.files, "em++ wrote no app.js/app.wasm in " + dir.string()};
    module.javascript = std::move(*javascript);
    module.wasm = std::move(*wasmBytes);
    patches = 0;
    module.totalMs = msSince(started);
    return module;
  }

  Result<Patch> buildPatch() {
    fs::path output = fs::path(options.workDir) / ("patch-" + std::to_string(patches + 1) + ".wasm");
    auto built = builder->buildPatch(options.files, output.string());
    if (!built)
      return frontend::toFailure(built.takeError());
    Patch patch;
    patch.id = built->manifest.id;
    patch.functions = built->changed;
    patch.warnings = built->warnings;
    patch.cacheHit = built->cacheHit;
    patch.compileMs = built->compileMs;
    patch.linkMs = built->linkMs;
    patch.totalMs = built->totalMs;
    if (patch.functions.empty())
      return patch;
    auto bytes = readWholeFile(output.string());
    if (!bytes)
      return failure::SetupError{output.string(), "the patch just written cannot be read"};
    patch.bytes = std::move(*bytes);
    ++patches;
    return patch;
  }
};

Result<std::unique_ptr<LiveBuild>> LiveBuild::create(LiveBuildOptions options) {
  wasm::WasmOptions wasmOptions;
  wasmOptions.target = wasm::WasmTarget::Emscripten;
  wasmOptions.optLevel = options.optLevel;
  wasmOptions.includeDirs = options.includeDirs;
  wasmOptions.defines = options.defines;
  wasmOptions.languageStandard = options.languageStandard;
  wasmOptions.extraArgs = options.extraArgs;
  wasmOptions.compileDatabaseDir = options.compileDatabaseDir;
  wasmOptions.cacheDir = options.cacheDir;
  wasmOptions.statePath = statePathIn(options.workDir);
  wasmOptions.reuseAcrossBuilds = true;  // a long-lived builder: keep Clang's preambles
  auto builder = wasm::WasmBuilder::create(wasmOptions);
  if (!builder)
    return frontend::toFailure(builder.takeError());
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->builder = std::move(*builder);
  return std::unique_ptr<LiveBuild>(new LiveBuild(std::move(impl)));
}

LiveBuild::LiveBuild(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveBuild::~LiveBuild() = default;

Result<MainModule> LiveBuild::buildMainModule() { return impl_->buildMainModule(); }
Result<Patch> LiveBuild::buildPatch() { return impl_->buildPatch(); }

std::vector<std::string> LiveBuild::dependencies() const {
  auto state = wasm::BuildState::load(statePathIn(impl_->options.workDir));
  if (!state) {
    llvm::consumeError(state.takeError());
    return impl_->options.files;
  }
  return state->dependencies.empty() ? impl_->options.files : state->dependencies;
}

} // namespace hotcc::serve
