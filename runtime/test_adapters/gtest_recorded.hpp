// The tests of the GoogleTest adapter, per test file. Test files' MakeAndRegisterTestInfo calls
// are bound to recordTest(): each test is kept for the file being loaded, and each (suite, name)
// is registered with GoogleTest once, through a factory that creates the test from the file's
// current version. Tests GoogleTest makes itself (the failing test it adds for a parameterized
// suite never instantiated) are registered by GoogleTest once and claimed by the files that still
// cause them. Which registered tests run is decided per run (see gtest.cpp).
#pragma once
#include <gtest/gtest.h>

#include "file_registrations.hpp"

#include <map>
#include <set>
#include <string>
#include <type_traits>

namespace hotcc_adapter {

using testing::internal::CodeLocation;
using testing::internal::TestFactoryBase;

struct RecordedTest {
  std::string suite, name, file;
  int line = 0;
  // The factory of this version of the test; null for a test GoogleTest registered itself.
  TestFactoryBase *factory = nullptr;
  std::string fullName() const { return suite + "." + name; }
};

inline FileRegistrations<RecordedTest> &registrations() {
  // Never destroyed: at exit the JIT'd code a test's factory belongs to may be gone already.
  static auto *instance = new FileRegistrations<RecordedTest>();
  return *instance;
}

// Every (suite, name) registered through recordTest, and the factory of the version that runs now.
inline std::map<std::string, TestFactoryBase *> &currentFactories() {
  static auto *factories = new std::map<std::string, TestFactoryBase *>();
  return *factories;
}

// What GoogleTest owns (and deletes at exit) for a recorded test: the adapter's code only.
class ForwardingFactory : public TestFactoryBase {
public:
  explicit ForwardingFactory(std::string key) : key_(std::move(key)) {}
  testing::Test *CreateTest() override { return currentFactories().at(key_)->CreateTest(); }

private:
  std::string key_;
};

// Bound to testing::internal::MakeAndRegisterTestInfo in test files.
inline testing::TestInfo *recordTest(const char *suite, const char *name, const char *typeParam,
                                     const char *valueParam, CodeLocation location,
                                     testing::internal::TypeId fixtureId,
                                     testing::internal::SetUpTestSuiteFunc setUp,
                                     testing::internal::TearDownTestSuiteFunc tearDown,
                                     TestFactoryBase *factory) {
  static std::map<std::string, testing::TestInfo *> registered;
  static std::map<std::string, testing::internal::TypeId> suiteFixtures;  // one per suite
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

// The full names ("Suite.Name") of every test GoogleTest has.
inline std::set<std::string> googleTestNames() {
  std::set<std::string> names;
  auto *unit = testing::UnitTest::GetInstance();
  for (int i = 0; i < unit->total_test_suite_count(); ++i) {
    auto *suite = unit->GetTestSuite(i);
    for (int j = 0; j < suite->total_test_count(); ++j) {
      auto *info = suite->GetTestInfo(j);
      names.insert(std::string(info->test_suite_name()) + "." + info->name());
    }
  }
  return names;
}

inline bool googleTestHas(const std::string &fullName) {
  return googleTestNames().count(fullName) != 0;
}

// A test GoogleTest registers itself (`registerIt` makes it) becomes a test of the file being
// loaded. GoogleTest's registry only grows, so it is made the first time only.
template <typename Register>
void claimBuiltInTest(const std::string &suite, const std::string &name,
                      const CodeLocation &location, Register registerIt) {
  std::string fullName = suite + "." + name;
  if (!googleTestHas(fullName))
    registerIt();
  if (googleTestHas(fullName))
    registrations().add({suite, name, location.file, location.line, nullptr});
}

} // namespace hotcc_adapter
