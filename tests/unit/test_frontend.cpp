#include "hotcc/frontend/compiler.hpp"
#include "temp_source.hpp"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <catch2/catch.hpp>

using namespace hotcc::frontend;

namespace {

// The typed failure a compile ended with.
hotcc::Failure failureOf(llvm::Expected<CompiledUnit> unit) {
  REQUIRE_FALSE(static_cast<bool>(unit));
  return toFailure(unit.takeError());
}

const hotcc::failure::CompileError &compileErrorIn(const hotcc::Failure &failure) {
  auto *compile = std::get_if<hotcc::failure::CompileError>(&failure);
  REQUIRE(compile);
  REQUIRE_FALSE(compile->diagnostics.empty());
  return *compile;
}

std::string reversed(const std::string &text) {
  return std::string(text.rbegin(), text.rend());
}

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

TEST_CASE("frontend: diagnostics are values: severity, kind, where, source line", "[frontend]") {
  hotcc::test::TempSource src("broken.cpp", "int f() { return 1 }\n");
  Compiler compiler({});
  auto failure = failureOf(compiler.compile(src.path(), "t2"));
  auto &compile = compileErrorIn(failure);
  CHECK(compile.file == src.path());
  auto &d = compile.diagnostics.front();
  CHECK(d.severity == hotcc::Severity::Error);
  CHECK(d.kind == hotcc::DiagnosticKind::ParseError);
  CHECK(d.where.file == src.path());
  CHECK(d.where.line == 1);
  CHECK(d.where.column == 19);
  CHECK(d.sourceLine == "int f() { return 1 }");
  CHECK(d.message.find(';') != std::string::npos);
}

TEST_CASE("frontend: the kinds a client decides on come from Clang's IDs, not the words",
          "[frontend]") {
  hotcc::setMessageRewriterForTesting(reversed);
  hotcc::test::TempSource src("kinds.cpp", "int x;\nint x;\nfoo y;\nint f() { return nope; }\n");
  Compiler compiler({});
  auto failure = failureOf(compiler.compile(src.path(), "t2k"));
  hotcc::setMessageRewriterForTesting(nullptr);
  auto &diagnostics = compileErrorIn(failure).diagnostics;
  REQUIRE(diagnostics.size() == 3);
  CHECK(diagnostics[0].kind == hotcc::DiagnosticKind::Redefinition);
  REQUIRE(diagnostics[0].notes.size() == 1);
  CHECK(diagnostics[0].notes[0].kind == hotcc::DiagnosticKind::PreviousDefinition);
  CHECK(diagnostics[0].notes[0].where.line == 1);
  CHECK(diagnostics[1].kind == hotcc::DiagnosticKind::UnknownTypeName);
  CHECK(diagnostics[2].kind == hotcc::DiagnosticKind::UndeclaredIdentifier);
  // The test hook rewrote every message: the kinds did not change with them.
  CHECK(diagnostics[1].message.rfind("'oof'", std::string::npos) != std::string::npos);
}

TEST_CASE("frontend: a missing file is an error, not a crash", "[frontend]") {
  Compiler compiler({});
  auto failure = failureOf(compiler.compile("/nonexistent/dir/x.cpp", "t3"));
  auto *unreadable = std::get_if<hotcc::failure::FileUnreadable>(&failure);
  REQUIRE(unreadable);
  CHECK(unreadable->path == "/nonexistent/dir/x.cpp");
  CHECK_FALSE(unreadable->reason.empty());
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
  auto failure = failureOf(compiler.compile(src.path(), "t4"));
  // The '{' the parser could not match is in the header: a note points there.
  const hotcc::Diagnostic *inHeader = nullptr;
  for (auto &d : compileErrorIn(failure).diagnostics)
    for (auto &note : d.notes)
      if (note.where.file == (src.dir() / "bad.h").string())
        inHeader = &note;
  REQUIRE(inHeader);
  CHECK(inHeader->where.line == 1);
  CHECK(inHeader->where.column == 10);

  // An error inside a header says how the header was reached.
  std::ofstream(src.dir() / "bad.h") << "int bad() { return undeclared_name; }\n";
  auto failure1 = failureOf(compiler.compile(src.path(), "t4"));
  auto &first = compileErrorIn(failure1).diagnostics.front();
  CHECK(first.where.file == (src.dir() / "bad.h").string());
  REQUIRE(first.includedFrom.size() == 1);
  CHECK(first.includedFrom[0].file == src.path());
  CHECK(first.includedFrom[0].line == 1);

  hotcc::test::TempSource missing("m.cpp", "#include \"nothere.h\"\nint f() { return 1; }\n");
  auto failure2 = failureOf(compiler.compile(missing.path(), "t5"));
  auto &fatal = compileErrorIn(failure2).diagnostics.front();
  CHECK(fatal.severity == hotcc::Severity::Fatal);
  CHECK(fatal.where.line == 1);
  CHECK(fatal.where.column == 10);
}

TEST_CASE("frontend: text held in memory compiles under its virtual name", "[frontend]") {
  Compiler compiler({});
  auto unit = compiler.compileText("input_1.cpp", "int answer() { return 42; }\n", "t6");
  if (!unit)
    FAIL(llvm::toString(unit.takeError()));
  CHECK(unit->functions.count("_Z6answerv"));
  auto failure = failureOf(compiler.compileText("input_2.cpp", "int f( {\n", "t7"));
  auto &d = compileErrorIn(failure).diagnostics.front();
  CHECK(d.where.file == "input_2.cpp");
  CHECK(d.where.line == 1);
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

TEST_CASE("frontend: a diagnostic keeps what clang shows: its line at column 1, macro "
          "expansions, fix-its; a parse warning is no parse error", "[frontend]") {
  hotcc::test::TempSource src("shown.cpp", "#define TWICE(x) ((x) * 2 + undefined_thing)\n"
                                           "int a;\nfoo b;\nint f() { return TWICE(3); }\n"
                                           "int g() { return 1 }\n");
  Compiler compiler({});
  auto failure = failureOf(compiler.compile(src.path(), "t8"));
  auto &diagnostics = compileErrorIn(failure).diagnostics;
  REQUIRE(diagnostics.size() == 3);
  CHECK(diagnostics[0].where.column == 1);
  CHECK(diagnostics[0].sourceLine == "foo b;");
  REQUIRE(diagnostics[1].notes.size() == 1);
  auto &expansion = diagnostics[1].notes[0];
  CHECK(expansion.where.line == 1);
  CHECK(expansion.where.column == 29);
  CHECK(expansion.message.find("TWICE") != std::string::npos);
  REQUIRE(diagnostics[2].fixIts.size() == 1);
  CHECK(diagnostics[2].fixIts[0].replacement == ";");
  CHECK(diagnostics[2].fixIts[0].from.line == 5);
  CHECK(diagnostics[2].fixIts[0].from.column == 19);

  hotcc::test::TempSource warned("warned.cpp", "int h(int a, int b) {\n  if (a) if (b) return 1; else return 2;\n"
                                               "  return 0;\n}\n");
  CompileOptions options;
  options.extraArgs = {"-Wdangling-else"};
  Compiler warning(options);
  auto unit = warning.compile(warned.path(), "t9");
  REQUIRE(static_cast<bool>(unit));
  REQUIRE(unit->warnings.size() == 1);
  CHECK(unit->warnings[0].severity == hotcc::Severity::Warning);
  CHECK(unit->warnings[0].kind == hotcc::DiagnosticKind::Other);
}
