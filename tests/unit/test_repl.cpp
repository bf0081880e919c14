// The REPL session: values, redefinitions, undo, commands, includes, completion, embedding.
// Failures are checked by kind and fields (file, line, column, subjects), never by wording.
#include "repl_fixture.hpp"
#include "temp_source.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>

namespace failure = hotcc::failure;
using hotcc::DiagnosticKind;
using hotcc::test::firstError;
using hotcc::test::failureOf;
using hotcc::test::ReplFixture;
using Catch::Matchers::Contains;
using Catch::Matchers::Matches;
using Catch::Matchers::StartsWith;

TEST_CASE("values print with their type, as clang-repl shows them", "[repl][values]") {
  ReplFixture repl;
  CHECK(repl.ok("42") == "(int) 42\n");
  CHECK(repl.ok("2.5") == "(double) 2.5\n");
  CHECK(repl.ok("2.0") == "(double) 2.0\n");
  CHECK(repl.ok("1.5f") == "(float) 1.5f\n");
  CHECK(repl.ok("\"hi\"") == "(const char *) \"hi\"\n");
  CHECK(repl.ok("true") == "(bool) true\n");
  CHECK(repl.ok("'A'") == "(char) 'A'\n");
  CHECK(repl.ok("-7LL") == "(long long) -7\n");
  CHECK(repl.ok("sizeof(int)") == "(unsigned long) 4\n");
  CHECK(repl.ok("nullptr") == "(std::nullptr_t) nullptr\n");
  CHECK(repl.ok("\"tab\\there\"") == "(const char *) \"tab\\there\"\n");
  repl.ok("int answer = 42;");
  CHECK(repl.ok("answer") == "(int) 42\n");
  CHECK_THAT(repl.ok("&answer"), Matches(R"(\(int \*\) 0x[0-9a-f]+\n)"));
  // A void expression prints nothing.
  repl.ok("void nothing() {}");
  CHECK(repl.ok("nothing()").empty());
}

TEST_CASE("strings, containers and user types print", "[repl][values]") {
  ReplFixture repl;
  repl.ok("#include <string>");
  repl.ok("#include <vector>");
  repl.ok("#include <map>");
  repl.ok("std::string s = \"abc\";");
  CHECK(repl.ok("s") == "(std::string) \"abc\"\n");
  CHECK(repl.ok("s + \"d\"") == "(std::string) \"abcd\"\n");
  repl.ok("std::vector<int> v{1, 2, 3};");
  CHECK(repl.ok("v") == "(std::vector<int>) { 1, 2, 3 }\n");
  CHECK(repl.ok("v.size()") == "(unsigned long) 3\n");
  CHECK(repl.ok("std::vector<int>{}") == "(std::vector<int>) {}\n");
  CHECK(repl.ok("std::vector<std::string>{\"a\", \"b\"}") ==
        "(std::vector<std::string>) { \"a\", \"b\" }\n");
  CHECK(repl.ok("std::map<std::string, int>{{\"a\", 1}, {\"b\", 2}}") ==
        "(std::map<std::string, int>) { \"a\" => 1, \"b\" => 2 }\n");
  repl.ok("struct Point { int x, y; };");
  repl.ok("Point p{1, 2};");
  CHECK_THAT(repl.ok("p"), Matches(R"(\(Point &\) @0x[0-9a-f]+\n)"));
  repl.ok("struct Named { int id; };");
  repl.ok("#include <ostream>");
  repl.ok("std::ostream &operator<<(std::ostream &os, const Named &n) { return os << \"Named#\" << n.id; }");
  repl.ok("Named n{7};");
  CHECK(repl.ok("n") == "(Named) Named#7\n");
}

