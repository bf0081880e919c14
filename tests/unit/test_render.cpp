// The renderer: clang-style text for people (locations, carets, colour, hotcc's wording for each
// failure kind, grouping, the status line) and one JSON object per line for machines (every
// subject of every kind, parsed back here).
#include "hotcc/render.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hotcc;
using nlohmann::json;

namespace {

Diagnostic syntaxError() {
  Diagnostic d;
  d.severity = Severity::Error;
  d.kind = DiagnosticKind::ParseError;
  d.where = {"/src/a.cpp", 2, 10};
  d.message = "expected expression";
  d.sourceLine = "\tint x = ;";
  return d;
}

json parsed(const std::string &line) {
  REQUIRE(line.find('\n') == std::string::npos);  // one object per line
  auto j = json::parse(line);
  CHECK(j.at("schema") == render::kJsonSchema);
  return j;
}

json failureJson(const Failure &f) {
  auto j = parsed(render::jsonFailure(f));
  CHECK(j.at("event") == "failure");
  CHECK(j.at("kind") == kindName(f));
  return j;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

LayoutChange objLayout() {
  LayoutChange c;
  c.type = "struct Obj";
  c.file = "/src/obj.h";
  c.sizeBefore = 4;
  c.sizeAfter = 8;
  c.before = {{"a", "int", 0}};
  c.after = {{"a", "int", 0}, {"b", "int", 32}};
  c.users = {"make", "use"};
  return c;
}

std::string shout(const std::string &line) {
  return "<" + line + ">";
}

} // namespace

TEST_CASE("a diagnostic is printed as clang prints it, the caret under its column", "[render]") {
  auto text = render::diagnostic(syntaxError());
  CHECK(text == "/src/a.cpp:2:10: error: expected expression\n"
                "    2 | \tint x = ;\n"
                "      | \t        ^\n");

  SECTION("a flag, an include stack (outermost first) and a note") {
    Diagnostic d = syntaxError();
    d.severity = Severity::Warning;
    d.option = "-Wunused-variable";
    d.message = "unused variable 'x'";
    d.includedFrom = {{"./b.h", 2, 10}, {"a2.cpp", 1, 10}};
    Diagnostic note;
    note.severity = Severity::Note;
    note.where = {"./b.h", 1, 5};
    note.message = "declared here";
    note.sourceLine = "int x;";
    d.notes = {note};
    CHECK(render::diagnostic(d) == "In file included from a2.cpp:1:\n"
                                   "In file included from ./b.h:2:\n"
                                   "/src/a.cpp:2:10: warning: unused variable 'x' "
                                   "[-Wunused-variable]\n"
                                   "    2 | \tint x = ;\n"
                                   "      | \t        ^\n"
                                   "./b.h:1:5: note: declared here\n"
                                   "    1 | int x;\n"
                                   "      |     ^\n");
  }
  SECTION("a long line number widens the gutter; a UTF-8 character is one place") {
    Diagnostic d = syntaxError();
    d.where.line = 12345;
    d.sourceLine = "s = \"\xC3\xA9\" + w;";
    d.where.column = 12;  // 'w': the é is two bytes
    CHECK(render::diagnostic(d) == "/src/a.cpp:12345:12: error: expected expression\n"
                                   " 12345 | s = \"\xC3\xA9\" + w;\n"
                                   "       |           ^\n");
  }
  SECTION("without a place it speaks as hotcc") {
    Diagnostic d;
    d.message = "unknown argument: '-fnope'";
    CHECK(render::diagnostic(d) == "hotcc: error: unknown argument: '-fnope'\n");
  }
  SECTION("a second diagnostic at the same place shows no second copy of the line") {
    Diagnostic first = syntaxError(), second = syntaxError();
    second.message = "expected '}'";
    CHECK(render::diagnostics({first, second}) ==
          render::diagnostic(first) + "/src/a.cpp:2:10: error: expected '}'\n");
  }
  SECTION("the include stack is said once for a run in the same header") {
    Diagnostic first = syntaxError(), second = syntaxError();
    first.includedFrom = second.includedFrom = {{"a.cpp", 1, 10}};
    second.where.line = 3;
    auto both = render::diagnostics({first, second});
    CHECK(both.find("In file included from") == both.rfind("In file included from"));
  }
}

TEST_CASE("colour codes appear only when asked, as clang colours them", "[render]") {
  CHECK_FALSE(contains(render::diagnostic(syntaxError()), "\x1b["));
  auto coloured = render::diagnostic(syntaxError(), {.color = true});
  CHECK(contains(coloured, "\x1b[1m/src/a.cpp:2:10: \x1b[0m"));          // bold location
  CHECK(contains(coloured, "\x1b[0;1;31merror: \x1b[0m"));               // red label
  CHECK(contains(coloured, "\x1b[1mexpected expression\x1b[0m"));         // bold message
  CHECK(contains(coloured, "\x1b[0;1;32m\t        ^\x1b[0m"));           // green caret
  Diagnostic warning = syntaxError();
  warning.severity = Severity::Warning;
  CHECK(contains(render::diagnostic(warning, {.color = true}), "\x1b[0;1;35mwarning: "));
  auto note = render::notice(notice::MainRunsOldBody{}, {.color = true});
  CHECK(contains(note, "\x1b[0;1;36mnote: "));
  CHECK_FALSE(contains(render::failure(failure::NoMain{}), "\x1b["));
  CHECK(contains(render::failure(failure::NoMain{}, {.color = true}), "\x1b[0;1;31merror: "));
}

TEST_CASE("a compile error is its diagnostics, in text and JSON", "[render]") {
  failure::CompileError e{"/src/a.cpp", {syntaxError()}};
  CHECK(render::failure(e) == render::diagnostics({syntaxError()}));
  auto j = failureJson(e);
  CHECK(j.at("kind") == "compile-error");
  CHECK(j.at("file") == "/src/a.cpp");
  REQUIRE(j.at("diagnostics").size() == 1);
  auto &d = j.at("diagnostics")[0];
  CHECK(d.at("severity") == "error");
  CHECK(d.at("kind") == "parse-error");
  CHECK(d.at("line") == 2);
  CHECK(d.at("column") == 10);
  CHECK_FALSE(d.contains("event"));
  CHECK(render::failure(failure::CompileError{"/src/a.cpp", {}}) ==
        "hotcc: error: /src/a.cpp: compilation failed\n");
}

TEST_CASE("a diagnostic event has every field, notes nested", "[render]") {
  Diagnostic d = syntaxError();
  d.option = "-Wx";
  d.includedFrom = {{"a.cpp", 1, 10}};
  Diagnostic note;
  note.severity = Severity::Note;
  note.kind = DiagnosticKind::PreviousDefinition;
  note.where = {"b.h", 3, 5};
  note.message = "previous definition is here";
  d.notes = {note};
  auto j = parsed(render::jsonDiagnostic(d));
  CHECK(j.at("event") == "diagnostic");
  CHECK(j.at("severity") == "error");
  CHECK(j.at("kind") == "parse-error");
  CHECK(j.at("file") == "/src/a.cpp");
  CHECK(j.at("line") == 2);
  CHECK(j.at("column") == 10);
  CHECK(j.at("message") == "expected expression");
  CHECK(j.at("option") == "-Wx");
  CHECK(j.at("sourceLine") == "\tint x = ;");
  CHECK(j.at("includedFrom") == json::parse(R"([{"file":"a.cpp","line":1,"column":10}])"));
  REQUIRE(j.at("notes").size() == 1);
  CHECK(j.at("notes")[0].at("kind") == "previous-definition");
  CHECK(j.at("notes")[0].at("severity") == "note");
  CHECK_FALSE(j.at("notes")[0].contains("schema"));
  CHECK_FALSE(parsed(render::jsonDiagnostic(syntaxError())).contains("option"));
  auto raw = render::jsonDiagnostic(syntaxError());
  CHECK(raw.rfind("{\"schema\":1,\"event\":\"diagnostic\"", 0) == 0);  // what it is, first
}

TEST_CASE("refusals: hotcc's wording and every subject", "[render]") {
  SECTION("signature") {
    failure::SignatureChange s{"/src/a.cpp", "f", "int (int)", "int (int, int)", {"main", "g"}};
    CHECK(render::failure(s) ==
          "hotcc: error: refusing to reload a.cpp:\n"
          "  the signature of 'f' changed from 'int (int)' to 'int (int, int)' while live code "
          "calls it (main, g)\n");
    auto j = failureJson(s);
    CHECK(j.at("kind") == "signature-change");
    CHECK(j.at("file") == "/src/a.cpp");
    CHECK(j.at("function") == "f");
    CHECK(j.at("before") == "int (int)");
    CHECK(j.at("after") == "int (int, int)");
    CHECK(j.at("callers") == json::array({"main", "g"}));
  }
  SECTION("layout, objects anywhere") {
    failure::LayoutChangeRefused r{"/src/a.cpp", objLayout(), "", ""};
    auto text = render::failure(r);
    CHECK(contains(text, "hotcc: error: refusing to reload a.cpp:\n"
                         "  the layout of 'struct Obj' (/src/obj.h) changed while live code uses "
                         "it (make, use)\n"
                         "    was: { int a @0; } 4 bytes\n"
                         "    now: { int a @0; int b @4; } 8 bytes\n"
                         "    fields added: b\n"));
    CHECK(contains(text, "--accept-layout-changes"));
    auto j = failureJson(r);
    CHECK(j.at("kind") == "layout-change");
    CHECK(j.at("file") == "/src/a.cpp");
    CHECK(j.at("type") == "struct Obj");
    CHECK(j.at("typeFile") == "/src/obj.h");
    CHECK(j.at("sizeBefore") == 4);
    CHECK(j.at("sizeAfter") == 8);
    CHECK(j.at("before").size() == 1);
    CHECK(j.at("after")[1] == json::parse(R"({"name":"b","type":"int","offsetBits":32})"));
    CHECK(j.at("users") == json::array({"make", "use"}));
    CHECK(j.at("holder") == "");
  }
  SECTION("layout of a live global's type") {
    auto change = objLayout();
    change.after = {{"a", "long", 0}};
    failure::LayoutChangeRefused r{"/src/a.cpp", change, "g_obj", "a.cpp:3"};
    CHECK(render::failure(r) ==
          "hotcc: error: refusing to reload a.cpp:\n"
          "  the layout of 'struct Obj' changed while the live global 'g_obj' (a.cpp:3) holds "
          "it\n"
          "    was: { int a @0; } 4 bytes\n"
          "    now: { long a @0; } 8 bytes\n"
          "    fields changed: a (int -> long)\n");
    auto j = failureJson(r);
    CHECK(j.at("holder") == "g_obj");
    CHECK(j.at("holderLocation") == "a.cpp:3");
  }
  SECTION("a global's type, a virtual table, a duplicate") {
    failure::GlobalTypeChange g{"/src/a.cpp", "counter", "a.cpp:1", "int", "long"};
    CHECK(contains(render::failure(g),
                   "  the type of the live global 'counter' changed from 'int' to 'long'\n"));
    auto gj = failureJson(g);
    CHECK(gj.at("global") == "counter");
    CHECK(gj.at("location") == "a.cpp:1");
    CHECK(gj.at("before") == "int");
    CHECK(gj.at("after") == "long");
    CHECK(contains(render::failure(failure::GlobalTypeChange{"/src/a.cpp", "x", "", "", ""}),
                   "'x' changed shape"));

    failure::VirtualTableChange v{"/src/a.cpp", "Shape"};
    CHECK(contains(render::failure(v), "  the virtual functions of 'Shape' changed (one was "
                                       "added, removed or reordered)"));
    CHECK(failureJson(v).at("type") == "Shape");

    failure::DuplicateDefinition d{"f", {"a.cpp", "b.cpp"}};
    CHECK(render::failure(d) == "hotcc: error: refusing to reload b.cpp:\n"
                                "  'f' is defined in both a.cpp and b.cpp\n");
    auto dj = failureJson(d);
    CHECK(dj.at("name") == "f");
    CHECK(dj.at("files") == json::array({"a.cpp", "b.cpp"}));
  }
}

TEST_CASE("link, load and engine failures: hotcc's wording and every subject", "[render]") {
  failure::UndefinedSymbol u{"/src/a.cpp", "x", {"f"}};
  CHECK(render::failure(u) == "hotcc: error: cannot link a.cpp:\n  undefined symbol 'x', used by f\n");
  auto uj = failureJson(u);
  CHECK(uj.at("kind") == "undefined-symbol");
  CHECK(uj.at("name") == "x");
  CHECK(uj.at("users") == json::array({"f"}));

  failure::LinkError l{{"/src/a.cpp", "/src/b.cpp"}, "wasm-ld: error: cannot open missing.o"};
  CHECK(render::failure(l) ==
        "hotcc: error: cannot link a.cpp and b.cpp: wasm-ld: error: cannot open missing.o\n");
  CHECK(render::failure(failure::LinkError{{}, "one\ntwo\n"}) ==
        "hotcc: error: cannot link:\n  one\n  two\n");
  CHECK(failureJson(l).at("detail") == l.detail);
  CHECK(failureJson(l).at("files").size() == 2);

  failure::FileUnreadable r{"/src/gone.cpp", "No such file or directory"};
  CHECK(render::failure(r) == "hotcc: error: cannot read /src/gone.cpp: No such file or directory\n");
  CHECK(failureJson(r).at("path") == "/src/gone.cpp");
  CHECK(failureJson(r).at("reason") == "No such file or directory");

  failure::NotInProgram n{"/src/c.cpp"};
  CHECK(render::failure(n) == "hotcc: error: /src/c.cpp is not part of the running program\n");
  CHECK(failureJson(n).at("path") == "/src/c.cpp");

  failure::LibraryUnavailable lib{"libfoo.so", "not found"};
  CHECK(render::failure(lib) == "hotcc: error: cannot load libfoo.so: not found\n");
  CHECK(failureJson(lib).at("library") == "libfoo.so");

  CHECK(render::failure(failure::UnknownFunction{"g"}) == "hotcc: error: no hot function named 'g'\n");
  CHECK(failureJson(failure::UnknownFunction{"g"}).at("name") == "g");
  CHECK(render::failure(failure::NoEarlierVersion{"f"}) ==
        "hotcc: error: 'f' has no earlier version to roll back to\n");
  CHECK(failureJson(failure::NoEarlierVersion{"f"}).at("function") == "f");
  CHECK(render::failure(failure::NoMain{}) == "hotcc: error: no main() in the program's files\n");
  CHECK(failureJson(failure::NoMain{}).at("kind") == "no-main");
  CHECK(render::failure(failure::EngineShutDown{}) == "hotcc: error: the engine has shut down\n");
  CHECK(failureJson(failure::EngineShutDown{}).at("kind") == "engine-shut-down");

  failure::PatchCannotApply p{"/src/a.cpp", {"signature of 'f' (now 'long (int)')"}};
  CHECK(render::failure(p) == "hotcc: error: /src/a.cpp: a patch cannot apply this change:\n"
                              "  signature of 'f' (now 'long (int)')\n"
                              "  rebuild the main module (hotcc wasm --main ...) to take it\n");
  CHECK(failureJson(p).at("changes") == json::array({"signature of 'f' (now 'long (int)')"}));

  failure::SetupError s{"--sysroot /x", "not an emscripten sysroot"};
  CHECK(render::failure(s) == "hotcc: error: --sysroot /x: not an emscripten sysroot\n");
  CHECK(failureJson(s).at("subject") == "--sysroot /x");
  CHECK(failureJson(s).at("problem") == "not an emscripten sysroot");

  failure::InternalError i{"invalid module:\nline 1\nline 2"};
  CHECK(render::failure(i) == "hotcc: internal error: invalid module:\nline 1\nline 2\n");
  CHECK(failureJson(i).at("detail") == i.detail);
}

TEST_CASE("a crash the program survived: its backtrace and what became of the code", "[render]") {
  failure::Crash c;
  c.signal = 11;
  c.signalName = "SIGSEGV";
  c.during = "main";
  c.function = "score";
  c.where = {"/src/crash.cpp", 2, 0};
  c.backtrace = {{"score", "/src/crash.cpp", 2, 0x1000, true, 2},
                 {"main", "/src/crash.cpp", 4, 0x2000, true, 1},
                 {"hotcc::Engine::runMain(int, char**)", "/usr/bin/hotcc", 0, 0x3000, false, 0},
                 {"main", "/usr/bin/hotcc", 0, 0x4000, false, 0},
                 {"", "", 0, 0x5000, false, 0}};
  c.continuation = failure::Crash::Continuation::ReturnedToCaller;
  c.returnedTo = "main";
  c.rolledBack = {"score"};
  CHECK(render::failure(c) == "hotcc: error: main crashed: SIGSEGV in score (crash.cpp:2)\n"
                              "  #0 score (crash.cpp:2)  hot code, version 2\n"
                              "  #1 main (crash.cpp:4)  hot code\n"
                              "  #2 hotcc::Engine::runMain(int, char**) in hotcc\n"
                              "  ... 2 more frames\n"
                              "  rolled back score to the previous version; the call returned 0 "
                              "to main, and the program goes on\n");
  auto j = failureJson(c);
  CHECK(j.at("continuation") == "returned-to-caller");
  CHECK(j.at("backtrace").size() == 5);
  CHECK(j.at("backtrace")[0].at("function") == "score");
  CHECK(j.at("backtrace")[0].at("hot") == true);
  CHECK(j.at("rolledBack") == std::vector<std::string>{"score"});
}

TEST_CASE("a crash says what, during what, where", "[render]") {
  failure::Crash c;
  c.cause = failure::Crash::Cause::Signal;
  c.signal = 11;
  c.signalName = "SIGSEGV";
  c.what = "Segmentation fault";  // the system's description (strsignal)
  c.during = "main";
  c.function = "f";
  c.where = {"/src/a.cpp", 3, 7};
  CHECK(render::failure(c) ==
        "hotcc: error: main crashed: SIGSEGV in f (a.cpp:3:7): Segmentation fault\n");
  auto j = failureJson(c);
  CHECK(j.at("kind") == "crash");
  CHECK(j.at("cause") == "signal");
  CHECK(j.at("signal") == 11);
  CHECK(j.at("signalName") == "SIGSEGV");
  CHECK(j.at("what") == "Segmentation fault");
  CHECK(j.at("during") == "main");
  CHECK(j.at("function") == "f");
  CHECK(j.at("file") == "/src/a.cpp");
  CHECK(j.at("line") == 3);
  CHECK(j.at("column") == 7);

  failure::Crash e;
  e.cause = failure::Crash::Cause::Exception;
  e.exceptionType = "std::runtime_error";
  e.what = "boom";
  e.during = "the initializers of a.cpp";
  CHECK(render::failure(e) ==
        "hotcc: error: the initializers of a.cpp threw std::runtime_error: boom\n");
  CHECK(failureJson(e).at("cause") == "exception");
  CHECK(failureJson(e).at("continuation") == "died");
  CHECK(failureJson(e).at("exceptionType") == "std::runtime_error");

  failure::Crash t;
  t.cause = failure::Crash::Cause::Timeout;
  t.timeoutMs = 500;
  CHECK(render::failure(t) == "hotcc: error: the hot code timed out after 500 ms\n");
  CHECK(failureJson(t).at("cause") == "timeout");
  CHECK(failureJson(t).at("timeoutMs") == 500);
}

TEST_CASE("notices: hotcc's wording and their subjects", "[render]") {
  CHECK(render::notice(notice::RemovedFunctionKept{"f"}) ==
        "hotcc: note: 'f' was removed from the source; its last version stays callable\n");
  CHECK(render::notice(notice::InitializerChangedValueKept{"g"}) ==
        "hotcc: note: 'g': initializer changed; the live value is kept\n");
  CHECK(contains(render::notice(notice::MainRunsOldBody{}), "main() is running its old body"));
  CHECK(render::notice(notice::InitializerThrew{"bad"}) ==
        "hotcc: note: a global initializer threw: bad\n");
  CHECK(render::notice(notice::InitializerThrew{}) ==
        "hotcc: note: a global initializer threw an exception\n");
  CHECK(contains(render::notice(notice::LibrariesCannotCallBack{"why"}),
                 "libraries loaded with -l cannot call the program's functions: why"));
  CHECK(contains(render::notice(notice::FlagDropped{"-Wlogical-op", "gcc only", "/b/compile_commands.json"}),
                 "hotcc: note: ignoring -Wlogical-op from compile_commands.json: gcc only"));
  CHECK(contains(render::notice(notice::CompileDatabaseMiss{"/src/x.cpp", ""}),
                 "/src/x.cpp is not in compile_commands.json; compiling it with the command-line flags only"));
  CHECK(render::notice(notice::LayoutChanged{"struct Obj", 4, 8}) ==
        "hotcc: note: the layout of 'struct Obj' changed (4 -> 8 bytes); objects made before "
        "keep the old layout\n");

  auto j = parsed(render::jsonNotice(notice::RemovedFunctionKept{"f"}));
  CHECK(j.at("event") == "notice");
  CHECK(j.at("kind") == "removed-function-kept");
  CHECK(j.at("function") == "f");
  auto l = parsed(render::jsonNotice(notice::LayoutChanged{"struct Obj", 4, 8}));
  CHECK(l.at("type") == "struct Obj");
  CHECK(l.at("sizeAfter") == 8);
  CHECK(parsed(render::jsonNotice(notice::CompileDatabaseMiss{"x.cpp", "r"})).at("file") ==
        "x.cpp");
}

TEST_CASE("the status line keeps its format", "[render]") {
  ReloadReport r;
  r.ok = true;
  r.files = {"/src/a.cpp"};
  r.compiled = {"f"};
  r.unchanged = 3;
  r.times = {1.0, 0.5, 2.0, 0.7, 4.2};
  CHECK(render::statusLine(r, false) ==
        "hotcc: reloaded a.cpp: 1 compiled (f), 3 unchanged, 0 removed \xE2\x80\x94 4.2 ms\n");
  CHECK(render::statusLine(r, true) ==
        "hotcc: reloaded a.cpp: 1 compiled (f), 3 unchanged, 0 removed \xE2\x80\x94 4.2 ms "
        "(parse 1.0, analyze 0.5, compile 2.0, redirect 0.7)\n");
  r.files.push_back("/src/b.cpp");
  r.compiled = {"a", "b", "c", "d", "e", "f", "g"};
  r.times.totalMs = 42.4;
  CHECK(render::statusLine(r, false) ==
        "hotcc: reloaded a.cpp, b.cpp: 7 compiled (a, b, c, d, e, f, ...), 3 unchanged, 0 "
        "removed \xE2\x80\x94 42 ms\n");
}

TEST_CASE("a reload: warnings and notices, then the status line; failures grouped by file",
          "[render]") {
  ReloadReport r;
  r.ok = true;
  r.files = {"/src/a.cpp"};
  r.compiled = {"f"};
  r.times.totalMs = 1;
  Diagnostic warning = syntaxError();
  warning.severity = Severity::Warning;
  r.warnings = {warning};
  r.notices = {notice::RemovedFunctionKept{"g"}};
  r.changedLayouts = {objLayout()};
  auto text = render::reload(r, {}, false, false);
  auto w = text.find("warning: expected expression");
  auto n = text.find("'g' was removed");
  auto layout = text.find("the layout of 'struct Obj' changed (4 -> 8 bytes)");
  auto status = text.find("hotcc: reloaded a.cpp");
  CHECK(w < n);
  CHECK(n < status);
  CHECK(layout < status);
  CHECK(status != std::string::npos);
  auto quiet = render::reload(r, {}, false, true);
  CHECK_FALSE(contains(quiet, "hotcc: reloaded"));
  CHECK(contains(quiet, "'g' was removed"));

  SECTION("failures of one file under one header each group") {
    ReloadReport bad;
    bad.files = {"/src/a.cpp"};
    bad.previousVersionRuns = true;
    bad.failures = {failure::UndefinedSymbol{"/src/a.cpp", "x", {"f"}},
                    failure::UndefinedSymbol{"/src/a.cpp", "y", {"f", "g"}},
                    failure::UndefinedSymbol{"/src/b.cpp", "z", {}},
                    failure::SignatureChange{"/src/a.cpp", "f", "int ()", "long ()", {"main"}},
                    failure::DuplicateDefinition{"h", {"/src/b.cpp", "/src/a.cpp"}}};
    CHECK(render::reload(bad, {}, false, false) ==
          "hotcc: error: cannot link a.cpp:\n"
          "  undefined symbol 'x', used by f\n"
          "  undefined symbol 'y', used by f, g\n"
          "  the running code keeps its current version\n"
          "hotcc: error: cannot link b.cpp:\n"
          "  undefined symbol 'z'\n"
          "  the running code keeps its current version\n"
          "hotcc: error: refusing to reload a.cpp:\n"
          "  the signature of 'f' changed from 'int ()' to 'long ()' while live code calls it "
          "(main)\n"
          "  'h' is defined in both /src/b.cpp and /src/a.cpp\n"
          "  the running code keeps its current version; restart the program to apply this "
          "change\n"
          "hotcc: reload failed; the program keeps running its previous version\n");
  }
  SECTION("a first load that fails says no more than its failures") {
    ReloadReport bad;
    bad.failures = {failure::NoMain{}};
    CHECK(render::reload(bad, {}, false, false) == "hotcc: error: no main() in the program's files\n");
  }
}

TEST_CASE("a reload's JSON events: diagnostics, failures, notices, then the reload", "[render]") {
  ReloadReport r;
  r.ok = false;
  r.version = 7;
  r.files = {"/src/a.cpp"};
  Diagnostic warning = syntaxError();
  warning.severity = Severity::Warning;
  warning.message = "unused";
  Diagnostic carried = warning;
  carried.message = "carried";
  r.warnings = {warning, carried};
  r.failures = {failure::CompileError{"/src/a.cpp", {carried, syntaxError()}}};
  r.notices = {notice::MainRunsOldBody{}};
  r.previousVersionRuns = true;
  r.times = {1.25, 0.5, 2, 0.25, 4.0004};
  auto lines = render::jsonReload(r);
  REQUIRE(lines.size() == 6);
  CHECK(parsed(lines[0]).at("message") == "unused");
  CHECK(parsed(lines[1]).at("message") == "carried");  // once, with the error's
  CHECK(parsed(lines[2]).at("message") == "expected expression");
  CHECK(parsed(lines[3]).at("event") == "failure");
  CHECK(parsed(lines[4]).at("kind") == "main-runs-old-body");
  auto reload = parsed(lines[5]);
  CHECK(reload.at("event") == "reload");
  CHECK(reload.at("ok") == false);
  CHECK(reload.at("version") == 7);
  CHECK(reload.at("files") == json::array({"/src/a.cpp"}));
  CHECK(reload.at("previousVersionRuns") == true);
  CHECK(reload.at("timesMs").at("parse") == 1.25);
  CHECK(reload.at("timesMs").at("total") == 4.0);

  ReloadReport ok;
  ok.ok = true;
  ok.compiled = {"f", "g"};
  ok.compiledAt = {"a.cpp:1"};
  ok.removed = {"h"};
  ok.addedGlobals = {"counter"};
  ok.unchanged = 2;
  ok.changedLayouts = {objLayout()};
  auto line = render::jsonReload(ok);
  REQUIRE(line.size() == 1);
  auto j = parsed(line[0]);
  CHECK(j.at("compiled") == json::parse(R"([{"name":"f","at":"a.cpp:1"},{"name":"g","at":""}])"));
  CHECK(j.at("unchanged") == 2);
  CHECK(j.at("removed") == json::array({"h"}));
  CHECK(j.at("addedGlobals") == json::array({"counter"}));
  CHECK(j.at("changedLayouts")[0].at("type") == "struct Obj");
  CHECK(j.at("changedLayouts")[0].at("after").size() == 2);
}

TEST_CASE("every line for people passes through the wording hook; JSON does not", "[render]") {
  render::setWordingRewriterForTesting(shout);
  auto text = render::failure(failure::UndefinedSymbol{"/src/a.cpp", "x", {}});
  auto json = render::jsonFailure(failure::UndefinedSymbol{"/src/a.cpp", "x", {}});
  render::setWordingRewriterForTesting(nullptr);
  CHECK(text == "<hotcc: error: cannot link a.cpp:>\n<  undefined symbol 'x'>\n");
  CHECK(json.find('<') == std::string::npos);
  CHECK(render::failure(failure::NoMain{}) == "hotcc: error: no main() in the program's files\n");
}

TEST_CASE("a proposed insertion goes under the caret, as clang's fix-it line", "[render]") {
  Diagnostic d;
  d.where = {"/src/a.cpp", 5, 19};
  d.message = "expected ';' after return statement";
  d.sourceLine = "int g() { return 1 }";
  d.fixIts.push_back({{"/src/a.cpp", 5, 19}, {"/src/a.cpp", 5, 19}, ";"});
  CHECK(render::diagnostic(d) == "/src/a.cpp:5:19: error: expected ';' after return statement\n"
                                 "    5 | int g() { return 1 }\n"
                                 "      |                   ^\n"
                                 "      |                   ;\n");
  auto j = json::parse(render::jsonDiagnostic(d));
  CHECK(j.at("fixIts").at(0).at("replacement") == ";");
  CHECK(j.at("fixIts").at(0).at("from").at("column") == 19);
}
