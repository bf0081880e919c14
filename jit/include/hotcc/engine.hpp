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
  std::string compileDatabaseDir;        // -p: take flags per file from compile_commands.json
  bool colorDiagnostics = false;
  bool usePreamble = true;               // cache each file's leading #includes as a PCH in memory
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
  ReloadReport reloadFile(const std::string &path);
  // Recompiles every file whose text or headers changed since its last successful compile.
  std::vector<ReloadReport> reloadChanged();

  // Stable address of a hot function (its stub) by link name or qualified name; for a global, the
  // address of its storage. Null when unknown.
  void *lookup(const std::string &name);
  template <typename Fn> Fn *lookupFunction(const std::string &name) {
    return reinterpret_cast<Fn *>(lookup(name));
  }

  Status rollback(const std::string &name);

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

private:
  Engine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace hotcc
