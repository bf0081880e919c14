// Objects a test file hands GoogleTest to own: global environments and event listeners.
// GoogleTest deletes what it owns when the process exits, after hotcc's engine has freed the JIT'd
// code their virtual functions live in. So GoogleTest gets a forwarding object of the adapter's
// instead, which leaves the file's object alone (the engine has run the file's static
// destructors by then; an object made with `new` is simply never deleted). When the file's
// session ends, its forwarders forward no more.
#pragma once
#include <gtest/gtest.h>

#include "gtest_recorded.hpp"

#include <map>
#include <string>
#include <vector>

namespace hotcc_adapter {

class ForwardingEnvironment : public testing::Environment {
public:
  ForwardingEnvironment(testing::Environment *inner, std::string owner)
      : inner_(inner), owner_(std::move(owner)) {}
  void SetUp() override {
    if (inner_)
      inner_->SetUp();
  }
  void TearDown() override {
    if (inner_)
      inner_->TearDown();
  }
  const std::string &owner() const { return owner_; }
  void disable() { inner_ = nullptr; }

private:
  testing::Environment *inner_;
  std::string owner_;
};

// Forwards to a file's listener, or to none once the file is dropped.
class ForwardingListener : public testing::TestEventListener {
public:
  ForwardingListener(testing::TestEventListener *inner, std::string owner)
      : inner_(inner ? inner : &none_), owner_(std::move(owner)) {}
  const std::string &owner() const { return owner_; }
  void disable() { inner_ = &none_; }

  void OnTestProgramStart(const testing::UnitTest &u) override { inner_->OnTestProgramStart(u); }
  void OnTestIterationStart(const testing::UnitTest &u, int i) override {
    inner_->OnTestIterationStart(u, i);
  }
  void OnEnvironmentsSetUpStart(const testing::UnitTest &u) override {
    inner_->OnEnvironmentsSetUpStart(u);
  }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest &u) override {
    inner_->OnEnvironmentsSetUpEnd(u);
  }
  void OnTestSuiteStart(const testing::TestSuite &s) override { inner_->OnTestSuiteStart(s); }
  void OnTestStart(const testing::TestInfo &t) override { inner_->OnTestStart(t); }
  void OnTestDisabled(const testing::TestInfo &t) override { inner_->OnTestDisabled(t); }
  void OnTestPartResult(const testing::TestPartResult &r) override { inner_->OnTestPartResult(r); }
  void OnTestEnd(const testing::TestInfo &t) override { inner_->OnTestEnd(t); }
  void OnTestSuiteEnd(const testing::TestSuite &s) override { inner_->OnTestSuiteEnd(s); }
  void OnEnvironmentsTearDownStart(const testing::UnitTest &u) override {
    inner_->OnEnvironmentsTearDownStart(u);
  }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest &u) override {
    inner_->OnEnvironmentsTearDownEnd(u);
  }
  void OnTestIterationEnd(const testing::UnitTest &u, int i) override {
    inner_->OnTestIterationEnd(u, i);
  }
  void OnTestProgramEnd(const testing::UnitTest &u) override { inner_->OnTestProgramEnd(u); }

private:
  testing::EmptyTestEventListener none_;
  testing::TestEventListener *inner_;
  std::string owner_;
};

// The forwarding listener GoogleTest holds for each of the files' listeners.
inline std::map<testing::TestEventListener *, ForwardingListener *> &forwardedListeners() {
  static auto *instance = new std::map<testing::TestEventListener *, ForwardingListener *>();
  return *instance;
}

inline std::vector<ForwardingEnvironment *> &forwardedEnvironments() {
  static auto *instance = new std::vector<ForwardingEnvironment *>();
  return *instance;
}

// `file`'s session ended: what its code registered forwards no more.
inline void dropOwnedBy(const std::string &file) {
  for (auto *environment : forwardedEnvironments())
    if (environment->owner() == file)
      environment->disable();
  auto &listeners = forwardedListeners();
  for (auto it = listeners.begin(); it != listeners.end();) {
    if (it->second->owner() != file) {
      ++it;
      continue;
    }
    it->second->disable();
    it = listeners.erase(it);
  }
}

// --- what test files' calls to GoogleTest are bound to -------------------------------------------

// testing::UnitTest::AddEnvironment (private; testing::AddGlobalTestEnvironment calls it).
inline testing::Environment *addEnvironment(testing::UnitTest *, testing::Environment *env) {
  if (!env)
    return env;
  auto *forwarding = new ForwardingEnvironment(env, registrations().loadingFile());
  forwardedEnvironments().push_back(forwarding);
  testing::AddGlobalTestEnvironment(forwarding);
  return env;
}

// testing::TestEventListeners::Append
inline void appendListener(testing::TestEventListeners *listeners,
                           testing::TestEventListener *listener) {
  if (!listener)
    return;
  auto *forwarding = new ForwardingListener(listener, registrations().loadingFile());
  forwardedListeners()[listener] = forwarding;
  listeners->Append(forwarding);
}

// testing::TestEventListeners::Release: the file gets its own listener back.
inline testing::TestEventListener *releaseListener(testing::TestEventListeners *listeners,
                                                   testing::TestEventListener *listener) {
  auto it = forwardedListeners().find(listener);
  if (it == forwardedListeners().end())
    return listeners->Release(listener);
  delete listeners->Release(it->second);
  forwardedListeners().erase(it);
  return listener;
}

} // namespace hotcc_adapter
