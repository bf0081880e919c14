// hotcc::TestSession from the C++ API: a host with live state (a "game" in the host's engine) runs
// Catch2 and GoogleTest files against it. This executable is itself a Catch2 program that exports
// its symbols, so it also checks that JIT'd tests bind to hotcc's copy of Catch, not the host's.
#include "hotcc/engine_session.hpp"
#include "hotcc/support.hpp"
#include "hotcc/test_session.hpp"
#include "temp_source.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>

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

// What went wrong, for INFO only: the kinds and the few fields that say why (the renderer is not
// linked here, and nothing below reads this text).
std::string describe(const hotcc::Failure &failure) {
  std::string out = hotcc::kindName(failure);
  if (auto *compile = std::get_if<hotcc::failure::CompileError>(&failure))
    for (auto &d : compile->diagnostics)
      out += "\n  " + d.where.file + ":" + std::to_string(d.where.line) + ": " + d.message;
  if (auto *setup = std::get_if<hotcc::failure::SetupError>(&failure))
    out += ": " + setup->subject + ": " + setup->problem;
  return out;
}

std::string describe(const std::vector<hotcc::Failure> &failures) {
  std::string out;
  for (auto &failure : failures)
    out += describe(failure) + "\n";
  return out;
}

std::string describe(const std::optional<hotcc::Failure> &failure) {
  return failure ? describe(*failure) : "";
}

template <typename Kind> const Kind *only(const std::vector<hotcc::Failure> &failures) {
  REQUIRE(failures.size() == 1);
  return std::get_if<Kind>(&failures[0]);
}

struct Host {
  TempSource game{"game.cpp", kGame};
  std::unique_ptr<hotcc::Engine> engine;
  Host() {
    auto created = hotcc::Engine::create({});
    REQUIRE(created);
    engine = std::move(*created);
    engine->session().setQuiescent(true);
    REQUIRE(engine->addFile(game.path()).ok);
    auto *addPoints = engine->lookupFunction<int(int)>("addPoints");
    REQUIRE(addPoints);
    REQUIRE(addPoints(5) == 5);  // the host's live state before any test runs
  }
};

std::unique_ptr<hotcc::TestSession> attach(hotcc::Engine &engine, hotcc::TestOptions options = {}) {
  auto session = hotcc::TestSession::attach(engine, std::move(options));
  INFO((session ? "" : describe(session.failure())));
  REQUIRE(session);
  return std::move(*session);
}

} // namespace

