// hotcc::TestSession from the C++ API: a host with live state (a "game" in the host's engine) runs
// Catch2 and GoogleTest files against it. This executable is itself a Catch2 program that exports
// its symbols, so it also checks that JIT'd tests bind to hotcc's copy of Catch, not the host's.
#include "hotcc/test_session.hpp"
#include "temp_source.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using hotcc::test::TempSource;

namespace {

const char *kGame = R"(
int score = 0;
int addPoints(int n) { score += n; return score; }
)";

const hotcc::TestCaseResult *findCase(const hotcc::TestRunResult &run, const std::string &name) {
  auto it = std::find_if(run.cases.begin(), run.cases.end(),
                         [&](auto &c) { return c.name == name; });
  return it == run.cases.end() ? nullptr : &*it;
}

struct Host {
  TempSource game{"game.cpp", kGame};
  std::unique_ptr<hotcc::Engine> engine;
  Host() {
    std::string error;
    hotcc::EngineOptions options;
    options.quiescent = true;
    engine = hotcc::Engine::create(options, error);
    REQUIRE(engine);
    REQUIRE(engine->addFile(game.path()).ok);
    auto *addPoints = engine->lookupFunction<int(int)>("addPoints");
    REQUIRE(addPoints);
    REQUIRE(addPoints(5) == 5);  // the host's live state before any test runs
  }
};

} // namespace

TEST_CASE("a Catch2 file runs against the host's live state", "[testing]") {
  Host host;
  std::string error;
  hotcc::TestOptions options;
  options.timeoutMs = 300;
  auto session = hotcc::TestSession::attach(*host.engine, options, error);
  REQUIRE(session);

  TempSource tests("test_game.cpp", R"(#include <catch2/catch.hpp>
extern int score;
int addPoints(int);
TEST_CASE("sees the score", "[live]") {
  REQUIRE(score == 5);
  addPoints(1);
  REQUIRE(score == 6);
}
TEST_CASE("wrong expectation") {
  int s = score;
  CHECK(s == 100);
}
TEST_CASE("crashes") { int *p = nullptr; *p = 1; }
TEST_CASE("hangs") { volatile int spin = 1; while (spin) {} }
)");
  auto loads = session->load({tests.path()});
  REQUIRE(loads.size() == 1);
  INFO(loads[0].error);
  REQUIRE(loads[0].ok);
  CHECK(loads[0].tests == 4);
  CHECK(loads[0].framework.rfind("Catch2 2.", 0) == 0);

  auto run = session->run();
  INFO(run.error);
  CHECK(run.error.empty());
  CHECK(run.passed == 1);
  CHECK(run.failed == 3);
  auto *wrong = findCase(run, "wrong expectation");
  REQUIRE(wrong);
  REQUIRE(wrong->failures.size() == 1);
  CHECK(wrong->failures[0].text == "FAILED: CHECK( s == 100 ) with expansion: 6 == 100");
  CHECK(wrong->failures[0].line == 11);
  auto *crash = findCase(run, "crashes");
  REQUIRE(crash);
  REQUIRE(crash->failures.size() == 1);
  CHECK(crash->failures[0].text == "FAILED: crashed: SIGSEGV (segmentation fault)");
  auto *hang = findCase(run, "hangs");
  REQUIRE(hang);
  REQUIRE(hang->failures.size() == 1);
  CHECK(hang->failures[0].text == "FAILED: timed out after 300 ms");
  CHECK(*host.engine->lookupFunction<int>("score") == 6);  // the test changed the host's state

  SECTION("an edited file replaces its tests; only the changed one is compiled again") {
    tests.write(R"(#include <catch2/catch.hpp>
extern int score;
int addPoints(int);
TEST_CASE("sees the score", "[live]") {
  REQUIRE(score == 5);
  addPoints(1);
  REQUIRE(score == 6);
}
TEST_CASE("wrong expectation, fixed") {
  int s = score;
  CHECK(s == score);
}
)");
    auto again = session->load({tests.path()});
    REQUIRE(again[0].ok);
    CHECK(again[0].tests == 2);
    CHECK(again[0].recompiledTests == 1);
    auto second = session->run();
    CHECK(second.cases.size() == 2);
    CHECK(second.failed == 1);  // "sees the score": the score is 6 now
    CHECK(findCase(second, "wrong expectation, fixed")->passed);
  }

  SECTION("a compile error keeps the tests the file had") {
    tests.write("#include <catch2/catch.hpp>\nTEST_CASE(\"x\") { REQUIRE(1 == ); }\n");
    auto bad = session->load({tests.path()});
    CHECK_FALSE(bad[0].ok);
    CHECK(bad[0].error.find("error:") != std::string::npos);
    CHECK(bad[0].tests == 4);
    CHECK(session->run().cases.size() == 4);
  }

  SECTION("the framework's own test spec selects") {
    hotcc::TestOptions tagged = options;
    tagged.frameworkArgs = {"[live]"};
    // A second session on the same engine shares the adapter already loaded.
    auto byTag = hotcc::TestSession::attach(*host.engine, tagged, error);
    REQUIRE(byTag);
    TempSource other("test_tagged.cpp",
                     "#include <catch2/catch.hpp>\nextern int score;\n"
                     "TEST_CASE(\"tagged\", \"[live]\") { CHECK(score > 0); }\n"
                     "TEST_CASE(\"untagged\") { CHECK(false); }\n");
    REQUIRE(byTag->load({other.path()})[0].ok);
    auto selected = byTag->run();
    CHECK(selected.cases.size() == 1);
    CHECK(selected.passed == 1);
  }
}

