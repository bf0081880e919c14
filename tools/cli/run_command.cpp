#include "run_command.hpp"

#include "file_watcher.hpp"
#include "reload_status.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <filesystem>

#include <pthread.h>
#include <unistd.h>

namespace hotcc::cli {

namespace {
Engine *engineForExit = nullptr;

// Runs the program's main on its own thread with a main-sized stack, so the watcher keeps the
// process's main thread.
struct ProgramThread {
  Engine *engine;
  std::vector<char *> argv;
  std::atomic<bool> finished{false};
  int exitCode = 0;
  std::string error;

  static void *entry(void *self) {
    auto *p = static_cast<ProgramThread *>(self);
    auto status = p->engine->runMain(static_cast<int>(p->argv.size()) - 1, p->argv.data(),
                                     p->exitCode);
    if (!status) {
      p->error = status.message();
      p->exitCode = 1;
    }
    p->finished = true;
    return nullptr;
  }
};
} // namespace

void RunCommand::addTo(CLI::App &app) {
  auto *cmd = app.add_subcommand("run", "JIT-run a program's main(); with --watch, patch edits live");
  flags.addTo(*cmd);
  cmd->add_option("files", files, "source files of the program")->required();
  cmd->add_flag("--watch,-w", watch, "reload the files when they are saved, while main runs");
  cmd->callback([this] { std::exit(execute()); });
}

int RunCommand::execute() {
  const bool colour = isatty(STDERR_FILENO);
  if (flags.verbose)
    spdlog::set_level(spdlog::level::debug);
  std::string error;
  auto engine = Engine::create(flags.engineOptions(colour), error);
  if (!engine) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  bool loaded = true;
  for (auto &report : engine->addFiles(files)) {
    if (!report.ok) {
      std::fputs(report.error.c_str(), stderr);
      loaded = false;
      continue;
    }
    for (auto &note : report.notes)
      if (!flags.quiet)
        std::fputs(note.c_str(), stderr);
    if (flags.verbose)
      std::fputs(statusLine(report, true).c_str(), stderr);
  }
  if (!loaded)
    return 1;

  // A program that calls exit() still gets its static destructors run, before the JIT goes away.
  struct ExitHook {
    explicit ExitHook(Engine *e) {
      engineForExit = e;
      static bool registered = false;
      if (!registered)
        std::atexit([] {
          if (engineForExit)
            engineForExit->shutdown();
        });
      registered = true;
    }
    ~ExitHook() { engineForExit = nullptr; }
  } exitHook(engine.get());

  std::vector<std::string> argStorage;
  argStorage.push_back(files.front());
  argStorage.insert(argStorage.end(), programArgs.begin(), programArgs.end());
  ProgramThread program;
  program.engine = engine.get();
  for (auto &a : argStorage)
    program.argv.push_back(a.data());
  program.argv.push_back(nullptr);

  if (!watch) {
    ProgramThread::entry(&program);
    if (!program.error.empty())
      std::fprintf(stderr, "%s\n", program.error.c_str());
    std::fflush(stdout);
    engine->shutdown();
    return program.exitCode;
  }

  // Output of a live program should appear as it happens, even through a pipe.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  FileWatcher watcher;
  if (!watcher.ok()) {
    std::perror("hotcc: inotify");
    return 1;
  }
  watcher.watch(engine->watchedFiles());

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 8u << 20);
  pthread_t thread;
  if (pthread_create(&thread, &attr, &ProgramThread::entry, &program) != 0) {
    std::perror("hotcc: cannot start the program thread");
    return 1;
  }
  pthread_attr_destroy(&attr);

  while (!program.finished) {
    auto changed = watcher.wait(std::chrono::milliseconds(50));
    if (changed.empty())
      continue;
    for (auto &path : changed)
      spdlog::debug("changed: {}", path);
    for (auto &report : engine->reloadChanged())
      std::fputs(describeReload(report, flags.verbose, flags.quiet).c_str(), stderr);
    watcher.watch(engine->watchedFiles());
  }
  pthread_join(thread, nullptr);
  if (!program.error.empty())
    std::fprintf(stderr, "%s\n", program.error.c_str());
  std::fflush(stdout);
  engine->shutdown();
  return program.exitCode;
}

} // namespace hotcc::cli
