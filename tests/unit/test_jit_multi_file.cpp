// Programs of several files: linked as one, each file reloaded on its own or through its headers.
#include "engine_fixture.hpp"

#include <filesystem>
#include <fstream>

TEST_CASE("multi-file: files use each other's functions and globals; edits reload per file",
          "[jit][multi]") {
  hotcc::test::TempSource dir("unused.txt");
  auto write = [&](const std::string &name, const std::string &text) {
    std::ofstream(dir.dir() / name) << text;
    return (dir.dir() / name).string();
  };
  write("shared.h", "#pragma once\nint bonus(int);\nextern int calls;\n"
                    "inline int base() { return 1; }\n");
  auto mainFile = write("main.cpp", "#include \"shared.h\"\n"
                                    "int run(int n) { ++calls; return bonus(n) + base(); }\n");
  auto utilFile = write("util.cpp", "#include \"shared.h\"\nint calls = 0;\n"
                                    "int bonus(int n) { return n * 2 + base(); }\n");
  hotcc::EngineOptions options;
  options.includeDirs = {dir.dir().string()};
  auto engine = hotcc::test::makeEngine(options);
  REQUIRE(engine);
  for (auto &report : engine->addFiles({mainFile, utilFile})) {
    INFO(hotcc::test::summary(report));
    REQUIRE(report.ok);
  }
  auto *run = engine->lookupFunction<int(int)>("_Z3runi");
  REQUIRE(run);
  CHECK(run(5) == 12);

  write("util.cpp", "#include \"shared.h\"\nint calls = 0;\nint bonus(int n) { return n * 100 + base(); }\n");
  auto report = engine->reloadFile(utilFile);
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  CHECK(report.compiled == std::vector<std::string>{"bonus"});
  CHECK(run(5) == 502);

  // The header's inline function is defined by both files: one stub, the edit reaches both users.
  write("shared.h", "#pragma once\nint bonus(int);\nextern int calls;\n"
                    "inline int base() { return 7; }\n");
  auto reports = engine->reloadChanged();
  REQUIRE(reports.size() == 2);
  for (auto &r : reports) {
    INFO(hotcc::test::summary(r));
    CHECK(r.ok);
  }
  CHECK(run(5) == 514);
  CHECK(*static_cast<int *>(engine->lookup("calls")) == 3);
}

// tl::expected's tests define the macro its header's assertions use differently per file; the
// normal link keeps the first file's definition of each inline function, and so must hotcc.
TEST_CASE("multi-file: an inline function two files define differently keeps the first file's "
          "body, also after reloads", "[jit][multi]") {
  hotcc::test::TempSource dir("unused.txt");
  auto write = [&](const std::string &name, const std::string &text) {
    std::ofstream(dir.dir() / name, std::ios::trunc) << text;
    return (dir.dir() / name).string();
  };
  write("check.h", "#pragma once\n#ifndef CHECK_FAILS\n#define CHECK_FAILS 1\n#endif\n"
                   "inline int check() { return CHECK_FAILS; }\n");
  auto first = write("first.cpp", "#define CHECK_FAILS 100\n#include \"check.h\"\n"
                                  "int fromFirst() { return check(); }\n");
  auto second = write("second.cpp", "#include \"check.h\"\nint fromSecond() { return check(); }\n");
  hotcc::EngineOptions options;
  options.includeDirs = {dir.dir().string()};
  auto engine = hotcc::test::makeEngine(options);
  REQUIRE(engine);
  REQUIRE(engine->addFile(first).ok);
  auto report = engine->addFile(second);
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  auto *fromFirst = engine->lookupFunction<int()>("_Z9fromFirstv");
  auto *fromSecond = engine->lookupFunction<int()>("_Z10fromSecondv");
  REQUIRE(fromFirst);
  REQUIRE(fromSecond);
  CHECK(fromFirst() == 100);
  CHECK(fromSecond() == 100);  // as linked: the first definition of check()

  SECTION("the second file edited: its different body still does not replace the first's") {
    write("second.cpp", "#include \"check.h\"\nint fromSecond() { return check() + 1; }\n");
    REQUIRE(engine->reloadFile(second).ok);
    CHECK(fromSecond() == 101);
    CHECK(fromFirst() == 100);
  }
  SECTION("the first file's new definition is installed") {
    write("first.cpp", "#define CHECK_FAILS 200\n#include \"check.h\"\n"
                       "int fromFirst() { return check(); }\n");
    REQUIRE(engine->reloadFile(first).ok);
    CHECK(fromFirst() == 200);
    CHECK(fromSecond() == 200);
  }
  SECTION("the first file stops using it: the second file's body takes over on the next change") {
    write("first.cpp", "#define CHECK_FAILS 100\n#include \"check.h\"\n"
                       "int fromFirst() { return 7; }\n");
    REQUIRE(engine->reloadFile(first).ok);
    CHECK(fromFirst() == 7);
    CHECK(fromSecond() == 100);  // nothing newer compiled: the live body stays
    write("check.h", "#pragma once\n#ifndef CHECK_FAILS\n#define CHECK_FAILS 1\n#endif\n"
                     "inline int check() { return CHECK_FAILS * 3; }\n");
    for (auto &r : engine->reloadChanged()) {
      INFO(hotcc::test::summary(r));
      CHECK(r.ok);
    }
    CHECK(fromSecond() == 3);  // the only file that defines it now
  }
  SECTION("a header edit reloads both files; the first file's body wins, whatever the order") {
    write("check.h", "#pragma once\n#ifndef CHECK_FAILS\n#define CHECK_FAILS 1\n#endif\n"
                     "inline int check() { return CHECK_FAILS * 2; }\n");
    for (auto &r : engine->reloadChanged()) {
      INFO(hotcc::test::summary(r));
      CHECK(r.ok);
    }
    CHECK(fromFirst() == 200);
    CHECK(fromSecond() == 200);
  }
}

