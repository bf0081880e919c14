// What real C programs use that this project's own examples did not: computed goto dispatch
// tables, symbols with hidden visibility, and shared libraries that call back into the program.
#include "engine_fixture.hpp"
#include "hotcc/engine_session.hpp"

#include <dlfcn.h>
#include <fstream>
#include <map>

using hotcc::test::EngineFixture;

namespace {

std::string dispatcher(int a, int b) {
  return "int run(int op) {\n"
         "  static const void *const table[] = {&&first, &&second};\n"
         "  goto *table[op];\n"
         "first: return " + std::to_string(a) + ";\n"
         "second: return " + std::to_string(b) + ";\n"
         "}\n"
         "int other(int op) {\n"
         "  static const void *const table[] = {&&left, &&right};\n"
         "  goto *table[op];\n"
         "left: return -1;\n"
         "right: return -2;\n"
         "}\n";
}

} // namespace

TEST_CASE("labels as values: a computed-goto table travels with its function's body",
          "[jit][real-code]") {
  EngineFixture f(dispatcher(10, 20), "dispatch.c");
  auto *run = f.fn<int(int)>("run");
  auto *other = f.fn<int(int)>("other");
  CHECK(run(0) == 10);
  CHECK(run(1) == 20);
  // Two tables of the same shape in different functions are different tables.
  CHECK(other(0) == -1);
  CHECK(other(1) == -2);

  auto report = f.editOk(dispatcher(30, 40));
  CHECK(report.compiled == std::vector<std::string>{"run"});
  CHECK(run(0) == 30);
  CHECK(run(1) == 40);
  CHECK(other(1) == -2);
}

TEST_CASE("hidden visibility: globals and functions link and reload", "[jit][real-code]") {
  auto program = [](int k) {
    return "#define HIDDEN __attribute__((visibility(\"hidden\")))\n"
           "HIDDEN extern int counter;\n"
           "int counter = 5;\n"
           "HIDDEN int bump(void) { return ++counter; }\n"
           "int read_scaled(void) { return bump() * " + std::to_string(k) + "; }\n";
  };
  EngineFixture f(program(1), "hidden.c");
  auto *read = f.fn<int()>("read_scaled");
  CHECK(read() == 6);
  f.editOk(program(10));
  CHECK(read() == 70);  // the same storage: counter kept counting
}

TEST_CASE("a library the program dlopens binds to the program's functions and data",
          "[jit][real-code]") {
  // Like a program linked with -rdynamic: host_value and host_counter are the program's exports.
  auto program = [](int k) {
    return "#include <dlfcn.h>\n"
           "int host_counter = 3;\n"
           "int host_value(void) { return " + std::to_string(k) + "; }\n"
           "static int (*plugin_call)(void);\n"
           "static int *(*plugin_counter_address)(void);\n"
           "int load(const char *path) {\n"
           "  void *lib = dlopen(path, RTLD_NOW);\n"
           "  if (!lib) return 0;\n"
           "  plugin_call = (int (*)(void))dlsym(lib, \"plugin_call\");\n"
           "  plugin_counter_address = (int *(*)(void))dlsym(lib, \"plugin_counter_address\");\n"
           "  return plugin_call && plugin_counter_address;\n"
           "}\n"
           "int call_plugin(void) { return plugin_call(); }\n"
           "int same_counter(void) { return plugin_counter_address() == &host_counter; }\n";
  };
  EngineFixture f(program(4), "host.c");
  REQUIRE(f.fn<int(const char *)>("load")(HOTCC_TEST_CALLBACK_PLUGIN) == 1);
  CHECK(f.fn<int()>("call_plugin")() == 403);
  CHECK(f.fn<int()>("same_counter")() == 1);

  // The library calls the stub: a reload reaches it too.
  f.editOk(program(9));
  CHECK(f.fn<int()>("call_plugin")() == 903);
}

TEST_CASE("Engine::loadLibrary publishes the program's exports first", "[jit][real-code]") {
  // Another build of the plugin, calling other names: a library stays bound to the engine that
  // was live when it was loaded, and the test above loaded the first build.
  EngineFixture f("int host_counter_2 = 1;\nint host_value_2(void) { return 2; }\n", "host.c");
  REQUIRE(f.engine->loadLibrary(HOTCC_TEST_CALLBACK_PLUGIN_2));
  void *lib = dlopen(HOTCC_TEST_CALLBACK_PLUGIN_2, RTLD_NOW | RTLD_NOLOAD);
  REQUIRE(lib != nullptr);
  auto *call = reinterpret_cast<int (*)()>(dlsym(lib, "plugin_call"));
  REQUIRE(call != nullptr);
  CHECK(call() == 201);
}

