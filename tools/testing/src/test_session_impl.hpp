// TestSession's state, shared by test_session.cpp (set-up, adapters, runs) and
// test_file_loads.cpp (compiling test files and recording their tests).
#pragma once
#include "hotcc/engine_session.hpp"
#include "hotcc/test_adapter_abi.h"
#include "hotcc/test_session.hpp"
#include "test_frameworks.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hotcc {

struct TestSession::Impl {
  std::unique_ptr<Engine> ownedEngine;
  Engine *engine = nullptr;
  TestOptions options;
  std::string cacheDir;

  struct Adapter {
    testing::FrameworkUse use;
    const hotcc_test_adapter *api = nullptr;
  };
  std::map<testing::Framework, Adapter> adapters;
  std::map<std::string, std::string> pchs;  // include line + directory → PCH path

  struct TestFile {
    Adapter *adapter = nullptr;
    bool loadedOnce = false;
    std::filesystem::file_time_type attempted;  // mtime at the last compile (retried when it changes)
    std::size_t order = 0;  // when the session first got it: a linker's order of the files
  };
  std::map<std::string, TestFile> files;

  // Filled by the host callbacks during run(); `caseOpen` between case_started and case_ended.
  TestRunResult *collecting = nullptr;
  bool caseOpen = false;

  struct Callbacks;  // the adapter's calls into the session during run() (test_runs.cpp)

  // test_session.cpp
  Status setUp();
  Status linkInputs();
  Result<Adapter *> adapterFor(const testing::FrameworkUse &use);
  Result<const hotcc_test_adapter *> openAdapter(const testing::FrameworkUse &use);
  // test_runs.cpp
  hotcc_test_host host();
  void runFramework(Adapter &adapter, const std::vector<std::string> &files,
                    const std::vector<const char *> &argv, TestRunResult &result);

  // test_file_loads.cpp
  std::vector<TestFileLoad> load(const std::vector<std::string> &paths);
  Status configureTestFile(const std::string &path, const testing::FrameworkUse &use);
  bool prepare(const std::string &path, TestFileLoad &load);
  ReloadReport compile(const std::string &path);
  void finish(const std::string &path, const ReloadReport &report, TestFileLoad &load);
  TestFileLoad loadOne(const std::string &path, ReloadReport &report);
  std::vector<TestFileLoad> loadGroup(std::vector<std::string> paths,
                                      const std::map<std::string, ReloadReport> &earlier);
  std::vector<std::string> companionsOf(const std::string &path);
};

} // namespace hotcc
