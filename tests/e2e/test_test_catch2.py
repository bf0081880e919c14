"""`hotcc test` on an unmodified Catch2 v2 test file reports what the normal build reports.

The ground truth is tests/e2e/test_project built with CMake (Catch2's own main) and run with
`-r compact` (failure messages) and `-r xml` (counts, test names, which failure is whose). Then:

1. `hotcc test -I include --link build/libgeometry.so tests/test_geometry_catch.cpp`: the same
   passed/failed test cases, the same failures (file, line, expression, expansion), exit code 1.
2. The same with `--source src/geometry.cpp`: the code under test compiled by hotcc too.
3. `-- "[area]"`: a Catch test spec selects the same tests as for the normal binary, and the
   assertion count matches.
4. `--watch`: a failing test case edited to pass is the one test case recompiled and one failure
   fewer (checked against a rebuild of the normal binary); a syntax error prints clang's
   diagnostics and "compile failed; previous results stand" and hotcc keeps watching; the fix
   runs again.
5. Two test files with `--watch --changed-only`: an edit to one reruns only that file's tests
   (its per-file line alone, `1 test case recompiled, 2 run`).

Output contract of `hotcc test` (stdout, one block per run):
  <basename>: N test cases, A assertions — all passed (T ms, first run)
  <basename>: N test cases — F failed (T ms, first run)
  <basename>: K test cases recompiled, N run — all passed (T ms)        (watch, after an edit)
    FAILED: "<test name>" (<file>:<line>)
      <file>:<line>: FAILED: REQUIRE( area(sq) == 5 ) with expansion: 4.0 == 5
  N passed, M failed
"""
import re
import time

from hotcc_e2e import Session, check, write_in_place
from hotcc_test_helpers import (CATCH_FILE, TestProject, check_case_lines, compare,
                                compile_failed_line, hotcc_outcome, line_of, parse_hotcc_output,
                                replace_once, wait_run, WATCHING_RE)

BASE = "test_geometry_catch.cpp"
FIRST_RUN_S = 180.0  # a first run may build hotcc's Catch2 adapter and parse catch.hpp
RERUN_S = 90.0
BUDGET_S = 560.0     # CMake builds + five hotcc processes (ctest allows 600 s for test_test_*)

# The edits, by exact text of the fixture (same line count, so no other test moves).
SQUARE_FAILING = "REQUIRE( area(sq) == 5 );"
SQUARE_PASSING = "REQUIRE( area(sq) == 4 );"
SQUARE_BROKEN = "REQUIRE( area(sq) == 4 ;"       # unbalanced parenthesis: a compile error
SQUARE_FIXED = "REQUIRE( area(sq) == 2 * 2 );"   # new text (a real recompile), same types

# A second test file for --changed-only (tests of unchanged files do not run again).
EXTRA_FILE = "tests/test_points_catch.cpp"
EXTRA_BASE = "test_points_catch.cpp"
EXTRA_SOURCE = """\
#include <catch2/catch.hpp>

#include "geometry.h"

TEST_CASE("distance between two points", "[point]") {
  CHECK( geo::distance({0, 0}, {3, 4}) == 5 );
}

TEST_CASE("a regular hexagon's perimeter is six radii", "[polygon]") {
  CHECK( geo::regularPolygon(6, 1.0).perimeter() == Approx(6) );
}
"""
# Same types on both sides (`== 5.0` would instantiate Catch's comparison for double: new code
# that is not what this step is about).
EXTRA_EDIT = ("== 5 );", "== 2 + 3 );")


def run_hotcc(s, *args, timeout=FIRST_RUN_S):
    r = s.run("test", *args, timeout=timeout)
    check(r.returncode in (0, 1), f"hotcc test exited {r.returncode}\n{r.dump}")
    return parse_hotcc_output(r.stdout), r


def check_against_normal(s, proj, hotcc_args, spec_args=(), what=""):
    """One `hotcc test` run without --watch against the normal binary with the same test spec."""
    normal, normal_rc = proj.run_catch(*spec_args)
    run, r = run_hotcc(s, *hotcc_args, CATCH_FILE, *(["--", *spec_args] if spec_args else []))
    compare(normal, hotcc_outcome(run, BASE), what, r.dump)
    check_case_lines(run, proj.source(CATCH_FILE), "catch")
    want_rc = 1 if normal.failed else 0
    check(r.returncode == want_rc, f"{what}: hotcc test exited {r.returncode}, expected {want_rc}"
                                   f"\n{r.dump}")
    # Catch2's own main exits with the number of failed assertions.
    check((normal_rc != 0) == bool(normal.failed), f"normal binary exited {normal_rc}")
    return run, r


