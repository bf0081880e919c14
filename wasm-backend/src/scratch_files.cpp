#include "scratch_files.hpp"
#include "support.hpp"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>

namespace hotcc::wasm {

ScratchFiles::~ScratchFiles() {
  if (!dir_.empty())
    llvm::sys::fs::remove_directories(dir_);
}

llvm::Expected<std::string> ScratchFiles::path(const std::string &name) {
  if (dir_.empty()) {
    llvm::SmallString<128> dir;
    if (auto ec = llvm::sys::fs::createUniqueDirectory("hotcc-wasm", dir))
      return setupError("a temporary directory", "cannot create it: " + ec.message());
    dir_ = std::string(dir);
  }
  return dir_ + "/" + name;
}

llvm::Expected<std::string> ScratchFiles::write(const std::string &name,
                                                const std::string &bytes) {
  auto file = path(name);
  if (!file)
    return file.takeError();
  if (auto e = writeFileAtomically(*file, bytes))
    return std::move(e);
  return *file;
}

llvm::Error ScratchFiles::addObject(const std::string &bytes) {
  auto file = write(std::to_string(objects_.size()) + ".o", bytes);
  if (!file)
    return file.takeError();
  objects_.push_back(std::move(*file));
  return llvm::Error::success();
}

} // namespace hotcc::wasm
