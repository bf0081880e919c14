#include "support.hpp"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/raw_ostream.h>

#include <unistd.h>

namespace hotcc::wasm {

llvm::Error setupError(std::string subject, std::string problem) {
  return frontend::makeFailure(failure::SetupError{std::move(subject), std::move(problem)});
}

llvm::Error fileUnreadable(std::string path, std::string reason) {
  return frontend::makeFailure(failure::FileUnreadable{std::move(path), std::move(reason)});
}

llvm::Error internalError(std::string detail) {
  return frontend::makeFailure(failure::InternalError{std::move(detail)});
}

std::string hex16(std::uint64_t value) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::format_hex_no_prefix(value, 16);
  return out;
}

llvm::Error writeFileAtomically(const std::string &path, const std::string &bytes) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(temporary, ec);
    if (ec)
      return setupError(path, "cannot write it: " + ec.message());
    out << bytes;
  }
  if (auto ec = llvm::sys::fs::rename(temporary, path)) {
    llvm::sys::fs::remove(temporary);
    return setupError(path, "cannot write it: " + ec.message());
  }
  return llvm::Error::success();
}

} // namespace hotcc::wasm
