// The engine's state and the steps of a load, shared by engine.cpp (the public API),
// load_batch.cpp (compile → plan → link → go live) and engine_session.cpp (session clients).
#pragma once
#include "hotcc/engine.hpp"
#include "hotcc/engine_session.hpp"
#include "hotcc/exit_handlers.hpp"
#include "hotcc/frontend/compiler.hpp"
#include "hotcc/support.hpp"
#include "background_queue.hpp"
#include "export_table.hpp"
#include "module_split.hpp"
#include "orc_host.hpp"
#include "reload_plan.hpp"

#include <llvm/Support/Chrono.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace hotcc {

struct FileStamp {
  llvm::sys::TimePoint<> modified;
  std::uint64_t size = 0;
  bool operator==(const FileStamp &) const = default;
};
FileStamp stampOf(const std::string &path);

struct Engine::Impl {
  EngineOptions options;
  bool quiescent = false;  // see SessionExtension::setQuiescent
  ExitHandlers exitHandlers;  // before `host`: hot code's __dso_handle points here
  std::unique_ptr<jit::OrcHost> host;
  std::unique_ptr<frontend::Compiler> compiler;
  std::map<std::string, std::unique_ptr<frontend::Compiler>> perFileCompilers;  // -p
  std::set<std::string> notedFlags;  // compile-database flags said to be dropped
  std::vector<Notice> flagNotices;   // not yet in a report
  Registry registry;
  // Recursive: reload hooks and global initializers run under it and may call lookup/rollback.
  mutable std::recursive_mutex reloadMutex;

  struct Unit {
    std::string path;
    std::string tag;
    std::vector<std::string> dependencies;
    std::map<std::string, FileStamp> stamps;     // of the dependencies at the last good compile
    std::map<std::string, FileStamp> attempted;  // at the last compile, good or not
    bool loaded = false;
    // A rollback moved one of its functions off the body its last accepted compile gave it: the
    // next compile parses every body (the skipped ones would be the rolled-back text).
    bool compileInFull = false;
  };
  std::map<std::string, Unit> units;
  jit::LiveState live;
  // Per hot function, the facts of the body its live one replaced: what a rollback returns to
  // (rollback_sync.cpp puts them back in `live`).
  std::map<std::string, frontend::FunctionInfo> replacedInfo;
  jit::LayoutPolicy layoutPolicy;
  std::vector<llvm::orc::ResourceTrackerSP> trackers;  // mapped modules; code ones may be reclaimed
  // Reclamation (reclamation.cpp): each reload's code module, until it is freed.
  struct CodeVersion {
    llvm::orc::ResourceTrackerSP tracker;
    std::vector<std::pair<std::string, std::uintptr_t>> bodies;  // hot link name, body address
    bool reclaimable = false;  // see jit::codeModuleReclaimable
  };
  std::vector<CodeVersion> codeVersions;
  VersionStats versionStats;
  unsigned reloadsSinceReclaim = 0;
  std::atomic<bool> reclaimQueued{false};
  jit::BackgroundQueue reclamation;

  std::map<std::string, frontend::FileSettings> fileSettings;  // by absolute path
  unsigned globalGeneration = 0;  // suffix of the next fresh storage name
  bool shutDown = false;
  std::atomic<int> mainsRunning{0};  // frames of main() entered through runMain
  // Engine::handleCrashes (crash_report.cpp).
  std::optional<CrashResponse> crashResponse;
  std::function<void(const failure::Crash &)> crashReport;
  StackFrame nameFrame(std::uintptr_t pc, bool hot);
  void nameCrash(failure::Crash &crash, const CrashRecord &record);

  // One unit on its way in: compiled, planned, split, not yet linked.
  struct Pending {
    Unit *unit = nullptr;
    frontend::CompiledUnit cu;
    jit::ReloadPlan plan;
    std::map<std::string, std::uintptr_t> reused;  // edits undone: bodies already linked
    llvm::orc::ThreadSafeContext context;  // owns the split modules' context: declared before them
    jit::SplitModules split;
    std::map<std::string, FileStamp> stamps;
    SessionReload request;
    frontend::Compiler *compiler = nullptr;
    std::optional<llvm::Expected<frontend::CompiledUnit>> compiled;  // between the steps
    std::vector<std::pair<std::string, std::string>> replacedGlobals;  // live name → fresh name
    std::optional<frontend::FileSettings> settingsBefore;  // restored if this reload fails
    llvm::orc::ResourceTrackerSP codeTracker;  // of split.code once linked
    bool codeReclaimable = false;
    ReloadReport report;
    Clock::time_point started;
    bool failed = false;
  };

