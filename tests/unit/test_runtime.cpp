#include "hotcc/crash_guard.hpp"
#include "hotcc/exit_handlers.hpp"
#include "hotcc/registry.hpp"
#include "hotcc/result.hpp"

#include <csignal>
#include <set>
#include <stdexcept>
#include <utility>

#include <catch2/catch.hpp>

using hotcc::Registry;

static int bodyA() { return 1; }
static int bodyB() { return 2; }
static int bodyC() { return 3; }

static std::uintptr_t addr(int (*fn)()) {
  return reinterpret_cast<std::uintptr_t>(fn);
}

TEST_CASE("registry: activating a version writes the slot and records history", "[runtime]") {
  Registry registry;
  void *slot = nullptr;
  registry.declare("_Z1fv", "f", "int ()", "f.cpp:1", 0x1000, &slot);
  REQUIRE(registry.contains("_Z1fv"));
  REQUIRE(registry.activate("_Z1fv", 11, addr(bodyA), 1));
  CHECK(slot == reinterpret_cast<void *>(bodyA));
  REQUIRE(registry.activate("_Z1fv", 22, addr(bodyB), 2));
  CHECK(slot == reinterpret_cast<void *>(bodyB));

  auto info = registry.find("f");  // by display name
  REQUIRE(info);
  CHECK(info->linkName == "_Z1fv");
  CHECK(info->stub == 0x1000);
  REQUIRE(info->history.size() == 2);
  CHECK(info->history[0].hash == 11);
  CHECK(info->history[1].hash == 22);
  CHECK(info->history[1].reload == 2);
  CHECK(info->current == 1);
}

TEST_CASE("registry: rollback steps back one version at a time", "[runtime]") {
  Registry registry;
  void *slot = nullptr;
  registry.declare("g", "g", "int ()", "", 0x2000, &slot);
  REQUIRE(registry.activate("g", 1, addr(bodyA), 1));
  REQUIRE(registry.activate("g", 2, addr(bodyB), 2));
  REQUIRE(registry.activate("g", 3, addr(bodyC), 3));
  REQUIRE(registry.rollback("g"));
  CHECK(slot == reinterpret_cast<void *>(bodyB));
  REQUIRE(registry.rollback("g"));
  CHECK(slot == reinterpret_cast<void *>(bodyA));
  auto status = registry.rollback("g");
  CHECK_FALSE(status);
  auto *none = std::get_if<hotcc::failure::NoEarlierVersion>(&status.failure());
  REQUIRE(none);
  CHECK(none->function == "g");
  CHECK(slot == reinterpret_cast<void *>(bodyA));
}

TEST_CASE("registry: unknown names and undeclared activation fail cleanly", "[runtime]") {
  Registry registry;
  CHECK_FALSE(registry.find("nope"));
  auto rollback = registry.rollback("nope");
  REQUIRE_FALSE(rollback);
  auto *unknown = std::get_if<hotcc::failure::UnknownFunction>(&rollback.failure());
  REQUIRE(unknown);
  CHECK(unknown->name == "nope");
  CHECK_FALSE(registry.activate("nope", 1, 0x10, 1));
}

TEST_CASE("registry: redeclaring keeps the stub, slot and history", "[runtime]") {
  Registry registry;
  void *slot = nullptr;
  registry.declare("h", "h", "void ()", "a.cpp:1", 0x3000, &slot);
  REQUIRE(registry.activate("h", 5, addr(bodyA), 1));
  void *other = nullptr;
  registry.declare("h", "h", "void ()", "a.cpp:9", 0x9999, &other);
  auto info = registry.find("h");
  REQUIRE(info);
  CHECK(info->stub == 0x3000);
  CHECK(info->slot == &slot);
  CHECK(info->location == "a.cpp:9");
  CHECK(info->history.size() == 1);
}

