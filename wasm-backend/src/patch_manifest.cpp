#include "hotcc/wasm/patch_manifest.hpp"

#include "support.hpp"

#include <llvm/ADT/StringExtras.h>

#include <sstream>

namespace hotcc::wasm {

namespace {

llvm::Error bad(int line, const std::string &message) {
  return setupError("patch manifest", "line " + std::to_string(line) + ": " + message);
}

bool isHex16(const std::string &s) {
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) { return llvm::isHexDigit(c); });
}


} // namespace

std::string PatchManifest::serialize() const {
  std::ostringstream out;
  out << "hotcc-patch " << version << "\n";
  out << "id " << id << "\n";
  out << "target " << target << "\n";
  out << "after " << after << "\n";
  for (auto &unit : units)
    out << "unit " << unit.unit << " " << unit.build << "\n";
  for (auto &fill : fills)
    out << "fill " << fill.unit << " " << fill.slot << " " << fill.signature << " " << fill.hash
        << " " << fill.exportName << "\n";
  return out.str();
}

llvm::Expected<PatchManifest> PatchManifest::parse(const std::string &text) {
  PatchManifest manifest;
  manifest.version = 0;
  llvm::SmallVector<llvm::StringRef, 16> lines;
  llvm::StringRef(text).split(lines, '\n', -1, /*KeepEmpty=*/false);
  int number = 0;
  for (auto line : lines) {
    ++number;
    llvm::SmallVector<llvm::StringRef, 8> fields;
    line.split(fields, ' ', -1, /*KeepEmpty=*/false);
    if (fields.empty())
      continue;
    auto word = fields[0];
    auto need = [&](std::size_t n) -> llvm::Error {
      if (fields.size() != n)
        return bad(number, "'" + word.str() + "' takes " + std::to_string(n - 1) + " fields, found " +
                               std::to_string(fields.size() - 1));
      return llvm::Error::success();
    };
    if (number == 1) {
      if (word != "hotcc-patch" || fields.size() != 2 || fields[1].getAsInteger(10, manifest.version))
        return bad(number, "not a hotcc patch manifest (expected 'hotcc-patch <version>')");
      if (manifest.version != kManifestVersion)
        return bad(number, "manifest version " + std::to_string(manifest.version) +
                               " is not supported (this hotcc reads version " +
                               std::to_string(kManifestVersion) + ")");
      continue;
    }
    if (word == "id") {
      if (auto e = need(2))
        return std::move(e);
      manifest.id = fields[1].str();
    } else if (word == "target") {
      if (auto e = need(2))
        return std::move(e);
      manifest.target = fields[1].str();
    } else if (word == "after") {
      if (auto e = need(2))
        return std::move(e);
      manifest.after = fields[1].str();
    } else if (word == "unit") {
      if (auto e = need(3))
        return std::move(e);
      manifest.units.push_back({fields[1].str(), fields[2].str()});
    } else if (word == "fill") {
      if (auto e = need(6))
        return std::move(e);
      SlotFill fill{fields[1].str(), fields[2].str(), fields[3].str(), fields[4].str(),
                    fields[5].str()};
      if (!isHex16(fill.signature) || !isHex16(fill.hash))
        return bad(number, "signature and hash must be 16 hex digits");
      manifest.fills.push_back(std::move(fill));
    } else {
      return bad(number, "unknown record '" + word.str() + "'");
    }
  }
  if (manifest.version == 0)
    return bad(1, "empty manifest");
  if (manifest.id.empty())
    return bad(number, "no patch id");
  for (auto &fill : manifest.fills) {
    bool known = std::any_of(manifest.units.begin(), manifest.units.end(),
                             [&](auto &u) { return u.unit == fill.unit; });
    if (!known)
      return bad(number, "fill of " + fill.slot + " names unit " + fill.unit +
                             " that has no 'unit' record");
  }
  return manifest;
}

} // namespace hotcc::wasm
