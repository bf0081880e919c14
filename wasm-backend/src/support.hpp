// Small pieces every part of the wasm backend uses: errors as values, hashes as text, files
// written so that no reader ever sees half of one.
#pragma once
#include <llvm/Support/Error.h>

#include <cstdint>
#include <string>

namespace hotcc::wasm {

// An llvm::Error carrying `message` as it is shown to the user.
llvm::Error failure(const std::string &message);

// 16 lower-case hex digits.
std::string hex16(std::uint64_t value);

// Writes beside `path` and renames over it; the error names the path.
llvm::Error writeFileAtomically(const std::string &path, const std::string &bytes);

} // namespace hotcc::wasm
