// Bad input as a table. Each row loads a small good program, applies one bad edit, checks the
// report's typed outcome (a failure's or notice's kind, and its subjects), checks that the previous
// code still runs, then applies a good edit and checks that it goes live. Outcomes are compared by
// kind and fields only, never by wording.
//
// Pending (crash survival, built on another branch): hot code that segfaults, aborts, throws,
// calls exit(), overflows its stack or spawns a thread that crashes. They need a guarded call and
// an automatic rollback before they can be rows here.
#include "engine_fixture.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
namespace failure = hotcc::failure;
using hotcc::DiagnosticKind;
using hotcc::ReloadReport;
using hotcc::test::EngineFixture;
using hotcc::test::failureOf;

enum class Lang { C, Cpp };

// The good program of each language: a global of a struct type, a struct only reached through
// pointers, a global scalar, a helper with a caller and (C++) a class with virtual functions —
// something for every kind of refusal to be about.
const char *const kGoodCpp = "struct Player { int hp; float x; };\n"
                             "Player player{100, 1.5f};\n"
                             "struct Node { int value; };\n"
                             "struct Shape { virtual ~Shape() = default; virtual int sides() { return 0; } };\n"
                             "struct Square : Shape { int sides() override { return 4; } };\n"
                             "Shape *shape = new Square;\n"
                             "long counter = 5;\n"
                             "int helper(int x) { return x * 2; }\n"
                             "int score(int n) { return helper(n) + 1; }\n"
                             "int hp() { return player.hp; }\n"
                             "int nodeValue(Node *node) { return node->value; }\n"
                             "int sides() { return shape->sides(); }\n"
                             "long get() { return counter; }\n";

const char *const kGoodC = "struct Player { int hp; float x; };\n"
                           "struct Player player = {100, 1.5f};\n"
                           "struct Node { int value; };\n"
                           "long counter = 5;\n"
                           "int helper(int x) { return x * 2; }\n"
                           "int score(int n) { return helper(n) + 1; }\n"
                           "int hp(void) { return player.hp; }\n"
                           "int nodeValue(struct Node *node) { return node->value; }\n"
                           "long get(void) { return counter; }\n";

// The good edit every row ends with: score(2) goes from 5 to 14.
const char *const kScoreBody = "helper(n) + 1;";
const char *const kNewScoreBody = "helper(n) + 10;";

const char *goodText(Lang lang) { return lang == Lang::C ? kGoodC : kGoodCpp; }
const char *fileName(Lang lang) { return lang == Lang::C ? "hot.c" : "hot.cpp"; }
const char *scoreName(Lang lang) { return lang == Lang::C ? "score" : "_Z5scorei"; }
const char *getName(Lang lang) { return lang == Lang::C ? "get" : "_Z3getv"; }

