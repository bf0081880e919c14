"""`hotcc test` survives the tests it runs: a null-pointer dereference, abort() and an endless loop
are each reported as a failed test case with its reason, the tests around them still run and
pass, and hotcc ends normally with exit code 1 (a normal Catch2 binary would die at the first
crash and hang at the loop).

Then the same file under --watch: the process is still alive after the crashes, and an edit that
makes the crashing test pass is rerun with one failure fewer, so hotcc's state (the JIT, the
framework's) is usable after a test crashed or timed out.
"""
import time

from hotcc_e2e import Session, check, write_in_place
from hotcc_test_helpers import hotcc_outcome, parse_hotcc_output, replace_once, wait_run

FILE = "isolation_test.cpp"
FIRST_RUN_S = 180.0  # a first run may build hotcc's Catch2 adapter
RERUN_S = 90.0
BUDGET_S = 400.0

NULL_DEREF = "int *volatile p = nullptr;"
NULL_DEREF_FIXED = "int *volatile p = &answer;"

# Declaration order is Catch2's default run order: passing, the three bad ones, passing.
SOURCE = """\
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

TEST_CASE("passes before the crashes", "[ok]") {
  std::vector<int> v{1, 2, 3};
  REQUIRE( v.size() == 3 );
}

TEST_CASE("dereferences a null pointer", "[crash]") {
  int answer = 42;
  %s
  REQUIRE( *p == answer );
}

TEST_CASE("calls abort", "[crash]") {
  std::abort();
}

TEST_CASE("loops forever", "[hang]") {
  volatile unsigned long spins = 0;  // volatile: the loop must not be optimized away
  for (;;)
    spins = spins + 1;
}

TEST_CASE("passes after the crashes", "[ok]") {
  std::string s = "still running";
  CHECK( s.size() == 13 );
}
""" % NULL_DEREF

# The reason each bad test case must be reported with (start of the text after `FAILED: `).
REASONS = {
    "dereferences a null pointer": "crashed: SIGSEGV",  # e.g. "crashed: SIGSEGV (segmentation fault)"
    "calls abort": "crashed: SIGABRT",
    "loops forever": "timed out after 500 ms",
}


def check_bad_cases(run, dump, expected=REASONS):
    """Exactly the `expected` test cases failed, each with one failure line giving its reason."""
    names = sorted(name for name, _, _, _ in run.cases)
    check(names == sorted(expected), f"failed test cases {names}, expected {sorted(expected)}"
                                     f"\n{dump}")
    for name, _, _, failures in run.cases:
        texts = [msg[1] if msg[0] == "other" else repr(msg) for _, _, msg in failures]
        check(any(t.startswith("FAILED: " + expected[name]) for t in texts),
              f'"{name}": expected a failure `FAILED: {expected[name]}...`, got {texts}\n{dump}')


def body(s):
    s.deadline = time.monotonic() + BUDGET_S
    path = s.write(FILE, SOURCE)

    # Without --watch: every test case runs, the bad ones fail with their reason, exit code 1.
    r = s.run("test", "--timeout", "500", FILE, timeout=FIRST_RUN_S)
    check(r.returncode == 1, f"expected exit code 1 (some tests failed), got {r.returncode}"
                             f"{' (killed by a signal)' if r.returncode < 0 else ''}\n{r.dump}")
    run = parse_hotcc_output(r.stdout)
    outcome = hotcc_outcome(run, FILE)
    check((outcome.passed, outcome.failed) == (2, 3),
          f"expected `2 passed, 3 failed`, got `{outcome.passed} passed, {outcome.failed} failed`"
          f"\n{r.dump}")
    check_bad_cases(run, r.dump)

    # --watch: alive after the crashes; the fixed test reruns and passes.
    p = s.start("test", "--timeout", "500", "--watch", FILE)
    _, first = wait_run(p, 0, "the first run's summary line", FIRST_RUN_S)
    check((first.passed, first.failed) == (2, 3), f"first run under --watch\n{p.dump()}")
    check_bad_cases(first, p.dump())
    time.sleep(0.5)
    check(p.alive(), "hotcc test --watch exited after the crashing tests")

    seen = len(p.stdout())
    write_in_place(path, replace_once(SOURCE, NULL_DEREF, NULL_DEREF_FIXED))
    _, rerun = wait_run(p, seen, "the run after fixing the null dereference", RERUN_S)
    f = rerun.file(FILE)
    check(f.kind == "rerun" and f.recompiled == 1,
          f"expected `1 test case recompiled` for {FILE}\n{p.dump()}")
    check((rerun.passed, rerun.failed) == (3, 2), f"expected `3 passed, 2 failed`\n{p.dump()}")
    check_bad_cases(rerun, p.dump(), {k: v for k, v in REASONS.items()
                                      if k != "dereferences a null pointer"})
    check(p.alive(), "hotcc test --watch exited")


if __name__ == "__main__":
    Session.main(body)