TEST_CASE("multi-file: -p takes each file's flags from compile_commands.json", "[jit][multi]") {
  hotcc::test::TempSource dir("unused.txt");
  std::filesystem::create_directories(dir.dir() / "inc");
  std::ofstream(dir.dir() / "inc" / "config.h") << "#pragma once\nconstexpr int kBase = 40;\n";
  std::ofstream(dir.dir() / "app.cpp") << "#include \"config.h\"\nint answer() { return kBase + EXTRA; }\n";
  std::ofstream(dir.dir() / "compile_commands.json")
      << "[{\"directory\": \"" << dir.dir().string() << "\", \"command\": \"clang++ -Iinc -DEXTRA=2 "
      << "-c app.cpp -o app.o\", \"file\": \"app.cpp\"}]\n";
  hotcc::EngineOptions options;
  options.compileDatabaseDir = dir.dir().string();
  auto engine = hotcc::test::makeEngine(options);
  REQUIRE(engine);
  auto report = engine->addFile((dir.dir() / "app.cpp").string());
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  CHECK(engine->lookupFunction<int()>("_Z6answerv")() == 42);
}

TEST_CASE("multi-file: every file's global constructors run once", "[jit][multi]") {
  hotcc::test::TempSource dir("unused.txt");
  std::ofstream(dir.dir() / "a.cpp") << "#include <string>\nstd::string a = \"left\";\n"
                                        "struct T { int v; T() : v(1) {} };\nT ta;\n";
  std::ofstream(dir.dir() / "b.cpp") << "#include <string>\nextern std::string a;\nstd::string b = \"right\";\n"
                                        "struct S { int v; S() : v(2) {} };\nS sb;\n"
                                        "std::string both() { return a + b; }\n";
  auto engine = hotcc::test::makeEngine();
  REQUIRE(engine);
  for (auto &report : engine->addFiles({(dir.dir() / "a.cpp").string(), (dir.dir() / "b.cpp").string()})) {
    INFO(hotcc::test::summary(report));
    REQUIRE(report.ok);
  }
  CHECK(engine->lookupFunction<std::string()>("both")() == "leftright");
}

TEST_CASE("multi-file: a function cut from one file and pasted into another", "[jit][multi]") {
  hotcc::test::TempSource dir("unused.txt");
  auto a = (dir.dir() / "a.cpp").string(), b = (dir.dir() / "b.cpp").string();
  std::ofstream(a) << "int helper() { return 1; }\n";
  std::ofstream(b) << "int helper();\nint use() { return helper(); }\n";
  auto engine = hotcc::test::makeEngine();
  REQUIRE(engine);
  for (auto &r : engine->addFiles({a, b}))
    REQUIRE(r.ok);
  auto *use = engine->lookupFunction<int()>("_Z3usev");
  std::ofstream(a) << "int other() { return 0; }\n";
  REQUIRE(engine->reloadFile(a).ok);
  std::ofstream(b) << "int helper() { return 2; }\nint use() { return helper(); }\n";
  auto report = engine->reloadFile(b);
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  CHECK(use() == 2);
}

TEST_CASE("multi-file: a stub whose first link failed is not handed out", "[jit][multi]") {
  hotcc::test::TempSource src("f.cpp", "int missing();\nint update() { return missing(); }\n");
  auto engine = hotcc::test::makeEngine();
  REQUIRE(engine);
  CHECK_FALSE(engine->addFile(src.path()).ok);
  CHECK(engine->lookup("update") == nullptr);
}
