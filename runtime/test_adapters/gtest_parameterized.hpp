// GoogleTest's value- and type-parameterized tests, per test file.
//
// GoogleTest keeps the TEST_P patterns and INSTANTIATE_TEST_SUITE_P generators of the whole
// program in one registry that it expands into tests once, when the run starts. hotcc compiles a
// file again on save, and the file's new patterns and generators must replace its old ones. So
// each compile of a test file gets a registry of its own (test files' calls to
// UnitTest::parameterized_test_registry() are bound to parameterizedRegistry()), expanded as soon
// as the file's initializers have run: the tests it makes reach MakeAndRegisterTestInfo from the
// file's own code and are recorded as the file's tests, like TEST's.
//
// A suite may be spread over files (its TEST_Ps in one, an INSTANTIATE_TEST_SUITE_P in another:
// GoogleTest's "abstract tests"). Files whose registries name a common suite are companions: the
// host loads them again as a group, into one registry expanded when all of them have run, and
// each test goes to the file of its TEST_P.
//
// Typed tests (TYPED_TEST, INSTANTIATE_TYPED_TEST_SUITE_P) register while the file initializes,
// through MakeAndRegisterTestInfo already; what is kept here is which type-parameterized suites
// the file registers and instantiates (always in one file), for GoogleTest's check that each is
// instantiated.
//
// A suite never instantiated gets the failing test GoogleTest itself adds
// ("GoogleTestVerification.UninstantiatedParameterizedTestSuite<Suite>"), claimed by the file.
// GoogleTest's own registries stay empty (it expands them once and deletes them at exit, when the
// code of the suites' JIT'd classes may be gone): the files' registries are never destroyed.
#pragma once
#include "gtest_recorded.hpp"

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace hotcc_adapter {

using testing::internal::ParameterizedTestSuiteInfoBase;
using testing::internal::ParameterizedTestSuiteRegistry;

// The suites a registry holds are private to it; an explicit instantiation may name a private
// member ([temp.spec.general]), which is how their names are read here.
struct SuiteInfosOf {
  using type = std::vector<ParameterizedTestSuiteInfoBase *> ParameterizedTestSuiteRegistry::*;
  friend type suiteInfosMember(SuiteInfosOf);
};
template <typename Tag, typename Tag::type Member> struct ExposeMember {
  friend typename Tag::type suiteInfosMember(Tag) { return Member; }
};
template struct ExposeMember<SuiteInfosOf, &ParameterizedTestSuiteRegistry::test_suite_infos_>;

inline std::set<std::string> suiteNames(ParameterizedTestSuiteRegistry &registry) {
  std::set<std::string> names;
  for (auto *info : registry.*suiteInfosMember(SuiteInfosOf{}))
    names.insert(info->GetTestSuiteName());
  return names;
}

class ParameterizedTests {
public:
  // Until endGroup(), the files loaded share one registry.
  void beginGroup() {
    group_ = new ParameterizedTestSuiteRegistry();
    groupFiles_.clear();
  }
  // A test file starts loading.
  void begin(const char *file) {
    current_ = file ? file : "";
    pending_ = group_ ? group_ : new ParameterizedTestSuiteRegistry();
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

  // The loading file's initializers have run; `keep`: the engine kept the compile. Its tests are
  // made now, while its registrations are still recorded (a group's at endGroup()).
  void end(bool keep) {
    if (keep && pending_) {
      for (auto &[name, suite] : typedSuites_)
        if (!suite.instantiated)
          claimUninstantiatedTypedSuite(name, suite.location);
      if (group_) {
        groupFiles_.push_back(current_);
      } else {
        suitesOf_[current_] = suiteNames(*pending_);
        pending_->RegisterTests();
      }
    }
    pending_ = nullptr;
    typedSuites_.clear();
  }

  // The group's tests, each appended to the tests of the file of its TEST_P (or of the group's
  // first file, for a TEST_P in a header).
  void endGroup() {
    if (!group_)
      return;
    auto *group = group_;
    group_ = nullptr;
    auto names = suiteNames(*group);
    for (auto &file : groupFiles_)
      suitesOf_[file] = names;
    if (groupFiles_.empty())
      return;
    auto files = groupFiles_;
    registrations().appendTo([files](const RecordedTest &test) {
      auto normal = std::filesystem::path(test.file).lexically_normal().string();
      for (auto &file : files)
        if (file == normal)
          return file;
      return files.front();
    });
    group->RegisterTests();
    registrations().stopAppending();
  }

  void drop(const std::string &file) { suitesOf_.erase(file); }

  // The files that share a parameterized suite with `file`, directly or through another.
  std::vector<std::string> companions(const std::string &file) const {
    std::set<std::string> found = {file}, names;
    if (auto it = suitesOf_.find(file); it != suitesOf_.end())
      names = it->second;
    for (bool grew = true; grew;) {
      grew = false;
      for (auto &[other, suites] : suitesOf_) {
        if (found.count(other) || !sharesOne(suites, names))
          continue;
        found.insert(other);
        names.insert(suites.begin(), suites.end());
        grew = true;
      }
    }
    found.erase(file);
    return {found.begin(), found.end()};
  }

private:
  struct TypedSuite {
    CodeLocation location;
    bool instantiated = false;
  };

  static bool sharesOne(const std::set<std::string> &a, const std::set<std::string> &b) {
    for (auto &name : a)
      if (b.count(name))
        return true;
    return false;
  }

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

  std::string current_;
  ParameterizedTestSuiteRegistry *pending_ = nullptr;
  ParameterizedTestSuiteRegistry *group_ = nullptr;
  std::vector<std::string> groupFiles_;
  // Registrations outside a test file's load (code under test, the host): never expanded, as the
  // tests they would make belong to no test file.
  ParameterizedTestSuiteRegistry *outsideFiles_ = new ParameterizedTestSuiteRegistry();
  std::map<std::string, TypedSuite> typedSuites_;
  std::map<std::string, std::set<std::string>> suitesOf_;  // by file, as of its last load
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