std::string replaced(std::string text, const std::string &from, const std::string &to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

unsigned lineOf(const std::string &text, const std::string &needle) {
  auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<unsigned>(std::count(text.begin(), text.begin() + at, '\n'));
}

// What a row expects: a failure of a kind, a notice of a kind (the reload went through), a
// warning (went through, the compiler warned) or a plain success.
struct Expect {
  enum class Outcome { Fails, Notice, Warns, Succeeds } outcome;
  std::string kind;      // kindName of the failure or notice
  bool newFile = false;  // the edit adds a file: it has no previous version of its own
};
Expect fails(std::string kind) { return {Expect::Outcome::Fails, std::move(kind)}; }
Expect failsAdding(std::string kind) { return {Expect::Outcome::Fails, std::move(kind), true}; }
Expect notes(std::string kind) { return {Expect::Outcome::Notice, std::move(kind)}; }
Expect warns() { return {Expect::Outcome::Warns, {}}; }
Expect succeeds() { return {Expect::Outcome::Succeeds, {}}; }

using Apply = std::function<ReloadReport(EngineFixture &, const std::string &good)>;
using Subjects = std::function<void(const ReloadReport &, EngineFixture &, const std::string &good)>;

struct Case {
  std::string name;
  Lang lang;
  Apply apply;
  Expect expect;
  Subjects subjects;  // checks of the outcome's fields; may be empty
  bool needsNonRoot = false;  // root reads a chmod 000 file
};

// ---- Edits ----

Apply replace(std::string from, std::string to) {
  return [from, to](EngineFixture &f, const std::string &good) {
    return f.edit(replaced(good, from, to));
  };
}
Apply append(std::string extra) {
  return [extra](EngineFixture &f, const std::string &good) { return f.edit(good + extra); };
}
Apply prepend(std::string extra) {
  return [extra](EngineFixture &f, const std::string &good) { return f.edit(extra + good); };
}
Apply whole(std::string text) {
  return [text](EngineFixture &f, const std::string &) { return f.edit(text); };
}
// Writes a file next to the program's, for includes and second files.
fs::path besides(EngineFixture &f, const std::string &name, const std::string &text) {
  auto path = f.source.dir() / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}
// A second file of the program: added to the engine as a user adds one more source.
Apply secondFile(std::string name, std::string text) {
  return [name, text](EngineFixture &f, const std::string &) {
    return f.engine->addFile(besides(f, name, text).string());
  };
}
// Changes what is at the program's path (not its text), then reloads it.
Apply onDisk(std::function<void(const fs::path &)> change) {
  return [change](EngineFixture &f, const std::string &) {
    change(f.source.path());
    return f.engine->reloadFile(f.source.path());
  };
}

std::string randomBytes(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(count, '\0');
  for (auto &b : bytes)
    b = static_cast<char>(random() & 0xff);
  return bytes;
}

// ---- Checks of subjects ----

// The first error is of `kind` (Other: any kind) on `line` (0: any line) of `file` (the
// program's file when empty).
Subjects errorAt(DiagnosticKind kind, unsigned line = 0, std::string file = {}) {
  return [=](const ReloadReport &report, EngineFixture &f, const std::string &) {
    auto *error = hotcc::test::firstError(report);
    REQUIRE(error);
    if (kind != DiagnosticKind::Other)
      CHECK(error->kind == kind);
    if (line != 0)
      CHECK(error->where.line == line);
    CHECK(fs::path(error->where.file).filename() ==
          (file.empty() ? fs::path(f.source.path()).filename() : fs::path(file)));
  };
}
// As errorAt, the line being the one `needle` is on in the good program.
Subjects errorOn(const std::string &needle, DiagnosticKind kind = DiagnosticKind::Other) {
  return [=](const ReloadReport &report, EngineFixture &f, const std::string &good) {
    errorAt(kind, lineOf(good, needle))(report, f, good);
  };
}
// An error on the `nth` line appended to the good program.
Subjects errorOnAppendedLine(unsigned nth = 1, DiagnosticKind kind = DiagnosticKind::Other) {
  return [=](const ReloadReport &report, EngineFixture &f, const std::string &good) {
    auto lines = static_cast<unsigned>(std::count(good.begin(), good.end(), '\n'));
    errorAt(kind, lines + nth)(report, f, good);
  };
}
// The first error is in one of two headers (which one depends on where the nesting gives up).
Subjects errorInEither(std::string one, std::string other) {
  return [=](const ReloadReport &report, EngineFixture &, const std::string &) {
    auto *error = hotcc::test::firstError(report);
    REQUIRE(error);
    auto file = fs::path(error->where.file).filename();
    CHECK((file == one || file == other));
  };
}
Subjects fatalError() {
  return [](const ReloadReport &report, EngineFixture &, const std::string &) {
    auto *error = hotcc::test::firstError(report);
    REQUIRE(error);
    CHECK(error->severity == hotcc::Severity::Fatal);
  };
}
Subjects undefined(std::string name, std::vector<std::string> users) {
  return [=](const ReloadReport &report, EngineFixture &f, const std::string &) {
    auto *missing = failureOf<failure::UndefinedSymbol>(report);
    REQUIRE(missing);
    CHECK(missing->name == name);
    CHECK(missing->users == users);
    CHECK(missing->file == f.source.path());
  };
}
Subjects duplicate(std::string name, std::string otherFile) {
  return [=](const ReloadReport &report, EngineFixture &f, const std::string &) {
    auto *twice = failureOf<failure::DuplicateDefinition>(report);
    REQUIRE(twice);
    CHECK(twice->name == name);
    CHECK(twice->files ==
          std::vector<std::string>{f.source.path(), (f.source.dir() / otherFile).string()});
  };
}
Subjects signature(std::string function, std::string before, std::string after) {
  return [=](const ReloadReport &report, EngineFixture &f, const std::string &) {
    auto *change = failureOf<failure::SignatureChange>(report);
    REQUIRE(change);
    CHECK(change->function == function);
    CHECK(change->before == before);
    CHECK(change->after == after);
    CHECK(change->callers == std::vector<std::string>{"score"});
    CHECK(change->file == f.source.path());
  };
}
// A refused layout change of `type`, held by the global `holder` (empty: objects on the heap,
// reached by the live function `user`).
Subjects layout(std::string type, std::string holder, std::string user) {
  return [=](const ReloadReport &report, EngineFixture &, const std::string &) {
    auto *refused = failureOf<failure::LayoutChangeRefused>(report);
    REQUIRE(refused);
    CHECK(refused->change.type == type);
    CHECK(refused->holder == holder);
    CHECK(refused->change.users == std::vector<std::string>{user});
    CHECK(refused->change.sizeBefore > 0);
  };
}
Subjects globalType(std::string global, std::string before, std::string after) {
  return [=](const ReloadReport &report, EngineFixture &, const std::string &) {
    auto *change = failureOf<failure::GlobalTypeChange>(report);
    REQUIRE(change);
    CHECK(change->global == global);
    CHECK(change->before == before);
    CHECK(change->after == after);
  };
}
Subjects vtable(std::vector<std::string> types) {
  std::sort(types.begin(), types.end());
  return [=](const ReloadReport &report, EngineFixture &, const std::string &) {
    std::vector<std::string> changed;
    for (auto *change : hotcc::test::failuresOf<failure::VirtualTableChange>(report))
      changed.push_back(change->type);
    std::sort(changed.begin(), changed.end());  // the order is not part of the outcome
    CHECK(changed == types);
  };
}
// A removed function is noted and stays callable.
Subjects removedKept(std::string function) {
  return [=](const ReloadReport &report, EngineFixture &, const std::string &) {
    std::vector<std::string> kept;
    for (auto *notice : hotcc::test::noticesOf<hotcc::notice::RemovedFunctionKept>(report))
      kept.push_back(notice->function);
    CHECK(std::find(kept.begin(), kept.end(), function) != kept.end());
  };
}
Subjects unreadable() {
  return [](const ReloadReport &report, EngineFixture &f, const std::string &) {
    auto *problem = failureOf<failure::FileUnreadable>(report);
    REQUIRE(problem);
    CHECK(problem->path == f.source.path());
    CHECK_FALSE(problem->reason.empty());
  };
}
// The compiler's warnings (at least one) are about the program's file.
Subjects warnedInFile() {
  return [](const ReloadReport &report, EngineFixture &f, const std::string &) {
    REQUIRE_FALSE(report.warnings.empty());
    CHECK(report.warnings.front().where.file == f.source.path());
  };
}

// ---- The table ----

void syntaxCases(std::vector<Case> &t) {
  auto parse = DiagnosticKind::ParseError;
  t.push_back({"syntax: a missing ; in a body", Lang::Cpp, replace(kScoreBody, "helper(n) + 1"),
               fails("compile-error"), errorOn("int score", parse)});
  t.push_back({"syntax: a missing } at the end of the file", Lang::Cpp,
               append("int extra() { return 1;\n"), fails("compile-error"),
               errorAt(parse)});
  t.push_back({"syntax: an unbalanced ( in an expression", Lang::Cpp,
               replace(kScoreBody, "(helper(n) + 1;"), fails("compile-error"),
               errorOn("int score", parse)});
  t.push_back({"syntax: a stray @ at file scope", Lang::Cpp, append("@\n"), fails("compile-error"),
               errorOnAppendedLine()});
  t.push_back({"syntax: a missing ; after a struct", Lang::Cpp,
               replace("struct Node { int value; };", "struct Node { int value; }"),
               fails("compile-error"), errorOn("struct Node", parse)});
  t.push_back({"syntax: a keyword as a name", Lang::Cpp, append("int class = 3;\n"),
               fails("compile-error"), errorOnAppendedLine()});
  t.push_back({"syntax: an unterminated string literal", Lang::Cpp,
               append("const char *text = \"abc;\n"), fails("compile-error"), errorOnAppendedLine()});
  t.push_back({"syntax: an unterminated block comment", Lang::Cpp, append("/* never closed\n"),
               fails("compile-error"), errorOnAppendedLine()});
  t.push_back({"syntax: a half-written file", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 return f.edit(good.substr(0, good.find(kScoreBody) + 6));
               },
               fails("compile-error"), errorAt(DiagnosticKind::Other)});
  t.push_back({"syntax: an extra }", Lang::Cpp,
               replace("int hp() { return player.hp; }", "int hp() { return player.hp; } }"),
               fails("compile-error"), errorOn("int hp()")});
  t.push_back({"syntax: a misspelled keyword", Lang::Cpp,
               replace("return helper(n) + 1;", "retrun helper(n) + 1;"), fails("compile-error"),
               errorOn("int score")});
  t.push_back({"syntax: an unterminated #if", Lang::Cpp, prepend("#if 1\n"),
               fails("compile-error"), errorAt(DiagnosticKind::Other, 1)});
  t.push_back({"syntax (C): a missing ; in a body", Lang::C, replace(kScoreBody, "helper(n) + 1"),
               fails("compile-error"), errorOn("int score", parse)});
  t.push_back({"syntax (C): C++ in a C file", Lang::C, append("namespace n { int a; }\n"),
               fails("compile-error"), errorOnAppendedLine()});
  t.push_back({"syntax (C): an unterminated character literal", Lang::C, append("char c = 'a;\n"),
               fails("compile-error"), errorOnAppendedLine()});
  t.push_back({"syntax (C): a missing ) in a parameter list", Lang::C,
               replace("int helper(int x) {", "int helper(int x {"), fails("compile-error"),
               errorOn("int helper", parse)});
}

