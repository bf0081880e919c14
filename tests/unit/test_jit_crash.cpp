// Crashes in hot code as values: Engine::guarded/guardedCall return a failure::Crash naming the
// function and roll back the reload that made it live; the crash handler's code map names JIT code.
#include "engine_fixture.hpp"

#include <csignal>

using namespace hotcc;
using namespace hotcc::test;

namespace {

const char *kGood = "int score(int n) { return 3 * n + 1; }\n"
                    "int twice(int n) { return 2 * n; }\n";

// Reloads score() with `body` (twice() changes too, so the rollback must take both back) and
// calls it through a guarded call. `factor`: twice's new factor.
failure::Crash crashAfterReload(EngineFixture &fx, const std::string &body, int factor = 20) {
  fx.editOk("#include <cstdlib>\n#include <stdexcept>\n"
            "int score(int n) { " + body + " }\n"
            "int twice(int n) { return " + std::to_string(factor) + " * n; }\n");
  auto *score = fx.fn<int(int)>("score");
  auto result = fx.engine->guardedCall(score, 4);
  REQUIRE_FALSE(result);
  auto *crash = std::get_if<failure::Crash>(&result.failure());
  REQUIRE(crash != nullptr);
  return *crash;
}

void checkRolledBack(EngineFixture &fx, const failure::Crash &crash) {
  CHECK(crash.function == "score");
  CHECK(std::find(crash.rolledBack.begin(), crash.rolledBack.end(), "score") != crash.rolledBack.end());
  CHECK(std::find(crash.rolledBack.begin(), crash.rolledBack.end(), "twice") != crash.rolledBack.end());
  CHECK(fx.fn<int(int)>("score")(4) == 13);
  CHECK(fx.fn<int(int)>("twice")(4) == 8);
}

} // namespace

TEST_CASE("crash: a guarded call that segfaults returns a Crash and rolls back its reload",
          "[jit][crash]") {
  EngineFixture fx(kGood);
  auto crash = crashAfterReload(fx, "return *(volatile int *)(n - n);");
  CHECK(crash.cause == failure::Crash::Cause::Signal);
  CHECK(crash.signal == SIGSEGV);
  REQUIRE_FALSE(crash.backtrace.empty());
  CHECK(crash.backtrace[0].hot);
  CHECK(crash.backtrace[0].function == "score");
  CHECK(crash.where.line == 3);
  checkRolledBack(fx, crash);
}

TEST_CASE("crash: a guarded call that aborts or throws returns a Crash", "[jit][crash]") {
  EngineFixture fx(kGood);
  auto aborted = crashAfterReload(fx, "std::abort();");
  CHECK(aborted.signal == SIGABRT);
  CHECK(aborted.function == "score");
  checkRolledBack(fx, aborted);

  auto threw = crashAfterReload(fx, "throw std::runtime_error(\"no score\");", 30);
  CHECK(threw.cause == failure::Crash::Cause::Exception);
  CHECK(threw.exceptionType == "std::runtime_error");
  CHECK(threw.what == "no score");
  CHECK(threw.function == "score");
  checkRolledBack(fx, threw);
}

// The planner and the body skipper compare a save with what runs, not with the rolled-back text.
TEST_CASE("crash: after a rollback the next save is planned against the code that runs",
          "[jit][crash]") {
  EngineFixture fx(kGood);
  const std::string crashing = "return *(volatile int *)(n - n);";
  checkRolledBack(fx, crashAfterReload(fx, crashing, 20));

  SECTION("a function the save keeps as the crashed reload had it goes live again") {
    auto report = fx.editOk("#include <cstdlib>\n#include <stdexcept>\n"
                            "int score(int n) { return 5 * n; }\n"
                            "int twice(int n) { return 20 * n; }\n");
    CHECK(fx.fn<int(int)>("score")(4) == 20);
    CHECK(fx.fn<int(int)>("twice")(4) == 80);  // was left at 8: its text equalled the crashed one
  }
  SECTION("saving the crashed text again makes it live again") {
    auto crash = crashAfterReload(fx, crashing, 20);  // the same text: before, nothing compiled
    CHECK(crash.function == "score");
    CHECK(std::find(crash.rolledBack.begin(), crash.rolledBack.end(), "twice") !=
          crash.rolledBack.end());
    checkRolledBack(fx, crash);
  }
  SECTION("a rollback by name is followed too") {
    fx.editOk("#include <cstdlib>\n#include <stdexcept>\n"
              "int score(int n) { return 5 * n; }\n"
              "int twice(int n) { return 30 * n; }\n");
    REQUIRE(fx.engine->rollback("twice"));
    CHECK(fx.fn<int(int)>("twice")(4) != 120);
    fx.editOk("#include <cstdlib>\n#include <stdexcept>\n"
              "int score(int n) { return 6 * n; }\n"
              "int twice(int n) { return 30 * n; }\n");
    CHECK(fx.fn<int(int)>("score")(4) == 24);
    CHECK(fx.fn<int(int)>("twice")(4) == 120);
  }
}

TEST_CASE("crash: a guarded call that returns gives its value; first versions stay",
          "[jit][crash]") {
  EngineFixture fx("int score(int n) { return n == 4 ? *(volatile int *)(n - n) : 3 * n + 1; }\n");
  auto *score = fx.fn<int(int)>("score");
  auto fine = fx.engine->guardedCall(score, 2);
  REQUIRE(fine);
  CHECK(*fine == 7);
  auto crashed = fx.engine->guardedCall(score, 4);
  REQUIRE_FALSE(crashed);
  auto &crash = std::get<failure::Crash>(crashed.failure());
  CHECK(crash.function == "score");
  CHECK(crash.rolledBack.empty());
  CHECK(score(3) == 10);
}

TEST_CASE("crash: the code map names a PC inside a hot function", "[jit][crash]") {
  EngineFixture fx(kGood);
  auto body = fx.engine->registry().find("score")->history.back().address;
  CrashRecord record;
  record.frameCount = 1;
  record.frames[0] = {body + 2, 0, true};
  record.hotFrame = 0;
  record.signal = SIGSEGV;
  auto crash = fx.engine->describeCrash(record);
  REQUIRE(crash.backtrace.size() == 1);
  CHECK(crash.backtrace[0].function == "score");
  CHECK(crash.backtrace[0].line == 1);
  CHECK(crash.backtrace[0].version == 1);
  CHECK(crash.function == "score");
}