  // What linking a batch produced: the trackers of the new modules and the addresses of what the
  // batch needs (bodies, new data, initializers).
  struct LinkedBatch {
    std::vector<llvm::orc::ResourceTrackerSP> trackers;
    std::map<std::string, std::uintptr_t> addresses;
    double compileMs = 0;
  };
  using Initializer = std::pair<Pending *, std::uintptr_t>;

  frontend::Compiler &compilerFor(const std::string &path);

  // Loading a batch (load_batch.cpp): several units compiled, planned and linked as one step, so
  // files may refer to each other. Each phase below fails units (or the batch) as values.
  std::vector<ReloadReport> loadBatch(const std::vector<Unit *> &batch,
                                      const SessionReload &request = {});
  // Before planning (rollback_sync.cpp): `live` describes what runs, after rollbacks too.
  void followRollbacks();
  void recordLive(const std::string &name, const frontend::FunctionInfo &fn,
                  const std::string &unitPath);
  std::vector<Pending> beginBatch(const std::vector<Unit *> &batch, const SessionReload &request);
  void compileBatch(std::vector<Pending> &pending);
  void planBatch(std::vector<Pending> &pending);
  llvm::Error createStubs(std::vector<Pending> &pending);
  llvm::Expected<LinkedBatch> linkBatch(std::vector<Pending> &pending);
  std::vector<Initializer> goLive(std::vector<Pending> &pending, const LinkedBatch &linked);
  void activateUnit(Pending &p, const LinkedBatch &linked, std::uint64_t version,
                    std::vector<Initializer> &initializers, std::vector<std::string> &firstLoads);
  void publishExportsForLibraries(std::vector<Pending> &pending);
  // Reclamation (reclamation.cpp).
  void recordCodeVersions(std::vector<Pending> &pending, const LinkedBatch &linked);
  void scheduleReclamation();
  VersionStats reclaimPass();
  void runInitializers(const std::vector<Initializer> &initializers);
  std::vector<ReloadReport> finishBatch(std::vector<Pending> &pending);

  // The steps of one unit.
  void prepareCompile(Pending &p);
  void compileSource(Pending &p);
  bool finishCompile(Pending &p);
  void compileConcurrently(std::vector<Pending> &pending);
  bool giveFreshStorage(Pending &p, frontend::Compiler &unitCompiler,
                        const std::map<std::string, frontend::GlobalInfo> &candidates);
  // Plans `p` against `planning`; `later`, when given, gets p's definitions for the units after it.
  bool planUnit(Pending &p, const jit::LiveState &planning, jit::LiveState *later);
  void splitUnit(Pending &p);
  void checkUndefined(std::vector<Pending> &pending);
  std::vector<Failure> undefinedIn(Pending &p, const std::set<std::string> &batchDefined);

  void fail(Pending &p, Failure failure);
  // A failure of the batch as a whole is said once, by the first unit still standing.
  void failBatch(std::vector<Pending> &pending, Failure failure);
  // A stub made by a reload that then failed has no body: it must not count as a definition.
  bool hasBody(const std::string &name) const {
    auto sym = registry.find(name);
    return sym && !sym->history.empty();
  }
  ReloadReport finish(Pending &p);
  std::vector<Unit *> staleUnits();
  std::vector<Unit *> unitsReading(const std::string &absolute);

  // After a first load: builds the files' preambles off the reloading thread (see
  // EngineOptions::preparesReloads). Stopped before the engine's compilers go.
  void prepareReloadsInBackground(const std::vector<std::string> &paths);
  jit::BackgroundQueue preparation;
};

// Uninstalls the crash handler if `engine` installed it (crash_report.cpp).
void detachCrashHandling(const Engine *engine);

// One report for several units (a header shared by several files was saved).
ReloadReport mergeReports(std::vector<ReloadReport> reports);

} // namespace hotcc