void typeCases(std::vector<Case> &t) {
  t.push_back({"type: a string returned as an int", Lang::Cpp,
               replace("return helper(n) + 1;", "return \"five\";"), fails("compile-error"),
               errorOn("int score")});
  t.push_back({"type: an unknown type name", Lang::Cpp, append("Widget widget;\n"),
               fails("compile-error"), errorOnAppendedLine(1, DiagnosticKind::UnknownTypeName)});
  t.push_back({"type: a call with too many arguments", Lang::Cpp,
               replace(kScoreBody, "helper(n, n) + 1;"), fails("compile-error"),
               errorOn("int score")});
  t.push_back({"type: an assignment to a const", Lang::Cpp,
               append("const int k = 1;\nvoid bump() { k = 2; }\n"), fails("compile-error"),
               errorOnAppendedLine(2)});
  t.push_back({"type: a declaration without a type", Lang::Cpp, append("extra = 3;\n"),
               fails("compile-error"), errorOnAppendedLine(1, DiagnosticKind::MissingTypeSpecifier)});
  t.push_back({"type: a member that does not exist", Lang::Cpp,
               replace("return player.hp;", "return player.mana;"), fails("compile-error"),
               errorOn("int hp()")});
  t.push_back({"type (C): a pointer returned as an int", Lang::C,
               replace("return helper(n) + 1;", "int *p = 0; return p;"), fails("compile-error"),
               errorOn("int score")});
  t.push_back({"type (C): a call of an undeclared function", Lang::C,
               replace(kScoreBody, "nobody(n) + 1;"), fails("compile-error"), errorOn("int score")});
}

