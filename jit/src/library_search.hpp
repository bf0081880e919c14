// `-lNAME` as a linker resolves it, for a program that runs in this process: the -L directories,
// then the system's, for libNAME.so; a linker script there (Debian's libm.so) names the real file.
#pragma once
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace hotcc::jit {

// The shared object to load for `-lNAME`. Empty when the library is part of the C library this
// process already has (-lm, -ldl, -lpthread, -lrt on glibc 2.34 and later).
llvm::Expected<std::string> findLibrary(const std::string &name,
                                        const std::vector<std::string> &searchDirs);

} // namespace hotcc::jit
