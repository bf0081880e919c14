// The GoogleTest adapter of `hotcc test`, linked once per GoogleTest version with the user's
// libgtest into a cached shared library. Test files are JIT-compiled against the plain headers;
// the GoogleTest functions they call to register tests, parameterized suites, environments and
// listeners are bound to the adapter's (see overrides() below): tests are kept per file
// (gtest_recorded.hpp, gtest_parameterized.hpp) and GoogleTest never owns an object of JIT'd code
// (gtest_ownership.hpp). Tests a reload removed, and tests of files not asked for, are left out
// through the filter GoogleTest applies on every run.
//
// GoogleTest runs all tests inside one call, so the host guards the whole run and restarts the
// timeout per test; after a crash or a timeout the run resumes with the tests not yet finished.
#include <gtest/gtest.h>

#include "gtest_ownership.hpp"
#include "gtest_parameterized.hpp"
#include "gtest_recorded.hpp"
#include "hotcc/test_adapter_abi.h"

#include <cstring>
#include <dlfcn.h>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace hotcc_adapter;

const hotcc_test_host *activeHost = nullptr;
std::set<std::string> finished;  // this run's tests that reported an end
const testing::TestInfo *running = nullptr;
// Where this run's tests are now. GoogleTest's TestInfo keeps where a test was when it was first
// registered: a line since moved, or another session's file of the same name.
std::map<std::string, const RecordedTest *> runningTests;

std::string fullName(const testing::TestInfo &info) {
  return std::string(info.test_suite_name()) + "." + info.name();
}

const char *fileOf(const testing::TestInfo &info) {
  auto it = runningTests.find(fullName(info));
  return it != runningTests.end() ? it->second->file.c_str() : info.file();
}

int lineOf(const testing::TestInfo &info) {
  auto it = runningTests.find(fullName(info));
  return it != runningTests.end() ? it->second->line : info.line();
}

class HostListener : public testing::EmptyTestEventListener {
  void OnTestStart(const testing::TestInfo &info) override {
    running = &info;
    activeHost->restart_timeout(activeHost->context);
    activeHost->case_started(activeHost->context, fullName(info).c_str(), fileOf(info),
                             lineOf(info));
  }
  void OnTestPartResult(const testing::TestPartResult &result) override {
    if (!result.failed())
      return;
    std::string text = std::string("Failure\n") + result.message();
    activeHost->failure(activeHost->context, result.file_name() ? result.file_name() : "",
                        result.line_number(), text.c_str());
  }
  void OnTestEnd(const testing::TestInfo &info) override {
    running = nullptr;
    finished.insert(fullName(info));
    activeHost->case_ended(activeHost->context, !info.result()->Failed(), -1);
  }
};

void copyError(const std::string &message, char *error, size_t size) {
  if (size == 0)
    return;
  std::strncpy(error, message.c_str(), size - 1);
  error[size - 1] = '\0';
}

// Flags are parsed once: GoogleTest ignores InitGoogleTest after the first call. Watch mode runs
// with the same arguments each time, so the filter they gave is kept and extended per run.
std::string initialize(int argc, const char *const *args) {
  static bool done = false;
  static std::string userFilter;
  if (done)
    return userFilter;
  std::vector<std::string> copies(args, args + argc);
  std::vector<char *> argv;
  for (auto &a : copies)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int count = argc;
  testing::InitGoogleTest(&count, argv.data());
  auto &listeners = testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new HostListener);
  userFilter = GTEST_FLAG_GET(filter);
  done = true;
  return userFilter;
}

// The user's filter with `excluded` added to its negative patterns.
std::string filterExcluding(const std::string &user, const std::set<std::string> &excluded) {
  auto dash = user.find('-');
  std::string positive = dash == std::string::npos ? user : user.substr(0, dash);
  std::string negative = dash == std::string::npos ? "" : user.substr(dash + 1);
  if (positive.empty())
    positive = "*";
  for (auto &name : excluded)
    negative += (negative.empty() ? "" : ":") + name;
  return negative.empty() ? positive : positive + "-" + negative;
}

int run(int argc, const char *const *args, const char *const *files, size_t fileCount,
        const hotcc_test_host *host, char *error, size_t errorSize) {
  for (int i = 1; i < argc; ++i)
    if (std::string(args[i]).rfind("--gtest_list_tests", 0) == 0) {
      copyError("GoogleTest: --gtest_list_tests is not supported by hotcc test", error, errorSize);
      return -1;
    }
  std::string userFilter = initialize(argc, args);

  // Left out: everything GoogleTest has that is not a current test of a wanted file.
  std::vector<std::string> wanted(files, files + fileCount);
  std::set<std::string> excluded = googleTestNames();
  runningTests.clear();
  for (auto *test : registrations().select(wanted)) {
    excluded.erase(test->fullName());
    runningTests[test->fullName()] = test;
    if (test->factory)
      currentFactories()[test->fullName()] = test->factory;
  }

  activeHost = host;
  finished.clear();
  for (;;) {
    std::set<std::string> skip = excluded;
    skip.insert(finished.begin(), finished.end());
    GTEST_FLAG_SET(filter, filterExcluding(userFilter, skip));
    char reason[512] = {};
    auto all = [](void *) { (void)RUN_ALL_TESTS(); };
    if (host->guard(host->context, all, nullptr, reason, sizeof reason) == 0 || !running)
      break;
    // A test crashed or hung: it fails with the reason and the run goes on after it.
    std::string name = fullName(*running);
    std::string text = std::string("FAILED: ") + reason;
    host->failure(host->context, fileOf(*running), lineOf(*running), text.c_str());
    host->case_ended(host->context, 0, -1);
    finished.insert(name);
    running = nullptr;
  }
  activeHost = nullptr;
  GTEST_FLAG_SET(filter, userFilter);
  return 0;
}