void undefinedCases(std::vector<Case> &t) {
  t.push_back({"undefined: a function declared, never defined", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 return f.edit("int missing_fn(int);\n" + replaced(good, kScoreBody, "missing_fn(n);"));
               },
               fails("undefined-symbol"), undefined("missing_fn(int)", {"score"})});
  t.push_back({"undefined (C): a function declared, never defined", Lang::C,
               [](EngineFixture &f, const std::string &good) {
                 return f.edit("int missing_fn(int);\n" + replaced(good, kScoreBody, "missing_fn(n);"));
               },
               fails("undefined-symbol"), undefined("missing_fn", {"score"})});
  t.push_back({"undefined: an extern variable nothing defines", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 return f.edit("extern int missing_var;\n" +
                               replaced(good, kScoreBody, "helper(n) + missing_var;"));
               },
               fails("undefined-symbol"), undefined("missing_var", {"score"})});
  t.push_back({"undefined (C): an extern variable nothing defines", Lang::C,
               [](EngineFixture &f, const std::string &good) {
                 return f.edit("extern int missing_var;\n" +
                               replaced(good, kScoreBody, "helper(n) + missing_var;"));
               },
               fails("undefined-symbol"), undefined("missing_var", {"score"})});
  t.push_back({"undefined: a member function declared, never defined", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 auto text = replaced(good, "struct Node { int value; };",
                                      "struct Node { int value; int twice(); };");
                 return f.edit(replaced(text, "return node->value;", "return node->twice();"));
               },
               fails("undefined-symbol"), undefined("Node::twice()", {"nodeValue"})});
  t.push_back({"undefined: a name nobody declared", Lang::Cpp,
               replace(kScoreBody, "helper(n) + nobody;"), fails("compile-error"),
               errorOn("int score", DiagnosticKind::UndeclaredIdentifier)});
}

