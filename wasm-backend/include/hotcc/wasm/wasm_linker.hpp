// lld's wasm driver, in-process. lld keeps global state while it runs, so links are serialized;
// lld resets that state after each link, so one process can link any number of times.
// A failed link is a failure::LinkError (hotcc/outcome.hpp) carrying wasm-ld's words; its `files`
// are empty here (wasm-ld sees objects) and filled by the caller that knows the sources.
#pragma once
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace hotcc::wasm {

// A side module (`-shared --experimental-pic`, dylink.0) from wasm32 objects. Undefined symbols
// become imports that the main module (or an earlier side module) provides at load time.
llvm::Error linkSideModule(const std::vector<std::string> &objects, const std::string &output);

// One relocatable object from several (`wasm-ld -r`), for a main module's build to link.
llvm::Error linkRelocatable(const std::vector<std::string> &objects, const std::string &output);

// Any wasm-ld command line (without the program name); for what the two above do not cover.
llvm::Error runWasmLd(const std::vector<std::string> &args);

} // namespace hotcc::wasm