TEST_CASE("a Catch2 file runs against the host's live state", "[testing]") {
  Host host;
  hotcc::TestOptions options;
  options.timeoutMs = 300;
  auto session = attach(*host.engine, options);
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
  INFO(describe(loads[0].failures));
  REQUIRE(loads[0].ok);
  CHECK(loads[0].tests == 4);
  CHECK(loads[0].framework.rfind("Catch2 2.", 0) == 0);

  auto run = session->run();
  INFO(describe(run.failure));
  CHECK_FALSE(run.failure);
  CHECK(run.passed == 1);
  CHECK(run.failed == 3);
  auto *wrong = findCase(run, "wrong expectation");
  REQUIRE(wrong);
  REQUIRE(wrong->failures.size() == 1);
  CHECK(wrong->failures[0].text == "FAILED: CHECK( s == 100 ) with expansion: 6 == 100");
  CHECK(wrong->failures[0].line == 11);
  CHECK_FALSE(wrong->crash);
  auto *crash = findCase(run, "crashes");
  REQUIRE(crash);
  REQUIRE(crash->failures.size() == 1);
  CHECK(crash->failures[0].text == "FAILED: crashed: SIGSEGV (segmentation fault)");
  REQUIRE(crash->crash);
  CHECK(crash->crash->cause == hotcc::failure::Crash::Cause::Signal);
  CHECK(crash->crash->signal == SIGSEGV);
  CHECK(crash->crash->signalName == "SIGSEGV");
  CHECK_FALSE(crash->crash->what.empty());  // the system's description
  CHECK(crash->crash->during == "crashes");
  auto *hang = findCase(run, "hangs");
  REQUIRE(hang);
  REQUIRE(hang->failures.size() == 1);
  CHECK(hang->failures[0].text == "FAILED: timed out after 300 ms");
  REQUIRE(hang->crash);
  CHECK(hang->crash->cause == hotcc::failure::Crash::Cause::Timeout);
  CHECK(hang->crash->timeoutMs == 300);
  CHECK(hang->crash->during == "hangs");
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
    INFO(describe(bad[0].failures));
    auto *compile = only<hotcc::failure::CompileError>(bad[0].failures);
    REQUIRE(compile);
    CHECK(compile->file == tests.path());
    REQUIRE_FALSE(compile->diagnostics.empty());
    auto &first = compile->diagnostics[0];
    CHECK(first.severity == hotcc::Severity::Error);
    CHECK(first.where.file == tests.path());
    CHECK(first.where.line == 2);
    CHECK(first.where.column == 18);  // in REQUIRE's expansion: where the macro is used
    CHECK(bad[0].tests == 4);
    CHECK(session->run().cases.size() == 4);
  }

  SECTION("the framework's own test spec selects") {
    hotcc::TestOptions tagged = options;
    tagged.frameworkArgs = {"[live]"};
    // A second session on the same engine shares the adapter already loaded.
    auto byTag = attach(*host.engine, tagged);
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
  hotcc::TestOptions options;
  options.timeoutMs = 300;
  auto session = attach(*host.engine, options);
  REQUIRE(session);
  TempSource tests("test_game_gtest.cpp", R"(#include <gtest/gtest.h>
extern int score;
TEST(Game, Score) { EXPECT_EQ(score, 5); }
TEST(Game, Wrong) { EXPECT_EQ(score, 7); }
TEST(Game, Crash) { int *p = nullptr; *p = 1; }
TEST(Game, After) { EXPECT_GT(score, 0); }
)");
  auto loads = session->load({tests.path()});
  INFO(describe(loads[0].failures));
  REQUIRE(loads[0].ok);
  CHECK(loads[0].tests == 4);
  auto run = session->run();
  INFO(describe(run.failure));
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
  REQUIRE(crash->crash);
  CHECK(crash->crash->signalName == "SIGSEGV");
  CHECK(crash->crash->during == "Game.Crash");
  CHECK(findCase(run, "Game.After"));

  // Removing a test removes it from the next run, though GoogleTest's registry keeps it; a test
  // that moved is reported where it is now (GoogleTest's registry keeps where it was).
  tests.write("#include <gtest/gtest.h>\nextern int score;\n\n\nTEST(Game, Score) { EXPECT_EQ(score, 0); }\n");
  REQUIRE(session->load({tests.path()})[0].ok);
  auto second = session->run();
  CHECK(second.cases.size() == 1);
  CHECK(second.failed == 1);
  CHECK(findCase(second, "Game.Score")->line == 5);
}

TEST_CASE("a file without a known framework is a clear error", "[testing]") {
  Host host;
  auto session = attach(*host.engine);
  REQUIRE(session);
  TempSource plain("plain.cpp", "int main() { return 0; }\n");
  auto loads = session->load({plain.path()});
  CHECK_FALSE(loads[0].ok);
  auto *setup = only<hotcc::failure::SetupError>(loads[0].failures);
  REQUIRE(setup);
  CHECK(setup->subject == plain.path());
  CHECK(setup->problem.find("catch2/catch.hpp") != std::string::npos);  // what it would need
  CHECK(session->run().cases.empty());

  SECTION("Catch2 v3 is named as such") {
    plain.write("#include <catch2/catch_test_macros.hpp>\nTEST_CASE(\"x\") {}\n");
    auto v3 = session->load({plain.path()});
    auto *refused = only<hotcc::failure::SetupError>(v3[0].failures);
    REQUIRE(refused);
    CHECK(refused->subject == plain.path());
    CHECK(refused->problem.find("catch2/catch_test_macros.hpp") != std::string::npos);
  }
  SECTION("a missing file is unreadable") {
    auto missing = (plain.dir() / "missing.cpp").string();
    auto loads = session->load({missing});
    auto *unreadable = only<hotcc::failure::FileUnreadable>(loads[0].failures);
    REQUIRE(unreadable);
    CHECK(unreadable->path == missing);
  }
}

