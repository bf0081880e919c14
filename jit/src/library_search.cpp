#include "hotcc/frontend/outcome_error.hpp"
#include "library_search.hpp"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>

namespace hotcc::jit {

namespace {

const char *const kSystemDirs[] = {"/usr/local/lib", "/usr/local/lib/x86_64-linux-gnu",
                                   "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
                                   "/usr/lib64", "/lib", "/usr/lib"};

// Libraries glibc merged into libc.so.6, or that every process here has loaded already.
bool inTheCLibrary(const std::string &name) {
  for (const char *merged : {"c", "m", "dl", "pthread", "rt", "util", "anl"})
    if (name == merged)
      return true;
  return false;
}

bool isElf(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, 4, 0);
  return buffer && (*buffer)->getBuffer() == "\x7f" "ELF";
}

// GROUP ( /lib/x86_64-linux-gnu/libm.so.6  AS_NEEDED ( ... ) ): the first shared object named.
std::string sharedObjectInScript(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return "";
  llvm::SmallVector<llvm::StringRef> words;
  (*buffer)->getBuffer().split(words, ' ', -1, false);
  for (auto word : words) {
    word = word.trim(" \t\r\n()");
    if (word.starts_with("/") && word.contains(".so") && llvm::sys::fs::exists(word) &&
        isElf(word.str()))
      return word.str();
  }
  return "";
}

} // namespace

llvm::Expected<std::string> findLibrary(const std::string &name,
                                        const std::vector<std::string> &searchDirs) {
  std::vector<std::string> dirs = searchDirs;
  dirs.insert(dirs.end(), std::begin(kSystemDirs), std::end(kSystemDirs));
  bool archiveOnly = false;
  for (auto &dir : dirs) {
    std::string candidate = dir + "/lib" + name + ".so";
    if (llvm::sys::fs::exists(candidate)) {
      if (isElf(candidate))
        return candidate;
      if (auto named = sharedObjectInScript(candidate); !named.empty())
        return named;
    }
    archiveOnly = archiveOnly || llvm::sys::fs::exists(dir + "/lib" + name + ".a");
  }
  if (inTheCLibrary(name))
    return "";
  if (archiveOnly)
    return frontend::makeFailure(failure::LibraryUnavailable{
        "-l" + name, "only a static archive (lib" + name + ".a) exists; hotcc loads shared "
                     "libraries"});
  return frontend::makeFailure(failure::LibraryUnavailable{
      "-l" + name, "no lib" + name + ".so in the -L directories or the system's"});
}

} // namespace hotcc::jit