TEST_CASE("registry: version counter and reload hooks", "[runtime]") {
  Registry registry;
  CHECK(registry.version() == 0);
  CHECK(registry.bumpVersion() == 1);
  CHECK(registry.bumpVersion() == 2);

  std::vector<std::string> before;
  std::size_t afterCompiled = 0;
  registry.onBeforeReload([&](const std::vector<std::string> &files) { before = files; });
  registry.onAfterReload([&](const hotcc::ReloadReport &r) { afterCompiled = r.compiled.size(); });
  registry.notifyBefore({"a.cpp"});
  hotcc::ReloadReport report;
  report.compiled = {"f", "g"};
  registry.notifyAfter(report);
  CHECK(before == std::vector<std::string>{"a.cpp"});
  CHECK(afterCompiled == 2);
}

static std::vector<int> exitOrder;
static void recordExit(void *arg) {
  exitOrder.push_back(*static_cast<int *>(arg));
}

TEST_CASE("exit handlers run newest first, once, through the __cxa_atexit entry", "[runtime]") {
  hotcc::ExitHandlers handlers;
  static int one = 1, two = 2, three = 3;
  exitOrder.clear();
  REQUIRE(hotcc_rt_cxa_atexit(recordExit, &one, &handlers) == 0);
  REQUIRE(hotcc_rt_cxa_atexit(recordExit, &two, &handlers) == 0);
  handlers.record(recordExit, &three);
  CHECK(handlers.pending() == 3);
  handlers.runAll();
  CHECK(exitOrder == std::vector<int>{3, 2, 1});
  handlers.runAll();
  CHECK(exitOrder.size() == 3);
  CHECK(hotcc_rt_cxa_atexit(recordExit, &one, nullptr) != 0);
}

TEST_CASE("outcomes: every failure and notice kind has a stable name", "[runtime][outcome]") {
  CHECK(std::string(hotcc::kindName(hotcc::Failure(hotcc::failure::SignatureChange{}))) ==
        "signature-change");
  CHECK(std::string(hotcc::kindName(hotcc::Failure(hotcc::failure::Crash{}))) == "crash");
  CHECK(std::string(hotcc::kindName(hotcc::Notice(hotcc::notice::RemovedFunctionKept{}))) ==
        "removed-function-kept");
  // Every kind is named, none twice.
  std::set<std::string> names;
  auto collect = [&]<std::size_t... I>(std::index_sequence<I...>) {
    (names.insert(hotcc::kindName(hotcc::Failure(std::variant_alternative_t<I, hotcc::Failure>{}))),
     ...);
  };
  collect(std::make_index_sequence<std::variant_size_v<hotcc::Failure>>{});
  CHECK(names.size() == std::variant_size_v<hotcc::Failure>);
}

TEST_CASE("outcomes: Result carries a value or a typed failure", "[runtime][outcome]") {
  hotcc::Result<int> good = 7;
  REQUIRE(good);
  CHECK(*good == 7);
  hotcc::Result<int> bad = hotcc::failure::NoMain{};
  REQUIRE_FALSE(bad);
  CHECK(std::holds_alternative<hotcc::failure::NoMain>(bad.failure()));
}

TEST_CASE("crash guard: what happened becomes a typed crash", "[runtime][outcome]") {
  auto thrown = hotcc::runGuarded([] { throw std::runtime_error("boom"); }).crash("a test");
  CHECK(thrown.cause == hotcc::failure::Crash::Cause::Exception);
  CHECK(thrown.exceptionType == "std::runtime_error");
  CHECK(thrown.what == "boom");
  CHECK(thrown.during == "a test");

  auto signal = hotcc::runGuarded([] { std::raise(SIGSEGV); }).crash("x");
  CHECK(signal.cause == hotcc::failure::Crash::Cause::Signal);
  CHECK(signal.signal == SIGSEGV);
  CHECK(signal.signalName == "SIGSEGV");

  hotcc::GuardOptions options;
  options.timeoutMs = 50;
  auto slow = hotcc::runGuarded(
      [](void *) {
        for (volatile int i = 0;; i = i + 1) {
        }
      },
      nullptr, options);
  auto timeout = slow.crash("loop");
  CHECK(timeout.cause == hotcc::failure::Crash::Cause::Timeout);
  CHECK(timeout.timeoutMs == 50);
}
