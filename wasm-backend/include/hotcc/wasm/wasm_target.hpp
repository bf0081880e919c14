// The two wasm32 targets a patch can be built for, and the compiler flags each needs: headers from
// the emscripten or WASI sysroot, the ABI details emcc itself passes, PIC for side modules.
#pragma once
#include <llvm/Support/Error.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotcc::wasm {

enum class WasmTarget {
  Emscripten,  // wasm32-unknown-emscripten: side modules an emscripten MAIN_MODULE loads
  Wasi,        // wasm32-wasi: dylink.0 side modules for WASI hosts that link them
};

std::optional<WasmTarget> parseTarget(std::string_view name);
std::string_view targetName(WasmTarget target);

struct TargetSetup {
  WasmTarget target = WasmTarget::Emscripten;
  std::string triple;
  std::string sysroot;
  std::string version;                  // emscripten's version, from the sysroot's installation
  std::vector<std::string> driverFlags; // what emcc adds to clang for this sysroot, plus PIC
};

// Where the sysroot is: `sysrootOverride` when given (checked), else the first installation found
// ($EMSCRIPTEN_SYSROOT, then Debian's and emsdk's layouts for emscripten; /usr for WASI).
llvm::Expected<TargetSetup> targetSetup(WasmTarget target, const std::string &sysrootOverride);

} // namespace hotcc::wasm
