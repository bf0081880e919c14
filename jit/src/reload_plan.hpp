// Decides what a reload does, from facts alone (no LLVM): which bodies to compile, which stay, which
// functions left the source, which globals are new — and which changes to refuse because live code
// or live data would be corrupted by them.
#pragma once
#include "hotcc/frontend/compiled_unit.hpp"
#include "hotcc/reload_report.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace hotcc::jit {

struct LiveFunction {
  frontend::FunctionInfo info;  // facts of the body that is current
  std::string unit;             // file that defines it
  bool removed = false;         // gone from its file's source; the last body stays callable
};

struct LiveState {
  std::map<std::string, LiveFunction> hot;              // by link name
  std::map<std::string, frontend::GlobalInfo> data;     // data globals that have storage
  std::map<std::string, std::string> dataOwners;        // the unit defining each strong one
  std::map<std::string, frontend::TypeLayout> records;  // user records live code uses, by key
  std::set<std::string> library;                        // library functions already defined
  std::set<std::string> lookedUpByHost;                 // stubs the host holds pointers to
};

// Which changes of record layouts a reload may make although live code used the old layout.
struct LayoutPolicy {
  bool acceptAll = false;
  std::set<std::string> acceptedTypes;  // by name, e.g. "struct Obj"
  bool accepts(const std::string &type) const { return acceptAll || acceptedTypes.count(type); }
};

struct RecordChange {
  frontend::TypeLayout before, after;
  std::vector<std::string> users;  // live functions that used the old layout, by display name
};

struct ReloadPlan {
  std::vector<std::string> compile;    // hot functions that need a new body (new or changed)
  std::size_t unchanged = 0;           // hot functions whose live body stays (same hash, skipped)
  std::vector<std::string> removed;    // hot functions of this unit gone from its source
  std::vector<std::string> released;   // inline functions this unit defined first and no longer uses
  std::set<std::string> newData;       // data globals to create
  std::set<std::string> newLibrary;    // library functions to define
  std::vector<Notice> notices;         // things the user should know (kept values, ...)
  std::vector<RecordChange> changedRecords;  // accepted layout changes
  std::vector<Failure> refusals;       // non-empty: the reload must not happen
};

// An inline function or template that several files define keeps the body of the file that
// defined it first, as a linker keeps the first of several definitions (they differ when a macro
// the header reads differs between the files): true when `unitPath`'s definition of `linkName`
// must leave the live one in place.
// After `unit` is accepted: it owns the strong data globals it defines, and no longer those it
// stopped defining (a global cut from one file may then be pasted into another).
void recordDataOwners(LiveState &live, const frontend::CompiledUnit &unit,
                      const std::string &unitPath);

bool keepsFirstDefinition(const LiveState &live, const std::string &linkName,
                          const frontend::FunctionInfo &fn, const std::string &unitPath);

// Who calls (or holds the address of) `linkName` in the live code, by display name.
std::vector<std::string> liveCallers(const LiveState &live, const std::string &linkName);

// `quiescent`: no hot code is running (see EngineOptions::quiescent); then only globals hold
// values, and a record's layout may change unless a live global holds it.
ReloadPlan planReload(const frontend::CompiledUnit &unit, const std::string &unitPath,
                      const LiveState &live, bool quiescent = false,
                      const LayoutPolicy &layouts = {});

// The change as the engine's public report carries it.
LayoutChange toLayoutChange(const RecordChange &change);

} // namespace hotcc::jit
