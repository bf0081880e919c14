// Re-parsing only changed bodies must never change what runs: every case where a skipped body's
// meaning could change has to fall back to a full compile.
#include "engine_fixture.hpp"

using hotcc::test::EngineFixture;

static std::string program(const std::string &helperBody, const std::string &scoreBody,
                           const std::string &extra = "") {
  return "#include <vector>\n#include <string>\n" + extra +
         "struct Config { int factor = 2; };\n"
         "static int helper(int x) { " + helperBody + " }\n"
         "int score(int n) { " + scoreBody + " }\n"
         "int total() { std::vector<int> v{1, 2, 3}; int t = 0; for (int x : v) t += score(x); return t; }\n"
         "int viaConfig() { Config c; return c.factor; }\n";
}

TEST_CASE("skipping: an edit of one body re-parses only that body", "[jit][skip]") {
  EngineFixture f(program("return x + 1;", "return helper(n) * 10;"));
  auto *total = f.fn<int()>("_Z5totalv");
  CHECK(total() == 90);
  auto report = f.editOk(program("return x + 1;", "return helper(n) * 100;"));
  CHECK(report.compiled == std::vector<std::string>{"score"});
  CHECK(total() == 900);
}

TEST_CASE("skipping: a changed static function nobody newly calls still goes live", "[jit][skip]") {
  EngineFixture f(program("return x + 1;", "return helper(n) * 10;"));
  auto *total = f.fn<int()>("_Z5totalv");
  f.editOk(program("return x + 2;", "return helper(n) * 10;"));
  CHECK(total() == 120);
}

TEST_CASE("skipping: a changed type forces every body to be compiled again", "[jit][skip]") {
  EngineFixture f(program("return x + 1;", "return helper(n) * 10;"));
  auto *viaConfig = f.fn<int()>("_Z9viaConfigv");
  CHECK(viaConfig() == 2);
  // Only the struct changes: viaConfig's text is the same, its meaning is not.
  std::string edited = program("return x + 1;", "return helper(n) * 10;");
  edited.replace(edited.find("factor = 2"), 10, "factor = 7");
  f.editOk(edited);
  CHECK(viaConfig() == 7);
}

TEST_CASE("skipping: a macro change reaches bodies that use it", "[jit][skip]") {
  EngineFixture f(program("return x + K;", "return helper(n);", "#define K 1\n"));
  auto *score = f.fn<int(int)>("_Z5scorei");
  CHECK(score(1) == 2);
  f.editOk(program("return x + K;", "return helper(n);", "#define K 50\n"));
  CHECK(score(1) == 51);
}

TEST_CASE("skipping: calling a function that was never emitted before works", "[jit][skip]") {
  const char *v1 = "static int unused() { return 40; }\nint answer() { return 1; }\n";
  EngineFixture f(v1);
  auto *answer = f.fn<int()>("_Z6answerv");
  CHECK(answer() == 1);
  f.editOk("static int unused() { return 40; }\nint answer() { return unused() + 2; }\n");
  CHECK(answer() == 42);
}

TEST_CASE("skipping: header edits reach every body", "[jit][skip]") {
  hotcc::test::TempSource dir("unused.txt");
  std::ofstream(dir.dir() / "k.h") << "#pragma once\nconstexpr int kValue = 3;\n";
  hotcc::EngineOptions options;
  options.includeDirs = {dir.dir().string()};
  auto engine = hotcc::test::makeEngine(options);
  REQUIRE(engine);
  auto main = dir.dir() / "m.cpp";
  std::ofstream(main) << "#include \"k.h\"\nint value() { return kValue; }\nint other() { return 1; }\n";
  REQUIRE(engine->addFile(main.string()).ok);
  auto *value = engine->lookupFunction<int()>("_Z5valuev");
  CHECK(value() == 3);
  std::ofstream(dir.dir() / "k.h") << "#pragma once\nconstexpr int kValue = 9;\n";
  auto report = engine->reloadFile((dir.dir() / "k.h").string());
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  CHECK(value() == 9);
}

TEST_CASE("skipping: a changed function in an anonymous namespace goes live", "[jit][skip]") {
  auto program = [](int k) {
    return "namespace { int anon() { return " + std::to_string(k) + "; } }\n"
           "int value() { return anon(); }\n";
  };
  EngineFixture f(program(1));
  auto *value = f.fn<int()>("_Z5valuev");
  CHECK(value() == 1);
  f.editOk(program(2));
  CHECK(value() == 2);
}