// The program's own definition: a link binds every caller to it, the libraries' callers too.
extern "C" int hotcc_test_shadowed() { return 3; }

TEST_CASE("a library searched first lends hot code only what it defines itself",
          "[jit][real-code]") {
  // dlsym on the library's handle would also find what its dependencies define (here
  // hotcc_test_shadowed; in `hotcc test`'s adapter, libc's malloc and free, which bound hot code
  // to libc's allocator while the program had another: ASan's).
  auto engine = hotcc::test::makeEngine();
  REQUIRE(engine);
  REQUIRE(engine->session().loadLibraryFirst(HOTCC_TEST_FIRST_LIBRARY));
  hotcc::test::TempSource source("first.c",
                                 "int hotcc_test_first_own(void);\n"
                                 "int hotcc_test_shadowed(void);\n"
                                 "int hotcc_test_first_calls_shadowed(void);\n"
                                 "int own(void) { return hotcc_test_first_own(); }\n"
                                 "int shadowed(void) { return hotcc_test_shadowed(); }\n"
                                 "int through(void) { return hotcc_test_first_calls_shadowed(); }\n");
  auto report = engine->addFile(source.path());
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  auto *own = engine->lookupFunction<int()>("own");
  auto *shadowed = engine->lookupFunction<int()>("shadowed");
  auto *through = engine->lookupFunction<int()>("through");
  REQUIRE((own && shadowed && through));
  CHECK(own() == 1);
  CHECK(shadowed() == 3);  // the program's, not the dependency's
  CHECK(through() == 3);   // as the library's own call gets it
}

namespace {

std::string objectProgram(const std::string &fields) {
  return "#include <stdlib.h>\n"
         "struct Obj { " + fields + " };\n"
         "struct Obj *make(int v) { struct Obj *o = calloc(1, sizeof *o); o->value = v; return o; }\n"
         "int read_value(struct Obj *o) { return o->value; }\n";
}

} // namespace

TEST_CASE("a changed layout of a struct only the heap holds is refused, naming type, fields and "
          "users", "[jit][real-code][layout]") {
  EngineFixture f(objectProgram("int value;"), "obj.c");
  auto *object = f.fn<void *(int)>("make")(7);
  auto report = f.edit(objectProgram("int extra; int value;"));
  REQUIRE_FALSE(report.ok);
  auto *refused = hotcc::test::failureOf<hotcc::failure::LayoutChangeRefused>(report);
  REQUIRE(refused);
  CHECK(refused->change.type == "struct Obj");
  CHECK(refused->holder.empty());  // objects on the heap, not a global
  CHECK(refused->change.users == std::vector<std::string>{"make", "read_value"});
  REQUIRE(refused->change.before.size() == 1);
  REQUIRE(refused->change.after.size() == 2);
  CHECK(refused->change.after[0].name == "extra");
  CHECK(refused->change.before[0].name == "value");
  CHECK(refused->change.before[0].offsetBits == 0);
  CHECK(refused->change.after[1].name == "value");
  CHECK(refused->change.after[1].offsetBits == 32);
  // The old code keeps running and still reads the old object right.
  CHECK(f.fn<int(void *)>("read_value")(object) == 7);
  free(object);
}

TEST_CASE("an accepted layout change goes live and the layout-change hook is told first",
          "[jit][real-code][layout]") {
  EngineFixture f(objectProgram("int value;"), "obj.c");
  std::vector<hotcc::LayoutChange> told;
  bool toldBeforeNewCode = false;
  f.engine->registry().onLayoutChange([&](const std::vector<hotcc::LayoutChange> &changes) {
    told = changes;
    auto *make = f.engine->lookupFunction<void *(int)>("make");
    auto *object = make(3);  // still the old body: 4 bytes, value at offset 0
    toldBeforeNewCode = *static_cast<int *>(object) == 3;
    free(object);
  });
  f.engine->acceptLayoutChange("struct Obj");
  auto report = f.editOk(objectProgram("int extra; int value;"));
  REQUIRE(told.size() == 1);
  CHECK(told[0].type == "struct Obj");
  CHECK(told[0].sizeBefore == 4);
  CHECK(told[0].sizeAfter == 8);
  CHECK(told[0].users == std::vector<std::string>{"make", "read_value"});
  CHECK(toldBeforeNewCode);
  REQUIRE(report.changedLayouts.size() == 1);
  auto *object = f.fn<void *(int)>("make")(9);
  CHECK(f.fn<int(void *)>("read_value")(object) == 9);
  CHECK(static_cast<int *>(object)[1] == 9);
  free(object);
}

