#include "hotcc/frontend/compiler.hpp"
#include "temp_source.hpp"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <catch2/catch.hpp>

using namespace hotcc::frontend;

namespace {

CompiledUnit compileOk(Compiler &compiler, const hotcc::test::TempSource &src) {
  auto unit = compiler.compile(src.path(), "t1");
  if (!unit) {
    FAIL(llvm::toString(unit.takeError()));
  }
  return std::move(*unit);
}

const FunctionInfo &fn(const CompiledUnit &unit, const std::string &displayName) {
  for (auto &[name, info] : unit.functions)
    if (info.displayName == displayName)
      return info;
  FAIL("no function " << displayName);
  throw 0;
}

const char *kProgram = R"(
#include <string>
static const char *greeting() { return "hello"; }
int twice(int x) { return 2 * x; }
int apply(int x) { return twice(x) + 1; }
std::string name() { return std::string(greeting()) + "!"; }
struct Player { int hp; float x; };
Player player{100, 1.5f};
static int counter = 0;
int bump() { static int calls = 0; ++calls; return ++counter + calls; }
)";

} // namespace

TEST_CASE("frontend: identical compiles give identical hashes", "[frontend]") {
  hotcc::test::TempSource src("prog.cpp", kProgram);
  Compiler compiler({});
  auto a = compileOk(compiler, src);
  auto b = compileOk(compiler, src);
  REQUIRE(a.functions.size() == b.functions.size());
  for (auto &[name, info] : a.functions) {
    REQUIRE(b.functions.count(name));
    CHECK(b.functions.at(name).hash == info.hash);
  }
  CHECK(fn(a, "twice").hash != fn(a, "apply").hash);
}

TEST_CASE("frontend: changing one body changes exactly that hash", "[frontend]") {
  hotcc::test::TempSource src("prog.cpp", kProgram);
  Compiler compiler({});
  auto before = compileOk(compiler, src);
  std::string edited = kProgram;
  edited.replace(edited.find("2 * x"), 5, "3 * x");
  src.write(edited);
  auto after = compileOk(compiler, src);
  int changed = 0;
  for (auto &[name, info] : before.functions)
    if (info.kind == FunctionKind::Hot && after.functions.at(name).hash != info.hash)
      ++changed;
  CHECK(changed == 1);
  CHECK(fn(before, "twice").hash != fn(after, "twice").hash);
  CHECK(fn(before, "apply").hash == fn(after, "apply").hash);
}

TEST_CASE("frontend: a new string literal elsewhere leaves other hashes alone", "[frontend]") {
  hotcc::test::TempSource src("prog.cpp", kProgram);
  Compiler compiler({});
  auto before = compileOk(compiler, src);
  std::string edited = kProgram;
  edited.replace(edited.find("int twice"), 0, "const char *first() { return \"zzz\"; }\n");
  src.write(edited);
  auto after = compileOk(compiler, src);
  CHECK(fn(before, "name").hash == fn(after, "name").hash);
  CHECK(fn(before, "greeting").hash == fn(after, "greeting").hash);
  CHECK(fn(before, "twice").hash == fn(after, "twice").hash);
}

TEST_CASE("frontend: user functions are hot, header code is library", "[frontend]") {
  hotcc::test::TempSource src("prog.cpp", kProgram);
  Compiler compiler({});
  auto unit = compileOk(compiler, src);
  CHECK(fn(unit, "twice").kind == FunctionKind::Hot);
  CHECK(fn(unit, "twice").signature == "int (int)");
  CHECK(fn(unit, "twice").location.find("prog.cpp:4") != std::string::npos);
  CHECK(fn(unit, "greeting").kind == FunctionKind::Hot);
  // static functions get a file-unique shared name so later versions bind across modules.
  CHECK(fn(unit, "greeting").linkName.find(".hc.t1") != std::string::npos);
  bool sawLibrary = false;
  for (auto &[name, info] : unit.functions)
    sawLibrary = sawLibrary || (info.kind == FunctionKind::Library &&
                                info.displayName.find("std::") != std::string::npos);
  CHECK(sawLibrary);
  auto apply = fn(unit, "apply");
  CHECK(std::find(apply.references.begin(), apply.references.end(), fn(unit, "twice").linkName) !=
        apply.references.end());
}

TEST_CASE("frontend: globals carry their record layout", "[frontend]") {
  hotcc::test::TempSource src("prog.cpp", kProgram);
  Compiler compiler({});
  auto unit = compileOk(compiler, src);
  REQUIRE(unit.globals.count("player"));
  auto &player = unit.globals.at("player");
  CHECK(player.kind == GlobalKind::Data);
  CHECK(player.user);
  REQUIRE(player.layouts.size() == 1);
  CHECK(player.layouts[0].name == "struct Player");
  REQUIRE(player.layouts[0].fields.size() == 2);
  CHECK(player.layouts[0].fields[1].name == "x");
  CHECK(player.layouts[0].fields[1].offsetBits == 32);
  bool sawStaticLocal = false, sawCounter = false;
  for (auto &[name, g] : unit.globals) {
    sawStaticLocal = sawStaticLocal || g.displayName == "bump()::calls";
    sawCounter = sawCounter || (g.displayName == "counter" && name.find(".hc.t1") != std::string::npos);
  }
  CHECK(sawStaticLocal);
  CHECK(sawCounter);

  std::string edited = kProgram;
  edited.replace(edited.find("float x;"), 8, "float x; int armor;");
  src.write(edited);
  auto after = compileOk(compiler, src);
  CHECK(after.globals.at("player").layoutHash != player.layoutHash);
}

