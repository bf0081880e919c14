"""`hotcc test --json`: every outcome as one JSON object per line on stdout (schema 1).

1. A Catch2 file with a passing, a failing and a crashing test case: one "test-file" event (file,
   framework, ok, tests), one "test-case" event per case (name, file, line, passed, assertions,
   failures [{file, line, text}], crash), one "test-run" summary; exit status 1. What the tests
   print goes to stderr: stdout holds nothing but events. The events say what the text output of
   the same run says (failing cases, failure lines).
2. A syntax error: "diagnostic" events with the file, line and column of the error, a "failure"
   of kind "compile-error" naming the file, a "test-file" event with ok false; exit status 2.
3. Arguments the framework refuses: a "failure" of kind "setup-error" whose subject is the
   framework; exit status 2.
4. `--watch --json`: a saved fix yields a new "test-file" event (1 test recompiled) and the
   cases run again; a syntax error yields its "diagnostic" event and hotcc keeps watching.

Event contract (tools/cli/test_output.hpp):
  {"schema":1,"event":"test-file","file":F,"framework":"Catch2 2.13.10","ok":true,"tests":3,
   "recompiledTests":0,"ms":T}
  {"schema":1,"event":"test-case","name":N,"file":F,"line":L,"passed":false,"assertions":1,
   "failures":[{"file":F,"line":L,"text":"FAILED: CHECK( x == 4 ) with expansion: 3 == 4"}],
   "crash":null | {"kind":"crash","cause":"signal","signalName":"SIGSEGV","during":N,...}}
  {"schema":1,"event":"test-run","passed":1,"failed":2,"available":3,"assertions":3,"ms":T}
"""
import os
import time

from hotcc_e2e import Session, check, write_in_place
from hotcc_test_helpers import (events_named, json_events, line_of, parse_hotcc_output,
                                replace_once, wait_json_run)

FIRST_RUN_S = 180.0  # a first run may build hotcc's Catch2 adapter and parse catch.hpp
RERUN_S = 90.0
BUDGET_S = 500.0

FILE = "test_json_catch.cpp"
SOURCE = """\
#include <catch2/catch.hpp>
#include <cstdio>

TEST_CASE("adds", "[json]") {
  std::puts("a test writing to stdout");
  REQUIRE(1 + 1 == 2);
}

TEST_CASE("compares", "[json]") {
  int x = 3;
  CHECK(x == 4);
}

TEST_CASE("crashes", "[json]") {
  volatile int *p = nullptr;
  *p = 1;
}
"""
FAILING = "CHECK(x == 4);"
PASSING = "CHECK(x == 3);"
BROKEN = "CHECK(x == );"

BROKEN_FILE = "broken_catch.cpp"
BROKEN_SOURCE = '#include <catch2/catch.hpp>\nTEST_CASE("broken") { REQUIRE(1 == ); }\n'


def by_name(cases, dump):
    names = [c["name"] for c in cases]
    check(len(names) == len(set(names)), f"one test-case event per case, got {names}\n{dump}")
    return {c["name"]: c for c in cases}


def check_first_run(s, events, r):
    files = events_named(events, "test-file")
    check(len(files) == 1, f"expected one test-file event\n{r.dump}")
    f = files[0]
    check(os.path.basename(f["file"]) == FILE and f["ok"] is True and f["tests"] == 3 and
          f["framework"].startswith("Catch2 2.") and f["ms"] >= 0,
          f"test-file event: file, ok, tests, framework\n{r.dump}")

    cases = by_name(events_named(events, "test-case"), r.dump)
    check(sorted(cases) == ["adds", "compares", "crashes"], f"test-case events: {sorted(cases)}"
                                                              f"\n{r.dump}")
    for name in cases:
        c = cases[name]
        check(os.path.basename(c["file"]) == FILE and
              c["line"] == line_of(SOURCE, f'TEST_CASE("{name}"'),
              f"{name}: file and line of its TEST_CASE\n{r.dump}")
    adds, compares, crashes = cases["adds"], cases["compares"], cases["crashes"]
    check(adds["passed"] is True and adds["assertions"] == 1 and adds["failures"] == [] and
          adds["crash"] is None, f"the passing case\n{r.dump}")
    check(compares["passed"] is False and compares["crash"] is None and
          len(compares["failures"]) == 1, f"the failing case\n{r.dump}")
    failure = compares["failures"][0]
    check(os.path.basename(failure["file"]) == FILE and failure["line"] == line_of(SOURCE, FAILING)
          and failure["text"] == "FAILED: CHECK( x == 4 ) with expansion: 3 == 4",
          f"the failing case's failure: file, line, text\n{r.dump}")
    crash = crashes["crash"]
    check(crashes["passed"] is False and isinstance(crash, dict) and crash["kind"] == "crash" and
          crash["cause"] == "signal" and crash["signalName"] == "SIGSEGV" and
          crash["during"] == "crashes", f"the crashing case's crash\n{r.dump}")

    runs = events_named(events, "test-run")
    check(len(runs) == 1 and events[-1]["event"] == "test-run", f"one test-run, last\n{r.dump}")
    check((runs[0]["passed"], runs[0]["failed"], runs[0]["available"]) == (1, 2, 3),
          f"test-run: 1 passed, 2 failed, 3 available\n{r.dump}")


