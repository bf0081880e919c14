// Built patches by content hash, on disk: <cacheDir>/wasm/patches/<key>.wasm beside <key>.json,
// which records what the patch was built from (the user files it read, by size and time) and the
// build state it leaves. A lookup costs a few stat calls and one small read.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hotcc::wasm {

struct CacheEntry {
  std::string key;
  std::string inputsHash;           // of the sources and flags, without the build state
  std::vector<std::string> dependencies;
  std::string stateAfter;           // build state JSON the patch leaves
  nlohmann::json report;            // manifest text, changed names, imports
};

class PatchCache {
public:
  explicit PatchCache(std::string cacheDir);

  std::string modulePath(const std::string &key) const;
  // The entry when present and every file it read is as it was.
  std::optional<CacheEntry> find(const std::string &key) const;
  void store(const CacheEntry &entry, const std::string &moduleBytes) const;

private:
  std::string dir_;
};

} // namespace hotcc::wasm