TEST_CASE("redefining a function updates callers defined earlier and pointers taken earlier",
          "[repl][redefinition]") {
  ReplFixture repl;
  repl.ok("int twice(int x) { return 2 * x; }");
  repl.ok("int apply(int x) { return twice(x) + 1; }");
  repl.ok("int (*fp)(int) = &twice;");
  CHECK(repl.ok("apply(5)") == "(int) 11\n");
  repl.ok("int twice(int x) { return 3 * x; }");
  CHECK(repl.ok("apply(5)") == "(int) 16\n");
  CHECK(repl.ok("fp(5)") == "(int) 15\n");
  repl.ok("int twice(int x) { return 4 * x; }");
  CHECK(repl.ok("apply(5)") == "(int) 21\n");
  CHECK(repl.ok("fp(5)") == "(int) 20\n");
  // The pointer still points at the same stub.
  CHECK(repl.ok("fp == &twice") == "(bool) true\n");
}

TEST_CASE("redefining a variable gives it the new initializer and type", "[repl][redefinition]") {
  ReplFixture repl;
  repl.ok("int x = 1;");
  repl.ok("int readX() { return x; }");
  repl.ok("x = 5;");
  CHECK(repl.ok("readX()") == "(int) 5\n");
  repl.ok("int x = 7;");
  CHECK(repl.ok("x") == "(int) 7\n");
  CHECK(repl.ok("readX()") == "(int) 7\n");
  repl.ok("double x = 2.5;");
  CHECK(repl.ok("x") == "(double) 2.5\n");
}

TEST_CASE("a struct no live value uses can change; one a live value holds cannot",
          "[repl][redefinition]") {
  ReplFixture repl;
  repl.ok("struct P { int a; };");
  repl.ok("int sum(P p) { return p.a; }");
  repl.ok("struct P { int a; int b; };");
  repl.ok("int sum(P p) { return p.a + p.b; }");
  CHECK(repl.ok("sum(P{1, 2})") == "(int) 3\n");
  repl.ok("P held{1, 2};");
  auto refused = failureOf<failure::LayoutChangeRefused>(
      repl.fails("struct P { int a; int b; int c; };"));
  CHECK(refused.holder == "held");
  CHECK_THAT(refused.change.type, Contains("P"));
  CHECK(refused.change.after.size() == 3);
  // The session is unchanged: the old P and the live value still work.
  CHECK(repl.ok("sum(held)") == "(int) 3\n");
}

TEST_CASE("%undo goes back to what an input replaced", "[repl][undo]") {
  ReplFixture repl;
  repl.ok("int f() { return 1; }");
  repl.ok("int f() { return 2; }");
  CHECK(repl.ok("f()") == "(int) 2\n");
  CHECK_THAT(repl.ok("%undo"), StartsWith("undone: 1 input"));
  CHECK(repl.ok("f()") == "(int) 1\n");
  repl.ok("int g() { return 10; }");
  repl.ok("int h() { return 20; }");
  repl.ok("%undo 2");
  CHECK(firstError(repl.fails("g()")).kind == DiagnosticKind::UndeclaredIdentifier);
  CHECK(repl.ok("f()") == "(int) 1\n");
  CHECK(failureOf<failure::SetupError>(repl.fails("%undo 0")).subject == "%undo 0");
  repl.ok("%undo");
  CHECK(failureOf<failure::SetupError>(repl.fails("%undo")).subject == "%undo");  // nothing left
}

TEST_CASE("declarations, statements and expressions mix", "[repl][inputs]") {
  ReplFixture repl;
  repl.ok("int counter = 0;");
  repl.ok("for (int i = 0; i < 4; ++i) counter += i;");
  CHECK(repl.ok("counter") == "(int) 6\n");
  repl.ok("counter++;");
  repl.ok("counter++;");  // the same statement twice runs twice
  CHECK(repl.ok("counter") == "(int) 8\n");
  repl.ok("int y = 3");  // a declaration without its ';'
  CHECK(repl.ok("y * 2") == "(int) 6\n");
  CHECK(repl.ok("if (y > 2) { y = 100; }").empty());
  CHECK(repl.ok("y") == "(int) 100\n");
  repl.ok("template <typename T> T biggest(T a, T b) { return a > b ? a : b; }");
  CHECK(repl.ok("biggest(3, 9)") == "(int) 9\n");
  repl.ok("auto square = [](int v) { return v * v; };");
  CHECK(repl.ok("square(7)") == "(int) 49\n");
  repl.ok("namespace geo { double area(double r) { return 3.0 * r * r; } }");
  CHECK(repl.ok("geo::area(2)") == "(double) 12.0\n");
}

