#include "hotcc/cache_dir.hpp"
#include "wasm_command.hpp"
#include "wasm_events.hpp"

#include "hotcc/frontend/outcome_error.hpp"
#include "hotcc/render.hpp"
#include "hotcc/wasm/wasm_builder.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace hotcc::cli {

namespace {

std::string joined(const std::vector<std::string> &items, const char *separator = ", ") {
  std::string out;
  for (auto &item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

// The patch may read the main module's data with another layout: said, not refused (the flags
// may differ in ways that do not matter, -DNDEBUG say). With --json the patch event says it.
Diagnostic flagsDifferWarning() {
  Diagnostic d;
  d.severity = Severity::Warning;
  d.message = "compiler flags differ from the main module's build; the patch may not match its "
              "data layout";
  return d;
}

Diagnostic ignoredLibrariesNote() {
  Diagnostic d;
  d.severity = Severity::Note;
  d.message = "ignoring -l flags: a side module's imports are resolved by the page's main module";
  return d;
}

int buildMain(wasm::WasmBuilder &builder, const std::vector<std::string> &files,
              const std::string &output, const CommonFlags &flags, OutcomeOutput &outcomes) {
  auto built = builder.buildMain(files, output);
  if (!built)
    return outcomes.fail(frontend::toFailure(built.takeError()));
  outcomes.warnings(built->warnings);
  if (outcomes.json()) {
    outcomes.event(jsonMainObject(*built));
    return 0;
  }
  if (flags.quiet)
    return 0;
  std::printf("%s: %zu hot functions behind slots, %zu data symbols exported · %.1f ms\n",
              output.c_str(), built->slots, built->exportedData.size(), built->ms);
  if (flags.verbose()) {
    std::printf("  slots: %s\n", joined(built->slotNames).c_str());
    std::printf("  state: %s\n", built->statePath.c_str());
  }
  return 0;
}

// What a patch replaces, for the status line: "1 function (f)".
std::string changedText(const wasm::PatchBuild &built) {
  if (built.changed.empty())
    return "no function changed";
  return std::to_string(built.changed.size()) +
         (built.changed.size() == 1 ? " function" : " functions") + " (" +
         joined(built.changed) + ")";
}

int buildSideModule(wasm::WasmBuilder &builder, const std::vector<std::string> &files,
                    const std::string &output, bool plain, const CommonFlags &flags,
                    OutcomeOutput &outcomes) {
  auto built = plain ? builder.buildPlainSideModule(files, output)
                     : builder.buildPatch(files, output);
  if (!built)
    return outcomes.fail(frontend::toFailure(built.takeError()));
  outcomes.warnings(built->warnings);
  if (outcomes.json()) {
    outcomes.event(plain ? jsonSideModule(*built) : jsonPatch(*built));
    return 0;
  }
  if (built->flagsDiffer)
    outcomes.warnings({flagsDifferWarning()});
  if (flags.quiet)
    return 0;
  if (plain) {
    std::printf("%s: side module · %.1f ms (compile %.1f, link %.1f)\n", output.c_str(),
                built->totalMs, built->compileMs, built->linkMs);
    return 0;
  }
  if (built->cacheHit)
    std::printf("%s: patch %s, %s · %.2f ms from the cache\n", output.c_str(),
                built->manifest.id.c_str(), changedText(*built).c_str(), built->totalMs);
  else
    std::printf("%s: patch %s, %s · %.1f ms (compile %.1f, link %.1f)\n", output.c_str(),
                built->manifest.id.c_str(), changedText(*built).c_str(), built->totalMs,
                built->compileMs, built->linkMs);
  if (flags.verbose()) {
    std::printf("  the main module must export: %s\n",
                built->imports.empty() ? "nothing beyond what --main exported"
                                       : joined(built->imports).c_str());
    std::printf("  state: %s\n", built->statePath.c_str());
  }
  return 0;
}

} // namespace

void WasmCommand::addTo(CLI::App &app) {
  command = app.add_subcommand(
      "wasm", "compile to a wasm32 side module in-process (a patch for a running main module)");
  flags.addTo(*command);
  command->add_option("files", files, "C or C++ source files")->required();
  command->add_option("-o", output, "output: the patch (.wasm), or with --main the object (.o)")
      ->required();
  command->add_flag("--main", mainObject,
                    "build the object the app links into its MAIN_MODULE: hot functions called "
                    "through slots; records the build state patches are diffed against");
  command->add_flag("--plain", plain, "a plain side module: no slots, no manifest, no state");
  command->add_option("--target", target, "wasm32-unknown-emscripten (default) or wasm32-wasi");
  command->add_option("--sysroot", sysroot, "headers to compile against (default: found)");
  command->add_option("--state", statePath,
                      "build state file (default: in the cache, keyed by target and files)");
  command->add_option("--cache-dir", cacheDir, "default $XDG_CACHE_HOME/hotcc");
  command->add_flag("--no-cache", noCache, "always compile; do not read or fill the patch cache");
  command->callback([this] { std::exit(execute()); });
}

int WasmCommand::execute() {
  flags.applyLogLevel(spdlog::level::warn);
  OutcomeOutput outcomes(flags.outputSettings());
  if (mainObject && plain)
    return outcomes.fail(failure::SetupError{"--main", "does not go together with --plain"}, 2);
  auto parsedTarget = wasm::parseTarget(target);
  if (!parsedTarget)
    return outcomes.fail(failure::SetupError{"--target " + target, "unknown target "
                                             "(wasm32-unknown-emscripten or wasm32-wasi)"},
                         2);
  wasm::WasmOptions options;
  options.target = *parsedTarget;
  options.sysroot = sysroot;
  options.optLevel = command->count("-O") ? flags.optLevel : 2;
  options.includeDirs = flags.includeDirs;
  options.defines = flags.defines;
  options.languageStandard = flags.languageStandard;
  options.cacheDir = cacheDir.empty() ? defaultCacheDir() : cacheDir;
  options.statePath = statePath;
  options.useCache = !noCache;
  options.compileDatabaseDir = flags.buildDir;
  options.extraArgs = flags.compiler.compile;
  flags.noteDroppedFlags(outcomes);
  if (!flags.compiler.libraries.empty() && !flags.quiet)
    outcomes.warnings({ignoredLibrariesNote()});
  auto builder = wasm::WasmBuilder::create(options);
  if (!builder)
    return outcomes.fail(frontend::toFailure(builder.takeError()));
  if (mainObject)
    return buildMain(**builder, files, output, flags, outcomes);
  return buildSideModule(**builder, files, output, plain, flags, outcomes);
}

} // namespace hotcc::cli