TEST_CASE("what the code under test cannot be is a typed failure", "[testing]") {
  Host host;
  TempSource broken("broken.cpp", "int answer() { return 42 }\n");
  SECTION("--link of something that is no library") {
    hotcc::TestOptions options;
    options.link = {broken.path()};
    auto session = hotcc::TestSession::attach(*host.engine, options);
    REQUIRE_FALSE(session);
    auto *setup = std::get_if<hotcc::failure::SetupError>(&session.failure());
    REQUIRE(setup);
    CHECK(setup->subject == "--link " + broken.path());
  }
  SECTION("--link of an object that is not there") {
    hotcc::TestOptions options;
    auto missing = (broken.dir() / "missing.o").string();
    options.link = {missing};
    auto session = hotcc::TestSession::attach(*host.engine, options);
    REQUIRE_FALSE(session);
    auto *unreadable = std::get_if<hotcc::failure::FileUnreadable>(&session.failure());
    REQUIRE(unreadable);
    CHECK(unreadable->path == missing);
  }
  SECTION("a source that does not compile") {
    hotcc::TestOptions options;
    options.sources = {broken.path()};
    auto session = hotcc::TestSession::create(options);
    REQUIRE_FALSE(session);
    auto *compile = std::get_if<hotcc::failure::CompileError>(&session.failure());
    REQUIRE(compile);
    CHECK(compile->file == broken.path());
    REQUIRE_FALSE(compile->diagnostics.empty());
    CHECK(compile->diagnostics[0].where.line == 1);
  }
}

TEST_CASE("arguments the framework refuses fail the run, naming the framework", "[testing]") {
  Host host;
  hotcc::TestOptions options;
  options.frameworkArgs = {"--no-such-option"};
  auto session = attach(*host.engine, options);
  TempSource tests("test_args.cpp", "#include <catch2/catch.hpp>\nTEST_CASE(\"a\") {}\n");
  REQUIRE(session->load({tests.path()})[0].ok);
  auto run = session->run();
  REQUIRE(run.failure);
  auto *setup = std::get_if<hotcc::failure::SetupError>(&*run.failure);
  REQUIRE(setup);
  CHECK(setup->subject == "Catch2");
  CHECK(run.cases.empty());
  CHECK_FALSE(run.allPassed());
}

