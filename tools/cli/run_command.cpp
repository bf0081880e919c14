#include "run_command.hpp"

#include "file_watcher.hpp"
#include "program_launcher.hpp"
#include "hotcc/render_json.hpp"
#include "hotcc/support.hpp"
#include "hotcc/thread_registry.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include <pthread.h>
#include <unistd.h>

namespace hotcc::cli {

namespace {
Engine *engineForExit = nullptr;
std::optional<ProgramLauncher> launcherForExit;  // removed at exit, even when main calls exit()

// The stem of the file that defines main ("lua" for lua.c): what the program is called.
std::string programName(Engine &engine, const std::string &fallback) {
  auto main = engine.registry().find("main");
  std::string file = main ? main->location.substr(0, main->location.rfind(':')) : fallback;
  auto stem = std::filesystem::path(file).stem().string();
  return stem.empty() ? "program" : stem;
}

} // namespace

// Runs the program's main on its own thread with a main-sized stack, so the watcher keeps the
// process's main thread.
struct ProgramThread {
  Engine *engine;
  std::vector<char *> argv;
  std::atomic<bool> finished{false};
  int exitCode = 0;
  std::optional<Failure> failure;

  static void *entry(void *self) {
    // Scanned to its exact stack bounds by reclamation (every thread is stopped and scanned).
    ThreadRegistration registration;
    auto *p = static_cast<ProgramThread *>(self);
    auto result = p->engine->runMain(static_cast<int>(p->argv.size()) - 1, p->argv.data());
    if (result) {
      p->exitCode = *result;
    } else {
      p->failure = result.failure();
      p->exitCode = 1;
    }
    p->finished = true;
    return nullptr;
  }
};

void RunCommand::addTo(CLI::App &app) {
  auto *cmd = app.add_subcommand("run", "JIT-run a program's main(); with --watch, patch edits live");
  flags.addTo(*cmd);
  cmd->add_option("files", files, "source files of the program")->required();
  cmd->add_flag("--watch,-w", watch, "reload the files when they are saved, while main runs");
  cmd->add_flag("--accept-layout-changes", acceptLayoutChanges,
                "let a struct's layout change while live code uses it (objects made before keep "
                "the old layout)");
  cmd->add_flag("--no-reclaim", noReclaim,
                "keep the code of every old version mapped (default: freed once no thread is in "
                "it)");
  cmd->add_option("--argv0", argv0,
                  "argv[0] for the program (default: a launcher named like the program that "
                  "runs it again under hotcc)");
  cmd->callback([this] { std::exit(execute()); });
}

// `hotcc run` again, for the launcher: the same files and flags with every path made absolute
// (the program may run it from another directory), quiet, without --watch.
std::vector<std::string> RunCommand::rerunCommand() const {
  // The program's argv[0] is the path it was run by, as a normal build's would be.
  std::vector<std::string> command = {currentExecutable(), "run", "--quiet", "--argv0",
                                      ProgramLauncher::kSelf};
  for (auto &dir : flags.includeDirs)
    command.push_back("-I" + absolutePath(dir));
  for (auto &define : flags.defines)
    command.push_back("-D" + define);
  if (!flags.languageStandard.empty())
    command.push_back("-std=" + flags.languageStandard);
  command.push_back("-O" + std::to_string(flags.optLevel));
  if (!flags.buildDir.empty())
    command.insert(command.end(), {"-p", absolutePath(flags.buildDir)});
  std::error_code ec;
  command.insert(command.end(), {"-working-directory", std::filesystem::current_path(ec).string()});
  command.insert(command.end(), flags.compiler.compile.begin(), flags.compiler.compile.end());
  for (auto &dir : flags.compiler.libraryDirs)
    command.push_back("-L" + absolutePath(dir));
  for (auto &library : flags.compiler.libraries)
    command.push_back("-l" + library);
  for (auto &file : files)
    command.push_back(absolutePath(file));
  command.push_back("--");
  return command;
}

// Crashes in hot code: without --watch the report, then the process dies as the crash would
// have killed it; under --watch the program survives and the watcher reports each crash.
static void handleCrashes(Engine &engine, OutcomeOutput &output, bool watch) {
  if (watch) {
    engine.handleCrashes(CrashResponse::Survive);
    return;
  }
  engine.handleCrashes(CrashResponse::Die, [&output](const failure::Crash &crash) {
    auto named = crash;
    named.during = "main";
    output.failure(named);
  });
}

// The crashes the program survived since the last call, each as a failure.
static void reportCrashes(Engine &engine, OutcomeOutput &output) {
  while (auto crash = engine.takeCrash()) {
    crash->during = "main";
    output.failure(*crash);
  }
}

// The program's end as an event: its exit status, or why it could not run.
static void reportExit(OutcomeOutput &output, const ProgramThread &program) {
  if (program.failure) {
    output.failure(*program.failure);  // main never ran: no exit event
    return;
  }
  auto exit = render::jsonEvent("exit");
  exit["code"] = program.exitCode;
  output.event(render::jsonLine(exit));
}

// A program that calls exit() still gets its static destructors run, before the JIT goes away.
struct ExitHook {
  explicit ExitHook(Engine *e) {
    engineForExit = e;
    static bool registered = false;
    if (!registered)
      std::atexit([] {
        if (engineForExit)
          engineForExit->shutdown();
        launcherForExit.reset();
      });
    registered = true;
  }
  ~ExitHook() { engineForExit = nullptr; }
};

int RunCommand::execute() {
  OutcomeOutput output(flags.outputSettings());
  if (output.json())
    JsonEvents::claimStdout();
  for (auto &file : files) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
      return output.fail(failure::SetupError{file, "is a directory, not a source file"}, 2);
    if (!frontend::isSourceFile(file)) {
      output.failure(failure::SetupError{
          file, "not a C or C++ source file; the program's own arguments go after '--' (hotcc "
                "run FILE... -- ARGS)"});
      return 2;
    }
  }
  auto engine = loadProgram(output);
  if (!engine)
    return 1;
  ExitHook exitHook(engine.get());
  handleCrashes(*engine, output, watch);
  std::vector<std::string> argStorage = programArguments(*engine);
  ProgramThread program;
  program.engine = engine.get();
  for (auto &a : argStorage)
    program.argv.push_back(a.data());
  program.argv.push_back(nullptr);