void duplicateCases(std::vector<Case> &t) {
  t.push_back({"duplicate: a function defined twice in one file", Lang::Cpp,
               append("int helper(int x) { return x; }\n"), fails("compile-error"),
               errorOnAppendedLine(1, DiagnosticKind::Redefinition)});
  t.push_back({"duplicate (C): a function defined twice in one file", Lang::C,
               append("int helper(int x) { return x; }\n"), fails("compile-error"),
               errorOnAppendedLine(1, DiagnosticKind::Redefinition)});
  t.push_back({"duplicate: a function defined in two files", Lang::Cpp,
               secondFile("other.cpp", "int helper(int x) { return -x; }\n"),
               failsAdding("duplicate-definition"), duplicate("helper", "other.cpp")});
  t.push_back({"duplicate (C): a function defined in two files", Lang::C,
               secondFile("other.c", "int helper(int x) { return -x; }\n"),
               failsAdding("duplicate-definition"), duplicate("helper", "other.c")});
  t.push_back({"duplicate: a global defined in two files", Lang::Cpp,
               secondFile("other.cpp", "long counter = 7;\n"), failsAdding("duplicate-definition"),
               duplicate("counter", "other.cpp")});
  t.push_back({"duplicate (C): a global defined in two files", Lang::C,
               secondFile("other.c", "long counter = 7;\n"), failsAdding("duplicate-definition"),
               duplicate("counter", "other.c")});
}

void signatureCases(std::vector<Case> &t) {
  auto withCaller = [](std::string helper, std::string call) {
    return [=](EngineFixture &f, const std::string &good) {
      auto text = replaced(good, "int helper(int x) { return x * 2; }", helper);
      return f.edit(replaced(text, kScoreBody, call));
    };
  };
  for (Lang lang : {Lang::Cpp, Lang::C}) {
    std::string in = lang == Lang::C ? " (C)" : "";
    t.push_back({"signature" + in + ": a parameter added", lang,
                 withCaller("int helper(int x, int k) { return x * k; }", "helper(n, 2) + 1;"),
                 fails("signature-change"), signature("helper", "int (int)", "int (int, int)")});
    t.push_back({"signature" + in + ": the return type changed", lang,
                 withCaller("long helper(int x) { return x * 2; }", "(int)helper(n) + 1;"),
                 fails("signature-change"), signature("helper", "int (int)", "long (int)")});
    t.push_back({"signature" + in + ": a parameter's type changed", lang,
                 withCaller("int helper(long x) { return x * 2; }", kScoreBody),
                 fails("signature-change"), signature("helper", "int (int)", "int (long)")});
  }
}

void layoutCases(std::vector<Case> &t) {
  for (Lang lang : {Lang::Cpp, Lang::C}) {
    std::string in = lang == Lang::C ? " (C)" : "";
    t.push_back({"layout" + in + ": a field added to a struct a live global holds", lang,
                 replace("struct Player { int hp; float x; };",
                         "struct Player { int hp; float x; int armor; };"),
                 fails("layout-change"), layout("struct Player", "player", "hp")});
    t.push_back({"layout" + in + ": a field added to a struct used on the heap", lang,
                 replace("struct Node { int value; };", "struct Node { int tag; int value; };"),
                 fails("layout-change"), layout("struct Node", "", "nodeValue")});
  }
  t.push_back({"layout: fields reordered", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 auto text = replaced(good, "struct Player { int hp; float x; };",
                                      "struct Player { float x; int hp; };");
                 return f.edit(replaced(text, "player{100, 1.5f}", "player{1.5f, 100}"));
               },
               fails("layout-change"), layout("struct Player", "player", "hp")});
  t.push_back({"layout: a field's type changed", Lang::Cpp,
               replace("struct Player { int hp;", "struct Player { long hp;"),
               fails("layout-change"), layout("struct Player", "player", "hp")});
  t.push_back({"vtable: a virtual function added", Lang::Cpp,
               replace("virtual int sides() { return 0; }",
                       "virtual int sides() { return 0; } virtual int corners() { return 0; }"),
               fails("vtable-change"), vtable({"Square", "Shape"})});
  t.push_back({"vtable: the virtual destructor removed", Lang::Cpp,
               replace("virtual ~Shape() = default; ", ""), fails("vtable-change"),
               vtable({"Square", "Shape"})});
  t.push_back({"global type: long to double", Lang::Cpp,
               replace("long counter = 5;", "double counter = 5;"), fails("global-type-change"),
               globalType("counter", "long", "double")});
  t.push_back({"global type: a scalar becomes an array", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 auto text = replaced(good, "long counter = 5;", "long counter[2] = {5, 0};");
                 return f.edit(replaced(text, "return counter;", "return counter[0];"));
               },
               fails("global-type-change"), globalType("counter", "long", "long[2]")});
  t.push_back({"global type (C): long to int", Lang::C,
               replace("long counter = 5;", "int counter = 5;"), fails("global-type-change"),
               globalType("counter", "long", "int")});
}

