// Compiler flags as real builds give them, and macros in the order a compiler applies them.
#include "hotcc/frontend/compiler.hpp"
#include "hotcc/frontend/compiler_flags.hpp"
#include "temp_source.hpp"

#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include <catch2/catch.hpp>

using namespace hotcc::frontend;

namespace {

std::vector<std::string> droppedFlags(const SortedFlags &sorted) {
  std::vector<std::string> out;
  for (auto &d : sorted.dropped)
    out.push_back(d.flag);
  return out;
}

} // namespace

TEST_CASE("flags: Clang flags a build uses are kept for the compile", "[frontend][flags]") {
  auto sorted = sortCompilerFlags({"-fwrapv", "-fno-strict-aliasing", "-funsigned-char",
                                   "-pthread", "-Wno-unused", "-include", "config.h", "-isystem",
                                   "/opt/inc", "-march=x86-64", "-g", "main.c"});
  CHECK(sorted.compile == std::vector<std::string>{"-fwrapv", "-fno-strict-aliasing",
                                                   "-funsigned-char", "-pthread", "-Wno-unused",
                                                   "-include", "config.h", "-isystem", "/opt/inc",
                                                   "-march=x86-64", "-g"});
  CHECK(sorted.rest == std::vector<std::string>{"main.c"});
  CHECK(sorted.dropped.empty());
}

TEST_CASE("flags: what makes no sense in-process is dropped with a reason", "[frontend][flags]") {
  auto sorted = sortCompilerFlags({"-c", "-o", "lua.o", "-MD", "-MF", "lua.d", "-MT", "x",
                                   "-fPIE", "-flto", "-fsanitize=address", "-Wl,-E", "-rdynamic",
                                   "-x", "c", "lua.c"});
  CHECK(droppedFlags(sorted) == std::vector<std::string>{"-c", "-o lua.o", "-MD", "-MF lua.d",
                                                         "-MT x", "-fPIE", "-flto",
                                                         "-fsanitize=address", "-Wl,-E",
                                                         "-rdynamic", "-x c"});
  for (auto &d : sorted.dropped)
    CHECK_FALSE(d.reason.empty());
  CHECK(sorted.compile.empty());
  CHECK(sorted.rest == std::vector<std::string>{"lua.c"});
}

TEST_CASE("flags: gcc-only flags are dropped, not passed to Clang to warn about on every compile",
          "[frontend][flags]") {
  auto sorted = sortCompilerFlags({"-Wlogical-op", "-Wno-aggressive-loop-optimizations",
                                   "-fno-aggressive-loop-optimizations", "-Wall", "-Wextra",
                                   "-Wshadow", "-Werror=format"});
  CHECK(droppedFlags(sorted) == std::vector<std::string>{"-Wlogical-op",
                                                         "-Wno-aggressive-loop-optimizations",
                                                         "-fno-aggressive-loop-optimizations"});
  CHECK(sorted.compile ==
        std::vector<std::string>{"-Wall", "-Wextra", "-Wshadow", "-Werror=format"});
}

TEST_CASE("flags: -l and -L become libraries to load", "[frontend][flags]") {
  auto sorted = sortCompilerFlags({"-lm", "-L", "/opt/lib", "-lz", "-L/usr/local/lib"});
  CHECK(sorted.libraries == std::vector<std::string>{"m", "z"});
  CHECK(sorted.libraryDirs == std::vector<std::string>{"/opt/lib", "/usr/local/lib"});
}

TEST_CASE("flags: the caller's own options and everything after -- are left to it",
          "[frontend][flags]") {
  std::vector<CallerOption> own = {{"-I", true},  {"-D", true},  {"-O", true},
                                   {"-p", true},  {"-v", false}, {"-w", false},
                                   {"--watch", false}, {"-std=", false}};
  auto sorted = sortCompilerFlags({"-Iinc", "-I", "other", "-DX=1", "-O2", "-p", "build", "-v",
                                   "-vv", "-w", "-std=c99", "-pthread", "--watch", "a.c", "--",
                                   "-fwrapv"},
                                  own);
  CHECK(sorted.rest == std::vector<std::string>{"-Iinc", "-I", "other", "-DX=1", "-O2", "-p",
                                                "build", "-v", "-vv", "-w", "-std=c99",
                                                "--watch", "a.c", "--", "-fwrapv"});
  // -pthread is Clang's, not -p with the value "thread".
  CHECK(sorted.compile == std::vector<std::string>{"-pthread"});
}

TEST_CASE("macros: a file's #define before its includes wins over -D, as with a compiler",
          "[frontend][macros]") {
  hotcc::test::TempSource src("defs.c", "#define BAR 1\n"
                                        "#undef NDEBUG\n"
                                        "#include <assert.h>\n"
                                        "#include <stdio.h>\n"
                                        "int bar(void) { return BAR; }\n"
                                        "#ifdef NDEBUG\nint asserts(void) { return 0; }\n"
                                        "#else\nint asserts(void) { return 1; }\n#endif\n");
  CompileOptions options;
  options.defines = {"BAR=2", "NDEBUG"};
  Compiler compiler(options);
  for (int compile = 0; compile < 2; ++compile) {  // builds the preamble, then reuses it
    auto unit = compiler.compile(src.path(), "t1", /*allowSkipping=*/false);
    REQUIRE(static_cast<bool>(unit));
    compiler.commit(src.path());
    auto text = [&] {
      std::string ir;
      llvm::raw_string_ostream os(ir);
      unit->module->print(os, nullptr);
      return ir;
    }();
    INFO("compile " << compile);
    CHECK(text.find("ret i32 1") != std::string::npos);
    CHECK(text.find("ret i32 2") == std::string::npos);
    CHECK(text.find("ret i32 0") == std::string::npos);
    // Clang's warning about the redefinition is shown, as a compiler shows it.
    if (compile == 0)
      CHECK(std::any_of(unit->warnings.begin(), unit->warnings.end(), [](auto &w) {
        return w.option == "-Wmacro-redefined" && w.where.line == 1 &&
               w.severity == hotcc::Severity::Warning;
      }));
  }
}

