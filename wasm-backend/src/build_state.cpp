#include "hotcc/wasm/build_state.hpp"

#include "support.hpp"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

namespace hotcc::wasm {

std::string BuildState::toJson() const {
  nlohmann::json doc;
  doc["version"] = version;
  doc["target"] = target;
  doc["flags"] = flagsKey;
  doc["lastInputs"] = lastInputs;
  doc["lastPatch"] = lastPatch;
  doc["dependencies"] = dependencies;
  doc["before"] = before;
  doc["patches"] = patches;
  auto &units_ = doc["units"] = nlohmann::json::object();
  for (auto &[path, unit] : units) {
    nlohmann::json u;
    u["tag"] = unit.tag;
    u["build"] = unit.build;
    auto &slots = u["slots"] = nlohmann::json::object();
    for (auto &[name, slot] : unit.slots)
      slots[name] = {{"index", slot.index}, {"signature", slot.signature}, {"hash", slot.hash},
                     {"name", slot.displayName}};
    auto &globals = u["globals"] = nlohmann::json::object();
    for (auto &[name, global] : unit.globals)
      globals[name] = {{"layout", global.layoutHash}, {"owner", global.owner}};
    u["fixed"] = unit.fixed;
    units_[path] = std::move(u);
  }
  return doc.dump(1);
}

llvm::Expected<BuildState> BuildState::fromJson(const std::string &text, const std::string &path) {
  try {
    auto doc = nlohmann::json::parse(text);
    BuildState state;
    state.version = doc.at("version").get<int>();
    if (state.version != 1)
      return setupError("build state " + path, "has version " + std::to_string(state.version) +
                                                   "; rebuild the main module with --main");
    state.target = doc.at("target").get<std::string>();
    state.flagsKey = doc.at("flags").get<std::string>();
    state.lastInputs = doc.value("lastInputs", "");
    state.lastPatch = doc.value("lastPatch", "");
    state.dependencies = doc.value("dependencies", std::vector<std::string>{});
    state.before = doc.value("before", "");
    state.patches = doc.value("patches", std::uint64_t{0});
    for (auto &[file, u] : doc.at("units").items()) {
      UnitState unit;
      unit.file = file;
      unit.tag = u.at("tag").get<std::string>();
      unit.build = u.at("build").get<std::string>();
      for (auto &[name, s] : u.at("slots").items())
        unit.slots[name] = SlotState{s.at("index").get<unsigned>(), s.at("signature").get<std::string>(),
                                     s.at("hash").get<std::uint64_t>(), s.value("name", name)};
      for (auto &[name, g] : u.at("globals").items())
        unit.globals[name] = GlobalState{g.at("layout").get<std::uint64_t>(),
                                         g.at("owner").get<std::string>()};
      unit.fixed = u.value("fixed", std::map<std::string, std::uint64_t>{});
      state.units[file] = std::move(unit);
    }
    return state;
  } catch (const nlohmann::json::exception &e) {
    return setupError("build state " + path,
                      std::string("is damaged (") + e.what() + "); rebuild the main module with --main");
  }
}

llvm::Expected<BuildState> BuildState::load(const std::string &path) {
  auto text = llvm::MemoryBuffer::getFile(path);
  if (!text)
    return fileUnreadable(path, text.getError().message());
  return fromJson((*text)->getBuffer().str(), path);
}

llvm::Error BuildState::save(const std::string &path) const {
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (!dir.empty())
    if (auto ec = llvm::sys::fs::create_directories(dir))
      return setupError(dir.str().str(), "cannot create the directory: " + ec.message());
  return writeFileAtomically(path, toJson());
}

} // namespace hotcc::wasm
