// `hotcc wasm --json`: the events of a wasm build that the renderer does not know (it is
// LLVM-free and knows no wasm types): a patch written, a main-module object, a plain side module.
// Each is one JSON object on one line, {"schema": 1, "event": ..., ...}, like render's events.
#pragma once
#include "hotcc/wasm/wasm_builder.hpp"

#include <string>

namespace hotcc::cli {

// event "patch": what the patch carries (its manifest's fills), what the main module must
// export, whether it came from the cache, its size and times.
std::string jsonPatch(const wasm::PatchBuild &build);
// event "side-module" (--plain): the file, its size and times.
std::string jsonSideModule(const wasm::PatchBuild &build);
// event "main-object" (--main): the object, its slots and the data it exports, the build state.
std::string jsonMainObject(const wasm::MainBuild &build);

} // namespace hotcc::cli