TEST_CASE("records: a body's uses of record layouts are recorded with the layouts",
          "[frontend][records]") {
  hotcc::test::TempSource src("obj.c", "#include <stdlib.h>\n"
                                       "struct Obj { int extra; int value; };\n"
                                       "struct Unused { int x; };\n"
                                       "struct Obj *make(int v) {\n"
                                       "  struct Obj *o = malloc(sizeof *o); o->value = v;\n"
                                       "  return o;\n}\n"
                                       "void *pass(struct Obj *o) { return o; }\n"
                                       "int size(void) { return sizeof(struct Obj); }\n"
                                       "struct Obj *next(struct Obj *o) { return o + 1; }\n");
  Compiler compiler(CompileOptions{});
  auto unit = compiler.compile(src.path(), "t1");
  REQUIRE(static_cast<bool>(unit));
  auto key = "struct Obj@" + src.path();
  REQUIRE(unit->records.count(key));
  auto &layout = unit->records.at(key);
  CHECK(layout.sizeBytes == 8);
  REQUIRE(layout.fields.size() == 2);
  CHECK(layout.fields[1].name == "value");
  CHECK(layout.fields[1].offsetBits == 32);
  CHECK(unit->functions.at("make").records == std::vector<std::string>{key});
  CHECK(unit->functions.at("size").records == std::vector<std::string>{key});
  CHECK(unit->functions.at("next").records == std::vector<std::string>{key});  // steps by size
  CHECK(unit->functions.at("pass").records.empty());  // only hands a pointer along
  CHECK_FALSE(unit->records.count("struct Unused@" + src.path()));
}

TEST_CASE("preamble: built after the first compile; bodies skipped over it only if its headers "
          "are the ones that compile read", "[frontend][preamble]") {
  hotcc::test::TempSource header("config.h", "#define SCALE 2\n");
  hotcc::test::TempSource src("main.c", "#include <stdio.h>\n#include \"" + header.path() +
                                            "\"\n"
                                            "int scaled(int x) { return x * SCALE; }\n"
                                            "int other(int x) { return x + 1; }\n");
  CompileOptions options;
  options.deferPreamble = true;
  auto compileAndCommit = [&](Compiler &compiler) {
    auto unit = compiler.compile(src.path(), "t1");
    REQUIRE(static_cast<bool>(unit));
    compiler.commit(src.path());
    return std::move(*unit);
  };

  SECTION("headers unchanged: the next compile skips every unchanged body") {
    Compiler compiler(options);
    auto first = compileAndCommit(compiler);
    CHECK_FALSE(first.timing.preambleReused);
    compiler.prepareReload(src.path());
    auto second = compileAndCommit(compiler);
    CHECK(second.timing.preambleReused);
    CHECK(second.timing.skippedBodies == 2);
  }
  SECTION("a header changed before the preamble was built: every body is compiled again") {
    Compiler compiler(options);
    compileAndCommit(compiler);
    header.write("#define SCALE 3\n");
    compiler.prepareReload(src.path());
    auto second = compileAndCommit(compiler);
    CHECK(second.timing.skippedBodies == 0);
    CHECK(second.functions.count("scaled"));
  }
}

// What the engine's skipping tests cannot see: that the unchanged bodies were in fact skipped,
// and without a full retry.
TEST_CASE("skipping: a unity build's unchanged bodies are skipped, across its included files",
          "[frontend][skip]") {
  hotcc::test::TempSource part("part.c", "int part_a(int x) { return x + 1; }\n"
                                         "int part_b(int x) { return x * 2; }\n");
  hotcc::test::TempSource unity("unity.c", "#include <stdio.h>\n#include \"" + part.path() +
                                               "\"\nint top(int x) {\n#define TWICE 2\n"
                                               "  return part_a(x) * TWICE;\n}\n");
  Compiler compiler(CompileOptions{});
  auto compile = [&] {
    auto unit = compiler.compile(unity.path(), "t1");
    REQUIRE(static_cast<bool>(unit));
    compiler.commit(unity.path());
    return std::move(*unit);
  };
  compile();
  part.write("int part_a(int x) { return x + 100; }\n"
             "int part_b(int x) { return x * 2; }\n");
  auto second = compile();
  CHECK_FALSE(second.timing.retriedInFull);
  CHECK(second.timing.skippedBodies == 2);  // part_b (blanked) and top (holds a directive)
  CHECK(second.functions.count("part_a"));
  CHECK_FALSE(second.functions.count("part_b"));
}
