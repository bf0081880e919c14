#include "patch_cache.hpp"
#include "support.hpp"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

namespace hotcc::wasm {

namespace {

// Size and modification time to the nanosecond: a file saved twice within a second is seen.
nlohmann::json stampOf(const std::string &path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return nullptr;
  return {st.st_size, std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

} // namespace

PatchCache::PatchCache(std::string cacheDir) : dir_(std::move(cacheDir) + "/wasm/patches") {}

std::string PatchCache::modulePath(const std::string &key) const {
  return dir_ + "/" + key + ".wasm";
}

std::optional<CacheEntry> PatchCache::find(const std::string &key) const {
  if (key.empty())
    return std::nullopt;
  auto text = llvm::MemoryBuffer::getFile(dir_ + "/" + key + ".json");
  if (!text || !llvm::sys::fs::exists(modulePath(key)))
    return std::nullopt;
  try {
    auto doc = nlohmann::json::parse((*text)->getBuffer().str());
    CacheEntry entry;
    entry.key = key;
    entry.inputsHash = doc.at("inputs").get<std::string>();
    for (auto &dep : doc.at("dependencies")) {
      auto path = dep.at(0).get<std::string>();
      if (stampOf(path) != dep.at(1))
        return std::nullopt;  // a header the patch read has changed
      entry.dependencies.push_back(path);
    }
    entry.stateAfter = doc.at("stateAfter").get<std::string>();
    entry.report = doc.at("report");
    return entry;
  } catch (const nlohmann::json::exception &e) {
    spdlog::debug("ignoring damaged cache entry {}: {}", key, e.what());
    return std::nullopt;
  }
}

void PatchCache::store(const CacheEntry &entry, const std::string &moduleBytes) const {
  if (auto ec = llvm::sys::fs::create_directories(dir_)) {
    spdlog::debug("cannot create the patch cache {}: {}", dir_, ec.message());
    return;
  }
  nlohmann::json doc;
  doc["inputs"] = entry.inputsHash;
  doc["dependencies"] = nlohmann::json::array();
  for (auto &dep : entry.dependencies)
    doc["dependencies"].push_back({dep, stampOf(dep)});
  doc["stateAfter"] = entry.stateAfter;
  doc["report"] = entry.report;
  // The module first: an entry is only found once its description exists.
  auto stored = writeFileAtomically(modulePath(entry.key), moduleBytes);
  if (!stored)
    stored = writeFileAtomically(dir_ + "/" + entry.key + ".json", doc.dump());
  // A cache that cannot be written costs speed, not correctness: the build goes on.
  if (stored) {
    auto why = frontend::toFailure(std::move(stored));
    auto *setup = std::get_if<failure::SetupError>(&why);
    spdlog::debug("cannot store patch {} in the cache: {}", entry.key,
                  setup ? setup->subject + ": " + setup->problem : kindName(why));
  }
}

} // namespace hotcc::wasm