TEST_CASE("errors point at the input and change nothing", "[repl][errors]") {
  ReplFixture repl;
  repl.ok("int keep() { return 1; }");
  auto error = firstError(repl.fails("int broken() { return missing; }"));
  CHECK(error.kind == DiagnosticKind::UndeclaredIdentifier);
  CHECK(error.where.file == "input_2");
  CHECK(error.where.line == 1);
  CHECK(error.where.column == 23);
  auto incomplete = firstError(repl.fails("keep() +"));
  CHECK(incomplete.kind == DiagnosticKind::ParseError);
  CHECK(incomplete.where.file == "input_3");
  CHECK(repl.ok("keep()") == "(int) 1\n");
  auto missingHeader = firstError(repl.fails("#include <no_such_header.h>"));
  CHECK_THAT(missingHeader.sourceLine, Contains("no_such_header.h"));
  CHECK(repl.ok("keep()") == "(int) 1\n");
}

TEST_CASE("an input continues while brackets are open or a line ends with a backslash",
          "[repl][multiline]") {
  using hotcc::ReplSession;
  CHECK(ReplSession::needsMoreInput("int f() {"));
  CHECK(ReplSession::needsMoreInput("foo(1,"));
  CHECK(ReplSession::needsMoreInput("int a[] = {1, 2"));
  CHECK(ReplSession::needsMoreInput("int x = 1 + \\"));
  CHECK(ReplSession::needsMoreInput("/* a comment"));
  CHECK(ReplSession::needsMoreInput("auto s = R\"(raw"));
  CHECK_FALSE(ReplSession::needsMoreInput("int f() { return 1; }"));
  CHECK_FALSE(ReplSession::needsMoreInput("puts(\"{\")"));
  CHECK_FALSE(ReplSession::needsMoreInput("char c = '{';"));
  CHECK_FALSE(ReplSession::needsMoreInput("int x = 1; // {"));
  CHECK_FALSE(ReplSession::needsMoreInput("int n = 1'000;"));
  CHECK_FALSE(ReplSession::needsMoreInput("}"));  // unbalanced the other way: let Clang say so

  ReplFixture repl;
  repl.ok("int add(int a,\n        int b) {\n  return a + b;\n}");
  CHECK(repl.ok("add(2,\n    3)") == "(int) 5\n");
  CHECK(repl.ok("1 + \\\n 2") == "(int) 3\n");
}

