#include "hotcc/wasm/wasm_linker.hpp"

#include "hotcc/frontend/linker_lock.hpp"
#include "hotcc/frontend/outcome_error.hpp"

#include <lld/Common/Driver.h>
#include <llvm/Support/raw_ostream.h>

#include <spdlog/spdlog.h>

#include <mutex>

LLD_HAS_DRIVER(wasm)

namespace hotcc::wasm {

llvm::Error runWasmLd(const std::vector<std::string> &args) {
  std::lock_guard lock(frontend::inProcessLinkerLock());

  std::vector<const char *> argv = {"wasm-ld"};
  for (auto &a : args)
    argv.push_back(a.c_str());
  std::string out, err;
  llvm::raw_string_ostream outStream(out), errStream(err);
  lld::Result result = lld::lldMain(argv, outStream, errStream, {{lld::Wasm, &lld::wasm::link}});
  if (!result.canRunAgain)
    spdlog::error("wasm-ld reports that it cannot run again in this process");
  if (result.retCode != 0) {
    std::string message = err.empty() ? "wasm-ld failed (exit " + std::to_string(result.retCode) + ")"
                                      : err;
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    return frontend::makeFailure(failure::LinkError{{}, std::move(message)});
  }
  if (!err.empty())
    spdlog::debug("wasm-ld: {}", err);
  return llvm::Error::success();
}

llvm::Error linkSideModule(const std::vector<std::string> &objects, const std::string &output) {
  // The flags emcc uses for SIDE_MODULE=1, with lld 22's spelling for "undefined symbols are
  // resolved by the dynamic loader".
  // One thread: a patch is a few objects, and waking lld's worker threads costs more than it saves.
  std::vector<std::string> args = {"--threads=1", "-shared", "--experimental-pic", "--no-entry",
                                   "--unresolved-symbols=import-dynamic", "--export-dynamic",
                                   "--no-gc-sections", "--strip-debug",
                                   // the loader runs these itself, after it has filled the GOT
                                   "--export-if-defined=__wasm_call_ctors",
                                   "--export-if-defined=__wasm_apply_data_relocs", "-o", output};
  args.insert(args.end(), objects.begin(), objects.end());
  return runWasmLd(args);
}

llvm::Error linkRelocatable(const std::vector<std::string> &objects, const std::string &output) {
  std::vector<std::string> args = {"-r", "-o", output};
  args.insert(args.end(), objects.begin(), objects.end());
  return runWasmLd(args);
}

} // namespace hotcc::wasm
