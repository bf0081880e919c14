// Reclamation of retired code: a reload's code module is freed (its ResourceTracker removed) once
// none of its bodies is current or a rollback target, and no thread of the process (every one is
// stopped and scanned) is executing in it or has a frame that returns into it. See README,
// "How it works: reclamation".
#include "engine_impl.hpp"

#include "hotcc/thread_registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace hotcc {

// After a batch goes live: each unit's code module, with the addresses its bodies were given.
void Engine::Impl::recordCodeVersions(std::vector<Pending> &pending, const LinkedBatch &linked) {
  for (auto &p : pending) {
    if (p.failed || !p.codeTracker)
      continue;
    CodeVersion version;
    version.tracker = p.codeTracker;
    version.reclaimable = p.codeReclaimable;
    for (auto &[name, body] : p.split.bodies)
      version.bodies.emplace_back(name, linked.addresses.at(body));
    codeVersions.push_back(std::move(version));
  }
  versionStats.retained = codeVersions.size();
  registry.setVersionStats(versionStats);
}

// Off the reload's path: a background pass every `reclaimEveryReloads` reloads, one at a time.
void Engine::Impl::scheduleReclamation() {
  if (!options.reclaimRetiredCode || ++reloadsSinceReclaim < std::max(1u, options.reclaimEveryReloads))
    return;
  if (reclaimQueued.exchange(true))
    return;  // the queued pass will see this reload's versions too
  reloadsSinceReclaim = 0;
  reclamation.enqueue([this] {
    reclaimQueued = false;
    reclaimPass();
  });
}

namespace {

// Retired code ranges sorted by start, each with the index of the version it belongs to.
struct RetiredRanges {
  std::vector<jit::AddressRange> ranges;
  std::vector<std::size_t> owners;

  void sort() {
    std::vector<std::size_t> order(ranges.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return ranges[a].first < ranges[b].first; });
    std::vector<jit::AddressRange> sortedRanges;
    std::vector<std::size_t> sortedOwners;
    for (auto i : order)
      sortedRanges.push_back(ranges[i]), sortedOwners.push_back(owners[i]);
    ranges = std::move(sortedRanges);
    owners = std::move(sortedOwners);
  }

  // The version whose code `word` may point into, or -1. No allocation: runs with threads stopped.
  // The end is included: a call as a function's last instruction returns to one past its end.
  long ownerOf(std::uintptr_t word) const {
    auto after = std::upper_bound(ranges.begin(), ranges.end(), word,
                                  [](std::uintptr_t w, const jit::AddressRange &r) { return w < r.first; });
    if (after == ranges.begin())
      return -1;
    auto index = std::size_t(std::prev(after) - ranges.begin());
    return word <= ranges[index].second ? long(owners[index]) : -1;
  }
};

} // namespace

VersionStats Engine::Impl::reclaimPass() {
  // Under the reload lock: no reload picks, reuses or activates a body while this runs.
  std::lock_guard lock(reloadMutex);
  if (shutDown)
    return versionStats;

  // Step 1: retire the versions no slot uses and no rollback returns to.
  RetiredRanges retired;
  std::vector<bool> candidate(codeVersions.size(), false);
  for (std::size_t i = 0; i < codeVersions.size(); ++i) {
    auto &version = codeVersions[i];
    if (!version.reclaimable || !registry.retireIfUnused(version.bodies))
      continue;
    candidate[i] = true;
    for (auto &range : host->codeMap().executableRanges(version.tracker->getKeyUnsafe())) {
      retired.ranges.push_back(range);
      retired.owners.push_back(i);
    }
  }
  versionStats.keptForData = std::count_if(codeVersions.begin(), codeVersions.end(),
                                           [](auto &v) { return !v.reclaimable; });
  if (retired.ranges.empty()) {
    registry.setVersionStats(versionStats);
    return versionStats;
  }
  retired.sort();

  // Step 2: stop every thread and look for retired code on its stack and registers.
  std::vector<char> held(codeVersions.size(), 0);
  auto scan = stopAndScan([&](std::uintptr_t word) {
    if (auto owner = retired.ownerOf(word); owner >= 0)
      held[std::size_t(owner)] = 1;
  });
  if (scan != ScanResult::Complete) {
    ++versionStats.passesSkipped;
    registry.setVersionStats(versionStats);
    return versionStats;
  }
  ++versionStats.passes;

  // Step 3: free what no thread holds, with every thread running again (removing a module takes
  // ORC's locks, which a stopped thread might have held).
  std::vector<CodeVersion> kept;
  versionStats.heldByThreads = 0;
  for (std::size_t i = 0; i < codeVersions.size(); ++i) {
    auto &version = codeVersions[i];
    if (!candidate[i] || held[i]) {
      versionStats.heldByThreads += candidate[i] && held[i];
      kept.push_back(std::move(version));
      continue;
    }
    registry.markReclaimed(version.bodies);
    std::erase(trackers, version.tracker);
    if (auto err = version.tracker->remove()) {
      spdlog::debug("reclaiming a code version: {}", llvm::toString(std::move(err)));
      continue;
    }
    ++versionStats.reclaimed;
  }
  codeVersions = std::move(kept);
  versionStats.retained = codeVersions.size();
  registry.setVersionStats(versionStats);
  return versionStats;
}

VersionStats Engine::reclaimRetiredCode() {
  return impl_->reclaimPass();
}

} // namespace hotcc