  if (watch && !runWatching(*engine, program, output))
    return 1;
  if (!watch)
    ProgramThread::entry(&program);
  std::fflush(stdout);
  reportExit(output, program);
  engine->shutdown();
  return program.exitCode;
}

std::unique_ptr<Engine> RunCommand::loadProgram(OutcomeOutput &output) {
  flags.applyLogLevel(spdlog::level::warn);
  flags.noteDroppedFlags(output);
  auto options = flags.engineOptions();
  options.acceptLayoutChanges = acceptLayoutChanges;
  options.preparesReloads = watch;  // without --watch the program runs once
  // Retired versions are freed once no thread of the process is in them: every thread is stopped
  // and scanned, whoever started it (see hotcc/thread_registry.hpp for why that is safe).
  options.reclaimRetiredCode = !noReclaim;
  auto created = Engine::create(options);
  if (!created) {
    output.failure(created.failure());
    return nullptr;
  }
  auto engine = std::move(*created);
  std::vector<std::string> named;  // files the failures name: saving one may fix the program
  if (addAll(*engine, output, named))
    return engine;
  if (!watch || !waitForGoodSave(*engine, output, named))
    return nullptr;
  return engine;
}

// Loads every file; false when one fails, with the files its failures name in `named`.
bool RunCommand::addAll(Engine &engine, OutcomeOutput &output, std::vector<std::string> &named) {
  bool loaded = true;
  for (auto &report : engine.addFiles(files)) {
    output.firstLoad(report);
    loaded = loaded && report.ok;
    for (auto &f : report.failures)
      if (auto *compile = std::get_if<failure::CompileError>(&f))
        for (auto &d : compile->diagnostics)
          if (!d.where.file.empty())
            named.push_back(absolutePath(d.where.file));
  }
  return loaded;
}

// Under --watch a program that does not compile yet is not an end: the files are watched until
// a save makes it compile, and then it starts (a watcher is often started on a half-written file).
bool RunCommand::waitForGoodSave(Engine &engine, OutcomeOutput &output,
                                 std::vector<std::string> named) {
  FileWatcher watcher;
  if (!watcher.ok()) {
    output.failure(failure::SetupError{"inotify", std::strerror(errno)});
    return false;
  }
  for (;;) {
    for (auto &file : files)
      named.push_back(absolutePath(file));
    watcher.watch(named);
    if (!flags.quiet && !output.json())
      std::fprintf(stderr, "hotcc: waiting for a save that compiles (watching %zu files)\n",
                   std::set<std::string>(named.begin(), named.end()).size());
    while (watcher.wait(std::chrono::milliseconds(200)).empty()) {
    }
    named.clear();
    if (addAll(engine, output, named))
      return true;
  }
}

// argv for main: argv[0] is a launcher named like the program, which runs it again the same way.
std::vector<std::string> RunCommand::programArguments(Engine &engine) {
  if (argv0.empty()) {
    auto name = programName(engine, files.front());
    if (auto launcher = ProgramLauncher::create(name, rerunCommand()))
      launcherForExit.emplace(std::move(*launcher));
    argv0 = launcherForExit ? launcherForExit->path() : name;
  }
  std::vector<std::string> arguments = {argv0};
  arguments.insert(arguments.end(), programArgs.begin(), programArgs.end());
  return arguments;
}

// Runs main on its own thread and reloads what is saved until main returns. False when the
// watcher or the thread cannot start.
bool RunCommand::runWatching(Engine &engine, ProgramThread &program, OutcomeOutput &output) {
  // Output of a live program should appear as it happens, even through a pipe.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  FileWatcher watcher;
  if (!watcher.ok()) {
    output.failure(failure::SetupError{"inotify", std::strerror(errno)});
    return false;
  }
  watcher.watch(engine.watchedFiles());

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 8u << 20);
  pthread_t thread;
  int started = pthread_create(&thread, &attr, &ProgramThread::entry, &program);
  pthread_attr_destroy(&attr);
  if (started != 0) {
    output.failure(failure::SetupError{"the program's thread", std::strerror(started)});
    return false;
  }
  while (!program.finished) {
    auto changed = watcher.wait(std::chrono::milliseconds(50));
    reportCrashes(engine, output);
    if (changed.empty())
      continue;
    for (auto &path : changed)
      spdlog::debug("changed: {}", path);
    for (auto &report : engine.reloadChanged())
      output.reload(report);
    output.versions(engine.registry().versionStats());
    watcher.watch(engine.watchedFiles());
  }
  pthread_join(thread, nullptr);
  reportCrashes(engine, output);
  output.versions(engine.registry().versionStats());
  return true;
}

} // namespace hotcc::cli
