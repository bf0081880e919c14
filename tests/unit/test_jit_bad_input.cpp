// Bad input: every failure leaves the previous version running and says what happened.
#include "engine_fixture.hpp"

#include <filesystem>

using hotcc::test::EngineFixture;
using hotcc::test::failureOf;
namespace failure = hotcc::failure;

static const char *kGood = "int helper(int x) { return x * 2; }\n"
                           "int score(int n) { return helper(n) + 1; }\n";

TEST_CASE("bad input: a syntax error keeps the old body and reports clang's diagnostic", "[jit][bad]") {
  EngineFixture f(kGood);
  auto *score = f.fn<int(int)>("_Z5scorei");
  auto report = f.edit("int helper(int x) { return x * 2 }\nint score(int n) { return helper(n) + 1; }\n");
  CHECK_FALSE(report.ok);
  auto *error = hotcc::test::firstError(report);
  REQUIRE(error);
  CHECK(error->kind == hotcc::DiagnosticKind::ParseError);
  CHECK(std::filesystem::path(error->where.file).filename() == "hot.cpp");
  CHECK(error->where.line == 1);
  CHECK(error->where.column == 33);
  CHECK(error->sourceLine == "int helper(int x) { return x * 2 }");
  CHECK(report.previousVersionRuns);
  CHECK(score(2) == 5);
  f.editOk("int helper(int x) { return x * 3; }\nint score(int n) { return helper(n) + 1; }\n");
  CHECK(score(2) == 7);
}

TEST_CASE("bad input: an undefined symbol is named with its user", "[jit][bad]") {
  EngineFixture f(kGood);
  auto *score = f.fn<int(int)>("_Z5scorei");
  auto report = f.edit("int missing_fn(int);\nint helper(int x) { return x * 2; }\n"
                       "int score(int n) { return missing_fn(n); }\n");
  CHECK_FALSE(report.ok);
  auto *undefined = failureOf<failure::UndefinedSymbol>(report);
  REQUIRE(undefined);
  CHECK(undefined->name == "missing_fn(int)");
  CHECK(undefined->users == std::vector<std::string>{"score"});
  CHECK(undefined->file == f.source.path());
  CHECK(score(2) == 5);
  // The engine is not wedged: the next good edit goes live.
  f.editOk("int helper(int x) { return x * 2; }\nint score(int n) { return helper(n) + 2; }\n");
  CHECK(score(2) == 6);
}

TEST_CASE("bad input: a signature change with live callers is refused (C++)", "[jit][bad]") {
  EngineFixture f(kGood);
  auto *score = f.fn<int(int)>("_Z5scorei");
  auto report = f.edit("int helper(int x, int k) { return x * k; }\n"
                       "int score(int n) { return helper(n, 2) + 1; }\n");
  CHECK_FALSE(report.ok);
  auto *change = failureOf<failure::SignatureChange>(report);
  REQUIRE(change);
  CHECK(change->function == "helper");
  CHECK(change->before == "int (int)");
  CHECK(change->after == "int (int, int)");
  CHECK(change->callers == std::vector<std::string>{"score"});
  CHECK(score(2) == 5);
}

TEST_CASE("bad input: a signature change with live callers is refused (C)", "[jit][bad]") {
  EngineFixture f("int helper(int x) { return x * 2; }\nint score(int n) { return helper(n) + 1; }\n",
                  "hot.c");
  auto *score = f.fn<int(int)>("score");
  auto report = f.edit("long helper(long x, long k) { return x * k; }\n"
                       "int score(int n) { return (int)helper(n, 2) + 1; }\n");
  CHECK_FALSE(report.ok);
  auto *change = failureOf<failure::SignatureChange>(report);
  REQUIRE(change);
  CHECK(change->before == "int (int)");
  CHECK(change->after == "long (long, long)");
  CHECK(score(2) == 5);
}

TEST_CASE("bad input: a layout change of a struct held by a live global is refused", "[jit][bad]") {
  const char *v1 = "struct Player { int hp; float x; };\nPlayer player{100, 1.5f};\n"
                   "int hp() { return player.hp; }\n";
  EngineFixture f(v1);
  auto *hp = f.fn<int()>("_Z2hpv");
  auto report = f.edit("struct Player { int hp; int armor; float x; };\nPlayer player{100, 5, 1.5f};\n"
                       "int hp() { return player.hp + player.armor; }\n");
  CHECK_FALSE(report.ok);
  auto *layout = failureOf<failure::LayoutChangeRefused>(report);
  REQUIRE(layout);
  CHECK(layout->change.type == "struct Player");
  CHECK(layout->holder == "player");
  CHECK(layout->change.users == std::vector<std::string>{"hp"});
  CHECK(hotcc::test::failuresOf<failure::LayoutChangeRefused>(report).size() == 1);
  REQUIRE(layout->change.after.size() == 3);
  CHECK(layout->change.after[1].name == "armor");
  CHECK(layout->change.before.size() == 2);
  CHECK(hp() == 100);
  f.editOk("struct Player { int hp; float x; };\nPlayer player{100, 1.5f};\n"
           "int hp() { return player.hp * 2; }\n");
  CHECK(hp() == 200);
}

