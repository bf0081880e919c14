// C++ in hot code: constructors once, destructors at shutdown, templates, lambdas, inline
// functions, thread_local, virtual calls on objects made before a reload, optimized builds.
#include "engine_fixture.hpp"

#include <thread>

using hotcc::test::EngineFixture;

static int destroyed = 0;
extern "C" void hotcc_test_note_destroyed() {
  ++destroyed;
}

TEST_CASE("c++: global constructors run once, destructors at shutdown", "[jit][cpp]") {
  destroyed = 0;
  const char *v1 = R"(
    #include <string>
    #include <vector>
    extern "C" void hotcc_test_note_destroyed();
    int constructed = 0;
    struct Tracker { Tracker() { ++constructed; } ~Tracker() { hotcc_test_note_destroyed(); } };
    Tracker tracker;
    std::vector<std::string> names{"a", "b"};
    int count() { names.push_back("x"); return (int)names.size() * 100 + constructed; }
  )";
  {
    EngineFixture f(v1);
    auto *count = f.fn<int()>("_Z5countv");
    CHECK(count() == 301);
    std::string v2 = v1;
    v2.replace(v2.find("* 100"), 5, "* 1000");
    auto report = f.editOk(v2);
    CHECK(report.compiled == std::vector<std::string>{"count"});
    CHECK(count() == 4001);  // vector kept its 3 elements, Tracker not constructed again
    CHECK(destroyed == 0);
  }
  CHECK(destroyed == 1);
}

TEST_CASE("c++: templates, lambdas and inline functions reload", "[jit][cpp]") {
  auto program = [](int k) {
    return "#include <algorithm>\n#include <vector>\n"
           "template <typename T> T scale(T x) { return x * " + std::to_string(k) + "; }\n"
           "inline int offset() { return " + std::to_string(k) + "; }\n"
           "int run() {\n"
           "  std::vector<int> v{3, 1, 2};\n"
           "  std::sort(v.begin(), v.end(), [](int a, int b) { return a > b; });\n"
           "  auto f = [](int x) { return scale(x) + offset(); };\n"
           "  return v[0] * 1000 + f(1);\n"
           "}\n";
  };
  EngineFixture f(program(2));
  auto *run = f.fn<int()>("_Z3runv");
  CHECK(run() == 3004);
  f.editOk(program(5));
  CHECK(run() == 3010);
}

TEST_CASE("c++: thread_local works in hot code and keeps per-thread values", "[jit][cpp]") {
  EngineFixture f("thread_local int perThread = 0;\nint bump() { return ++perThread; }\n");
  auto *bump = f.fn<int()>("_Z4bumpv");
  CHECK(bump() == 1);
  CHECK(bump() == 2);
  int other = 0;
  std::thread([&] { other = bump(); }).join();
  CHECK(other == 1);
  f.editOk("thread_local int perThread = 0;\nint bump() { return perThread += 10; }\n");
  CHECK(bump() == 12);
}

TEST_CASE("c++: an object made before a reload runs the new virtual method", "[jit][cpp]") {
  auto program = [](int k) {
    return "struct Shape { virtual ~Shape() = default; virtual int area() const = 0; };\n"
           "struct Square : Shape { int side = 3; int area() const override { return side * " +
           std::to_string(k) + "; } };\n"
           "Shape *make() { return new Square; }\n"
           "int areaOf(const Shape *s) { return s->area(); }\n";
  };
  EngineFixture f(program(3));
  auto *shape = f.fn<void *()>("_Z4makev")();
  auto *areaOf = f.fn<int(const void *)>("_Z6areaOfPK5Shape");
  CHECK(areaOf(shape) == 9);
  auto report = f.editOk(program(100));
  CHECK(report.compiled == std::vector<std::string>{"Square::area"});
  CHECK(areaOf(shape) == 300);
}

TEST_CASE("c++: -O2 builds reload too", "[jit][cpp]") {
  hotcc::EngineOptions options;
  options.optLevel = 2;
  EngineFixture f("static int k() { return 2; }\nint mul(int x) { return x * k(); }\n", "opt.cpp",
                  options);
  auto *mul = f.fn<int(int)>("_Z3muli");
  CHECK(mul(21) == 42);
  f.editOk("static int k() { return 3; }\nint mul(int x) { return x * k(); }\n");
  CHECK(mul(21) == 63);
}

TEST_CASE("c++: a function that could not throw and now throws is caught by its callers",
          "[jit][cpp]") {
  // Clang calls a function it proved cannot throw without an unwind path; that proof dies with
  // the edit, so the caller must be compiled again even though its text did not change.
  auto program = [](const std::string &probeBody) {
    return "#include <stdexcept>\n#include <string>\n"
           "int probe() { " + probeBody + " }\n"
           "std::string wrap() {\n"
           "  try { return std::to_string(probe()); }\n"
           "  catch (const std::exception &e) { return std::string(\"caught \") + e.what(); }\n"
           "}\n";
  };
  EngineFixture f(program("return 0;"));
  auto *wrap = f.fn<std::string()>("_Z4wrapB5cxx11v");
  CHECK(wrap() == "0");
  f.editOk(program("throw std::runtime_error(\"rt\");"));
  CHECK(wrap() == "caught rt");
}

TEST_CASE("c++: constructors and destructors defined outside their class", "[jit][cpp]") {
  auto program = [](int k) {
    return "struct A { A(); ~A(); int x; };\n"
           "A::A() { x = " + std::to_string(k) + "; }\nA::~A() {}\n"
           "int make() { A a; return a.x; }\n";
  };
  EngineFixture f(program(7));
  auto *make = f.fn<int()>("_Z4makev");
  CHECK(make() == 7);
  auto report = f.editOk(program(8));
  CHECK(make() == 8);
}
