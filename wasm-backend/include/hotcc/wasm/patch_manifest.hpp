// What a patch says about itself, stored as the custom section "hotcc.patch" inside the side
// module: which slots of which unit it fills, with which exported body, built against which build
// of the main module. Plain text, one record per line, so the C runtime in the page reads it with
// a few lines of code and a person reads it with `strings`.
//
//   hotcc-patch 1
//   id 3f9a0c1d2b4e5f60
//   target wasm32-unknown-emscripten
//   after <id of the patch this one follows, or "main">
//   unit <unit tag> <build id>
//   fill <unit tag> <slot link name> <signature hash> <body hash> <export name>
#pragma once
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace hotcc::wasm {

inline constexpr const char *kManifestSection = "hotcc.patch";
inline constexpr int kManifestVersion = 1;

struct SlotFill {
  std::string unit;       // unit tag
  std::string slot;       // link name of the hot function (the slot's key)
  std::string signature;  // 16 hex digits: the slot's type; must match the main module's
  std::string hash;       // 16 hex digits: the new body's content hash
  std::string exportName; // the body's unique symbol in the side module
  bool operator==(const SlotFill &) const = default;
};

struct UnitBuild {
  std::string unit;
  std::string build;  // the main module's build of the unit the patch was made against
  bool operator==(const UnitBuild &) const = default;
};

struct PatchManifest {
  int version = kManifestVersion;
  std::string id;
  std::string target;
  std::string after = "main";  // the patch it was diffed against: the runtime applies in order
  std::vector<UnitBuild> units;
  std::vector<SlotFill> fills;

  std::string serialize() const;
  static llvm::Expected<PatchManifest> parse(const std::string &text);
  bool operator==(const PatchManifest &) const = default;
};

} // namespace hotcc::wasm
