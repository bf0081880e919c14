// Reclamation's figures (the registry's VersionStats), for people and for machines.
#include "hotcc/render.hpp"
#include "hotcc/render_json.hpp"

#include "text_parts.hpp"

#include <string>

namespace hotcc::render {

std::string versionStats(const VersionStats &stats) {
  std::string out = "hotcc: code versions: " + std::to_string(stats.reclaimed) + " reclaimed, " +
                    std::to_string(stats.retained) + " retained (" +
                    std::to_string(stats.keptForData) + " kept for their data, " +
                    std::to_string(stats.heldByThreads) + " held by a thread); " +
                    std::to_string(stats.passes) + " passes, " +
                    std::to_string(stats.passesSkipped) + " skipped\n";
  return text::rewritten(out);
}

std::string jsonVersionStats(const VersionStats &stats) {
  auto event = jsonEvent("versions");
  event["reclaimed"] = stats.reclaimed;
  event["retained"] = stats.retained;
  event["keptForData"] = stats.keptForData;
  event["heldByThreads"] = stats.heldByThreads;
  event["passes"] = stats.passes;
  event["passesSkipped"] = stats.passesSkipped;
  return jsonLine(event);
}

} // namespace hotcc::render