TEST_CASE("commands", "[repl][commands]") {
  ReplFixture repl;
  CHECK_THAT(repl.ok("%help"), Contains("%undo"));
  CHECK(failureOf<failure::SetupError>(repl.fails("%frobnicate")).subject == "%frobnicate");
  CHECK(repl.session->eval("%quit").quit);

  SECTION("%time") {
    auto out = repl.ok("%time 6 * 7");
    CHECK_THAT(out, StartsWith("(int) 42\ntime: compile "));
    CHECK_THAT(out, Contains(", run "));
  }
  SECTION("%reset") {
    repl.ok("int gone() { return 1; }");
    CHECK_THAT(repl.ok("%reset"), Contains("reset"));
    CHECK(firstError(repl.fails("gone()")).kind == DiagnosticKind::UndeclaredIdentifier);
    repl.ok("int gone = 5;");  // the name is free again
    CHECK(repl.ok("gone") == "(int) 5\n");
  }
  SECTION("%I adds a header search path") {
    auto dir = std::filesystem::temp_directory_path() / ("hotcc-repl-inc-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "answer.h") << "inline int headerAnswer() { return 99; }\n";
    CHECK(failureOf<failure::SetupError>(repl.fails("%I /no/such/dir")).subject == "/no/such/dir");
    CHECK_THAT(repl.ok("%I " + dir.string()), Contains("added"));
    repl.ok("#include \"answer.h\"");
    CHECK(repl.ok("headerAnswer()") == "(int) 99\n");
    std::filesystem::remove_all(dir);
  }
  SECTION("%lib loads a shared library") {
    CHECK_THAT(failureOf<failure::LibraryUnavailable>(repl.fails("%lib /no/such/libx.so")).library,
               Contains("libx.so"));
    repl.ok("extern \"C\" int hotcc_plugin_answer(void);");
    CHECK_THAT(repl.ok("%lib " HOTCC_TEST_PLUGIN), Contains("loaded"));
    CHECK(repl.ok("hotcc_plugin_answer() + 1") == "(int) 42\n");
  }
}

TEST_CASE("user code that crashes, aborts, throws or is interrupted leaves the session intact",
          "[repl][crash]") {
  ReplFixture repl;
  repl.ok("#include <stdexcept>");
  repl.ok("int survivor() { return 7; }");
  repl.ok("int *nowhere = nullptr;");

  auto segv = failureOf<failure::Crash>(repl.fails("*nowhere = 1;"));
  CHECK(segv.cause == failure::Crash::Cause::Signal);
  CHECK(segv.signal == SIGSEGV);
  CHECK(segv.signalName == "SIGSEGV");
  CHECK(segv.during == "input_4");
  CHECK(repl.ok("survivor()") == "(int) 7\n");

  repl.ok("extern \"C\" void abort();");
  CHECK(failureOf<failure::Crash>(repl.fails("abort();")).signalName == "SIGABRT");
  CHECK(repl.ok("survivor()") == "(int) 7\n");

  auto thrown = failureOf<failure::Crash>(repl.fails("throw std::runtime_error(\"boom\");"));
  CHECK(thrown.cause == failure::Crash::Cause::Exception);
  CHECK(thrown.exceptionType == "std::runtime_error");
  CHECK(thrown.what == "boom");
  CHECK(thrown.during == "input_9");
  CHECK(repl.ok("survivor()") == "(int) 7\n");

  // Ctrl-C: the process gets SIGINT while the input loops.
  repl.ok("extern \"C\" int kill(int, int); extern \"C\" int getpid();");
  repl.ok("volatile bool spin = true;");
  repl.ok("#include <thread>");
  repl.ok("#include <chrono>");
  repl.ok("void interruptSoon() { std::thread([] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); kill(getpid(), 2); }).detach(); }");
  auto interrupted = failureOf<failure::Crash>(repl.fails("interruptSoon(); while (spin) {}"));
  CHECK(interrupted.signalName == "SIGINT");
  CHECK(repl.ok("survivor() * 2") == "(int) 14\n");
}

TEST_CASE("tab completion offers session names, header names and members", "[repl][complete]") {
  ReplFixture repl;
  repl.ok("#include <vector>");
  repl.ok("int twiceAsFast(int x) { return x; }");
  repl.ok("std::vector<int> numbers;");
  auto names = repl.session->complete("twi", 3);
  CHECK(std::find(names.begin(), names.end(), "twiceAsFast") != names.end());
  names = repl.session->complete("std::vec", 8);
  CHECK(std::find(names.begin(), names.end(), "vector") != names.end());
  names = repl.session->complete("numbers.pu", 10);
  CHECK(std::find(names.begin(), names.end(), "push_back") != names.end());
  CHECK(repl.session->complete("#include <vec", 13).empty());
}

extern "C" int hotcc_test_host_score() {
  return 42;
}

TEST_CASE("a host's own functions and hot code are visible to a session over its engine",
          "[repl][embedding]") {
  hotcc::test::TempSource game("game.cpp", "int level() { return 3; }\n");
  hotcc::ReplOptions options;
  options.prelude = "extern \"C\" int hotcc_test_host_score();\nint level();\n";
  ReplFixture repl(options);
  auto report = repl.engine->addFile(game.path());
  REQUIRE(report.ok);
  CHECK(repl.ok("hotcc_test_host_score() + level()") == "(int) 45\n");
  // The host reloads its file; the session sees the new body.
  game.write("int level() { return 4; }\n");
  REQUIRE(repl.engine->reloadFile(game.path()).ok);
  CHECK(repl.ok("level()") == "(int) 4\n");
}

TEST_CASE("inputs found by a new user's pass", "[repl][inputs]") {
  ReplFixture repl;
  // A macro continued with a backslash.
  repl.ok("#define TWO(x) \\\n  (x * 2)");
  CHECK(repl.ok("TWO(4)") == "(int) 8\n");
  // Statements, then the value of the last expression.
  CHECK(repl.ok("int side = 0; side = 5; side * 2") == "(int) 10\n");
  // A declaration error is reported as such, not turned into a statement's local variable.
  repl.ok("int base = 10;");
  // (As a statement it would compile: a local lambda may capture by default.)
  auto capture = firstError(repl.fails("auto cap = [&](int x) { return x + base; };"));
  CHECK(capture.where.file == "input_5");
  CHECK(capture.where.line == 1);
  // Undoing a variable's change of type brings the old variable back.
  repl.ok("int v = 5;");
  repl.ok("double v = 2.5;");
  repl.ok("%undo");
  CHECK(repl.ok("v") == "(int) 5\n");
  // %time runs any input.
  CHECK_THAT(repl.ok("%time int timed = 3;"), StartsWith("time: compile "));
  CHECK(failureOf<failure::SetupError>(repl.fails("%time")).subject == "%time");
  CHECK(repl.ok("(unsigned char)200") == "(unsigned char) '\\xc8'\n");
}

TEST_CASE("a redefinition takes the earlier input's place in the session", "[repl][redefinition]") {
  ReplFixture repl;
  repl.ok("int f() { return 1; }");
  repl.ok("int g() { return f() + 10; }");
  repl.ok("int f() { return 2; }");
  auto text = repl.session->sessionText();
  CHECK(text.find("#line 1 \"input_1\"") == std::string::npos);
  REQUIRE(text.find("#line 1 \"input_3\"") != std::string::npos);
  CHECK(text.find("#line 1 \"input_3\"") < text.find("#line 1 \"input_2\""));
  CHECK(repl.ok("g()") == "(int) 12\n");
}

TEST_CASE("failures speak of the input, not of the session file or the REPL's wrappers",
          "[repl][errors]") {
  ReplFixture repl;
  repl.ok("extern \"C\" int hotcc_test_nowhere_defined();");
  auto missing = failureOf<failure::UndefinedSymbol>(repl.fails("hotcc_test_nowhere_defined()"));
  CHECK(missing.name == "hotcc_test_nowhere_defined");
  CHECK(missing.file == "input_2");
  CHECK(missing.users == std::vector<std::string>{"input_2"});
  // The session goes on.
  CHECK(repl.ok("6 * 7") == "(int) 42\n");
}

TEST_CASE("an input's warnings come with it, located in the input", "[repl][errors]") {
  ReplFixture repl;
  auto result = repl.session->eval("int ratio() { return 1 / 0; }");
  REQUIRE(result.ok);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].where.file == "input_1");
  CHECK(result.warnings[0].where.column == 24);
  CHECK(result.warnings[0].option == "-Wdivision-by-zero");
  // Earlier inputs' warnings are not repeated.
  CHECK(repl.session->eval("int other() { return 2; }").warnings.empty());
}