// The link name of a function of this library (GoogleTest's, as this compiler mangles it).
std::string linkNameOf(void *function) {
  Dl_info info{};
  return dladdr(function, &info) && info.dli_sname ? info.dli_sname : "";
}

// Whether this library defines `linkName` (the members below are named by hand: they are private,
// or their address is not a plain pointer).
bool defined(const std::string &linkName) {
  Dl_info info{};
  if (!dladdr(reinterpret_cast<void *>(&linkNameOf), &info))
    return false;
  void *self = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
  bool found = self && dlsym(self, linkName.c_str());
  if (self)
    dlclose(self);
  return found;
}

// What test files' calls to GoogleTest are bound to. A name this GoogleTest does not define is
// left out (and that registration path is then GoogleTest's own).
const hotcc_test_symbol *overrides(size_t &count) {
  static std::vector<std::pair<std::string, void *>> hooks = [] {
    std::vector<std::pair<std::string, void *>> all = {
        {linkNameOf(reinterpret_cast<void *>(&testing::internal::MakeAndRegisterTestInfo)),
         reinterpret_cast<void *>(&recordTest)},
        {linkNameOf(reinterpret_cast<void *>(&testing::internal::InsertSyntheticTestCase)),
         reinterpret_cast<void *>(&insertSyntheticTestCase)},
        {linkNameOf(reinterpret_cast<void *>(
             &testing::internal::RegisterTypeParameterizedTestSuiteInstantiation)),
         reinterpret_cast<void *>(&registerTypedInstantiation)},
        {"_ZN7testing8UnitTest27parameterized_test_registryEv",
         reinterpret_cast<void *>(&parameterizedRegistry)},
        {"_ZN7testing8internal20TypedTestSuitePState25VerifyRegisteredTestNamesEPKcS3_iS3_",
         reinterpret_cast<void *>(&verifyRegisteredTestNames)},
        {"_ZN7testing8UnitTest14AddEnvironmentEPNS_11EnvironmentE",
         reinterpret_cast<void *>(&addEnvironment)},
        {"_ZN7testing18TestEventListeners6AppendEPNS_17TestEventListenerE",
         reinterpret_cast<void *>(&appendListener)},
        {"_ZN7testing18TestEventListeners7ReleaseEPNS_17TestEventListenerE",
         reinterpret_cast<void *>(&releaseListener)},
    };
    std::vector<std::pair<std::string, void *>> found;
    for (auto &hook : all)
      if (!hook.first.empty() && defined(hook.first))
        found.push_back(hook);
    return found;
  }();
  static std::vector<hotcc_test_symbol> symbols;
  symbols.clear();
  for (auto &[name, address] : hooks)
    symbols.push_back({name.c_str(), address});
  // MakeAndRegisterTestInfo first: without it no test is recorded at all.
  count = !hooks.empty() && hooks[0].second == reinterpret_cast<void *>(&recordTest)
              ? symbols.size()
              : 0;
  return symbols.data();
}

} // namespace

extern "C" __attribute__((visibility("default"))) const hotcc_test_adapter *hotcc_test_adapter_v1() {
  static hotcc_test_adapter adapter = [] {
    hotcc_test_adapter a{};
    a.abi_version = HOTCC_TEST_ABI_VERSION;
    a.framework = "GoogleTest " HOTCC_GTEST_VERSION;
    a.overrides = overrides(a.override_count);
    a.begin_file = [](const char *file) {
      registrations().begin(file);
      parameterizedTests().begin(file);
    };
    a.end_file = [](const char *file, int keep) {
      // Before the file's registrations are kept: the tests its parameterized suites make are
      // the file's too. May abort (GoogleTest checks the generated names): the host guards it.
      parameterizedTests().end(keep != 0);
      registrations().end(file, keep != 0);
    };
    a.test_count = [](const char *file) -> size_t {
      return registrations().of(file ? file : "").size();
    };
    a.test_line = [](const char *file, size_t index) -> int {
      auto &tests = registrations().of(file ? file : "");
      return index < tests.size() ? tests[index].line : 0;
    };
    a.run = run;
    a.companions = [](const char *file, const char **files, size_t max) -> size_t {
      // Kept for the caller: the pointers stay valid until the next call.
      static std::vector<std::string> found;
      found = parameterizedTests().companions(file ? file : "");
      for (size_t i = 0; i < found.size() && i < max; ++i)
        files[i] = found[i].c_str();
      return found.size();
    };
    a.begin_group = [] { parameterizedTests().beginGroup(); };
    a.end_group = [] { parameterizedTests().endGroup(); };
    a.drop_file = [](const char *file) {
      std::string name = file ? file : "";
      registrations().drop(name);
      parameterizedTests().drop(name);
      dropOwnedBy(name);
    };
    return a;
  }();
  return &adapter;
}
