#include "code_map.hpp"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>

#include <algorithm>

namespace hotcc::jit {

std::optional<CodeRange> CodeMap::find(std::uintptr_t pc) const {
  readers_.fetch_add(1);  // before the load: a publisher that sees no reader may free old tables
  const Table *table = current_.load();
  std::optional<CodeRange> found;
  if (table) {
    auto &ranges = table->ranges;
    auto after = std::upper_bound(ranges.begin(), ranges.end(), pc,
                                  [](std::uintptr_t p, const CodeRange &r) { return p < r.start; });
    if (after != ranges.begin() && pc < std::prev(after)->end)
      found = *std::prev(after);
  }
  readers_.fetch_sub(1);
  return found;
}

void CodeMap::publishLocked() {
  auto table = std::make_unique<Table>();
  for (auto &[key, module] : modules_)
    table->ranges.insert(table->ranges.end(), module.symbols.begin(), module.symbols.end());
  std::sort(table->ranges.begin(), table->ranges.end(),
            [](const CodeRange &a, const CodeRange &b) { return a.start < b.start; });
  current_.store(table.get());
  tables_.push_back(std::move(table));
  // Old tables go once no lookup is reading: one that begins now loads the table just stored.
  if (readers_.load() == 0)
    tables_.erase(tables_.begin(), tables_.end() - 1);
}

void CodeMap::add(llvm::orc::ResourceKey key,
                  std::vector<std::pair<CodeRange, std::string>> symbols,
                  std::vector<AddressRange> executable) {
  std::lock_guard lock(writers_);
  auto &module = modules_[key];
  for (auto &[range, name] : symbols) {
    module.names.push_back(std::make_unique<std::string>(std::move(name)));
    range.name = module.names.back().get();
    module.symbols.push_back(range);
  }
  module.executable.insert(module.executable.end(), executable.begin(), executable.end());
  if (!symbols.empty())
    publishLocked();
}

void CodeMap::remove(llvm::orc::ResourceKey key) {
  std::lock_guard lock(writers_);
  auto it = modules_.find(key);
  if (it == modules_.end())
    return;
  for (auto &name : it->second.names)
    retiredNames_.push_back(std::move(name));
  modules_.erase(it);
  publishLocked();
}

std::vector<AddressRange> CodeMap::executableRanges(llvm::orc::ResourceKey key) const {
  std::lock_guard lock(writers_);
  auto it = modules_.find(key);
  return it == modules_.end() ? std::vector<AddressRange>{} : it->second.executable;
}

void CodeMapPlugin::modifyPassConfig(llvm::orc::MaterializationResponsibility &responsibility,
                                     llvm::jitlink::LinkGraph &,
                                     llvm::jitlink::PassConfiguration &config) {
  llvm::orc::ResourceKey key = 0;
  llvm::consumeError(responsibility.withResourceKeyDo([&](llvm::orc::ResourceKey k) { key = k; }));
  // After fixups every symbol has its final address, and no code of the graph has run yet.
  config.PostFixupPasses.push_back([map = map_, key](llvm::jitlink::LinkGraph &graph) {
    std::vector<std::pair<CodeRange, std::string>> ranges;
    for (auto *symbol : graph.defined_symbols()) {
      if (!symbol->isCallable() || !symbol->hasName() || symbol->getSize() == 0)
        continue;
      CodeRange range;
      range.start = symbol->getAddress().getValue();
      range.end = range.start + symbol->getSize();
      ranges.push_back({range, std::string(*symbol->getName())});
    }
    // Every executable block, named or not (JITLink's own stubs too): what a stack may return into.
    std::vector<AddressRange> executable;
    for (auto &section : graph.sections()) {
      if ((static_cast<unsigned>(section.getMemProt()) &
           static_cast<unsigned>(llvm::orc::MemProt::Exec)) == 0)
        continue;
      for (auto *block : section.blocks()) {
        auto start = block->getAddress().getValue();
        executable.push_back({start, start + block->getSize()});
      }
    }
    map->add(key, std::move(ranges), std::move(executable));
    return llvm::Error::success();
  });
}

} // namespace hotcc::jit
