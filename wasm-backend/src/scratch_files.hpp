// A private directory for one build's objects and link output, removed when the build ends,
// whatever happens. Fixed names inside it: lld writes the output's name into the module, and the
// same sources must give the same bytes.
#pragma once
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace hotcc::wasm {

class ScratchFiles {
public:
  ScratchFiles() = default;
  ~ScratchFiles();
  // One owner: a copy would remove the directory while the other still uses it.
  ScratchFiles(const ScratchFiles &) = delete;
  ScratchFiles &operator=(const ScratchFiles &) = delete;

  // Where `name` goes; the directory is made on first use.
  llvm::Expected<std::string> path(const std::string &name);
  llvm::Expected<std::string> write(const std::string &name, const std::string &bytes);

  // The next unit's object (0.o, 1.o, …): the linker takes them in the order of the files.
  llvm::Error addObject(const std::string &bytes);
  const std::vector<std::string> &objects() const { return objects_; }

private:
  std::string dir_;
  std::vector<std::string> objects_;
};

} // namespace hotcc::wasm
