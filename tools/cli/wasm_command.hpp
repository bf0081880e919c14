// `hotcc wasm`: C/C++ → wasm32 side modules in-process (patches for a running emscripten main
// module), or the main module's hot object with its slot table (--main).
#pragma once
#include "common_flags.hpp"

namespace hotcc::cli {

struct WasmCommand {
  CommonFlags flags;
  std::vector<std::string> files;
  std::string output;
  std::string target = "wasm32-unknown-emscripten";
  std::string sysroot;
  std::string statePath;
  std::string cacheDir;
  bool mainObject = false;
  bool plain = false;
  bool noCache = false;
  CLI::App *command = nullptr;

  void addTo(CLI::App &app);
  int execute();
};

} // namespace hotcc::cli
