// Which test framework a file uses, and the framework's implementation built for `hotcc test`: a
// shared library (the adapter, runtime/test_adapters/<framework>.cpp, plus the framework's own
// code) compiled once per framework version and flags and kept in the cache directory.
//
// Detection is in framework_detection.cpp, the libraries in framework_libraries.cpp. Failures are
// values (hotcc/outcome.hpp): SetupError for what the user can fix around the code (a Catch2 v3
// include, a framework header outside the include path, a library that does not build),
// FileUnreadable, LibraryUnavailable.
#pragma once
#include "hotcc/result.hpp"

#include <string>
#include <vector>

namespace hotcc::testing {

enum class Framework { Catch2, GoogleTest };

struct FrameworkUse {
  Framework kind = Framework::Catch2;
  std::string includeLine;  // as the file spells it: "#include <catch2/catch.hpp>"
  std::string header;       // the header it resolves to (absolute)
  std::string name() const { return kind == Framework::Catch2 ? "Catch2" : "GoogleTest"; }
  // What the link names of the file-scope objects that register tests contain: Catch's
  // autoRegistrarN (TEST_CASE) and globalRegistrarN (TEMPLATE_TEST_CASE); GoogleTest's
  // Suite_Name_Test::test_info_ (TEST) and the gtest_... statics of TEST_P, INSTANTIATE_*,
  // TYPED_TEST and TYPED_TEST_SUITE_P (their registration and the typed suites' state, which must
  // start afresh together). No test body refers to them.
  std::vector<std::string> registrationGlobals() const {
    if (kind == Framework::Catch2)
      return {"autoRegistrar", "globalRegistrar"};
    return {"test_info_", "gtest_"};
  }
};

// The framework `file` includes, itself or through a project header it includes, its header found
// in `includeDirs`, the including file's directory and the system directories. A SetupError when
// it includes none hotcc supports.
Result<FrameworkUse> detectFramework(const std::string &file,
                                     const std::vector<std::string> &includeDirs);

struct AdapterLibrary {
  std::string path;
  bool built = false;  // false: it was in the cache
  double ms = 0;
};

// The adapter library for `use`, compiled with `flags` (-I, -D, -std as the test files get them).
Result<AdapterLibrary> adapterLibrary(const FrameworkUse &use, const std::vector<std::string> &flags,
                                      const std::string &cacheDir);

// One shared library made of object files and static archives (whole), from the cache when they
// have not changed; its path.
Result<std::string> linkedLibrary(const std::vector<std::string> &inputs,
                                  const std::string &cacheDir);

std::string defaultCacheDir();

} // namespace hotcc::testing