def body(s):
    s.deadline = time.monotonic() + BUDGET_S
    proj = TestProject(s.dir)
    proj.build("geometry", "geometry_catch")
    link = ["-I", "include", "--link", proj.lib]
    source = ["-I", "include", "--source", "src/geometry.cpp"]

    # 1. --link: everything, compared with the normal binary.
    normal_all, _ = proj.run_catch()
    run, r = check_against_normal(s, proj, link, what="--link libgeometry.so")
    check(run.failed == 2, f"the fixture has 2 failing test cases, hotcc says {run.failed}")
    check(re.search(
              r"^    \S*test_geometry_catch\.cpp:%d: FAILED: REQUIRE\( area\(sq\) == 5 \) with "
              r"expansion: 4\.0 == 5$" % line_of(proj.source(CATCH_FILE), SQUARE_FAILING),
              r.stdout, re.M),
          f"expected the failure line `FAILED: REQUIRE( area(sq) == 5 ) with expansion: 4.0 == 5`"
          f"\n{r.dump}")

    # 2. --source: the library compiled by hotcc as well.
    check_against_normal(s, proj, source, what="--source src/geometry.cpp")

    # 3. A Catch test spec after `--`: same selection as the normal binary's, all passing, so the
    # assertion counts are compared as well.
    run, _ = check_against_normal(s, proj, link, spec_args=["[area]"], what='-- "[area]"')
    check(run.failed == 0 and run.file(BASE).assertions is not None,
          "the [area] tests all pass; the per-file line should give the assertion count")

    # 4. Watch mode.
    path = s.path(CATCH_FILE)
    original = path.read_text(encoding="utf-8")
    p = s.start("test", *link, "--watch", CATCH_FILE)
    _, first = wait_run(p, 0, "the first run's summary line", FIRST_RUN_S)
    normal, _ = proj.run_catch()
    compare(normal, hotcc_outcome(first, BASE), "--watch, first run", p.dump())
    p.wait_stderr(WATCHING_RE, "`hotcc: watching N files (Ctrl-C to stop)` on stderr")

    # 4a. Make the failing square test pass: one test case recompiled, all run, one failure fewer.
    passing = replace_once(original, SQUARE_FAILING, SQUARE_PASSING)
    seen = len(p.stdout())
    write_in_place(path, passing)
    _, rerun = wait_run(p, seen, "the run after fixing the square test", RERUN_S)
    f = rerun.file(BASE)
    check(f.recompiled == 1, f"expected `1 test case recompiled`, got {f.recompiled}\n{p.dump()}")
    proj.build("geometry_catch")
    normal, _ = proj.run_catch()
    check(normal.failed == 1, "the normal build should now have one failing test case")
    compare(normal, hotcc_outcome(rerun, BASE, rerun=True), "--watch after the fix", p.dump())
    check_case_lines(rerun, passing, "catch")

    # 4b. A syntax error: clang's diagnostics, previous results stand, hotcc keeps watching.
    broken = replace_once(passing, SQUARE_PASSING, SQUARE_BROKEN)
    bad_line = line_of(broken, SQUARE_BROKEN)
    seen_out, seen_err = len(p.stdout()), len(p.stderr())
    write_in_place(path, broken)
    failed_line = compile_failed_line(BASE)
    p.wait_for(lambda: failed_line in p.stdout()[seen_out:] + p.stderr()[seen_err:],
               f"`{failed_line}`", timeout=RERUN_S)
    diag = re.compile(r"test_geometry_catch\.cpp:%d:\d+: error: " % bad_line)
    printed = p.stdout()[seen_out:] + p.stderr()[seen_err:]
    check(any(diag.search(l) for l in printed),
          f"expected clang's diagnostic `test_geometry_catch.cpp:{bad_line}:COL: error:`\n"
          f"{p.dump()}")
    time.sleep(0.5)
    check(p.alive(), "hotcc exited after a compile error in watch mode")

    # 4c. The fix (a text not compiled before) runs again.
    seen = len(p.stdout())
    write_in_place(path, replace_once(passing, SQUARE_PASSING, SQUARE_FIXED))
    _, fixed = wait_run(p, seen, "the run after fixing the syntax error", RERUN_S)
    check(fixed.file(BASE).recompiled == 1,
          f"expected `1 test case recompiled` after the fix\n{p.dump()}")
    compare(normal, hotcc_outcome(fixed, BASE, rerun=True), "--watch after the syntax fix",
            p.dump())
    p.stop()

    # 5. Two test files with --changed-only: a save reruns only the tests of the file it changed
    # (without the flag every test runs again, as in 4).
    write_in_place(path, original)
    s.write(EXTRA_FILE, EXTRA_SOURCE)
    p = s.start("test", *link, "--watch", "--changed-only", CATCH_FILE, EXTRA_FILE)
    _, first = wait_run(p, 0, "the first run of two files with --changed-only", FIRST_RUN_S)
    all_cases = normal_all.passed + normal_all.failed
    check(first.file(BASE).n == all_cases and first.file(EXTRA_BASE).n == 2 and
          (first.passed, first.failed) == (normal_all.passed + 2, normal_all.failed),
          f"first run of two files: expected {all_cases} + 2 test cases, "
          f"`{normal_all.passed + 2} passed, {normal_all.failed} failed`\n{p.dump()}")
    seen = len(p.stdout())
    write_in_place(s.path(EXTRA_FILE), replace_once(EXTRA_SOURCE, EXTRA_EDIT[0], EXTRA_EDIT[1]))
    _, rerun = wait_run(p, seen, f"the run after editing {EXTRA_FILE}", RERUN_S)
    f = rerun.file(EXTRA_BASE)
    check((f.kind, f.recompiled, f.n, f.failed, rerun.passed, rerun.failed) ==
          ("rerun", 1, 2, 0, 2, 0),
          f"--changed-only: expected `{EXTRA_BASE}: 1 test case recompiled, 2 run — all passed` "
          f"and `2 passed, 0 failed`\n{p.dump()}")
    check(BASE not in rerun.files and not rerun.cases,
          f"--changed-only: {BASE} did not change, its tests should not run\n{p.dump()}")

if __name__ == "__main__":
    Session.main(body)