TEST_CASE("a struct no live code used may change", "[jit][real-code][layout]") {
  auto program = [](const std::string &fields) {
    return "struct Later { " + fields + " };\nint unrelated(void) { return 1; }\n";
  };
  EngineFixture f(program("int a;"), "later.c");
  f.editOk(program("int a; int b;"));
}

TEST_CASE("flags a real build uses reach the compile: -funsigned-char", "[jit][real-code]") {
  hotcc::EngineOptions options;
  options.extraArgs = {"-funsigned-char", "-fwrapv"};
  EngineFixture f("int is_unsigned(void) { char c = (char)200; return c > 0; }\n"
                  "int wraps(int x) { return x + 1 < x; }\n",
                  "flags.c", options);
  CHECK(f.fn<int()>("is_unsigned")() == 1);
  CHECK(f.fn<int(int)>("wraps")(2147483647) == 1);
}

TEST_CASE("-l loads a library as a link would; an unknown one is an error naming it",
          "[jit][real-code]") {
  // libhotcc_test_answer.so is loaded by nothing else in this process: only -l can find it.
  REQUIRE(dlopen("libhotcc_test_answer.so", RTLD_NOW | RTLD_NOLOAD) == nullptr);
  hotcc::EngineOptions options;
  options.libraries = {"m", "dl", "hotcc_test_answer"};
  options.libraryDirs = {HOTCC_TEST_ANSWER_LIBRARY_DIR};
  EngineFixture f("int hotcc_test_answer(void);\nint answer(void) { return hotcc_test_answer(); }\n",
                  "answer.c", options);
  CHECK(f.fn<int()>("answer")() == 42);

  options.libraries = {"no_such_library_xyz"};
  auto created = hotcc::Engine::create(options);
  REQUIRE_FALSE(created);
  auto *missing = std::get_if<hotcc::failure::LibraryUnavailable>(&created.failure());
  REQUIRE(missing);
  CHECK(missing->library == "-lno_such_library_xyz");
}

TEST_CASE("a compile database from a gcc build: gcc-only flags dropped, said once",
          "[jit][real-code]") {
  hotcc::test::TempSource a("a.c", "int from_a(void) { return X + 1; }\n");
  auto dir = a.dir();
  std::ofstream(dir / "b.c") << "int from_a(void);\nint from_b(void) { return from_a() * 10; }\n";
  std::ofstream(dir / "compile_commands.json") << R"([
  {"directory": ")" << dir.string() << R"(", "file": "a.c",
   "command": "gcc -Wall -Wlogical-op -fno-aggressive-loop-optimizations -O0 -DX=4 -MD -c a.c -o a.o"},
  {"directory": ")" << dir.string() << R"(", "file": "b.c",
   "command": "gcc -Wall -Wlogical-op -fno-aggressive-loop-optimizations -O0 -DX=4 -MD -c b.c -o b.o"}
])";
  hotcc::EngineOptions options;
  options.compileDatabaseDir = dir.string();
  auto engine = hotcc::test::makeEngine(options);
  REQUIRE(engine);
  auto reports = engine->addFiles({(dir / "a.c").string(), (dir / "b.c").string()});
  std::map<std::string, int> dropped;
  std::size_t warnings = 0;
  for (auto &report : reports) {
    INFO(hotcc::test::summary(report));
    REQUIRE(report.ok);
    for (auto *flag : hotcc::test::noticesOf<hotcc::notice::FlagDropped>(report))
      ++dropped[flag->flag];
    warnings += report.warnings.size();
  }
  CHECK(engine->lookupFunction<int()>("from_b")() == 50);
  CHECK(dropped["-Wlogical-op"] == 1);
  CHECK(dropped["-fno-aggressive-loop-optimizations"] == 1);
  CHECK(warnings == 0);  // Clang never saw them: no "unknown warning option"
}