TEST_CASE("skipping: a body that moved gets its new __LINE__", "[jit][skip]") {
  auto program = [](const std::string &padding) {
    return "int first() { return 1;" + padding + " }\nint where() { return __LINE__; }\n";
  };
  EngineFixture f(program(""));
  auto *where = f.fn<int()>("_Z5wherev");
  CHECK(where() == 2);
  f.editOk(program("\n\n"));
  CHECK(where() == 4);
}

TEST_CASE("skipping: bodies that moved but cannot see their line are still skipped", "[jit][skip]") {
  auto program = [](const std::string &padding) {
    return "int first() { return 1;" + padding + " }\nint plain() { return 5; }\n";
  };
  EngineFixture f(program(""));
  auto report = f.editOk(program("\n\n"));
  CHECK(report.compiled == std::vector<std::string>{});
  CHECK(f.fn<int()>("_Z5plainv")() == 5);
}

// A unity build: one file that #includes the program's .c files (Lua's onelua.c, SQLite's
// amalgamation style). The preamble stops before the first included source file, so an edit in
// one of them re-parses that body only.
TEST_CASE("skipping: an edit in a file a unity build includes re-parses only that body",
          "[jit][skip]") {
  hotcc::test::TempSource part("part.c", "int part_a(int x) { return x + 1; }\n"
                                         "int part_b(int x) { return x * 2; }\n");
  auto dir = part.dir().string();
  hotcc::test::TempSource other("other.c", "int other(int x) { return part_a(x) + part_b(x); }\n");
  // `other` lives in its own temp dir: the unity file names both by absolute path.
  std::string unity = "#include <stdio.h>\n#include \"" + part.path() + "\"\n#include \"" +
                      other.path() + "\"\n";
  EngineFixture f(unity, "unity.c");
  auto *fn = f.fn<int(int)>("other");
  CHECK(fn(3) == 4 + 6);

  part.write("int part_a(int x) { return x + 100; }\n"
             "int part_b(int x) { return x * 2; }\n");
  auto report = f.engine->reloadFile(part.path());
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  CHECK(report.compiled == std::vector<std::string>{"part_a"});
  CHECK(fn(3) == 103 + 6);
}

// A body that holds a directive (#include "ljumptab.h" in Lua's interpreter loop redefines
// macros the rest of the file uses) is never blanked out of the preprocessor's sight.
TEST_CASE("skipping: directives inside an unchanged body still act on what follows",
          "[jit][skip]") {
  auto program = [](int k) {
    return "#include <stdio.h>\n"
           "#define STEP 1\n"
           "int first(int x) {\n"
           "#undef STEP\n"
           "#define STEP 10\n"
           "  return x;\n"
           "}\n"
           "int second(int x) { return x * STEP + " + std::to_string(k) + "; }\n";
  };
  EngineFixture f(program(0), "directive.c");
  auto *second = f.fn<int(int)>("second");
  CHECK(second(2) == 20);
  auto report = f.editOk(program(5));
  CHECK(report.compiled == std::vector<std::string>{"second"});
  CHECK(second(2) == 25);
}

// Text appended to a file the main file includes comes before the main file's own code after the
// #include: it may change what those bodies mean (here a macro they use).
TEST_CASE("skipping: text appended to an included file reaches the code after its #include",
          "[jit][skip]") {
  hotcc::test::TempSource impl("impl.c", "#define LIMIT 1\nint helper(void) { return 5; }\n");
  std::string unity = "#include \"" + impl.path() + "\"\n"
                      "int use(void) { return LIMIT * 100 + helper(); }\n";
  EngineFixture f(unity, "unity.c");
  auto *use = f.fn<int()>("use");
  CHECK(use() == 105);
  impl.write("#define LIMIT 1\nint helper(void) { return 5; }\n#undef LIMIT\n#define LIMIT 2\n");
  auto report = f.engine->reloadFile(impl.path());
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  CHECK(use() == 205);
}

// __COUNTER__ counts through bodies Clang skips (it still preprocesses them), not through text
// hotcc blanks: a file that uses it keeps its bodies in the preprocessor's sight.
TEST_CASE("skipping: __COUNTER__ keeps counting through unchanged bodies", "[jit][skip]") {
  auto program = [](int k) {
    return "int first(void) { return __COUNTER__; }\n"
           "int second(void) { return __COUNTER__ + " + std::to_string(k) + "; }\n";
  };
  EngineFixture f(program(10), "counter.c");
  auto *second = f.fn<int()>("second");
  CHECK(second() == 11);
  f.editOk(program(20));
  CHECK(second() == 21);
  CHECK(f.fn<int()>("first")() == 0);
}
