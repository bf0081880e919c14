// What `hotcc wasm` remembers between builds of one program: for every unit (source file) of the
// main module, its slots (hot functions reached through the slot table, with the type and body hash
// the running code has) and its data (globals patches import instead of defining). A main build
// writes it; each patch diffs against it and records what it changed.
#pragma once
#include <llvm/Support/Error.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hotcc::wasm {

struct SlotState {
  unsigned index = 0;
  std::string signature;    // 16 hex digits
  std::uint64_t hash = 0;   // body the running code has (main build, or the last patch's)
  std::string displayName;
};

struct GlobalState {
  std::uint64_t layoutHash = 0;
  std::string owner;  // "main", or the id of the patch that defined it
};

struct UnitState {
  std::string file;   // absolute path
  std::string tag;    // unit tag: makes promoted statics and the slot table's name unique
  std::string build;  // id of the main build of this unit
  std::map<std::string, SlotState> slots;     // by link name
  std::map<std::string, GlobalState> globals; // by link name
  // Hot functions without a slot (variadic): a patch cannot replace them, so a change is refused.
  std::map<std::string, std::uint64_t> fixed;  // link name → body hash
};

struct BuildState {
  int version = 1;
  std::string target;   // triple
  std::string flagsKey; // hash of the flags the main module was built with
  std::map<std::string, UnitState> units;  // by absolute path
  std::uint64_t patches = 0;
  // The last patch's inputs and the state it was built against: the same sources again make the
  // same patch (same id, same bytes), not an empty one.
  std::string lastInputs;
  std::string before;  // JSON, without its own `before`
  std::string lastPatch;  // id of the last patch ("" after a main build): the next one follows it
  std::vector<std::string> dependencies;  // user files the last build read (sources, headers)

  std::string toJson() const;
  static llvm::Expected<BuildState> fromJson(const std::string &text, const std::string &path);
  static llvm::Expected<BuildState> load(const std::string &path);
  llvm::Error save(const std::string &path) const;  // atomically (write + rename)
};

} // namespace hotcc::wasm
