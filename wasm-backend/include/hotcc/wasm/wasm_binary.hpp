// Reading what a wasm binary declares (sections, imports, exports, custom sections) without
// instantiating it, and adding a custom section to one. Enough to check a patch before loading it.
#pragma once
#include <llvm/Support/Error.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hotcc::wasm {

enum class ExternalKind : std::uint8_t { Function = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };

struct WasmImport {
  std::string module;  // "env", "GOT.mem", "GOT.func", ...
  std::string name;
  ExternalKind kind = ExternalKind::Function;
};

struct WasmExport {
  std::string name;
  ExternalKind kind = ExternalKind::Function;
};

struct WasmSummary {
  std::vector<std::string> sectionOrder;  // "custom:<name>" for custom sections, else "type", ...
  std::vector<WasmImport> imports;
  std::vector<WasmExport> exports;
  std::map<std::string, std::string> customSections;  // name → payload (first of each name)
  std::uint32_t functionCount = 0;                    // defined, not imported

  bool isSideModule() const;  // first section is custom "dylink.0"
  bool exportsName(const std::string &name) const;
  bool importsName(const std::string &module, const std::string &name) const;
};

// Parses the section structure; fails on a truncated or non-wasm binary with what was wrong.
llvm::Expected<WasmSummary> readWasm(const std::string &bytes);

// `bytes` with a custom section `name` appended (the end is where tools put extra metadata; a
// side module's dylink.0 must stay first).
std::string withCustomSection(const std::string &bytes, const std::string &name,
                              const std::string &payload);

} // namespace hotcc::wasm