TEST_CASE("a GoogleTest file runs, crashes included, and the run goes on", "[testing]") {
  Host host;
  std::string error;
  hotcc::TestOptions options;
  options.timeoutMs = 300;
  auto session = hotcc::TestSession::attach(*host.engine, options, error);
  REQUIRE(session);
  TempSource tests("test_game_gtest.cpp", R"(#include <gtest/gtest.h>
extern int score;
TEST(Game, Score) { EXPECT_EQ(score, 5); }
TEST(Game, Wrong) { EXPECT_EQ(score, 7); }
TEST(Game, Crash) { int *p = nullptr; *p = 1; }
TEST(Game, After) { EXPECT_GT(score, 0); }
)");
  auto loads = session->load({tests.path()});
  INFO(loads[0].error);
  REQUIRE(loads[0].ok);
  CHECK(loads[0].tests == 4);
  auto run = session->run();
  INFO(run.error);
  CHECK(run.passed == 2);
  CHECK(run.failed == 2);
  auto *wrong = findCase(run, "Game.Wrong");
  REQUIRE(wrong);
  REQUIRE(wrong->failures.size() == 1);
  CHECK(wrong->failures[0].text.find("Expected equality of these values:") != std::string::npos);
  CHECK(wrong->failures[0].line == 4);
  auto *crash = findCase(run, "Game.Crash");
  REQUIRE(crash);
  CHECK(crash->failures.at(0).text == "FAILED: crashed: SIGSEGV (segmentation fault)");
  CHECK(findCase(run, "Game.After"));

  // Removing a test removes it from the next run, though GoogleTest's registry keeps it.
  tests.write("#include <gtest/gtest.h>\nextern int score;\nTEST(Game, Score) { EXPECT_EQ(score, 5); }\n");
  REQUIRE(session->load({tests.path()})[0].ok);
  auto second = session->run();
  CHECK(second.cases.size() == 1);
  CHECK(second.passed == 1);
}

TEST_CASE("a file without a known framework is a clear error", "[testing]") {
  Host host;
  std::string error;
  auto session = hotcc::TestSession::attach(*host.engine, {}, error);
  REQUIRE(session);
  TempSource plain("plain.cpp", "int main() { return 0; }\n");
  auto loads = session->load({plain.path()});
  CHECK_FALSE(loads[0].ok);
  CHECK(loads[0].error.find("includes no test framework") != std::string::npos);
  CHECK(session->run().cases.empty());
}
