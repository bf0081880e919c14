// Every failure and notice the engine reports, provoked and checked by its fields (kind, file,
// subjects) — never by wording, which only tools/render decides.
#include "engine_fixture.hpp"

#include <filesystem>
#include <fstream>

using hotcc::test::EngineFixture;
using hotcc::test::failureOf;
using hotcc::test::noticesOf;
namespace failure = hotcc::failure;
namespace notice = hotcc::notice;

TEST_CASE("outcome: a global whose type changed is refused, naming both types", "[jit][outcome]") {
  EngineFixture f("long counter = 5;\nlong get() { return counter; }\n");
  auto report = f.edit("double counter = 5;\nlong get() { return (long)counter; }\n");
  REQUIRE_FALSE(report.ok);
  auto *change = failureOf<failure::GlobalTypeChange>(report);
  REQUIRE(change);
  CHECK(change->global == "counter");
  CHECK(change->before == "long");
  CHECK(change->after == "double");
  CHECK(change->file == f.source.path());
  CHECK(f.fn<long()>("_Z3getv")() == 5);
}

TEST_CASE("outcome: a file the program does not have", "[jit][outcome]") {
  EngineFixture f("int one() { return 1; }\n");
  hotcc::test::TempSource stranger("stranger.cpp", "int two() { return 2; }\n");
  auto report = f.engine->reloadFile(stranger.path());
  REQUIRE_FALSE(report.ok);
  auto *missing = failureOf<failure::NotInProgram>(report);
  REQUIRE(missing);
  CHECK(missing->path == stranger.path());
}

TEST_CASE("outcome: runMain without a main", "[jit][outcome]") {
  EngineFixture f("int one() { return 1; }\n");
  auto result = f.engine->runMain(0, nullptr);
  REQUIRE_FALSE(result);
  CHECK(std::holds_alternative<failure::NoMain>(result.failure()));
}

TEST_CASE("outcome: a reload after shutdown", "[jit][outcome]") {
  EngineFixture f("int one() { return 1; }\n");
  f.engine->shutdown();
  auto report = f.edit("int one() { return 2; }\n");
  REQUIRE_FALSE(report.ok);
  CHECK(failureOf<failure::EngineShutDown>(report));
  CHECK(report.previousVersionRuns);
}

TEST_CASE("outcome: rollback of an unknown function and of a first version", "[jit][outcome]") {
  EngineFixture f("int one() { return 1; }\n");
  auto unknown = f.engine->rollback("nobody");
  REQUIRE_FALSE(unknown);
  CHECK(std::get<failure::UnknownFunction>(unknown.failure()).name == "nobody");
  auto first = f.engine->rollback("one");
  REQUIRE_FALSE(first);
  CHECK(std::get<failure::NoEarlierVersion>(first.failure()).function == "one");
}

TEST_CASE("outcome: a library that cannot be loaded", "[jit][outcome]") {
  EngineFixture f("int one() { return 1; }\n");
  auto status = f.engine->loadLibrary("/nonexistent/libnothing.so");
  REQUIRE_FALSE(status);
  auto &unavailable = std::get<failure::LibraryUnavailable>(status.failure());
  CHECK(unavailable.library == "/nonexistent/libnothing.so");
  CHECK_FALSE(unavailable.reason.empty());
}

TEST_CASE("outcome: several undefined symbols, one failure each with its users",
          "[jit][outcome]") {
  EngineFixture f("int one() { return 1; }\n");
  auto report = f.edit("int a(int);\nint b(int);\nint one() { return a(1) + b(2); }\n"
                       "int two() { return a(3); }\n");
  REQUIRE_FALSE(report.ok);
  auto missing = hotcc::test::failuresOf<failure::UndefinedSymbol>(report);
  REQUIRE(missing.size() == 2);
  CHECK(missing[0]->name == "a(int)");
  CHECK(missing[0]->users == std::vector<std::string>{"one", "two"});
  CHECK(missing[1]->name == "b(int)");
  CHECK(missing[1]->users == std::vector<std::string>{"one"});
}

TEST_CASE("outcome: compiler warnings travel with a good reload", "[jit][outcome]") {
  hotcc::EngineOptions options;
  options.extraArgs = {"-Wunused-variable"};
  EngineFixture f("int one() { return 1; }\n", "hot.cpp", options);
  auto report = f.editOk("int one() { int unused = 3; return 1; }\n");
  REQUIRE(report.warnings.size() == 1);
  auto &warning = report.warnings.front();
  CHECK(warning.severity == hotcc::Severity::Warning);
  CHECK(warning.where.file == f.source.path());
  CHECK(warning.where.line == 1);
  CHECK(warning.where.column == 17);
  CHECK(warning.option == "-Wunused-variable");
}

TEST_CASE("outcome: an initializer that throws is a notice, the reload goes on",
          "[jit][outcome]") {
  EngineFixture f("int one() { return 1; }\n");
  auto report = f.editOk("#include <stdexcept>\n"
                         "struct Boom { Boom() { throw std::runtime_error(\"boom\"); } };\n"
                         "Boom boom;\nint one() { return 2; }\n");
  auto threw = noticesOf<notice::InitializerThrew>(report);
  REQUIRE(threw.size() == 1);
  CHECK(threw.front()->what == "boom");
  CHECK(f.fn<int()>("_Z3onev")() == 2);
}

TEST_CASE("outcome: an accepted layout change is a notice and a changed layout",
          "[jit][outcome]") {
  hotcc::EngineOptions options;
  options.acceptLayoutChanges = true;
  EngineFixture f("struct P { int a; };\nint get(P *p) { return p->a; }\n", "p.cpp", options);
  auto report = f.editOk("struct P { int b; int a; };\nint get(P *p) { return p->a; }\n");
  auto changed = noticesOf<notice::LayoutChanged>(report);
  REQUIRE(changed.size() == 1);
  CHECK(changed.front()->type == "struct P");
  CHECK(changed.front()->sizeBefore == 4);
  CHECK(changed.front()->sizeAfter == 8);
  REQUIRE(report.changedLayouts.size() == 1);
}

TEST_CASE("outcome: a file missing from compile_commands.json is compiled with the flags given",
          "[jit][outcome]") {
  hotcc::test::TempSource a("a.c", "int from_a(void) { return 1; }\n");
  std::ofstream(a.dir() / "compile_commands.json") << "[]\n";
  hotcc::EngineOptions options;
  options.compileDatabaseDir = a.dir().string();
  auto engine = hotcc::test::makeEngine(options);
  REQUIRE(engine);
  auto report = engine->addFile(a.path());
  INFO(hotcc::test::summary(report));
  REQUIRE(report.ok);
  auto misses = noticesOf<notice::CompileDatabaseMiss>(report);
  REQUIRE(misses.size() == 1);
  CHECK(misses.front()->file == a.path());
}
