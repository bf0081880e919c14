// Objects a test file hands GoogleTest to own: global environments and event listeners.
// GoogleTest deletes what it owns when the process exits, after hotcc's engine has freed the JIT'd
// code their virtual functions live in. So GoogleTest gets a forwarding object of the adapter's
// instead, which leaves the file's object alone (the engine has run the file's static
// destructors by then; an object made with `new` is simply never deleted).
#pragma once
#include <gtest/gtest.h>

#include <map>

namespace hotcc_adapter {

class ForwardingEnvironment : public testing::Environment {
public:
  explicit ForwardingEnvironment(testing::Environment *inner) : inner_(inner) {}
  void SetUp() override { inner_->SetUp(); }
  void TearDown() override { inner_->TearDown(); }

private:
  testing::Environment *inner_;
};

class ForwardingListener : public testing::TestEventListener {
public:
  explicit ForwardingListener(testing::TestEventListener *inner) : inner_(inner) {}
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
  testing::TestEventListener *inner_;
};

// The forwarding listener GoogleTest holds for each of the files' listeners.
inline std::map<testing::TestEventListener *, ForwardingListener *> &forwardedListeners() {
  static auto *instance = new std::map<testing::TestEventListener *, ForwardingListener *>();
  return *instance;
}

// --- what test files' calls to GoogleTest are bound to -------------------------------------------

// testing::UnitTest::AddEnvironment (private; testing::AddGlobalTestEnvironment calls it).
inline testing::Environment *addEnvironment(testing::UnitTest *, testing::Environment *env) {
  if (env)
    testing::AddGlobalTestEnvironment(new ForwardingEnvironment(env));
  return env;
}

// testing::TestEventListeners::Append
inline void appendListener(testing::TestEventListeners *listeners,
                           testing::TestEventListener *listener) {
  if (!listener)
    return;
  auto *forwarding = new ForwardingListener(listener);
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
