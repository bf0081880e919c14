#include "wasm_events.hpp"

#include "hotcc/render.hpp"
#include "hotcc/render_json.hpp"

#include <filesystem>

namespace hotcc::cli {

namespace {

using json = render::Json;

// The size of what was written; 0 if it cannot be read back (the event still says it was).
std::uintmax_t bytesOf(const std::string &path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

} // namespace

std::string jsonPatch(const wasm::PatchBuild &build) {
  json out = render::jsonEvent("patch");
  out["output"] = build.output;
  out["bytes"] = bytesOf(build.output);
  out["id"] = build.manifest.id;
  out["target"] = build.manifest.target;
  out["after"] = build.manifest.after;
  out["cacheHit"] = build.cacheHit;
  out["changed"] = build.changed;
  json fills = json::array();
  for (auto &fill : build.manifest.fills)
    fills.push_back({{"unit", fill.unit}, {"slot", fill.slot}, {"exportName", fill.exportName}});
  out["fills"] = fills;
  json units = json::array();
  for (auto &unit : build.manifest.units)
    units.push_back({{"unit", unit.unit}, {"build", unit.build}});
  out["units"] = units;
  out["imports"] = build.imports;
  out["statePath"] = build.statePath;
  out["flagsDiffer"] = build.flagsDiffer;
  out["timesMs"] = {{"compile", render::jsonMs(build.compileMs)},
                    {"link", render::jsonMs(build.linkMs)},
                    {"total", render::jsonMs(build.totalMs)}};
  return render::jsonLine(out);
}

std::string jsonSideModule(const wasm::PatchBuild &build) {
  json out = render::jsonEvent("side-module");
  out["output"] = build.output;
  out["bytes"] = bytesOf(build.output);
  out["timesMs"] = {{"compile", render::jsonMs(build.compileMs)},
                    {"link", render::jsonMs(build.linkMs)},
                    {"total", render::jsonMs(build.totalMs)}};
  return render::jsonLine(out);
}

std::string jsonMainObject(const wasm::MainBuild &build) {
  json out = render::jsonEvent("main-object");
  out["output"] = build.output;
  out["bytes"] = bytesOf(build.output);
  out["slots"] = build.slots;
  out["slotNames"] = build.slotNames;
  out["exportedData"] = build.exportedData;
  out["statePath"] = build.statePath;
  out["timesMs"] = {{"total", render::jsonMs(build.ms)}};
  return render::jsonLine(out);
}

} // namespace hotcc::cli