def check_same_as_text(s, events, r_json):
    """The events and the text output of the same run agree on what failed and where."""
    r = s.run("test", FILE, timeout=RERUN_S)
    text = parse_hotcc_output(r.stdout)
    failed = sorted(name for name, c in by_name(events_named(events, "test-case"), r.dump).items()
                    if not c["passed"])
    check(sorted(c[0] for c in text.cases) == failed and
          (text.passed, text.failed) == (1, 2),
          f"text and JSON disagree on the failed cases\n{r.dump}{r_json.dump}")


def check_syntax_error(s):
    s.write(BROKEN_FILE, BROKEN_SOURCE)
    r = s.run("test", "--json", BROKEN_FILE, timeout=RERUN_S)
    check(r.returncode == 2, f"a compile error: exit status 2\n{r.dump}")
    events = json_events(r.stdout.splitlines(), r.dump)
    column = BROKEN_SOURCE.splitlines()[1].index("REQUIRE") + 1  # where the macro is used
    diagnostics = [d for d in events_named(events, "diagnostic") if d["severity"] == "error"]
    check(diagnostics and all(os.path.basename(d["file"]) == BROKEN_FILE and d["line"] == 2 and
                              d["column"] == column for d in diagnostics),
          f"expected error diagnostics at {BROKEN_FILE}:2:{column}\n{r.dump}")
    failures = events_named(events, "failure")
    check(len(failures) == 1 and failures[0]["kind"] == "compile-error" and
          os.path.basename(failures[0]["file"]) == BROKEN_FILE,
          f"expected one compile-error failure naming {BROKEN_FILE}\n{r.dump}")
    files = events_named(events, "test-file")
    check(len(files) == 1 and files[0]["ok"] is False, f"test-file event with ok false\n{r.dump}")


def check_refused_arguments(s):
    r = s.run("test", "--json", FILE, "--", "--no-such-option", timeout=RERUN_S)
    check(r.returncode == 2, f"refused framework arguments: exit status 2\n{r.dump}")
    failures = events_named(json_events(r.stdout.splitlines(), r.dump), "failure")
    check(len(failures) == 1 and failures[0]["kind"] == "setup-error" and
          failures[0]["subject"] == "Catch2",
          f"expected a setup-error failure whose subject is Catch2\n{r.dump}")


def check_watch(s, path):
    p = s.start("test", "--json", "--watch", FILE)
    seen, first = wait_json_run(p, 0, "the first run's test-run event", FIRST_RUN_S)

    passing = replace_once(SOURCE, FAILING, PASSING)
    write_in_place(path, passing)
    seen, rerun = wait_json_run(p, seen + 1, "the test-run after the fix", RERUN_S)
    files = events_named(rerun, "test-file")
    check(len(files) == 1 and files[0]["ok"] and files[0]["recompiledTests"] == 1,
          f"after the fix: a test-file event with 1 test recompiled\n{p.dump()}")
    cases = by_name(events_named(rerun, "test-case"), p.dump())
    check(cases["compares"]["passed"] is True and events_named(rerun, "test-run")[0]["failed"] == 1,
          f"after the fix: `compares` passes, only the crash fails\n{p.dump()}")

    broken = replace_once(passing, PASSING, BROKEN)
    start = len(p.stdout())
    write_in_place(path, broken)

    def diagnostic():
        events = json_events(p.stdout()[start:], p.dump())
        return [e for e in events_named(events, "diagnostic") if e["severity"] == "error"]
    found = p.wait_for(diagnostic, "a diagnostic event for the syntax error", timeout=RERUN_S)
    check(found[0]["line"] == line_of(broken, BROKEN) and
          os.path.basename(found[0]["file"]) == FILE,
          f"the diagnostic's file and line\n{p.dump()}")
    time.sleep(0.5)
    check(p.alive(), f"hotcc exited after a compile error in watch mode\n{p.dump()}")
    p.stop()


def body(s):
    s.deadline = time.monotonic() + BUDGET_S
    path = s.write(FILE, SOURCE)

    # 1. Events per file, per case and per run; the tests' own output on stderr.
    r = s.run("test", "--json", FILE, timeout=FIRST_RUN_S)
    check(r.returncode == 1, f"failing tests: exit status 1\n{r.dump}")
    events = json_events(r.stdout.splitlines(), r.dump)
    check_first_run(s, events, r)
    check("a test writing to stdout" in r.stderr.splitlines(),
          f"what a test writes to stdout belongs on stderr under --json\n{r.dump}")
    check_same_as_text(s, events, r)

    check_syntax_error(s)        # 2.
    check_refused_arguments(s)   # 3.
    check_watch(s, path)         # 4.


if __name__ == "__main__":
    Session.main(body)
