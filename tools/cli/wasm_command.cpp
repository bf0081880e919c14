#include "hotcc/cache_dir.hpp"
#include "wasm_command.hpp"

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

std::string errorText(llvm::Error error) {
  std::string text = llvm::toString(std::move(error));
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
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
  if (mainObject && plain) {
    std::fprintf(stderr, "hotcc: error: --main and --plain do not go together\n");
    return 2;
  }
  auto parsedTarget = wasm::parseTarget(target);
  if (!parsedTarget) {
    std::fprintf(stderr, "hotcc: error: unknown target '%s' (wasm32-unknown-emscripten or "
                         "wasm32-wasi)\n", target.c_str());
    return 2;
  }
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
  flags.noteDroppedFlags();
  if (!flags.compiler.libraries.empty() && !flags.quiet)
    std::fprintf(stderr, "hotcc: note: ignoring -l flags: a side module's imports are resolved "
                         "by the page's main module\n");
  auto builder = wasm::WasmBuilder::create(options);
  if (!builder) {
    std::fprintf(stderr, "%s\n", errorText(builder.takeError()).c_str());
    return 1;
  }

  if (mainObject) {
    auto built = (*builder)->buildMain(files, output);
    if (!built) {
      std::fprintf(stderr, "%s\n", errorText(built.takeError()).c_str());
      return 1;
    }
    if (!flags.quiet) {
      std::printf("%s: %zu hot functions behind slots, %zu data symbols exported · %.1f ms\n",
                  output.c_str(), built->slots, built->exportedData.size(), built->ms);
      if (flags.verbose()) {
        std::printf("  slots: %s\n", joined(built->slotNames).c_str());
        std::printf("  state: %s\n", built->statePath.c_str());
      }
    }
    return 0;
  }

  auto built = plain ? (*builder)->buildPlainSideModule(files, output)
                     : (*builder)->buildPatch(files, output);
  if (!built) {
    std::fprintf(stderr, "%s\n", errorText(built.takeError()).c_str());
    return 1;
  }
  if (!built->warnings.empty())
    std::fputs(built->warnings.c_str(), stderr);
  if (flags.quiet)
    return 0;
  if (plain) {
    std::printf("%s: side module · %.1f ms (compile %.1f, link %.1f)\n", output.c_str(),
                built->totalMs, built->compileMs, built->linkMs);
    return 0;
  }
  std::string what = built->changed.empty()
                         ? std::string("no function changed")
                         : std::to_string(built->changed.size()) +
                               (built->changed.size() == 1 ? " function" : " functions") + " (" +
                               joined(built->changed) + ")";
  if (built->cacheHit)
    std::printf("%s: patch %s, %s · %.2f ms from the cache\n", output.c_str(),
                built->manifest.id.c_str(), what.c_str(), built->totalMs);
  else
    std::printf("%s: patch %s, %s · %.1f ms (compile %.1f, link %.1f)\n", output.c_str(),
                built->manifest.id.c_str(), what.c_str(), built->totalMs, built->compileMs,
                built->linkMs);
  if (flags.verbose()) {
    std::printf("  the main module must export: %s\n",
                built->imports.empty() ? "nothing beyond what --main exported"
                                       : joined(built->imports).c_str());
    std::printf("  state: %s\n", built->statePath.c_str());
  }
  return 0;
}

} // namespace hotcc::cli