TEST_CASE("frontend: diagnostics are rendered like clang's", "[frontend]") {
  hotcc::test::TempSource src("broken.cpp", "int f() { return 1 }\n");
  Compiler compiler({});
  auto unit = compiler.compile(src.path(), "t2");
  bool ok = static_cast<bool>(unit);
  REQUIRE_FALSE(ok);
  std::string text;
  llvm::handleAllErrors(unit.takeError(), [&](const CompileError &e) { text = e.rendered(); });
  CHECK(text.find("broken.cpp:1:19: error: expected ';'") != std::string::npos);
  CHECK(text.find("^") != std::string::npos);
}

TEST_CASE("frontend: a missing file is an error, not a crash", "[frontend]") {
  Compiler compiler({});
  auto unit = compiler.compile("/nonexistent/dir/x.cpp", "t3");
  bool ok = static_cast<bool>(unit);
  REQUIRE_FALSE(ok);
  auto text = llvm::toString(unit.takeError());
  CHECK(text.find("cannot read") != std::string::npos);
}

TEST_CASE("frontend: -D and -I reach the compile; headers are dependencies", "[frontend]") {
  hotcc::test::TempSource src("main.cpp", "#include \"conf.h\"\nint value() { return VALUE + EXTRA; }\n");
  std::ofstream(src.dir() / "conf.h") << "#define VALUE 40\n";
  CompileOptions options;
  options.defines = {"EXTRA=2"};
  options.includeDirs = {src.dir().string()};
  Compiler compiler(options);
  auto unit = compileOk(compiler, src);
  CHECK(fn(unit, "value").kind == FunctionKind::Hot);
  bool headerListed = false;
  for (auto &dep : unit.dependencies)
    headerListed = headerListed || dep.find("conf.h") != std::string::npos;
  CHECK(headerListed);
}

TEST_CASE("frontend: the preamble is reused while the includes stay the same", "[frontend]") {
  hotcc::test::TempSource src("p.cpp", "#include <vector>\nint f() { return 1; }\n");
  Compiler compiler({});
  auto first = compileOk(compiler, src);
  CHECK_FALSE(first.timing.preambleReused);
  src.write("#include <vector>\nint f() { return 2; }\n");
  auto second = compileOk(compiler, src);
  CHECK(second.timing.preambleReused);
  src.write("#include <vector>\n#include <map>\nint f() { return 3; }\n");
  auto third = compileOk(compiler, src);
  CHECK_FALSE(third.timing.preambleReused);
}

TEST_CASE("frontend: C files compile as C", "[frontend]") {
  hotcc::test::TempSource src("c.c", "static int helper(int x) { return x + 1; }\n"
                                     "int entry(int x) { return helper(x); }\n");
  Compiler compiler({});
  auto unit = compileOk(compiler, src);
  REQUIRE(unit.functions.count("entry"));
  CHECK(unit.functions.at("entry").signature == "int (int)");
}

TEST_CASE("frontend: errors inside an included header are shown, not swallowed", "[frontend]") {
  hotcc::test::TempSource src("uses.cpp", "#include \"bad.h\"\nint f() { return 1; }\n");
  std::ofstream(src.dir() / "bad.h") << "int bad( {\n";
  Compiler compiler({});
  auto unit = compiler.compile(src.path(), "t4");
  bool ok = static_cast<bool>(unit);
  REQUIRE_FALSE(ok);
  auto text = llvm::toString(unit.takeError());
  CHECK(text.find("bad.h:1:") != std::string::npos);

  hotcc::test::TempSource missing("m.cpp", "#include \"nothere.h\"\nint f() { return 1; }\n");
  auto unit2 = compiler.compile(missing.path(), "t5");
  bool ok2 = static_cast<bool>(unit2);
  REQUIRE_FALSE(ok2);
  CHECK(llvm::toString(unit2.takeError()).find("'nothere.h' file not found") != std::string::npos);
}

TEST_CASE("frontend: text held in memory compiles under its virtual name", "[frontend]") {
  Compiler compiler({});
  auto unit = compiler.compileText("input_1.cpp", "int answer() { return 42; }\n", "t6");
  if (!unit)
    FAIL(llvm::toString(unit.takeError()));
  CHECK(unit->functions.count("_Z6answerv"));
  auto broken = compiler.compileText("input_2.cpp", "int f( {\n", "t7");
  bool ok = static_cast<bool>(broken);
  REQUIRE_FALSE(ok);
  CHECK(llvm::toString(broken.takeError()).find("input_2.cpp:1:") != std::string::npos);
}

TEST_CASE("frontend: a declaration change after skipped bodies is compiled in full", "[frontend]") {
  hotcc::test::TempSource src("d.cpp", "#include <vector>\nstruct C { int k = 1; };\n"
                                       "int a() { C c; return c.k; }\nint b() { return 2; }\n");
  Compiler compiler({});
  compileOk(compiler, src);
  compiler.commit(src.path());
  src.write("#include <vector>\nstruct C { int k = 1; };\nint a() { C c; return c.k; }\nint b() { return 3; }\n");
  auto bodyEdit = compileOk(compiler, src);
  CHECK(bodyEdit.timing.skippedBodies == 1);
  CHECK_FALSE(bodyEdit.timing.retriedInFull);
  compiler.commit(src.path());
  src.write("#include <vector>\nstruct C { int k = 5; };\nint a() { C c; return c.k; }\nint b() { return 3; }\n");
  auto declEdit = compileOk(compiler, src);
  CHECK(declEdit.timing.retriedInFull);
  CHECK(declEdit.timing.skippedBodies == 0);
}
