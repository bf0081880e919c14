#include "hotcc/wasm/wasm_target.hpp"

#include "support.hpp"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <cstdlib>

namespace hotcc::wasm {

std::optional<WasmTarget> parseTarget(std::string_view name) {
  if (name == "wasm32-unknown-emscripten" || name == "wasm32-emscripten" || name == "emscripten")
    return WasmTarget::Emscripten;
  if (name == "wasm32-wasi" || name == "wasm32-wasip1" || name == "wasm32-unknown-wasi" ||
      name == "wasi")
    return WasmTarget::Wasi;
  return std::nullopt;
}

std::string_view targetName(WasmTarget target) {
  return target == WasmTarget::Emscripten ? "wasm32-unknown-emscripten" : "wasm32-wasi";
}

namespace {

// An emscripten sysroot has include/emscripten.h; the installation is two levels up
// (<emscripten>/cache/sysroot) and names its version in emscripten-version.txt.
bool looksLikeEmscriptenSysroot(const std::string &dir) {
  return llvm::sys::fs::exists(dir + "/include/emscripten.h");
}

std::string emscriptenVersion(const std::string &sysroot) {
  llvm::SmallString<256> root(sysroot);
  llvm::sys::path::remove_filename(root);  // cache
  llvm::sys::path::remove_filename(root);  // <emscripten>
  for (const char *name : {"emscripten-version.txt", "emscripten-version.txt.in"}) {
    auto text = llvm::MemoryBuffer::getFile(root + "/" + name);
    if (!text)
      continue;
    auto version = (*text)->getBuffer().trim().trim('"');
    if (!version.empty())
      return version.str();
  }
  // Newer emscriptens carry it in a header.
  auto header = llvm::MemoryBuffer::getFile(sysroot + "/include/emscripten/version.h");
  if (header) {
    llvm::StringRef text = (*header)->getBuffer();
    std::string parts[3];
    const char *names[3] = {"__EMSCRIPTEN_major__", "__EMSCRIPTEN_minor__", "__EMSCRIPTEN_tiny__"};
    for (int i = 0; i < 3; ++i) {
      auto at = text.find(names[i]);
      if (at == llvm::StringRef::npos)
        return "";
      parts[i] = text.substr(at + std::strlen(names[i])).ltrim().take_while(isdigit).str();
    }
    return parts[0] + "." + parts[1] + "." + parts[2];
  }
  return "";
}

llvm::Expected<std::string> findEmscriptenSysroot(const std::string &override) {
  if (!override.empty()) {
    if (!looksLikeEmscriptenSysroot(override))
      return setupError("--sysroot " + override,
                        "not an emscripten sysroot (no include/emscripten.h)");
    return override;
  }
  std::vector<std::string> candidates;
  if (const char *env = std::getenv("EMSCRIPTEN_SYSROOT"))
    candidates.emplace_back(env);
  if (const char *emsdk = std::getenv("EMSDK"))
    candidates.push_back(std::string(emsdk) + "/upstream/emscripten/cache/sysroot");
  candidates.push_back("/usr/share/emscripten/cache/sysroot");  // Debian's emscripten package
  candidates.push_back("/usr/lib/emscripten/cache/sysroot");
  for (auto &dir : candidates)
    if (looksLikeEmscriptenSysroot(dir))
      return dir;
  return setupError("the emscripten sysroot",
                    "not found (looked in $EMSCRIPTEN_SYSROOT, $EMSDK and "
                    "/usr/share/emscripten/cache/sysroot); install Debian's 'emscripten' package "
                    "or pass --sysroot DIR");
}

llvm::Expected<std::string> findWasiSysroot(const std::string &override) {
  std::string dir = override.empty() ? "/usr" : override;
  for (const char *triple : {"wasm32-wasi", "wasm32-wasip1"})
    if (llvm::sys::fs::exists(dir + "/include/" + triple + "/stdlib.h"))
      return dir;
  if (llvm::sys::fs::exists(dir + "/include/stdlib.h") && !override.empty())
    return dir;
  return setupError(override.empty() ? "the WASI sysroot" : "--sysroot " + override,
                    "no WASI sysroot at " + dir + " (include/wasm32-wasi/stdlib.h); install "
                    "Debian's 'wasi-libc' and 'libc++-22-dev-wasm32' or pass --sysroot DIR");
}

} // namespace

llvm::Expected<TargetSetup> targetSetup(WasmTarget target, const std::string &sysrootOverride) {
  TargetSetup setup;
  setup.target = target;
  // Side modules are position independent; the patch's exports are its default-visibility
  // symbols, so nothing may be hidden by default (WASI's driver hides by default).
  std::vector<std::string> common = {"-fPIC", "-fvisibility=default"};
  if (target == WasmTarget::Emscripten) {
    auto sysroot = findEmscriptenSysroot(sysrootOverride);
    if (!sysroot)
      return sysroot.takeError();
    setup.triple = "wasm32-unknown-emscripten";
    setup.sysroot = *sysroot;
    setup.version = emscriptenVersion(*sysroot);
    setup.driverFlags = {"--sysroot=" + *sysroot, "-DEMSCRIPTEN", "-Dunix", "-D__unix",
                         "-D__unix__",
                         // emscripten's prebuilt libc++ is ABI version 2 (std::__2)
                         "-D_LIBCPP_ABI_VERSION=2",
                         // what emcc compiles with by default: exceptions parsed, not thrown
                         "-fignore-exceptions", "-fno-threadsafe-statics",
                         // emcc's include path: <SDL.h> (emscripten's SDL 1.2 port) and compat
                         "-Xclang", "-iwithsysroot/include/SDL", "-Xclang",
                         "-iwithsysroot/include/compat"};
    if (auto dots = llvm::StringRef(setup.version).split('.'); !dots.first.empty()) {
      auto [minor, tiny] = dots.second.split('.');
      setup.driverFlags.push_back("-D__EMSCRIPTEN_major__=" + dots.first.str());
      setup.driverFlags.push_back("-D__EMSCRIPTEN_minor__=" + minor.str());
      setup.driverFlags.push_back("-D__EMSCRIPTEN_tiny__=" + tiny.str());
    }
  } else {
    auto sysroot = findWasiSysroot(sysrootOverride);
    if (!sysroot)
      return sysroot.takeError();
    setup.triple = "wasm32-wasi";
    setup.sysroot = *sysroot;
    // wasm32-wasi, not clang 22's preferred wasm32-wasip1: Debian's wasi-libc installs its
    // headers under the old name. WASI has no exception runtime.
    setup.driverFlags = {"--sysroot=" + *sysroot, "-fno-exceptions"};
  }
  setup.driverFlags.insert(setup.driverFlags.end(), common.begin(), common.end());
  return setup;
}

} // namespace hotcc::wasm