namespace {

std::vector<std::string> caseNames(const hotcc::TestRunResult &run) {
  std::vector<std::string> names;
  for (auto &c : run.cases)
    names.push_back(c.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> failedNames(const hotcc::TestRunResult &run) {
  std::vector<std::string> names;
  for (auto &c : run.cases)
    if (!c.passed)
      names.push_back(c.name);
  std::sort(names.begin(), names.end());
  return names;
}

using Names = std::vector<std::string>;

} // namespace

// GoogleTest makes TEST_P's tests when its run starts, from a registry of the whole program; a test
// file compiled again must replace its own patterns and instantiations.
TEST_CASE("GoogleTest TEST_P and typed tests run with GoogleTest's names and reload with their file",
          "[testing][gtest]") {
  Host host;
  auto session = attach(*host.engine);
  REQUIRE(session);
  auto source = [](const std::string &values, const std::string &check, const std::string &types) {
    return "#include <gtest/gtest.h>\n"
           "#include <string>\n"
           "class Even : public ::testing::TestWithParam<int> {};\n"
           "TEST_P(Even, Holds) { " + check + " }\n"
           "INSTANTIATE_TEST_SUITE_P(Listed, Even, ::testing::Values(" + values + "));\n"
           "INSTANTIATE_TEST_SUITE_P(Named, Even, ::testing::Range(0, 4, 2),\n"
           "    [](const ::testing::TestParamInfo<int> &i) { return \"n\" + std::to_string(i.param); });\n"
           "template <typename T> class Sized : public ::testing::Test {};\n"
           "using SizedTypes = ::testing::Types<" + types + ">;\n"
           "TYPED_TEST_SUITE(Sized, SizedTypes);\n"
           "TYPED_TEST(Sized, AtLeastTwoBytes) { EXPECT_GE(sizeof(TypeParam), 2u); }\n"
           "template <typename T> class Empty : public ::testing::Test {};\n"
           "TYPED_TEST_SUITE_P(Empty);\n"
           "TYPED_TEST_P(Empty, AtFirst) { EXPECT_TRUE(TypeParam().empty()); }\n"
           "REGISTER_TYPED_TEST_SUITE_P(Empty, AtFirst);\n"
           "INSTANTIATE_TYPED_TEST_SUITE_P(Std, Empty, ::testing::Types<std::string>);\n";
  };
  TempSource tests("test_params_gtest.cpp",
                   source("0, 2, 5", "EXPECT_EQ(GetParam() % 2, 0);", "short, char"));
  auto loads = session->load({tests.path()});
  INFO(describe(loads[0].failures));
  REQUIRE(loads[0].ok);
  CHECK(loads[0].tests == 8);
  auto run = session->run();
  INFO(describe(run.failure));
  CHECK(caseNames(run) == Names{"Listed/Even.Holds/0", "Listed/Even.Holds/1", "Listed/Even.Holds/2",
                                "Named/Even.Holds/n0", "Named/Even.Holds/n2",
                                "Sized/0.AtLeastTwoBytes", "Sized/1.AtLeastTwoBytes",
                                "Std/Empty/0.AtFirst"});
  CHECK(failedNames(run) == Names{"Listed/Even.Holds/2", "Sized/1.AtLeastTwoBytes"});
  CHECK(findCase(run, "Listed/Even.Holds/2")->line == 4);  // the TEST_P's line

  SECTION("an edited TEST_P body runs its new version") {
    tests.write(source("0, 2, 5", "EXPECT_GE(GetParam(), 0);", "short, char"));
    auto again = session->load({tests.path()});
    INFO(describe(again[0].failures));
    REQUIRE(again[0].ok);
    CHECK(again[0].recompiledTests == 5);  // the TEST_P's five instances
    auto second = session->run();
    CHECK(second.cases.size() == 8);
    CHECK(failedNames(second) == Names{"Sized/1.AtLeastTwoBytes"});
  }
  SECTION("a removed instantiation disappears; an added value and an added type appear") {
    auto edited = source("0, 2, 5, 8", "EXPECT_EQ(GetParam() % 2, 0);", "short, char, long");
    auto named = edited.find("INSTANTIATE_TEST_SUITE_P(Named");
    edited.erase(named, edited.find("template <typename T> class Sized") - named);
    tests.write(edited);
    auto again = session->load({tests.path()});
    INFO(describe(again[0].failures));
    REQUIRE(again[0].ok);
    CHECK(again[0].tests == 8);
    auto second = session->run();
    CHECK(caseNames(second) == Names{"Listed/Even.Holds/0", "Listed/Even.Holds/1",
                                     "Listed/Even.Holds/2", "Listed/Even.Holds/3",
                                     "Sized/0.AtLeastTwoBytes", "Sized/1.AtLeastTwoBytes",
                                     "Sized/2.AtLeastTwoBytes", "Std/Empty/0.AtFirst"});
    CHECK(failedNames(second) == Names{"Listed/Even.Holds/2", "Sized/1.AtLeastTwoBytes"});
  }
  SECTION("a compile error keeps the tests the file had") {
    tests.write(source("0, 2, 5", "EXPECT_EQ(GetParam() % 2, 0)", "short, char"));
    CHECK_FALSE(session->load({tests.path()})[0].ok);
    CHECK(session->run().cases.size() == 8);
  }
}

TEST_CASE("GoogleTest's test for a parameterized suite never instantiated comes and goes with its "
          "cause", "[testing][gtest]") {
  Host host;
  auto session = attach(*host.engine);
  REQUIRE(session);
  const std::string lonely = "#include <gtest/gtest.h>\n"
                             "class Lonely : public ::testing::TestWithParam<int> {};\n"
                             "TEST_P(Lonely, Runs) { SUCCEED(); }\n"
                             "template <typename T> class Typed : public ::testing::Test {};\n"
                             "TYPED_TEST_SUITE_P(Typed);\n"
                             "TYPED_TEST_P(Typed, Works) {}\n"
                             "REGISTER_TYPED_TEST_SUITE_P(Typed, Works);\n";
  TempSource tests("test_lonely_gtest.cpp", lonely);
  REQUIRE(session->load({tests.path()})[0].ok);
  auto run = session->run();
  CHECK(caseNames(run) ==
        Names{"GoogleTestVerification.UninstantiatedParameterizedTestSuite<Lonely>",
              "GoogleTestVerification.UninstantiatedTypeParameterizedTestSuite<Typed>"});
  CHECK(run.failed == 2);
  auto *missing = findCase(run, "GoogleTestVerification.UninstantiatedParameterizedTestSuite<Lonely>");
  REQUIRE(missing);
  CHECK(missing->failures.at(0).text.find("is defined via TEST_P, but never instantiated") !=
        std::string::npos);

  tests.write(lonely + "INSTANTIATE_TEST_SUITE_P(Now, Lonely, ::testing::Values(1));\n"
                       "INSTANTIATE_TYPED_TEST_SUITE_P(Now, Typed, ::testing::Types<int>);\n");
  REQUIRE(session->load({tests.path()})[0].ok);
  auto fixed = session->run();
  CHECK(caseNames(fixed) == Names{"Now/Lonely.Runs/0", "Now/Typed/0.Works"});
  CHECK(fixed.allPassed());

  tests.write(lonely + "GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Lonely);\n"
                       "INSTANTIATE_TYPED_TEST_SUITE_P(Now, Typed, ::testing::Types<int>);\n");
  REQUIRE(session->load({tests.path()})[0].ok);
  CHECK(caseNames(session->run()) == Names{"Now/Typed/0.Works"});
}

TEST_CASE("a run that ran no test is not a pass", "[testing]") {
  Host host;
  hotcc::TestOptions options;
  options.frameworkArgs = {"[no-such-tag]"};
  auto session = attach(*host.engine, options);
  REQUIRE(session);
  TempSource tests("test_unselected.cpp",
                   "#include <catch2/catch.hpp>\nTEST_CASE(\"a\") { CHECK(true); }\n");
  TempSource none("test_none.cpp", "#include <catch2/catch.hpp>\nint unused;\n");
  REQUIRE(session->load({tests.path(), none.path()})[1].ok);
  auto run = session->run();
  CHECK_FALSE(run.failure);
  CHECK(run.cases.empty());
  CHECK(run.available == 1);
  CHECK_FALSE(run.allPassed());

  auto all = attach(*host.engine);
  REQUIRE(all->load({none.path()})[0].ok);
  auto empty = all->run();
  CHECK(empty.available == 0);
  CHECK_FALSE(empty.allPassed());
}

// What a test file hands a framework to own must not outlive the JIT'd code: the engines of these
// tests are destroyed long before this executable exits and the frameworks clean up (GoogleTest's
// UnitTest, Catch's registries at exit). A crash there fails this executable in ctest.
TEST_CASE("objects test files hand the frameworks work, and outlive no engine", "[testing]") {
  Host host;
  auto session = attach(*host.engine);
  REQUIRE(session);
  TempSource gtest("test_owned_gtest.cpp", R"(#include <gtest/gtest.h>
int setUps = 0, started = 0;
class Counting : public ::testing::Environment {
  void SetUp() override { ++setUps; }
};
::testing::Environment *const counting = ::testing::AddGlobalTestEnvironment(new Counting);
class Starts : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo &) override { ++started; }
};
static bool listening = (::testing::UnitTest::GetInstance()->listeners().Append(new Starts), true);
TEST(Owned, EnvironmentAndListenerRan) {
  EXPECT_EQ(setUps, 1);
  EXPECT_EQ(started, 1);
}
)");
  TempSource catch2("test_owned_catch.cpp", R"(#include <catch2/catch.hpp>
#include <stdexcept>
struct Refused { int code; };
CATCH_TRANSLATE_EXCEPTION(Refused const &r) { return "refused " + std::to_string(r.code); }
TEMPLATE_TEST_CASE("sizes", "[template]", short, long) { CHECK(sizeof(TestType) >= 2); }
TEST_CASE("translated") { throw Refused{7}; }
)");
  auto loads = session->load({gtest.path(), catch2.path()});
  for (auto &load : loads) {
    INFO(describe(load.failures));
    REQUIRE(load.ok);
  }
  auto run = session->run();
  INFO(describe(run.failure));
  CHECK(caseNames(run) == Names{"Owned.EnvironmentAndListenerRan", "sizes - long", "sizes - short",
                                "translated"});
  CHECK(failedNames(run) == Names{"translated"});
  CHECK(findCase(run, "translated")->failures.at(0).text ==
        "FAILED: due to unexpected exception with message: refused 7");

