// hotcc::Engine — the native hot-reload engine a host embeds. Files are compiled in-process by
// Clang, JIT-linked by ORC, and every function defined in them is reached through a stub whose
// address never changes; a reload compiles only the functions whose body changed and repoints
// their stubs. Every outcome is a value (hotcc/outcome.hpp); nothing here prints. No LLVM header
// is reachable from here.
//
// This is the core a host needs. Session clients (a REPL, a test runner) get more through
// session() — see hotcc/engine_session.hpp.
#pragma once
#include "hotcc/crash_handler.hpp"
#include "hotcc/registry.hpp"
#include "hotcc/reload_report.hpp"
#include "hotcc/result.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <string>
#include <vector>

namespace hotcc {

class SessionExtension;

struct EngineOptions {
  std::vector<std::string> includeDirs;  // -I
  std::vector<std::string> defines;      // -D NAME[=V]
  std::string languageStandard;          // -std=...
  int optLevel = 0;                      // -O0..-O3
  std::vector<std::string> extraArgs;    // any other compiler flags
  std::vector<std::string> libraries;    // -lNAME: loaded before any code, as a link would
  std::vector<std::string> libraryDirs;  // -L: searched first for them
  std::string compileDatabaseDir;        // -p: take flags per file from compile_commands.json
  bool usePreamble = true;               // cache each file's leading #includes as a PCH in memory
  // A record whose layout live code used may change anyway (objects made before keep the old
  // layout: convert them in a Registry::onLayoutChange hook). Default: such a change is refused.
  bool acceptLayoutChanges = false;
  // Reloads will follow (a watcher, a REPL): after a file's first load, what makes its reloads
  // quick (its preamble) is built on a background thread. false: the program runs once; the
  // first load is all the compiling there is.
  bool preparesReloads = true;
  // Frees a reload's code once none of its bodies is current and no thread is in it or returns
  // into it: every thread of the process is stopped and scanned (hotcc/thread_registry.hpp,
  // README "Reclamation"). Opt-in for hosts: the scan sends every thread a real-time signal
  // (SIGRTMAX-3), which a host may use itself, and cannot see stacks a program switches away
  // from (fibers). `hotcc run` turns it on.
  bool reclaimRetiredCode = false;
  unsigned reclaimEveryReloads = 16;  // a background pass after this many reloads
};

class Engine {
public:
  // Creates the JIT in this process and loads the -l libraries.
  static Result<std::unique_ptr<Engine>> create(EngineOptions options);
  ~Engine();
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  // Compiles and links a file; its functions become hot symbols. Globals are created and their
  // constructors run.
  ReloadReport addFile(const std::string &path);
  // Adds several files as one program: they are linked together, so each may use the others'
  // functions and globals. One report per file.
  std::vector<ReloadReport> addFiles(const std::vector<std::string> &paths);
  // Recompiles a file the engine has (or any file that includes it) and makes changed bodies live.
  ReloadReport reloadFile(const std::string &path);
  // The files (as the engine knows them: absolute) whose text or headers changed since their last
  // compile; what reloadChanged() would recompile.
  std::vector<std::string> staleFiles();
  // Recompiles every file whose text or headers changed since its last successful compile.
  std::vector<ReloadReport> reloadChanged();

  // Stable address of a hot function (its stub) by link name or qualified name; for a global, the
  // address of its storage. Null when unknown.
  void *lookup(const std::string &name);
  template <typename Fn> Fn *lookupFunction(const std::string &name) {
    return reinterpret_cast<Fn *>(lookup(name));
  }

  // Points a function back at its previous version.
  Status rollback(const std::string &name);

  // Lets the layout of one record (by name, e.g. "struct Obj") change although live code used it;
  // see EngineOptions::acceptLayoutChanges.
  void acceptLayoutChange(const std::string &typeName);

  // Loads a shared library into the process; hot code may then call what it exports.
  Status loadLibrary(const std::string &path);

  // Calls main(argc, argv) of the hot code; its return value.
  Result<int> runMain(int argc, char **argv);

  // Crashes in hot code outside guarded calls (see hotcc/crash_handler.hpp), process-wide:
  // - CrashResponse::Die: `report` gets the named crash on the crashing thread (after its stdout
  //   and stderr are flushed), then the process dies as the signal would (128 + signal).
  // - CrashResponse::Survive: the reload that made the crashing body live is rolled back, the
  //   faulting call returns 0 to its caller (or runMain's thread starts main again), and
  //   takeCrash() hands the crash over. `report` is not called.
  void handleCrashes(CrashResponse response,
                     std::function<void(const failure::Crash &)> report = {});
  // The next crash the process survived, named; nullopt when none.
  std::optional<failure::Crash> takeCrash();
  // A crash as the handler recorded it (addresses) as a typed failure: frames named through the
  // JIT's code map and the registry (hot code) or the dynamic linker (the host's).
  failure::Crash describeCrash(const CrashRecord &record);

  // Calls hot code the way cr.h's update call does: a crash (a signal, abort(), an exception)
  // comes back as a failure::Crash, and the reload that made the crashing function live is rolled
  // back, instead of the process dying. `called`: the function called, named when an exception
  // leaves no frame to name. A signal jumps out of the call, skipping its destructors.
  Status guarded(const std::function<void()> &call, const void *called = nullptr);
  template <typename R, typename... A>
  std::conditional_t<std::is_void_v<R>, Status, Result<R>> guardedCall(R (*fn)(A...), std::type_identity_t<A>... args) {
    if constexpr (std::is_void_v<R>) {
      return guarded([&] { fn(args...); }, reinterpret_cast<const void *>(fn));
    } else {
      R result{};
      if (auto status = guarded([&] { result = fn(args...); }, reinterpret_cast<const void *>(fn));
          !status)
        return status.failure();
      return result;
    }
  }

  // Runs the destructors hot code registered (static objects); called by the destructor too.
  void shutdown();

  Registry &registry();
  // One reclamation pass now, on this thread (the background one runs after reloads). Scans this
  // thread's stack too. Returns the registry's version stats after it. Works without
  // reclaimRetiredCode.
  VersionStats reclaimRetiredCode();
  std::uint64_t version() const;
  // Every user file the engine's code was compiled from, headers included.
  std::vector<std::string> watchedFiles() const;
  std::vector<std::string> files() const;
  const EngineOptions &options() const;

  // What session clients need beyond the core (hotcc/engine_session.hpp).
  SessionExtension &session();

  struct Impl;

private:
  Engine();
  friend class SessionExtension;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<SessionExtension> session_;
};

} // namespace hotcc
