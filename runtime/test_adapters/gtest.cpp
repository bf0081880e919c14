// The GoogleTest adapter of `hotcc test`, linked once per GoogleTest version with the user's
// libgtest into a cached shared library. Test files are JIT-compiled against the plain headers;
// their MakeAndRegisterTestInfo calls are bound to recordTest() below, which keeps the tests per
// file and registers each (suite, name) with GoogleTest once, through a factory that creates the
// test from the file's current version. Tests a reload removed, and tests of files not asked for,
// are left out through the filter GoogleTest applies on every run.
//
// GoogleTest runs all tests inside one call, so the host guards the whole run and restarts the
// timeout per test; after a crash or a timeout the run resumes with the tests not yet finished.
#include <gtest/gtest.h>

#include "file_registrations.hpp"
#include "hotcc/test_adapter_abi.h"

#include <cstring>
#include <dlfcn.h>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using testing::internal::CodeLocation;
using testing::internal::SetUpTestSuiteFunc;
using testing::internal::TearDownTestSuiteFunc;
using testing::internal::TestFactoryBase;
using testing::internal::TypeId;

struct RecordedTest {
  std::string suite, name, file;
  int line = 0;
  TestFactoryBase *factory = nullptr;
  std::string fullName() const { return suite + "." + name; }
};

hotcc_adapter::FileRegistrations<RecordedTest> &registrations() {
  // Never destroyed: at exit the JIT'd code a test's invoker belongs to may be gone already.
  static auto *instance = new hotcc_adapter::FileRegistrations<RecordedTest>();
  return *instance;
}

// Every (suite, name) GoogleTest knows, and the factory of the version that runs now.
std::map<std::string, TestFactoryBase *> &currentFactories() {
  static std::map<std::string, TestFactoryBase *> factories;
  return factories;
}

class ForwardingFactory : public TestFactoryBase {
public:
  explicit ForwardingFactory(std::string key) : key_(std::move(key)) {}
  testing::Test *CreateTest() override { return currentFactories().at(key_)->CreateTest(); }

private:
  std::string key_;
};

// Bound to testing::internal::MakeAndRegisterTestInfo in test files.
testing::TestInfo *recordTest(const char *suite, const char *name, const char *typeParam,
                              const char *valueParam, CodeLocation location, TypeId fixtureId,
                              SetUpTestSuiteFunc setUp, TearDownTestSuiteFunc tearDown,
                              TestFactoryBase *factory) {
  static std::map<std::string, testing::TestInfo *> registered;
  static std::map<std::string, TypeId> suiteFixtures;  // GoogleTest insists on one per suite
  RecordedTest test{suite, name, location.file, location.line, factory};
  std::string key = test.fullName();
  registrations().add(test);
  auto known = registered.find(key);
  if (known != registered.end())
    return known->second;
  currentFactories()[key] = factory;
  auto fixture = suiteFixtures.emplace(suite, fixtureId).first->second;
  auto *info = testing::internal::MakeAndRegisterTestInfo(
      suite, name, typeParam, valueParam, location, fixture, setUp, tearDown,
      new ForwardingFactory(key));
  registered[key] = info;
  return info;
}
static_assert(std::is_same_v<decltype(&recordTest),
                             decltype(&testing::internal::MakeAndRegisterTestInfo)>,
              "this GoogleTest's MakeAndRegisterTestInfo has another signature: hotcc's adapter "
              "needs updating");

const hotcc_test_host *activeHost = nullptr;
std::set<std::string> finished;  // this run's tests that reported an end
const testing::TestInfo *running = nullptr;

class HostListener : public testing::EmptyTestEventListener {
  void OnTestStart(const testing::TestInfo &info) override {
    running = &info;
    activeHost->restart_timeout(activeHost->context);
    std::string name = std::string(info.test_suite_name()) + "." + info.name();
    activeHost->case_started(activeHost->context, name.c_str(), info.file(), info.line());
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
    finished.insert(std::string(info.test_suite_name()) + "." + info.name());
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
std::string initialise(int argc, const char *const *args) {
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
  std::string userFilter = initialise(argc, args);

  // Left out: everything registered that is not a current test of a wanted file.
  std::vector<std::string> wanted(files, files + fileCount);
  std::set<std::string> excluded;
  for (auto &[key, factory] : currentFactories())
    excluded.insert(key);
  for (auto *test : registrations().select(wanted)) {
    excluded.erase(test->fullName());
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
    std::string name = std::string(running->test_suite_name()) + "." + running->name();
    std::string text = std::string("FAILED: ") + reason;
    host->failure(host->context, running->file(), running->line(), text.c_str());
    host->case_ended(host->context, 0, -1);
    finished.insert(name);
    running = nullptr;
  }
  activeHost = nullptr;
  GTEST_FLAG_SET(filter, userFilter);
  return 0;
}

const hotcc_test_symbol *overrides(size_t &count) {
  static std::string name;
  static hotcc_test_symbol symbols[1];
  Dl_info info{};
  if (name.empty() &&
      dladdr(reinterpret_cast<void *>(&testing::internal::MakeAndRegisterTestInfo), &info) &&
      info.dli_sname)
    name = info.dli_sname;
  symbols[0] = {name.c_str(), reinterpret_cast<void *>(&recordTest)};
  count = name.empty() ? 0 : 1;
  return symbols;
}

} // namespace

extern "C" __attribute__((visibility("default"))) const hotcc_test_adapter *hotcc_test_adapter_v1() {
  static hotcc_test_adapter adapter = [] {
    hotcc_test_adapter a{};
    a.abi_version = HOTCC_TEST_ABI_VERSION;
    a.framework = "GoogleTest " HOTCC_GTEST_VERSION;
    a.overrides = overrides(a.override_count);
    a.begin_file = [](const char *file) { registrations().begin(file); };
    a.end_file = [](const char *file, int keep) { registrations().end(file, keep != 0); };
    a.test_count = [](const char *file) -> size_t {
      return registrations().of(file ? file : "").size();
    };
    a.test_line = [](const char *file, size_t index) -> int {
      auto &tests = registrations().of(file ? file : "");
      return index < tests.size() ? tests[index].line : 0;
    };
    a.run = run;
    return a;
  }();
  return &adapter;
}
