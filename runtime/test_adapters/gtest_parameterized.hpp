// GoogleTest's value- and type-parameterized tests, per test file.
//
// GoogleTest keeps the TEST_P patterns and INSTANTIATE_TEST_SUITE_P generators of the whole
// program in one registry that it expands into tests once, when the run starts. hotcc compiles a
// file again on save, and the file's new patterns and generators must replace its old ones. So
// each compile of a test file gets a registry of its own (test files' calls to
// UnitTest::parameterized_test_registry() are bound to parameterizedRegistry()), expanded as soon
// as the file's initialisers have run: the tests it makes reach MakeAndRegisterTestInfo from the
// file's own code and are recorded as the file's tests, like TEST's.
//
// Typed tests (TYPED_TEST, INSTANTIATE_TYPED_TEST_SUITE_P) register while the file initialises,
// through MakeAndRegisterTestInfo already; what is kept here is which type-parameterized suites
// the file registers and instantiates, for GoogleTest's check that each is instantiated.
//
// A suite never instantiated gets the failing test GoogleTest itself adds
// ("GoogleTestVerification.UninstantiatedParameterizedTestSuite<Suite>"), claimed by the file.
// GoogleTest's own registries stay empty (it expands them once and deletes them at exit, when the
// code of the suites' JIT'd classes may be gone): the files' registries are never destroyed.
#pragma once
#include "gtest_recorded.hpp"

#include <map>
#include <string>

namespace hotcc_adapter {

using testing::internal::ParameterizedTestSuiteRegistry;

class ParameterizedTests {
public:
  // A test file starts loading.
  void begin() {
    pending_ = new ParameterizedTestSuiteRegistry();
    typedSuites_.clear();
  }
  // Where the registering file's TEST_P and INSTANTIATE_TEST_SUITE_P go.
  ParameterizedTestSuiteRegistry &registry() { return pending_ ? *pending_ : *outsideFiles_; }

  void typedSuiteRegistered(const char *suite, const char *file, int line) {
    typedSuites_.emplace(suite, TypedSuite{CodeLocation(file, line), false});
  }
  void typedSuiteInstantiated(const char *suite) {
    auto it = typedSuites_.find(suite);
    if (it != typedSuites_.end())
      it->second.instantiated = true;
  }

  // The loading file's initialisers have run and the engine kept the compile: its parameterized
  // tests are made now, while its registrations are still recorded.
  void expand() {
    if (!pending_)
      return;
    pending_->RegisterTests();
    for (auto &[name, suite] : typedSuites_)
      if (!suite.instantiated)
        claimUninstantiatedTypedSuite(name, suite.location);
  }
  // The file is done. Its registry is left alive on purpose (see above).
  void end() {
    pending_ = nullptr;
    typedSuites_.clear();
  }

private:
  struct TypedSuite {
    CodeLocation location;
    bool instantiated = false;
  };

  static void claimUninstantiatedTypedSuite(const std::string &name, const CodeLocation &location) {
    if (testing::internal::GetIgnoredParameterizedTestSuites()->count(name))
      return;
    claimBuiltInTest("GoogleTestVerification",
                     "UninstantiatedTypeParameterizedTestSuite<" + name + ">", location, [&] {
                       // GoogleTest's own check makes the test, with its message.
                       testing::internal::TypeParameterizedTestSuiteRegistry check;
                       check.RegisterTestSuite(name.c_str(), location);
                       check.CheckForInstantiations();
                     });
  }

  ParameterizedTestSuiteRegistry *pending_ = nullptr;
  // Registrations outside a test file's load (code under test, the host): never expanded, as the
  // tests they would make belong to no test file.
  ParameterizedTestSuiteRegistry *outsideFiles_ = new ParameterizedTestSuiteRegistry();
  std::map<std::string, TypedSuite> typedSuites_;
};

inline ParameterizedTests &parameterizedTests() {
  static auto *instance = new ParameterizedTests();
  return *instance;
}

// --- what test files' calls to GoogleTest are bound to -------------------------------------------

// testing::UnitTest::parameterized_test_registry() (private: `this` is the first argument).
inline ParameterizedTestSuiteRegistry &parameterizedRegistry(testing::UnitTest *) {
  return parameterizedTests().registry();
}

// testing::internal::InsertSyntheticTestCase: a value-parameterized suite of the loading file
// made no test (a TEST_P never instantiated, or an instantiation without TEST_P).
inline void insertSyntheticTestCase(const std::string &name, CodeLocation location,
                                    bool hasTestP) {
  if (testing::internal::GetIgnoredParameterizedTestSuites()->count(name))
    return;
  // The test's message depends on hasTestP; GoogleTest keeps the first one made for a suite.
  claimBuiltInTest("GoogleTestVerification", "UninstantiatedParameterizedTestSuite<" + name + ">",
                   location, [&] {
                     testing::internal::InsertSyntheticTestCase(name, location, hasTestP);
                   });
}
static_assert(std::is_same_v<decltype(&insertSyntheticTestCase),
                             decltype(&testing::internal::InsertSyntheticTestCase)>);

// testing::internal::TypedTestSuitePState::VerifyRegisteredTestNames (REGISTER_TYPED_TEST_SUITE_P).
inline const char *verifyRegisteredTestNames(testing::internal::TypedTestSuitePState *state,
                                             const char *suite, const char *file, int line,
                                             const char *tests) {
  auto *verified = state->VerifyRegisteredTestNames(suite, file, line, tests);
  // GoogleTest's own registry of these suites is checked once, at the first run: told the suite
  // is instantiated, it never adds a test for it. This file's check is expand()'s.
  testing::internal::RegisterTypeParameterizedTestSuiteInstantiation(suite);
  parameterizedTests().typedSuiteRegistered(suite, file, line);
  return verified;
}

// testing::internal::RegisterTypeParameterizedTestSuiteInstantiation
// (INSTANTIATE_TYPED_TEST_SUITE_P).
inline void registerTypedInstantiation(const char *suite) {
  parameterizedTests().typedSuiteInstantiated(suite);
}
static_assert(std::is_same_v<decltype(&registerTypedInstantiation),
                             decltype(&testing::internal::RegisterTypeParameterizedTestSuiteInstantiation)>);

} // namespace hotcc_adapter
