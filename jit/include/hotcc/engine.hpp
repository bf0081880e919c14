// hotcc::Engine — the native hot-reload engine a host embeds. Files are compiled in-process by
// Clang, JIT-linked by ORC, and every function defined in them is reached through a stub whose
// address never changes; a reload compiles only the functions whose body changed and repoints
// their stubs. No LLVM header is reachable from here.
#pragma once
#include "hotcc/registry.hpp"
#include "hotcc/reload_report.hpp"
#include "hotcc/result.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hotcc {

struct EngineOptions {
  std::vector<std::string> includeDirs;  // -I
  std::vector<std::string> defines;      // -D NAME[=V]
  std::string languageStandard;          // -std=...
  int optLevel = 0;                      // -O0..-O3
  std::vector<std::string> extraArgs;    // any other compiler flags
  std::vector<std::string> libraries;    // -lNAME: loaded before any code, as a link would
  std::vector<std::string> libraryDirs;  // -L: searched first for them
  std::string compileDatabaseDir;        // -p: take flags per file from compile_commands.json
  bool colorDiagnostics = false;
  bool usePreamble = true;               // cache each file's leading #includes as a PCH in memory
  // No hot code runs while a reload happens (a REPL between inputs): a function's signature may
  // then change when every live caller is compiled again in the same reload.
  bool quiescent = false;
  // A record whose layout live code used may change anyway (objects made before keep the old
  // layout: convert them in a Registry::onLayoutChange hook). Default: such a change is refused.
  bool acceptLayoutChanges = false;
  // Reloads will follow (a watcher, a REPL): after a file's first load, what makes its reloads
  // quick (its preamble) is built on a background thread. false: the program runs once; the
  // first load is all the compiling there is.
  bool preparesReloads = true;
};

// Flags for one file beyond the engine's (a REPL session's PCH and search paths).
struct FileConfig {
  std::vector<std::string> extraArgs;
  bool usePreamble = true;
  // The new flags only add headers (a REPL's bigger PCH): bodies compiled before stay as they
  // were compiled, and later compiles may still skip them.
  bool onlyAddsHeaders = false;
};

struct ReloadRequest {
  // Globals defined in these files (presumed names, as #line sets them) that already have storage
  // get new storage, initialised afresh; code compiled from now on uses it. A REPL redefinition.
  std::vector<std::string> freshGlobalsFrom;
  // Non-empty: only live globals whose link name contains one of these get fresh storage (a test
  // framework's registration objects, which no function body refers to). They are chosen by where
  // they were defined, before one compile that may still skip unchanged bodies. Empty: chosen by
  // where the new compile defines them, then compiled again in full (a REPL redefinition names
  // its input anew with #line).
  std::vector<std::string> freshGlobalsNamed;
  bool fullCompile = false;  // parse every body, even unchanged ones
};

class Engine {
public:
  // Creates the JIT in this process; on failure returns null and sets `error`.
  static std::unique_ptr<Engine> create(EngineOptions options, std::string &error);
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
  ReloadReport reloadFile(const std::string &path, const ReloadRequest &request = {});
  // Sets per-file flags; the next compile of the file is a full one.
  void configureFile(const std::string &path, FileConfig config);
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

  Status rollback(const std::string &name);

  // Lets the layout of one record (by name, e.g. "struct Obj") change although live code used it;
  // see EngineOptions::acceptLayoutChanges.
  void acceptLayoutChange(const std::string &typeName);

  // Loads a shared library into the process; hot code may then call what it exports.
  Status loadLibrary(const std::string &path);

  // Loads a shared library whose exports hot code finds before the process's own (a test
  // framework hotcc built, in a host that links another copy of it).
  Status loadLibraryFirst(const std::string &path);
  // From now on hot code that refers to `linkName` calls `address` (a test adapter's registration
  // hook in place of the framework's). Bind before adding the files that use it.
  Status bindSymbol(const std::string &linkName, void *address);

  // Calls main(argc, argv) of the hot code. Fails when no file defines main.
  Status runMain(int argc, char **argv, int &exitCode);

  // Runs the destructors hot code registered (static objects); called by the destructor too.
  void shutdown();

  Registry &registry();
  std::uint64_t version() const;
  // Every user file the engine's code was compiled from, headers included.
  std::vector<std::string> watchedFiles() const;
  std::vector<std::string> files() const;
  const EngineOptions &options() const;
  // Names Clang would complete at (line, column) of `text`, compiled with `settingsOf`'s flags.
  std::vector<std::string> complete(const std::string &text, unsigned line, unsigned column,
                                    const std::string &settingsOf);
  // The cached PCH of `headerText` built with the flags of `settingsOf` (minus its PCH); empty
  // path and `error` set on failure. `built`: it was not in the cache.
  std::string precompiledHeader(const std::string &headerText, const std::string &cacheDir,
                                const std::vector<std::string> &extraArgs, bool rebuild,
                                bool &built, std::string &error);

private:
  Engine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc
