// `hotcc serve`: builds a C/C++ program for the browser once, serves it, and pushes each saved
// edit as a patch to the open pages while they keep running (tools/serve).
#pragma once
#include "common_flags.hpp"

namespace hotcc::cli {

struct ServeCommand {
  CommonFlags flags;
  std::vector<std::string> files;
  int port = 8080;
  std::string host = "127.0.0.1";
  std::string shell;
  std::string tokenFile;
  std::string cacheDir;
  CLI::App *command = nullptr;

  void addTo(CLI::App &app);
  int execute();
};

} // namespace hotcc::cli
