"""`hotcc test` on an unmodified GoogleTest file reports what the normal build reports.

The ground truth is tests/e2e/test_project's geometry_gtest (GTest::gtest + GTest::gtest_main from
Debian's libgtest-dev) run with its default output. Then:

1. `hotcc test -I include --link build/libgeometry.so tests/test_geometry_gtest.cpp`: the same
   passed/failed tests (named "Suite.Name"), the same failures — file, line and exactly the
   message lines gtest prints after `file:line: Failure` — and exit code 1. The DISABLED_ test
   does not run.
2. The same with `--source src/geometry.cpp`.
3. `-- --gtest_filter=PolygonTest.*` selects what it selects for the normal binary.
4. `--watch`: the failing EXPECT_EQ edited to pass is the one test recompiled and one failure
   fewer (checked against a rebuild of the normal binary); a syntax error prints clang's
   diagnostics and "compile failed; previous results stand"; the fix runs again.

hotcc prints a GoogleTest failure as
    FAILED: "RectTest.SquareAreaFailsOnPurpose" (tests/test_geometry_gtest.cpp:85)
      tests/test_geometry_gtest.cpp:87: Failure
        Expected equality of these values:        <- gtest's lines, each indented by 6 spaces
          area(sq)
            Which is: 4
          5
"""
import re
import time

from hotcc_e2e import Session, check, write_in_place
from hotcc_test_helpers import (GTEST_FILE, TestProject, check_case_lines, compare,
                                compile_failed_line, hotcc_outcome, line_of, parse_hotcc_output,
                                replace_once, wait_run, WATCHING_RE)

BASE = "test_geometry_gtest.cpp"
FIRST_RUN_S = 180.0  # a first run may build hotcc's GoogleTest adapter and parse gtest.h
RERUN_S = 90.0
BUDGET_S = 560.0     # CMake builds + four hotcc processes (ctest allows 600 s for test_test_*)

# The edits, by exact text of the fixture (same line count, so no other test moves).
SQUARE_FAILING = "EXPECT_EQ(area(sq), 5);"
SQUARE_PASSING = "EXPECT_EQ(area(sq), 4);"
SQUARE_BROKEN = "EXPECT_EQ(area(sq), 4;"        # unbalanced parenthesis: a compile error
SQUARE_FIXED = "EXPECT_EQ(area(sq), 2 * 2);"    # new text (a real recompile), same types
FILTER = "--gtest_filter=PolygonTest.*"


def run_hotcc(s, *args, timeout=FIRST_RUN_S):
    r = s.run("test", *args, timeout=timeout)
    check(r.returncode in (0, 1), f"hotcc test exited {r.returncode}\n{r.dump}")
    return parse_hotcc_output(r.stdout), r


def check_against_normal(s, proj, hotcc_args, gtest_args=(), what=""):
    """One `hotcc test` run without --watch against the normal binary with the same arguments."""
    normal, normal_rc = proj.run_gtest(*gtest_args)
    run, r = run_hotcc(s, *hotcc_args, GTEST_FILE, *(["--", *gtest_args] if gtest_args else []))
    compare(normal, hotcc_outcome(run, BASE), what, r.dump)
    check_case_lines(run, proj.source(GTEST_FILE), "gtest")
    want_rc = 1 if normal.failed else 0
    check(r.returncode == want_rc, f"{what}: hotcc test exited {r.returncode}, expected {want_rc}"
                                   f"\n{r.dump}")
    check(normal_rc == want_rc, f"the normal binary exited {normal_rc}")
    return run, r


def body(s):
    s.deadline = time.monotonic() + BUDGET_S
    proj = TestProject(s.dir)
    proj.build("geometry", "geometry_gtest")
    link = ["-I", "include", "--link", proj.lib]
    source = ["-I", "include", "--source", "src/geometry.cpp"]

    # 1. --link: everything, compared with the normal binary.
    run, r = check_against_normal(s, proj, link, what="--link libgeometry.so")
    check(run.failed == 2, f"the fixture has 2 failing tests, hotcc says {run.failed}")
    square_line = line_of(proj.source(GTEST_FILE), SQUARE_FAILING)
    check(re.search(r"^    \S*test_geometry_gtest\.cpp:%d: Failure\n"
                    r"      Expected equality of these values:\n"
                    r"        area\(sq\)\n"
                    r"          Which is: 4\n"
                    r"        5$" % square_line, r.stdout, re.M),
          f"expected gtest's message for line {square_line} indented by 6 spaces\n{r.dump}")

    # 2. --source: the library compiled by hotcc as well.
    check_against_normal(s, proj, source, what="--source src/geometry.cpp")

    # 3. gtest's own flags after `--`.
    run, _ = check_against_normal(s, proj, link, gtest_args=[FILTER], what=f"-- {FILTER}")
    check(run.passed + run.failed == 4, f"{FILTER} selects the 4 PolygonTest tests")

    # 4. Watch mode.
    path = s.path(GTEST_FILE)
    original = path.read_text(encoding="utf-8")
    p = s.start("test", *link, "--watch", GTEST_FILE)
    _, first = wait_run(p, 0, "the first run's summary line", FIRST_RUN_S)
    normal, _ = proj.run_gtest()
    compare(normal, hotcc_outcome(first, BASE), "--watch, first run", p.dump())
    p.wait_stderr(WATCHING_RE, "`hotcc: watching N files (Ctrl-C to stop)` on stderr")

    # 4a. Make the failing square test pass: one test recompiled, all run, one failure fewer.
    passing = replace_once(original, SQUARE_FAILING, SQUARE_PASSING)
    seen = len(p.stdout())
    write_in_place(path, passing)
    _, rerun = wait_run(p, seen, "the run after fixing the square test", RERUN_S)
    check(rerun.file(BASE).recompiled == 1,
          f"expected `1 test case recompiled`\n{p.dump()}")
    proj.build("geometry_gtest")
    normal, _ = proj.run_gtest()
    check(normal.failed == 1, "the normal build should now have one failing test")
    compare(normal, hotcc_outcome(rerun, BASE, rerun=True), "--watch after the fix", p.dump())
    check_case_lines(rerun, passing, "gtest")

    # 4b. A syntax error: clang's diagnostics, previous results stand, hotcc keeps watching.
    broken = replace_once(passing, SQUARE_PASSING, SQUARE_BROKEN)
    bad_line = line_of(broken, SQUARE_BROKEN)
    seen_out, seen_err = len(p.stdout()), len(p.stderr())
    write_in_place(path, broken)
    failed_line = compile_failed_line(BASE)
    p.wait_for(lambda: failed_line in p.stdout()[seen_out:] + p.stderr()[seen_err:],
               f"`{failed_line}`", timeout=RERUN_S)
    diag = re.compile(r"test_geometry_gtest\.cpp:%d:\d+: error: " % bad_line)
    printed = p.stdout()[seen_out:] + p.stderr()[seen_err:]
    check(any(diag.search(l) for l in printed),
          f"expected clang's diagnostic `test_geometry_gtest.cpp:{bad_line}:COL: error:`\n"
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


if __name__ == "__main__":
    Session.main(body)
