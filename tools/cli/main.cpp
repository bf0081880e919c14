// hotcc — make C and C++ live. One binary, one subcommand per use.
#include "common_flags.hpp"
#include "repl_command.hpp"
#include "run_command.hpp"
#include "serve_command.hpp"
#include "test_command.hpp"
#include "wasm_command.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

int main(int argc, char **argv) {
  // Everything after the first "--" belongs to the program hotcc runs.
  std::vector<std::string> programArgs;
  int ownArgc = argc;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--") == 0) {
      programArgs.assign(argv + i + 1, argv + argc);
      ownArgc = i;
      break;
    }

  spdlog::set_default_logger(spdlog::stderr_color_mt("hotcc"));
  spdlog::set_pattern("hotcc: %v");  // library code logs without a prefix; the CLI names itself
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"hotcc: edit C and C++ while it runs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hotcc 0.1.0 (LLVM " LLVM_VERSION_STRING_FOR_HOTCC ")");

  hotcc::cli::RunCommand run;
  run.programArgs = programArgs;
  run.addTo(app);

  hotcc::cli::ReplCommand repl;
  repl.addTo(app);

  hotcc::cli::WasmCommand wasm;
  wasm.addTo(app);

  hotcc::cli::TestCommand test;
  test.frameworkArgs = programArgs;
  test.addTo(app);

  hotcc::cli::ServeCommand serve;
  serve.addTo(app);

  // The subcommand's compiler flags go to it directly; its own parser sees only the rest.
  hotcc::cli::CommonFlags *subcommandFlags = nullptr;
  if (ownArgc > 1) {
    std::string name = argv[1];
    subcommandFlags = name == "run"    ? &run.flags
                      : name == "repl" ? &repl.flags
                      : name == "wasm" ? &wasm.flags
                      : name == "test" ? &test.flags
                      : name == "serve" ? &serve.flags
                                       : nullptr;
  }
  auto args = hotcc::cli::separateCompilerFlags(ownArgc, argv, app, subcommandFlags);
  std::vector<const char *> cargs;
  for (auto &a : args)
    cargs.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError &e) {
    // --help and --version are "errors" that exit 0; real usage errors exit 2, like other tools.
    if (e.get_exit_code() != 0 && std::find(args.begin(), args.end(), "--json") != args.end()) {
      // A machine reading events gets this one as an event too.
      hotcc::cli::OutcomeOutput({.json = true})
          .failure(hotcc::failure::SetupError{"the command line", e.what()});
      return 2;
    }
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}