TEST_CASE("bad input: a function deleted from the file stays callable", "[jit][bad]") {
  EngineFixture f(kGood);
  auto *helper = f.fn<int(int)>("_Z6helperi");
  auto report = f.editOk("int score(int n) { return n; }\n");
  CHECK(report.removed == std::vector<std::string>{"helper"});
  CHECK(helper(4) == 8);
  auto removed = hotcc::test::noticesOf<hotcc::notice::RemovedFunctionKept>(report);
  REQUIRE(removed.size() == 1);
  CHECK(removed.front()->function == "helper");
  // Putting it back makes it current again.
  f.editOk("int helper(int x) { return x * 5; }\nint score(int n) { return helper(n); }\n");
  CHECK(helper(4) == 20);
}

TEST_CASE("bad input: a missing file is reported and the old code keeps running", "[jit][bad]") {
  EngineFixture f(kGood);
  auto *score = f.fn<int(int)>("_Z5scorei");
  std::filesystem::remove(f.source.path());
  auto report = f.engine->reloadFile(f.source.path());
  CHECK_FALSE(report.ok);
  auto *unreadable = failureOf<failure::FileUnreadable>(report);
  REQUIRE(unreadable);
  CHECK(unreadable->path == f.source.path());
  CHECK_FALSE(unreadable->reason.empty());
  CHECK(score(2) == 5);
  auto fresh = hotcc::test::makeEngine();
  REQUIRE(fresh);
  auto missing = fresh->addFile("/nonexistent/nowhere.cpp");
  CHECK_FALSE(missing.ok);
  CHECK_FALSE(missing.previousVersionRuns);
  REQUIRE(failureOf<failure::FileUnreadable>(missing));
  CHECK(failureOf<failure::FileUnreadable>(missing)->path == "/nonexistent/nowhere.cpp");
}

TEST_CASE("bad input: a half-written file fails, the next save recovers", "[jit][bad]") {
  EngineFixture f(kGood);
  auto *score = f.fn<int(int)>("_Z5scorei");
  CHECK_FALSE(f.edit("int helper(int x) { return x * 2; }\nint score(int n) { return hel").ok);
  CHECK(score(2) == 5);
  f.editOk("int helper(int x) { return x * 2; }\nint score(int n) { return helper(n) + 10; }\n");
  CHECK(score(2) == 14);
}

TEST_CASE("bad input: the same function in two files is refused", "[jit][bad]") {
  EngineFixture f(kGood);
  hotcc::test::TempSource other("other.cpp", "int helper(int x) { return -x; }\n");
  auto report = f.engine->addFile(other.path());
  CHECK_FALSE(report.ok);
  auto *duplicate = failureOf<failure::DuplicateDefinition>(report);
  REQUIRE(duplicate);
  CHECK(duplicate->name == "helper");
  CHECK(duplicate->files == std::vector<std::string>{f.source.path(), other.path()});
  CHECK(f.fn<int(int)>("_Z5scorei")(2) == 5);
}

TEST_CASE("bad input: a changed initializer is noted once, dynamic ones too", "[jit][bad]") {
  auto program = [](const std::string &text, int number, int k) {
    return "#include <string>\nstd::string s = \"" + text + "\";\nint g = " + std::to_string(number) +
           ";\nint value() { return (int)s.size() * 100 + g + " + std::to_string(k) + "; }\n";
  };
  EngineFixture f(program("abc", 5, 0));
  auto *value = f.fn<int()>("_Z5valuev");
  CHECK(value() == 305);
  auto report = f.editOk(program("abcdef", 6, 0));
  auto noted = [&](const std::string &name) {
    for (auto *kept : hotcc::test::noticesOf<hotcc::notice::InitializerChangedValueKept>(report))
      if (kept->global == name)
        return true;
    return false;
  };
  CHECK(noted("s"));
  CHECK(noted("g"));
  CHECK(value() == 305);
  report = f.editOk(program("abcdef", 6, 1));
  CHECK_FALSE(noted("s"));
  CHECK_FALSE(noted("g"));
  CHECK(value() == 306);
}

TEST_CASE("bad input: adding a virtual function while objects exist is refused", "[jit][bad]") {
  auto program = [](const std::string &extra) {
    return "struct Base { virtual ~Base() = default; virtual int f() { return 1; }" + extra + " };\n"
           "struct D : Base { int f() override { return 2; } };\n"
           "Base *obj = new D;\nint call() { return obj->f(); }\n";
  };
  EngineFixture f(program(""));
  auto *call = f.fn<int()>("_Z4callv");
  CHECK(call() == 2);
  auto report = f.edit(program(" virtual int g() { return 7; }"));
  CHECK_FALSE(report.ok);
  std::vector<std::string> types;
  for (auto *vtable : hotcc::test::failuresOf<failure::VirtualTableChange>(report))
    types.push_back(vtable->type);
  CHECK(types == std::vector<std::string>{"D", "Base"});
  CHECK(call() == 2);
}