void removedCases(std::vector<Case> &t) {
  t.push_back({"deleted: a function removed from the file", Lang::Cpp,
               replace("long get() { return counter; }\n", ""),
               notes("removed-function-kept"), removedKept("get")});
  t.push_back({"deleted (C): a function removed from the file", Lang::C,
               replace("long get(void) { return counter; }\n", ""),
               notes("removed-function-kept"), removedKept("get")});
  t.push_back({"deleted: every function (an empty file)", Lang::Cpp, whole(""),
               notes("removed-function-kept"), removedKept("score")});
}

void includeCases(std::vector<Case> &t) {
  t.push_back({"include: the file includes itself, no guard", Lang::Cpp,
               prepend("#include \"hot.cpp\"\n"), fails("compile-error"), errorAt(DiagnosticKind::Other, 1)});
  t.push_back({"include: the file includes itself inside an include guard", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 return f.edit("#ifndef HOT_CPP\n#define HOT_CPP\n#include \"hot.cpp\"\n" + good +
                               "#endif\n");
               },
               succeeds(), {}});
  t.push_back({"include: two headers include each other, no guards", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 besides(f, "a.h", "#include \"b.h\"\n");
                 besides(f, "b.h", "#include \"a.h\"\n");
                 return f.edit("#include \"a.h\"\n" + good);
               },
               fails("compile-error"), errorInEither("a.h", "b.h")});
  t.push_back({"include: two headers include each other, #pragma once", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 besides(f, "a.h", "#pragma once\n#include \"b.h\"\ninline int fromA() { return 1; }\n");
                 besides(f, "b.h", "#pragma once\n#include \"a.h\"\ninline int fromB() { return 2; }\n");
                 return f.edit("#include \"a.h\"\n" + good);
               },
               succeeds(), {}});
  t.push_back({"include: a missing header", Lang::Cpp, prepend("#include \"nowhere.h\"\n"),
               fails("compile-error"), fatalError()});
  t.push_back({"include: a header with an error", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 besides(f, "broken.h", "int broken() { return nope; }\n");
                 return f.edit("#include \"broken.h\"\n" + good);
               },
               fails("compile-error"), errorAt(DiagnosticKind::Other, 1, "broken.h")});
}

// 50 MB: a real source can be that big (an embedded asset, a generated table). Valid text of
// that size must compile: clang lexes a comment at hundreds of MB/s, so the cost is reading the
// file. Refusing above some size would be an arbitrary limit; the row bounds the time instead.
std::string fiftyMegabytes(const std::string &good) {
  std::string line = "// " + std::string(96, 'x') + "\n";
  std::string text;
  text.reserve(50u << 20);
  while (text.size() < (50u << 20))
    text += line;
  return text + good;
}

void sizeCases(std::vector<Case> &t) {
  t.push_back({"size: a 50 MB source", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 auto start = std::chrono::steady_clock::now();
                 auto report = f.edit(fiftyMegabytes(replaced(good, kScoreBody, "helper(n) + 2;")));
                 CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
                 return report;
               },
               succeeds(),
               [](const ReloadReport &, EngineFixture &f, const std::string &) {
                 CHECK(f.fn<int(int)>("_Z5scorei")(2) == 6);
               }});
  t.push_back({"size: 1 MB of random bytes", Lang::Cpp, whole(randomBytes(1u << 20, 13)),
               fails("compile-error"), errorAt(DiagnosticKind::Other)});
  t.push_back({"size: a 1 MB line", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 std::string sum;
                 for (int i = 0; i < (1 << 20) / 4; ++i)
                   sum += " + 0";
                 return f.edit(replaced(good, kScoreBody, "helper(n) + 3" + sum + ";"));
               },
               succeeds(),
               [](const ReloadReport &, EngineFixture &f, const std::string &) {
                 CHECK(f.fn<int(int)>("_Z5scorei")(2) == 7);
               }});
  t.push_back({"size: 10,000 nested parentheses", Lang::Cpp,
               replace(kScoreBody, std::string(10000, '(') + "helper(n)" +
                                       std::string(10000, ')') + " + 1;"),
               fails("compile-error"), errorOn("int score")});
}

