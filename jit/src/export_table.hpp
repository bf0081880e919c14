// What a program linked with -rdynamic offers the shared libraries it loads: its exported
// functions and data, which the dynamic loader binds their undefined symbols to (a Lua C module
// calling lua_pushinteger, a plugin calling back into its host). Hot code lives in no ELF object
// the loader searches, so the exports are published as a small shared object of absolute symbols
// — a hot function's stub, a global's storage, addresses that never change — linked in-process by
// lld and loaded with RTLD_GLOBAL before the program's own dlopen runs.
#pragma once
#include <llvm/Support/Error.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace hotcc::jit {

class ExportTable {
public:
  ExportTable();
  ~ExportTable();
  ExportTable(const ExportTable &) = delete;
  ExportTable &operator=(const ExportTable &) = delete;

  // Offers `name` at `address` to libraries loaded from now on. The address must stay valid for
  // the life of the process (a stub, a global's storage).
  void add(const std::string &name, std::uintptr_t address);

  // Makes every symbol added so far resolvable by the dynamic loader. Costs one atomic read when
  // nothing is new; otherwise one small in-process link and a dlopen.
  llvm::Error publish();

private:
  llvm::Error publishPending(const std::map<std::string, std::uintptr_t> &symbols);

  mutable std::mutex mutex_;
  std::atomic<bool> anyPending_{false};
  std::map<std::string, std::uintptr_t> pending_;
  std::set<std::string> published_;
  std::vector<void *> handles_;  // the loaded objects
  std::string directory_;  // private temporary directory for the linker's input and output
  unsigned generation_ = 0;
};

} // namespace hotcc::jit
