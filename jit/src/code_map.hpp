// Which JIT'd function a code address belongs to, for a crash handler: every callable symbol
// JITLink defines, [address, address + size) → its link name, recorded by a JITLink plugin as each
// graph is linked. Lookup reads an immutable sorted table through one atomic pointer, so it takes
// no lock and allocates nothing (safe in a signal handler); a link publishes a new table and the
// old ones are kept (never freed: a handler may still be reading one).
#pragma once
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hotcc::jit {

struct CodeRange {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;         // one past the last byte
  const std::string *name = nullptr;  // the link name, e.g. "_Z5scorei.hcv.1f2e..."
};

class CodeMap {
public:
  // The range containing `pc`, or null. Async-signal-safe.
  const CodeRange *find(std::uintptr_t pc) const;
  // Adds the ranges of one linked graph and publishes the new table.
  void add(std::vector<std::pair<CodeRange, std::string>> ranges);

private:
  struct Table {
    std::vector<CodeRange> ranges;  // sorted by start, not overlapping
  };
  std::atomic<const Table *> current_{nullptr};
  std::mutex writers_;
  std::deque<std::string> names_;                   // stable storage for CodeRange::name
  std::vector<std::unique_ptr<const Table>> tables_;  // every table published, kept
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
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib &, llvm::orc::ResourceKey) override {
    return llvm::Error::success();  // versions stay mapped (see README, "Known limits")
  }
  void notifyTransferringResources(llvm::orc::JITDylib &, llvm::orc::ResourceKey,
                                   llvm::orc::ResourceKey) override {}

private:
  std::shared_ptr<CodeMap> map_;
};

} // namespace hotcc::jit
