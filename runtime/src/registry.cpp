#include "hotcc/registry.hpp"

#include <atomic>
#include <spdlog/spdlog.h>

namespace hotcc {

void Registry::writeSlot(void **slot, std::uintptr_t target) {
  // A stub does `jmp *slot`; an aligned pointer store is seen whole by every thread that jumps.
  std::atomic_ref<void *>(*slot).store(reinterpret_cast<void *>(target), std::memory_order_release);
}

void Registry::declare(const std::string &linkName, const std::string &displayName,
                       const std::string &signature, const std::string &location,
                       std::uintptr_t stub, void **slot) {
  std::lock_guard lock(mutex_);
  auto &sym = symbols_[linkName];
  if (sym.linkName.empty()) {
    sym.linkName = linkName;
    sym.stub = stub;
    sym.slot = slot;
  }
  sym.displayName = displayName;
  sym.signature = signature;
  sym.location = location;
}

Status Registry::activate(const std::string &linkName, std::uint64_t hash, std::uintptr_t address,
                          std::uint64_t reload) {
  std::lock_guard lock(mutex_);
  auto it = symbols_.find(linkName);
  if (it == symbols_.end())
    return Status::fail(failure::InternalError{"hot symbol " + linkName + " was never declared"});
  auto &sym = it->second;
  if (!sym.slot || address == 0)
    return Status::fail(failure::InternalError{"hot symbol " + sym.displayName + " has no slot or no body"});
  std::size_t previous = sym.history.empty() ? 0 : sym.current;
  sym.history.push_back({hash, address, reload, previous, std::chrono::system_clock::now()});
  sym.current = sym.history.size() - 1;
  sym.removedFromSource = false;
  for (auto &version : sym.history)
    if (version.address == address)
      version.retired = false;  // reused: in use again
  writeSlot(sym.slot, address);
  return Status::ok();
}

Status Registry::rollback(const std::string &name) {
  std::lock_guard lock(mutex_);
  auto *found = findLocked(name);
  if (!found)
    return Status::fail(failure::UnknownFunction{name});
  auto &sym = symbols_[found->linkName];
  if (sym.history.empty() || sym.current == 0 || sym.history[sym.current - 1].retired ||
      sym.history[sym.current - 1].reclaimed)
    return Status::fail(failure::NoEarlierVersion{sym.displayName});
  sym.current -= 1;
  writeSlot(sym.slot, sym.history[sym.current].address);
  spdlog::info("rolled back {} to version {} of {}", sym.displayName, sym.current + 1,
               sym.history.size());
  return Status::ok();
}

// Steps back only functions whose current version is the reload's: one that changed again since
// keeps its newer version. No allocation: a crash handler calls it.
std::size_t Registry::rollbackReloadLocked(std::uint64_t reload) {
  std::size_t count = 0;
  for (auto &[link, sym] : symbols_)
    if (!sym.history.empty() && sym.current > 0 && sym.history[sym.current].reload == reload &&
        !sym.history[sym.history[sym.current].previous].retired &&
        !sym.history[sym.history[sym.current].previous].reclaimed) {
      sym.current = sym.history[sym.current].previous;
      writeSlot(sym.slot, sym.history[sym.current].address);
      ++count;
    }
  return count;
}

std::vector<std::string> Registry::rollbackReload(std::uint64_t reload) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (auto &[link, sym] : symbols_)
    if (!sym.history.empty() && sym.current > 0 && sym.history[sym.current].reload == reload)
      names.push_back(sym.displayName);
  rollbackReloadLocked(reload);
  return names;
}

CrashRecord::Rollback Registry::tryRollbackReloadOf(std::uintptr_t body, std::uint64_t &reload) {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock())
    return CrashRecord::Rollback::RegistryBusy;
  for (auto &[link, sym] : symbols_) {
    if (sym.history.empty() || sym.history[sym.current].address != body)
      continue;
    // A function new in that reload has no earlier version, but the reload may have changed its
    // callers (a new helper the edited function now calls): those go back; new ones stay.
    reload = sym.history[sym.current].reload;
    // None when nothing went back: the program's first load, or what it replaced was retired.
    return rollbackReloadLocked(reload) > 0 ? CrashRecord::Rollback::RolledBack
                                            : CrashRecord::Rollback::None;
  }
  return CrashRecord::Rollback::None;
}

std::optional<std::pair<HotSymbolInfo, std::size_t>> Registry::findBody(std::uintptr_t body) const {
  std::lock_guard lock(mutex_);
  for (auto &[link, sym] : symbols_)
    for (std::size_t i = sym.history.size(); i-- > 0;)
      if (sym.history[i].address == body)
        return std::pair{sym, i};
  return std::nullopt;
}