  SECTION("once the session and its engine are gone, the next session's runs never call them") {
    session.reset();
    host.engine.reset();
    Host next;
    auto later = attach(*next.engine);
    REQUIRE(later);
    TempSource more("test_later.cpp", R"(#include <catch2/catch.hpp>
#include <stdexcept>
TEST_CASE("throws") { throw std::runtime_error("plain"); }
)");
    TempSource moreGtest("test_later_gtest.cpp",
                         "#include <gtest/gtest.h>\nTEST(Later, Runs) { SUCCEED(); }\n");
    for (auto &load : later->load({more.path(), moreGtest.path()}))
      REQUIRE(load.ok);
    auto again = later->run();
    INFO(describe(again.failure));
    CHECK_FALSE(again.failure);
    CHECK(caseNames(again) == Names{"Later.Runs", "throws"});
    CHECK(findCase(again, "throws")->failures.at(0).text ==
          "FAILED: due to unexpected exception with message: plain");
  }
  SECTION("TEMPLATE_TEST_CASE's registrations start afresh on reload") {
    catch2.write(R"(#include <catch2/catch.hpp>
TEMPLATE_TEST_CASE("sizes", "[template]", short, int, long) { CHECK(sizeof(TestType) >= 2); }
)");
    REQUIRE(session->load({catch2.path()})[0].ok);
    CHECK(caseNames(session->run({catch2.path()})) ==
          Names{"sizes - int", "sizes - long", "sizes - short"});
  }
}