void encodingCases(std::vector<Case> &t) {
  t.push_back({"garbage: random bytes after the good code", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 return f.edit(good + randomBytes(4096, 7));
               },
               fails("compile-error"), errorAt(DiagnosticKind::Other)});
  t.push_back({"garbage (C): random bytes instead of the code", Lang::C,
               whole(randomBytes(4096, 11)), fails("compile-error"), errorAt(DiagnosticKind::Other)});
  t.push_back({"encoding: invalid UTF-8 in a string literal", Lang::Cpp,
               append("const char *text = \"caf\xe9\";\n"), warns(), warnedInFile()});
  t.push_back({"encoding: invalid UTF-8 in an identifier", Lang::Cpp,
               append("int caf\xe9 = 1;\n"), fails("compile-error"), errorOnAppendedLine()});
  t.push_back({"encoding: invalid UTF-8 in a comment", Lang::Cpp,
               append("// caf\xe9 \xff\xfe\n"), succeeds(), {}});
  t.push_back({"encoding: a NUL byte between tokens", Lang::Cpp,
               replace(kScoreBody, std::string("helper(n) +\0 1;", 15)), warns(), warnedInFile()});
  t.push_back({"encoding: a NUL byte inside an identifier", Lang::Cpp,
               replace(kScoreBody, std::string("hel\0per(n) + 1;", 15)), fails("compile-error"),
               errorOn("int score")});
  t.push_back({"encoding: a UTF-16 file", Lang::Cpp,
               [](EngineFixture &f, const std::string &good) {
                 std::string utf16 = "\xff\xfe";
                 for (char c : good)
                   utf16 += std::string{c, '\0'};
                 return f.edit(utf16);
               },
               fails("compile-error"), errorAt(DiagnosticKind::Other, 1)});
  t.push_back({"encoding: a UTF-8 byte order mark", Lang::Cpp, prepend("\xef\xbb\xbf"),
               succeeds(), {}});
}

void fileCases(std::vector<Case> &t) {
  t.push_back({"file: deleted", Lang::Cpp, onDisk([](const fs::path &p) { fs::remove(p); }),
               fails("file-unreadable"), unreadable()});
  t.push_back({"file: replaced by a directory", Lang::Cpp,
               onDisk([](const fs::path &p) {
                 fs::remove(p);
                 fs::create_directory(p);
               }),
               fails("file-unreadable"), unreadable()});
  t.push_back({"file: made unreadable", Lang::Cpp,
               onDisk([](const fs::path &p) { fs::permissions(p, fs::perms::none); }),
               fails("file-unreadable"), unreadable(), /*needsNonRoot=*/true});
  t.push_back({"file: a symlink to itself", Lang::Cpp,
               onDisk([](const fs::path &p) {
                 fs::remove(p);
                 fs::create_symlink(p.filename(), p);
               }),
               fails("file-unreadable"), unreadable()});
  t.push_back({"file: a dangling symlink", Lang::Cpp,
               onDisk([](const fs::path &p) {
                 fs::remove(p);
                 fs::create_symlink("gone.cpp", p);
               }),
               fails("file-unreadable"), unreadable()});
}

void compileTimeCases(std::vector<Case> &t) {
  t.push_back({"compile time: #error", Lang::Cpp, append("#error not ready\n"),
               fails("compile-error"), errorOnAppendedLine()});
  t.push_back({"compile time: a failing static_assert", Lang::Cpp,
               append("static_assert(sizeof(int) == 3, \"no\");\n"), fails("compile-error"),
               errorOnAppendedLine()});
  t.push_back({"compile time (C): a failing _Static_assert", Lang::C,
               append("_Static_assert(sizeof(int) == 3, \"no\");\n"), fails("compile-error"),
               errorOnAppendedLine()});
  t.push_back({"compile time: infinite template recursion", Lang::Cpp,
               append("template <int N> struct Deep { static const int v = Deep<N + 1>::v; };\n"
                      "int deep() { return Deep<0>::v; }\n"),
               fails("compile-error"), errorOnAppendedLine(1)});
  t.push_back({"compile time: a constexpr division by zero", Lang::Cpp,
               append("constexpr int zero = 0;\nconstexpr int bad = 1 / zero;\n"),
               fails("compile-error"), errorOnAppendedLine(2)});
  t.push_back({"compile time: a constexpr loop that never ends", Lang::Cpp,
               append("constexpr int forever() { int i = 0; while (true) ++i; return i; }\n"
                      "constexpr int never = forever();\n"),
               fails("compile-error"), errorOnAppendedLine(1)});
}

std::vector<Case> table() {
  std::vector<Case> t;
  syntaxCases(t);
  typeCases(t);
  undefinedCases(t);
  duplicateCases(t);
  signatureCases(t);
  layoutCases(t);
  removedCases(t);
  includeCases(t);
  sizeCases(t);
  encodingCases(t);
  fileCases(t);
  compileTimeCases(t);
  return t;
}

