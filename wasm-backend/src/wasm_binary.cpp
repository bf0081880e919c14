#include "hotcc/wasm/wasm_binary.hpp"

#include "support.hpp"

#include <algorithm>

namespace hotcc::wasm {

namespace {

// What is wrong with bytes that should be a WebAssembly binary (a damaged cache entry, a link
// output hotcc cannot read back).
llvm::Error malformed(std::string problem) {
  return setupError("WebAssembly binary", std::move(problem));
}

// A cursor over the binary that fails (instead of reading past the end) on truncated input.
class Reader {
public:
  Reader(const std::string &bytes, std::size_t begin, std::size_t end)
      : bytes_(bytes), pos_(begin), end_(end) {}
  bool ok() const { return ok_; }
  bool atEnd() const { return pos_ >= end_; }
  std::size_t pos() const { return pos_; }

  std::uint8_t byte() {
    if (pos_ >= end_) {
      ok_ = false;
      return 0;
    }
    return static_cast<std::uint8_t>(bytes_[pos_++]);
  }
  std::uint32_t u32() {
    std::uint32_t value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      std::uint8_t b = byte();
      value |= std::uint32_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return value;
    }
    ok_ = false;
    return 0;
  }
  std::string name() {
    std::uint32_t size = u32();
    if (!ok_ || size > end_ - pos_) {
      ok_ = false;
      return {};
    }
    std::string out = bytes_.substr(pos_, size);
    pos_ += size;
    return out;
  }
  void skip(std::size_t n) {
    if (n > end_ - pos_) {
      ok_ = false;
      pos_ = end_;
      return;
    }
    pos_ += n;
  }
  void limits() {
    std::uint8_t flags = byte();
    u32();
    if (flags & 1)
      u32();
  }

private:
  const std::string &bytes_;
  std::size_t pos_, end_;
  bool ok_ = true;
};

const char *sectionName(std::uint8_t id) {
  static const char *names[] = {"custom", "type",   "import", "function", "table",
                                "memory", "global", "export", "start",    "element",
                                "code",   "data",   "datacount", "tag"};
  return id < std::size(names) ? names[id] : "unknown";
}

void appendU32(std::string &out, std::uint32_t value) {
  do {
    std::uint8_t b = value & 0x7f;
    value >>= 7;
    if (value)
      b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (value);
}

} // namespace

bool WasmSummary::isSideModule() const {
  return !sectionOrder.empty() && sectionOrder.front() == "custom:dylink.0";
}

bool WasmSummary::exportsName(const std::string &name) const {
  return std::any_of(exports.begin(), exports.end(), [&](auto &e) { return e.name == name; });
}

bool WasmSummary::importsName(const std::string &module, const std::string &name) const {
  return std::any_of(imports.begin(), imports.end(),
                     [&](auto &i) { return i.module == module && i.name == name; });
}

llvm::Expected<WasmSummary> readWasm(const std::string &bytes) {
  if (bytes.size() < 8 || bytes.compare(0, 4, std::string("\0asm", 4)) != 0)
    return malformed("not a WebAssembly binary (no \\0asm header)");
  if (bytes.compare(4, 4, std::string("\1\0\0\0", 4)) != 0)
    return malformed("unsupported WebAssembly version (expected 1)");
  WasmSummary summary;
  Reader top(bytes, 8, bytes.size());
  while (!top.atEnd()) {
    std::uint8_t id = top.byte();
    std::uint32_t size = top.u32();
    std::size_t begin = top.pos();
    if (!top.ok() || size > bytes.size() - begin)
      return malformed("truncated WebAssembly binary (section at byte " + std::to_string(begin) + ")");
    Reader section(bytes, begin, begin + size);
    if (id == 0) {
      std::string name = section.name();
      if (!section.ok())
        return malformed("malformed custom section name at byte " + std::to_string(begin));
      summary.sectionOrder.push_back("custom:" + name);
      summary.customSections.emplace(name, bytes.substr(section.pos(), begin + size - section.pos()));
    } else {
      summary.sectionOrder.emplace_back(sectionName(id));
    }
    if (id == 2) {  // imports
      std::uint32_t count = section.u32();
      for (std::uint32_t i = 0; i < count && section.ok(); ++i) {
        WasmImport import;
        import.module = section.name();
        import.name = section.name();
        import.kind = static_cast<ExternalKind>(section.byte());
        switch (import.kind) {
        case ExternalKind::Function: section.u32(); break;
        case ExternalKind::Table: section.byte(); section.limits(); break;
        case ExternalKind::Memory: section.limits(); break;
        case ExternalKind::Global: section.byte(); section.byte(); break;
        case ExternalKind::Tag: section.byte(); section.u32(); break;
        default: return malformed("unknown import kind in " + import.module + "." + import.name);
        }
        summary.imports.push_back(std::move(import));
      }
    } else if (id == 3) {
      summary.functionCount = section.u32();
    } else if (id == 7) {  // exports
      std::uint32_t count = section.u32();
      for (std::uint32_t i = 0; i < count && section.ok(); ++i) {
        WasmExport exported;
        exported.name = section.name();
        exported.kind = static_cast<ExternalKind>(section.byte());
        section.u32();
        summary.exports.push_back(std::move(exported));
      }
    }
    if (!section.ok())
      return malformed(std::string("malformed ") + sectionName(id) + " section at byte " +
                 std::to_string(begin));
    top.skip(size);
  }
  return summary;
}

std::string withCustomSection(const std::string &bytes, const std::string &name,
                              const std::string &payload) {
  std::string body;
  appendU32(body, static_cast<std::uint32_t>(name.size()));
  body += name;
  body += payload;
  std::string out = bytes;
  out.push_back('\0');
  appendU32(out, static_cast<std::uint32_t>(body.size()));
  out += body;
  return out;
}

} // namespace hotcc::wasm