// ---- Nothing decides by wording ----

namespace {

// What the REPL did with an input, in facts only: no message, no rendered text.
std::string factsOf(const hotcc::ReplResult &result) {
  std::string out = std::string(result.ok ? "ok" : "failed") + (result.quit ? " quit" : "") +
                    " output=" + result.output;
  for (auto &f : result.failures) {
    out += std::string(" ") + hotcc::kindName(f);
    if (auto *compile = std::get_if<failure::CompileError>(&f))
      for (auto &d : compile->diagnostics)
        out += " [" + std::to_string(static_cast<int>(d.kind)) + " " + d.where.file + ":" +
               std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + " notes " +
               std::to_string(d.notes.size()) + "]";
    if (auto *setup = std::get_if<failure::SetupError>(&f))
      out += " " + setup->subject;
    if (auto *crash = std::get_if<failure::Crash>(&f))
      out += " " + crash->signalName + " " + crash->during;
    if (auto *layout = std::get_if<failure::LayoutChangeRefused>(&f))
      out += " " + layout->holder;
  }
  for (auto &w : result.warnings)
    out += " warning " + w.where.file + ":" + std::to_string(w.where.line);
  return out + "\n";
}

// The REPL's behaviour tests as one table: declarations, statements and values; redefinition in
// place; a refusal; a crash; errors; the %commands; completion. Returns every fact it produced.
std::string runBehaviourTable() {
  const char *const inputs[] = {
      "int twice(int x) { return 2 * x; }",  // a declaration
      "int apply(int x) { return twice(x) + 1; }",
      "apply(5)",                            // a value
      "int twice(int x) { return 3 * x; }",  // a redefinition, in place
      "apply(5)",
      "int counter = 0;",
      "for (int i = 0; i < 4; ++i) counter += i;",  // a statement
      "counter",
      "int y = 3",                           // a declaration without its ';'
      "y * 2",
      "std::vector<int>{1, 2}",              // ends like a block, is a value
      "#include <vector>",
      "std::vector<int>{1, 2}",
      "Point p{1, 2};",                      // an unknown type: neither declaration nor statement
      "struct P { int a; };",
      "P held{1};",
      "struct P { int a; int b; };",         // refused: a live global holds a P
      "held.a",
      "int broken() { return missing; }",    // an error in a declaration
      "keep() +",                            // a parse error in a value
      "int base = 10;",
      "auto cap = [&](int x) { return x + base; };",  // a declaration error, not a statement
      "int *nowhere = nullptr;",
      "*nowhere = 1;",                       // a crash
      "int v = 5;",
      "double v = 2.5;",
      "%undo",
      "v",
      "%undo 0",
      "%frobnicate",
      "%lib /no/such/libx.so",
      "%reset",
      "twice(1)",
      "%quit",
  };
  ReplFixture repl;
  std::string facts;
  for (const char *input : inputs)
    facts += std::string(input) + " => " + factsOf(repl.session->eval(input));
  repl.ok("int twiceAsFast(int x) { return x; }");
  for (auto &name : repl.session->complete("twi", 3))
    facts += "completes " + name + "\n";
  return facts + repl.session->sessionText();
}

std::string reversed(const std::string &text) {
  return std::string(text.rbegin(), text.rend());
}

// The compiler's message for an undeclared name, as the REPL hands it out.
std::string undeclaredMessage() {
  ReplFixture repl;
  return firstError(repl.fails("int z = nope;")).message;
}

} // namespace

TEST_CASE("the REPL behaves the same whatever the compiler's and the renderer's wording",
          "[repl][wording]") {
  const std::string plain = runBehaviourTable();
  const std::string plainMessage = undeclaredMessage();
  hotcc::setMessageRewriterForTesting(reversed);
  hotcc::render::setWordingRewriterForTesting(reversed);
  const std::string reworded = runBehaviourTable();
  // The hooks were in force: the words did change.
  CHECK(undeclaredMessage() == reversed(plainMessage));
  hotcc::setMessageRewriterForTesting(nullptr);
  hotcc::render::setWordingRewriterForTesting(nullptr);
  CHECK(plain == reworded);
  // The table exercised what it means to: each kind of outcome appears.
  CHECK_THAT(plain, Contains("layout-change"));
  CHECK_THAT(plain, Contains("SIGSEGV"));
  CHECK_THAT(plain, Contains("setup-error %frobnicate"));
  CHECK_THAT(plain, Contains("completes twiceAsFast"));
}