// ---- Running a row ----

void checkOutcome(const Case &c, const ReloadReport &report) {
  using Outcome = Expect::Outcome;
  std::vector<std::string> failures, notices;
  for (auto &failure : report.failures)
    failures.push_back(hotcc::kindName(failure));
  for (auto &notice : report.notices)
    notices.push_back(hotcc::kindName(notice));
  auto has = [](const std::vector<std::string> &kinds, const std::string &kind) {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  };
  switch (c.expect.outcome) {
  case Outcome::Fails:
    REQUIRE_FALSE(report.ok);
    if (!c.expect.newFile)
      CHECK(report.previousVersionRuns);
    CHECK(has(failures, c.expect.kind));
    break;
  case Outcome::Notice:
    REQUIRE(report.ok);
    CHECK(has(notices, c.expect.kind));
    break;
  case Outcome::Warns:
    REQUIRE(report.ok);
    CHECK_FALSE(report.warnings.empty());
    break;
  case Outcome::Succeeds:
    REQUIRE(report.ok);
    break;
  }
}

// Puts a plain, readable file back where a row left a directory, a symlink or no permissions.
void restoreFile(EngineFixture &f) {
  fs::path path = f.source.path();
  std::error_code ec;
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (fs::is_symlink(fs::symlink_status(path, ec)))
    fs::remove(path, ec);
  else if (fs::is_directory(path, ec))
    fs::remove_all(path, ec);
}

void runCase(const Case &c) {
  if (c.needsNonRoot && geteuid() == 0) {
    WARN("skipped as root: root reads a file whatever its permissions");
    return;
  }
  const std::string good = goodText(c.lang);
  EngineFixture f(good, fileName(c.lang));
  auto *score = f.fn<int(int)>(scoreName(c.lang));
  auto *get = f.fn<long()>(getName(c.lang));
  REQUIRE(score(2) == 5);

  auto report = c.apply(f, good);
  INFO(hotcc::test::summary(report));
  checkOutcome(c, report);
  if (c.subjects)
    c.subjects(report, f, good);
  // The previous code runs: a failure changed nothing; an accepted edit kept score's old body
  // (rows that change it check their own value) and every removed function callable.
  if (c.expect.outcome == Expect::Outcome::Fails)
    CHECK(score(2) == 5);
  CHECK(get() == 5);

  restoreFile(f);
  f.editOk(replaced(good, kScoreBody, kNewScoreBody));
  CHECK(score(2) == 14);
  CHECK(get() == 5);
}

} // namespace

TEST_CASE("bad input table: each bad edit has a typed outcome, the old code runs, the next "
          "good edit goes live", "[jit][bad][table]") {
  auto rows = table();
  CHECK(rows.size() >= 50);
  for (auto &c : rows)
    DYNAMIC_SECTION(c.name) { runCase(c); }
}

// What the duplicate-global refusal must not refuse: one definition the normal link merges
// (an inline variable of a shared header), and a global cut from one file and pasted into another.
TEST_CASE("bad input table: shared and moved globals are not duplicates", "[jit][bad]") {
  hotcc::test::TempSource dir("unused.txt");
  auto write = [&](const std::string &name, const std::string &text) {
    std::ofstream(dir.dir() / name, std::ios::trunc) << text;
    return (dir.dir() / name).string();
  };
  write("shared.h", "#pragma once\ninline int shared = 3;\nextern long moved;\n");
  auto a = write("a.cpp", "#include \"shared.h\"\nlong moved = 5;\nint fromA() { return shared; }\n");
  auto b = write("b.cpp", "#include \"shared.h\"\nlong fromB() { return moved + shared; }\n");
  auto engine = hotcc::test::makeEngine();
  REQUIRE(engine);
  for (auto &report : engine->addFiles({a, b})) {
    INFO(hotcc::test::summary(report));
    REQUIRE(report.ok);
  }
  auto *fromB = engine->lookupFunction<long()>("_Z5fromBv");
  REQUIRE(fromB);
  CHECK(fromB() == 8);
  write("a.cpp", "#include \"shared.h\"\nint fromA() { return shared; }\n");
  write("b.cpp", "#include \"shared.h\"\nlong moved = 5;\nlong fromB() { return moved + shared + 1; }\n");
  for (auto *file : {&a, &b}) {
    auto report = engine->reloadFile(*file);
    INFO(hotcc::test::summary(report));
    CHECK(report.ok);
  }
  CHECK(fromB() == 9);
}
