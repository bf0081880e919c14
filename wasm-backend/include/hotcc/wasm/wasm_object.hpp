// From an LLVM module to wasm32 object bytes: the optimization pipeline at the user's level, then
// the WebAssembly backend, all in-process.
#pragma once
#include <llvm/Support/Error.h>

#include <string>

namespace llvm {
class Module;
}

namespace hotcc::wasm {

// Optimizes `module` (its triple must be a wasm32 one) at -O`optLevel` and returns the object file.
llvm::Expected<std::string> emitWasmObject(llvm::Module &module, int optLevel);

} // namespace hotcc::wasm
