// Small pieces every part of the wasm backend uses: typed failures as llvm::Errors, hashes as
// text, files written so that no reader ever sees half of one.
#pragma once
#include "hotcc/frontend/outcome_error.hpp"

#include <llvm/Support/Error.h>

#include <cstdint>
#include <string>

namespace hotcc::wasm {

// The backend's errors are values (hotcc/outcome.hpp); tools/render words them for people.
// Something around the code is missing or broken: `subject` names it, `problem` says what.
llvm::Error setupError(std::string subject, std::string problem);
// A file that cannot be read; `reason` is the system's words.
llvm::Error fileUnreadable(std::string path, std::string reason);
// A bug in hotcc, not in the user's code.
llvm::Error internalError(std::string detail);

// 16 lower-case hex digits.
std::string hex16(std::uint64_t value);

// Writes beside `path` and renames over it; the error names the path.
llvm::Error writeFileAtomically(const std::string &path, const std::string &bytes);

} // namespace hotcc::wasm
