// Which JIT'd function a code address belongs to, for a crash handler: every callable symbol
// JITLink defines, [address, address + size) → its link name, recorded by a JITLink plugin as each
// graph is linked. Lookup reads an immutable sorted table through one atomic pointer, so it takes
// no lock and allocates nothing (safe in a signal handler); a link publishes a new table and frees
// the old ones once no lookup is reading (a count of readers, seq_cst: a lookup that starts after
// the count was seen at zero loads the new table). A table per link kept forever grew with the
// square of the reload count: 1.8 GB after 10,000 reloads.
//
// It also keeps, per ORC resource key (one per linked module), the address ranges of the module's
// executable blocks: what reclamation scans stacks for. Removing a module drops both.
#pragma once
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hotcc::jit {

struct CodeRange {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;         // one past the last byte
  const std::string *name = nullptr;  // the link name, e.g. "_Z5scorei.hcv.1f2e..."
};

using AddressRange = std::pair<std::uintptr_t, std::uintptr_t>;  // [first, second)

class CodeMap {
public:
  // The range containing `pc` (a copy: the table may be freed once the lookup is done; the name it
  // points at lives as long as the map). Async-signal-safe.
  std::optional<CodeRange> find(std::uintptr_t pc) const;
  // Adds the ranges of one linked graph (module `key`) and publishes the new table.
  void add(llvm::orc::ResourceKey key, std::vector<std::pair<CodeRange, std::string>> symbols,
           std::vector<AddressRange> executable);
  // Forgets module `key` (its memory is about to be freed).
  void remove(llvm::orc::ResourceKey key);
  // The executable blocks of module `key`.
  std::vector<AddressRange> executableRanges(llvm::orc::ResourceKey key) const;

private:
  struct Table {
    std::vector<CodeRange> ranges;  // sorted by start, not overlapping
  };
  struct Module {
    std::vector<std::unique_ptr<std::string>> names;  // stable storage for CodeRange::name
    std::vector<CodeRange> symbols;
    std::vector<AddressRange> executable;
  };
  void publishLocked();

  std::atomic<const Table *> current_{nullptr};
  mutable std::atomic<int> readers_{0};  // lookups in progress
  mutable std::mutex writers_;
  std::map<llvm::orc::ResourceKey, Module> modules_;
  std::vector<std::unique_ptr<const Table>> tables_;  // published, not yet freed (the last current)
  // Names of removed modules: an old table a handler still reads may point at them.
  std::vector<std::unique_ptr<std::string>> retiredNames_;
};

// The JITLink plugin that fills a CodeMap after each graph's addresses are fixed.
class CodeMapPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
public:
  explicit CodeMapPlugin(std::shared_ptr<CodeMap> map) : map_(std::move(map)) {}
  void modifyPassConfig(llvm::orc::MaterializationResponsibility &responsibility,
                        llvm::jitlink::LinkGraph &graph,
                        llvm::jitlink::PassConfiguration &config) override;
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility &) override {
    return llvm::Error::success();
  }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib &, llvm::orc::ResourceKey key) override {
    map_->remove(key);
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib &, llvm::orc::ResourceKey,
                                   llvm::orc::ResourceKey) override {}

private:
  std::shared_ptr<CodeMap> map_;
};

} // namespace hotcc::jit
