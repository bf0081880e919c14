// The native engine's promises: stable stubs, new bodies live, state kept, only changes compiled.
#include "engine_fixture.hpp"

#include <stdexcept>

using hotcc::test::EngineFixture;

extern "C" int hotcc_test_host_triple(int x) {
  return 3 * x;
}

extern "C" void hotcc_test_host_throw(const char *what) {
  throw std::runtime_error(what);
}

static std::string withConstant(int k) {
  return "int value() { return " + std::to_string(k) + "; }\n"
         "int twice() { return 2 * value(); }\n";
}

TEST_CASE("jit: the stub address is stable across 100 reloads and the new body runs", "[jit]") {
  EngineFixture f(withConstant(0));
  auto *value = f.fn<int()>("value");
  auto *twice = f.fn<int()>("twice");
  for (int i = 1; i <= 100; ++i) {
    auto report = f.editOk(withConstant(i));
    REQUIRE(report.compiled == std::vector<std::string>{"value"});
    REQUIRE(report.unchanged == 1);
    REQUIRE(f.engine->lookup("value") == reinterpret_cast<void *>(value));
    REQUIRE(value() == i);
    REQUIRE(twice() == 2 * i);  // twice was compiled once and calls value through its stub
  }
  CHECK(f.engine->registry().find("value")->history.size() == 101);
  CHECK(f.engine->registry().find("twice")->history.size() == 1);
}

TEST_CASE("jit: globals and static locals keep their values across reloads", "[jit]") {
  const char *v1 = R"(
    int counter = 0;
    static int hidden = 100;
    int next() { static int calls = 0; ++calls; ++hidden; return ++counter * 1000 + calls; }
    int hiddenValue() { return hidden; }
  )";
  EngineFixture f(v1);
  auto *next = f.fn<int()>("next");
  CHECK(next() == 1001);
  CHECK(next() == 2002);
  std::string v2 = v1;
  v2.replace(v2.find("* 1000"), 6, "* 10");
  auto report = f.editOk(v2);
  CHECK(report.compiled == std::vector<std::string>{"next"});
  CHECK(next() == 33);  // counter 3, calls 3: nothing reset
  CHECK(f.fn<int()>("hiddenValue")() == 103);
  CHECK(*static_cast<int *>(f.engine->lookup("counter")) == 3);
}

TEST_CASE("jit: a function pointer taken before a reload calls the new body after it", "[jit]") {
  EngineFixture f("int pick(int x) { return x + 1; }\n"
                  "using Fn = int (*)(int);\n"
                  "Fn pointer() { return &pick; }\n");
  auto *pointer = f.fn<int (*())(int)>("pointer");
  int (*taken)(int) = pointer();
  CHECK(taken(1) == 2);
  f.editOk("int pick(int x) { return x + 100; }\n"
           "using Fn = int (*)(int);\n"
           "Fn pointer() { return &pick; }\n");
  CHECK(taken(1) == 101);
  CHECK(pointer() == taken);
}

TEST_CASE("jit: host functions resolve, and exceptions cross JIT and host both ways", "[jit]") {
  EngineFixture f(R"(
    #include <stdexcept>
    #include <string>
    extern "C" int hotcc_test_host_triple(int);
    extern "C" void hotcc_test_host_throw(const char *);
    int useHost(int x) { return hotcc_test_host_triple(x) + 1; }
    void throwFromHot() { throw std::runtime_error("from hot code"); }
    std::string catchFromHost() {
      try { hotcc_test_host_throw("from the host"); }
      catch (const std::exception &e) { return std::string("caught: ") + e.what(); }
      return "not caught";
    }
  )");
  CHECK(f.fn<int(int)>("useHost")(5) == 16);
  try {
    f.fn<void()>("throwFromHot")();
    FAIL("no exception");
  } catch (const std::runtime_error &e) {
    CHECK(std::string(e.what()) == "from hot code");
  }
  CHECK(f.fn<std::string()>("catchFromHost")() == "caught: from the host");
}

TEST_CASE("jit: an undone edit points back at the earlier body without compiling", "[jit]") {
  EngineFixture f(withConstant(1));
  auto *value = f.fn<int()>("value");
  f.editOk(withConstant(2));
  auto firstAddress = f.engine->registry().find("value")->history[0].address;
  auto report = f.editOk(withConstant(1));
  CHECK(value() == 1);
  auto info = f.engine->registry().find("value");
  CHECK(info->history.back().address == firstAddress);
  CHECK(report.times.compileMs < 1000);
}

TEST_CASE("jit: rollback returns one function to its previous body", "[jit]") {
  EngineFixture f(withConstant(1));
  auto *value = f.fn<int()>("value");
  f.editOk(withConstant(2));
  f.editOk(withConstant(3));
  REQUIRE(f.engine->rollback("value"));
  CHECK(value() == 2);
  REQUIRE(f.engine->rollback("value"));
  CHECK(value() == 1);
  CHECK_FALSE(f.engine->rollback("value"));
  CHECK_FALSE(f.engine->rollback("no_such_function"));
}

TEST_CASE("jit: reload hooks see the changed functions; the version counter moves", "[jit]") {
  EngineFixture f(withConstant(1));
  auto before = f.engine->version();
  std::vector<std::string> seen;
  f.engine->registry().onAfterReload([&](const hotcc::ReloadReport &r) { seen = r.compiled; });
  f.editOk(withConstant(5));
  CHECK(seen == std::vector<std::string>{"value"});
  CHECK(f.engine->version() == before + 1);
}

TEST_CASE("jit: new functions and globals can be added by a reload", "[jit]") {
  EngineFixture f("int a() { return 1; }\n");
  auto report = f.editOk("int a() { return 1; }\nint extra = 41;\nint b() { return a() + extra; }\n");
  CHECK(report.compiled == std::vector<std::string>{"b"});
  CHECK(report.unchanged == 1);
  CHECK(f.fn<int()>("b")() == 42);
}

TEST_CASE("jit: main runs through runMain with its arguments", "[jit]") {
  EngineFixture f("#include <cstring>\nint main(int argc, char **argv) { return argc * 10 + (int)std::strlen(argv[1]); }\n");
  char arg0[] = "prog", arg1[] = "abc";
  char *argv[] = {arg0, arg1, nullptr};
  auto code = f.engine->runMain(2, argv);
  REQUIRE(code);
  CHECK(*code == 23);
}