// GoogleTest's "abstract tests": TEST_Ps in one file, instantiated in another. Their tests are
// made from both files at once, and a save of either makes them again.
TEST_CASE("a GoogleTest suite spread over two files gets the instances of both", "[testing][gtest]") {
  Host host;
  auto session = attach(*host.engine);
  REQUIRE(session);
  TempSource fixture("shared_suite.h", "#pragma once\n#include <gtest/gtest.h>\n"
                                       "class Shared : public ::testing::TestWithParam<int> {};\n");
  auto inDir = [&](const std::string &name, const std::string &text) {
    std::ofstream(fixture.dir() / name, std::ios::trunc) << text;
    return (fixture.dir() / name).string();
  };
  auto patterns = inDir("test_patterns.cpp", "#include \"shared_suite.h\"\n"
                                             "TEST_P(Shared, Small) { EXPECT_LT(GetParam(), 10); }\n"
                                             "INSTANTIATE_TEST_SUITE_P(Here, Shared, ::testing::Values(1));\n"
                                             "TEST(Plain, Runs) {}\n");
  auto elsewhere = inDir("test_elsewhere.cpp", "#include \"shared_suite.h\"\n"
                                               "INSTANTIATE_TEST_SUITE_P(There, Shared, ::testing::Values(2, 20));\n");
  auto loads = session->load({patterns, elsewhere});
  REQUIRE(loads.size() == 2);
  for (auto &load : loads) {
    INFO(describe(load.failures));
    CHECK(load.ok);
  }
  auto run = session->run();
  CHECK(caseNames(run) == Names{"Here/Shared.Small/0", "Plain.Runs", "There/Shared.Small/0",
                                "There/Shared.Small/1"});
  CHECK(failedNames(run) == Names{"There/Shared.Small/1"});
  CHECK(findCase(run, "There/Shared.Small/1")->file == patterns);  // where its TEST_P is

  SECTION("a value added to the other file's instantiation") {
    inDir("test_elsewhere.cpp", "#include \"shared_suite.h\"\n"
                                "INSTANTIATE_TEST_SUITE_P(There, Shared, ::testing::Values(2, 20, 3));\n");
    auto again = session->load({elsewhere});
    CHECK(again.size() == 2);  // both files made the suite's tests again
    CHECK(caseNames(session->run()) == Names{"Here/Shared.Small/0", "Plain.Runs",
                                             "There/Shared.Small/0", "There/Shared.Small/1",
                                             "There/Shared.Small/2"});
  }
  SECTION("the TEST_P edited, then the other file's instantiation removed") {
    inDir("test_patterns.cpp", "#include \"shared_suite.h\"\n"
                               "TEST_P(Shared, Small) { EXPECT_LT(GetParam(), 100); }\n"
                               "INSTANTIATE_TEST_SUITE_P(Here, Shared, ::testing::Values(1));\n"
                               "TEST(Plain, Runs) {}\n");
    auto again = session->load({patterns});
    REQUIRE(again.size() == 2);
    CHECK(again[0].recompiledTests == 3);
    CHECK(session->run().allPassed());
    inDir("test_elsewhere.cpp", "#include \"shared_suite.h\"\n");
    session->load({elsewhere});
    CHECK(caseNames(session->run()) == Names{"Here/Shared.Small/0", "Plain.Runs"});
  }
}
