#include "code_map.hpp"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>

#include <algorithm>

namespace hotcc::jit {

const CodeRange *CodeMap::find(std::uintptr_t pc) const {
  const Table *table = current_.load(std::memory_order_acquire);
  if (!table)
    return nullptr;
  auto &ranges = table->ranges;
  auto after = std::upper_bound(ranges.begin(), ranges.end(), pc,
                                [](std::uintptr_t p, const CodeRange &r) { return p < r.start; });
  if (after == ranges.begin())
    return nullptr;
  const CodeRange &range = *std::prev(after);
  return pc < range.end ? &range : nullptr;
}

void CodeMap::add(std::vector<std::pair<CodeRange, std::string>> ranges) {
  if (ranges.empty())
    return;
  std::lock_guard lock(writers_);
  auto table = std::make_unique<Table>();
  if (const Table *old = current_.load(std::memory_order_relaxed))
    table->ranges = old->ranges;
  for (auto &[range, name] : ranges) {
    names_.push_back(std::move(name));
    range.name = &names_.back();
    table->ranges.push_back(range);
  }
  std::sort(table->ranges.begin(), table->ranges.end(),
            [](const CodeRange &a, const CodeRange &b) { return a.start < b.start; });
  current_.store(table.get(), std::memory_order_release);
  tables_.push_back(std::move(table));
}

void CodeMapPlugin::modifyPassConfig(llvm::orc::MaterializationResponsibility &,
                                     llvm::jitlink::LinkGraph &,
                                     llvm::jitlink::PassConfiguration &config) {
  // After fixups every symbol has its final address, and no code of the graph has run yet.
  config.PostFixupPasses.push_back([map = map_](llvm::jitlink::LinkGraph &graph) {
    std::vector<std::pair<CodeRange, std::string>> ranges;
    for (auto *symbol : graph.defined_symbols()) {
      if (!symbol->isCallable() || !symbol->hasName() || symbol->getSize() == 0)
        continue;
      CodeRange range;
      range.start = symbol->getAddress().getValue();
      range.end = range.start + symbol->getSize();
      ranges.push_back({range, std::string(*symbol->getName())});
    }
    map->add(std::move(ranges));
    return llvm::Error::success();
  });
}

} // namespace hotcc::jit
