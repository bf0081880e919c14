#include "serve_command.hpp"

#include "file_watcher.hpp"
#include "serve_output.hpp"

#include "hotcc/cache_dir.hpp"
#include "hotcc/serve/dev_server.hpp"
#include "hotcc/serve/request_guard.hpp"
#include "hotcc/support.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace hotcc::cli {

namespace {

std::atomic<bool> stopRequested{false};

void onStopSignal(int) { stopRequested = true; }

void stopOnSignals() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string fileNames(const std::vector<std::string> &files) {
  std::string out;
  for (auto &file : files)
    out += (out.empty() ? "" : ", ") + std::filesystem::path(file).filename().string();
  return out;
}

// This run's main modules and build state: a fresh directory, so a run never applies patches
// against another run's (or another program's) state.
std::string freshWorkDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hotcc-serve-XXXXXX").string();
  return mkdtemp(pattern.data()) ? pattern : std::string();
}

// The pages' session cookie secret, kept in the cache (readable by the user alone) so that a
// restarted server accepts the pages still open: they reconnect, see a new build and reload onto
// it. The token in the printed address is new every run.
std::string persistentSessionSecret(const std::string &cacheDir) {
  auto file = std::filesystem::path(cacheDir) / "serve" / "session-secret";
  std::string token;
  if (std::ifstream in(file); in >> token && token.size() == 32)
    return token;
  token = serve::randomToken();
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    (void)!write(fd, token.data(), token.size());
    close(fd);
  }
  return token;
}

} // namespace

void ServeCommand::addTo(CLI::App &app) {
  command = app.add_subcommand(
      "serve", "dev server: build for the browser, watch, push each save as a patch to open pages");
  flags.addTo(*command);
  command->add_option("files", files, "C or C++ source files of the program (all hot)")->required();
  command->add_option("--port", port, "port to listen on (0: any free port)");
  command->add_option("--host", host, "address to listen on (default 127.0.0.1)");
  command->add_option("--shell", shell,
                      "your own page (emcc --shell-file conventions: {{{ SCRIPT }}}); files "
                      "beside it are served too");
  command->add_option("--open-token-file", tokenFile,
                      "also write the page's address (with its token) to this file");
  command->add_option("--cache-dir", cacheDir, "default $XDG_CACHE_HOME/hotcc");
  command->callback([this] { std::exit(execute()); });
}

int ServeCommand::execute() {
  flags.applyLogLevel(spdlog::level::warn);
  OutcomeOutput outcomes(flags.outputSettings());
  if (outcomes.json())
    JsonEvents::claimStdout();
  flags.noteDroppedFlags(outcomes);

  serve::DevServerOptions options;
  options.address = {host, port};
  options.shellPage = shell.empty() ? "" : absolutePath(shell);
  for (auto &file : files)
    options.build.files.push_back(absolutePath(file));
  options.build.includeDirs = flags.includeDirs;
  options.build.defines = flags.defines;
  options.build.languageStandard = flags.languageStandard;
  options.build.extraArgs = flags.compiler.compile;
  options.build.compileDatabaseDir = flags.buildDir;
  options.build.optLevel = command->count("-O") ? flags.optLevel : 2;
  options.build.cacheDir = cacheDir.empty() ? defaultCacheDir() : cacheDir;
  options.sessionSecret = persistentSessionSecret(options.build.cacheDir);
  options.build.workDir = freshWorkDir();
  if (options.build.workDir.empty())
    return outcomes.fail(failure::SetupError{"a temporary directory", "cannot create one"});

  ServeOutput output(outcomes, flags.verbose(), flags.quiet);
  stopOnSignals();
  auto server = serve::DevServer::start(options, [&](const serve::PageEvent &e) { output.page(e); });
  if (!server) {
    std::filesystem::remove_all(options.build.workDir);
    return outcomes.fail(server.failure());
  }
  output.started(**server, files.size(), fileNames(files));
  if (!tokenFile.empty())
    std::ofstream(tokenFile) << (*server)->pageUrl() << "\n";

  FileWatcher watcher;
  if (!watcher.ok())
    return outcomes.fail(failure::SetupError{"inotify", "cannot watch files"});
  watcher.watch((*server)->watchedFiles());
  while (!stopRequested) {
    // A finished save (close after write, rename) is taken 1 ms after its last event (see
    // FileWatcher::wait): every millisecond here is a millisecond before the page runs the edit.
    auto changed = watcher.wait(std::chrono::milliseconds(100));
    if (changed.empty())
      continue;
    output.save((*server)->rebuild(std::chrono::steady_clock::now(), changed));
    watcher.watch((*server)->watchedFiles());
  }
  server->reset();
  std::filesystem::remove_all(options.build.workDir);
  if (!outcomes.json() && !flags.quiet)
    std::fprintf(stderr, "hotcc: stopped serving\n");
  return 0;
}

} // namespace hotcc::cli