std::vector<std::string> Registry::functionsOfReload(std::uint64_t reload) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (auto &[link, sym] : symbols_)
    for (auto &version : sym.history)
      if (version.reload == reload) {
        names.push_back(sym.displayName);
        break;
      }
  return names;
}

// A version stays usable while it is current or is what a rollback of the current one returns to.
bool Registry::retireIfUnused(const std::vector<std::pair<std::string, std::uintptr_t>> &bodies) {
  std::lock_guard lock(mutex_);
  for (auto &[name, address] : bodies) {
    auto it = symbols_.find(name);
    if (it == symbols_.end() || it->second.history.empty())
      continue;
    auto &sym = it->second;
    auto &current = sym.history[sym.current];
    if (current.address == address ||
        (sym.current > 0 && sym.history[current.previous].address == address))
      return false;
  }
  for (auto &[name, address] : bodies)
    if (auto it = symbols_.find(name); it != symbols_.end())
      for (auto &version : it->second.history)
        if (version.address == address)
          version.retired = true;
  return true;
}

void Registry::markReclaimed(const std::vector<std::pair<std::string, std::uintptr_t>> &bodies) {
  std::lock_guard lock(mutex_);
  for (auto &[name, address] : bodies)
    if (auto it = symbols_.find(name); it != symbols_.end())
      for (auto &version : it->second.history)
        if (version.address == address)
          version.reclaimed = true;
}

VersionStats Registry::versionStats() const {
  std::lock_guard lock(mutex_);
  return versionStats_;
}

void Registry::setVersionStats(const VersionStats &stats) {
  std::lock_guard lock(mutex_);
  versionStats_ = stats;
}

void Registry::markRemoved(const std::string &linkName, bool removed) {
  std::lock_guard lock(mutex_);
  if (auto it = symbols_.find(linkName); it != symbols_.end())
    it->second.removedFromSource = removed;
}

std::map<std::string, std::uint64_t> Registry::currentHashes() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::uint64_t> hashes;
  for (auto &[link, sym] : symbols_)
    if (!sym.history.empty())
      hashes.emplace_hint(hashes.end(), link, sym.history[sym.current].hash);
  return hashes;
}

const HotSymbolInfo *Registry::findLocked(const std::string &name) const {
  if (auto it = symbols_.find(name); it != symbols_.end())
    return &it->second;
  for (auto &[link, sym] : symbols_)
    if (sym.displayName == name)
      return &sym;
  return nullptr;
}

std::optional<HotSymbolInfo> Registry::find(const std::string &name) const {
  std::lock_guard lock(mutex_);
  if (auto *sym = findLocked(name))
    return *sym;
  return std::nullopt;
}

std::vector<HotSymbolInfo> Registry::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<HotSymbolInfo> all;
  all.reserve(symbols_.size());
  for (auto &[link, sym] : symbols_)
    all.push_back(sym);
  return all;
}

bool Registry::contains(const std::string &linkName) const {
  std::lock_guard lock(mutex_);
  return symbols_.count(linkName) != 0;
}

std::size_t Registry::size() const {
  std::lock_guard lock(mutex_);
  return symbols_.size();
}

std::uint64_t Registry::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

std::uint64_t Registry::bumpVersion() {
  std::lock_guard lock(mutex_);
  return ++version_;
}

void Registry::onBeforeReload(BeforeReloadHook hook) {
  std::lock_guard lock(mutex_);
  before_.push_back(std::move(hook));
}

void Registry::onAfterReload(AfterReloadHook hook) {
  std::lock_guard lock(mutex_);
  after_.push_back(std::move(hook));
}

// Hooks run outside the lock, on a copy: a hook may add hooks or read the registry.
template <typename Hook, typename Argument>
void Registry::callHooks(const std::vector<Hook> &hooks, const Argument &argument) const {
  std::vector<Hook> copy;
  {
    std::lock_guard lock(mutex_);
    copy = hooks;
  }
  for (auto &hook : copy)
    hook(argument);
}

void Registry::notifyBefore(const std::vector<std::string> &files) const {
  callHooks(before_, files);
}

void Registry::notifyAfter(const ReloadReport &report) const {
  callHooks(after_, report);
}

void Registry::onLayoutChange(LayoutChangeHook hook) {
  std::lock_guard lock(mutex_);
  layoutChange_.push_back(std::move(hook));
}

void Registry::notifyLayoutChange(const std::vector<LayoutChange> &changes) const {
  callHooks(layoutChange_, changes);
}

} // namespace hotcc
