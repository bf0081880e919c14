// The registry of hot symbols: for every function defined in hot code, its stable stub, the slot the
// stub jumps through, and every body it has had. Writing a slot is the one way a new body goes live.
#pragma once
#include "hotcc/crash_handler.hpp"
#include "hotcc/reload_report.hpp"
#include "hotcc/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hotcc {

struct VersionRecord {
  std::uint64_t hash = 0;      // content hash of the body (IR, callees by name)
  std::uintptr_t address = 0;  // entry of the compiled body
  std::uint64_t reload = 0;    // engine version that produced it
  std::size_t previous = 0;    // the history index that was current when this one went live
  std::chrono::system_clock::time_point when;
  // Picked by reclamation: no rollback goes back to it (a reload of the same body may still
  // reuse it until it is reclaimed). Reclaimed: its code is freed; the address means nothing.
  bool retired = false;
  bool reclaimed = false;
};

// Code versions (one per reload's code module) as reclamation sees them.
struct VersionStats {
  std::size_t retained = 0;       // code modules still mapped (current ones included)
  std::size_t reclaimed = 0;      // code modules freed
  std::size_t keptForData = 0;    // never reclaimed: they define data live objects may point to
  std::size_t heldByThreads = 0;  // retired, found on a stack by the last pass: retried later
  std::size_t passes = 0;         // reclamation passes that scanned every thread
  std::size_t passesSkipped = 0;  // passes that could not stop or scan a thread: nothing freed
};

struct HotSymbolInfo {
  std::string linkName;     // the symbol name JIT'd code and the host bind to (the stub)
  std::string displayName;  // qualified name for messages, e.g. "game::score"
  std::string signature;    // e.g. "int (int)"
  std::string location;     // file:line of the definition
  std::uintptr_t stub = 0;  // stable address: callers always call this
  void **slot = nullptr;    // the pointer the stub jumps through
  std::vector<VersionRecord> history;
  std::size_t current = 0;  // index into history; meaningful when !history.empty()
  bool removedFromSource = false;
};

class Registry {
public:
  using BeforeReloadHook = std::function<void(const std::vector<std::string> &files)>;
  using AfterReloadHook = std::function<void(const ReloadReport &)>;
  // Called once a reload with accepted layout changes is linked, before any new body goes live:
  // the place to migrate (or drop) objects made with the old layouts.
  using LayoutChangeHook = std::function<void(const std::vector<LayoutChange> &)>;

  // Records a symbol's stub; keeps the existing entry (and its history) when the name is known.
  void declare(const std::string &linkName, const std::string &displayName,
               const std::string &signature, const std::string &location,
               std::uintptr_t stub, void **slot);

  // Appends a version and makes it current by writing the slot (an atomic pointer store).
  Status activate(const std::string &linkName, std::uint64_t hash, std::uintptr_t address,
                  std::uint64_t reload);

  // Points the stub back at the version before the current one.
  Status rollback(const std::string &nameOrDisplayName);

  // Points every function whose current version came from `reload` back at the version that was
  // current before it went live (a reload whose code crashed: not merely the one before it in the
  // history, which may be an earlier crashed one). Returns their display names.
  std::vector<std::string> rollbackReload(std::uint64_t reload);
  // For a crash handler: when `body` is the current body of a function, rolls back the reload
  // that made it current (rollbackReload without allocating): the functions it changed go back,
  // those it added stay. None when that rolls nothing back (the program's first load).
  // Skipped, as RegistryBusy, when another thread holds the registry's lock.
  CrashRecord::Rollback tryRollbackReloadOf(std::uintptr_t body, std::uint64_t &reload);
  // The function one of whose versions starts at `body`, and that version's index in its history.
  std::optional<std::pair<HotSymbolInfo, std::size_t>> findBody(std::uintptr_t body) const;
  // Display names of the functions that got a version from `reload`.
  std::vector<std::string> functionsOfReload(std::uint64_t reload) const;

  void markRemoved(const std::string &linkName, bool removed);

  // The content hash of each function's current version, by link name (functions with a body).
  std::map<std::string, std::uint64_t> currentHashes() const;

  // Retires the version of each (link name, body address) if none of them is current or the
  // target of a rollback (the version its function's current one replaced); all or none.
  bool retireIfUnused(const std::vector<std::pair<std::string, std::uintptr_t>> &bodies);
  // Marks the versions at these body addresses freed: never reused or rolled back to.
  void markReclaimed(const std::vector<std::pair<std::string, std::uintptr_t>> &bodies);
  VersionStats versionStats() const;
  void setVersionStats(const VersionStats &stats);

  // Lookup by link name first, then by display name (first match).
  std::optional<HotSymbolInfo> find(const std::string &nameOrDisplayName) const;
  std::vector<HotSymbolInfo> snapshot() const;
  bool contains(const std::string &linkName) const;
  std::size_t size() const;

  std::uint64_t version() const;
  std::uint64_t bumpVersion();

  void onBeforeReload(BeforeReloadHook hook);
  void onAfterReload(AfterReloadHook hook);
  void notifyBefore(const std::vector<std::string> &files) const;
  void notifyAfter(const ReloadReport &report) const;
  void onLayoutChange(LayoutChangeHook hook);
  void notifyLayoutChange(const std::vector<LayoutChange> &changes) const;

private:
  const HotSymbolInfo *findLocked(const std::string &name) const;
  std::size_t rollbackReloadLocked(std::uint64_t reload);
  static void writeSlot(void **slot, std::uintptr_t target);
  template <typename Hook, typename Argument>
  void callHooks(const std::vector<Hook> &hooks, const Argument &argument) const;

  mutable std::mutex mutex_;
  std::map<std::string, HotSymbolInfo> symbols_;
  std::uint64_t version_ = 0;
  VersionStats versionStats_;
  std::vector<BeforeReloadHook> before_;
  std::vector<AfterReloadHook> after_;
  std::vector<LayoutChangeHook> layoutChange_;
};

} // namespace hotcc
