"""`hotcc test` on unmodified files of value-parameterized and typed GoogleTest tests reports what
the normal build reports, and reloads them with their files.

The ground truth is tests/e2e/test_project's geometry_gtest_params (GTest::gtest_main) run with its
default output. Its first file has TEST_P instantiated with Values, Range, Combine + Bool and
ValuesIn with a custom name generator, TYPED_TEST, TYPED_TEST_SUITE_P / REGISTER_ /
INSTANTIATE_TYPED_TEST_SUITE_P and a global environment; its second file instantiates the first
file's RegularPolygonTest again (a suite spread over two files, its fixture in a header) and
includes GoogleTest only through that header. Then:

1. `hotcc test -I include --link build/libgeometry.so <both files>`: the same tests by GoogleTest's
   names ("Few/RegularPolygonTest.IsConvex/2", "ShapeTest/1.Name", "Basic/DescribedShapeTest/0.
   Name", "Odd/RegularPolygonTest.IsConvex/1"), the same failures, each failed test pointing at
   its TEST_P / TYPED_TEST line, and the normal binary's exit code (so no crash at exit either).
2. `-- --gtest_filter=Few/*:ShapeTest/*` selects what it selects for the normal binary.
3. `--watch`, each save checked against the normal binary rebuilt from the same text:
   a. an edited TEST_P body runs its new version (its 8 instances, in both files' suites,
      recompiled);
   b. a removed INSTANTIATE_TEST_SUITE_P takes its tests away;
   c. a value added to Values(...) and a type added to an instantiated type list add tests;
   d. a value added to the second file's instantiation adds tests of the first file's TEST_Ps.
"""
import time

from hotcc_e2e import Session, check, write_in_place
from hotcc_test_helpers import (GTEST_PARAMS_FILE, GTEST_PARAMS_MORE_FILE, TestProject,
                                check_case_lines, compare, hotcc_run_outcome,
                                parse_hotcc_output, replace_once, wait_run, WATCHING_RE)

EXE = "geometry_gtest_params"
FILES = [GTEST_PARAMS_FILE, GTEST_PARAMS_MORE_FILE]
FIRST_RUN_S = 180.0  # a first run may build hotcc's GoogleTest adapter and parse gtest.h
RERUN_S = 90.0
BUDGET_S = 560.0

# The edits, by exact text of the fixture.
SQUARE_CHECK = "EXPECT_NE(GetParam(), 4)"
HEXAGON_CHECK = "EXPECT_NE(GetParam(), 6)"  # the failure moves from Few/...Purpose/1 to /2
MANY = "INSTANTIATE_TEST_SUITE_P(Many, RegularPolygonTest, ::testing::Range(10, 40, 10));"
FEW_VALUES = "::testing::Values(3, 4, 6)"
MORE_VALUES = "::testing::Values(3, 4, 6, 8)"
TYPES = "using RoundAndSquare = ::testing::Types<Circle, Rect>;"
MORE_TYPES = "using RoundAndSquare = ::testing::Types<Circle, Rect, Triangle>;"
ODD_VALUES = "::testing::Values(5, 7)"
MORE_ODD_VALUES = "::testing::Values(5, 7, 9)"
FILTER = "--gtest_filter=Few/*:ShapeTest/*"


def check_lines(run, proj):
    """Every failed test points at its TEST_P / TYPED_TEST line (all of them are in the first
    file: the second one only instantiates)."""
    check_case_lines(run, proj.source(GTEST_PARAMS_FILE), "gtest")


def check_against_normal(s, proj, link, gtest_args=(), what=""):
    """One `hotcc test` run without --watch against the normal binary with the same arguments."""
    normal, normal_rc = proj.run_gtest(*gtest_args, exe=EXE)
    r = s.run("test", *link, *FILES, *(["--", *gtest_args] if gtest_args else []),
              timeout=FIRST_RUN_S)
    run = parse_hotcc_output(r.stdout)
    compare(normal, hotcc_run_outcome(run), what, r.dump)
    check_lines(run, proj)
    want_rc = 1 if normal.failed else 0
    check(r.returncode == want_rc, f"{what}: hotcc test exited {r.returncode}, expected {want_rc}"
                                   f"\n{r.dump}")
    check(normal_rc == want_rc, f"the normal binary exited {normal_rc}")
    return normal, run


def save_and_compare(p, proj, path, text, what, recompiled=None):
    """Saves `text` to `path`, waits for hotcc's rerun and compares it with the normal binary
    rebuilt from the same sources; returns the normal outcome."""
    seen = len(p.stdout())
    write_in_place(path, text)
    _, rerun = wait_run(p, seen, f"the run after {what}", RERUN_S)
    proj.build(EXE)
    normal, _ = proj.run_gtest(exe=EXE)
    compare(normal, hotcc_run_outcome(rerun), f"--watch after {what}", p.dump())
    check_lines(rerun, proj)
    if recompiled is not None:
        got = sum(f.recompiled or 0 for f in rerun.files.values())
        check(got == recompiled, f"after {what}: expected {recompiled} test cases recompiled, "
                                 f"got {got}\n{p.dump()}")
    return normal


def body(s):
    s.deadline = time.monotonic() + BUDGET_S
    proj = TestProject(s.dir)
    proj.build("geometry", EXE)
    link = ["-I", "include", "--link", proj.lib]

    # 1. Everything, compared with the normal binary.
    normal, run = check_against_normal(s, proj, link, what="--link libgeometry.so")
    check(normal.passed + normal.failed == 43 and normal.failed == 5,
          f"the fixture has 43 tests, 5 failing; the normal binary says {normal}")
    names = {case[0] for case in run.cases}
    for expected in ("Few/RegularPolygonTest.SquareIsNotOnPurpose/1",
                     "Combined/ScaledRectTest.AreaScales/3", "Words/DescriptionTest.IsShort/hexagon",
                     "ShapeTest/0.AreaBelowOneOnPurpose"):
        check(expected in names, f"expected {expected} among hotcc's failed tests: {sorted(names)}")

    # 2. GoogleTest's filter over generated names.
    normal, _ = check_against_normal(s, proj, link, gtest_args=[FILTER], what=f"-- {FILTER}")
    check(normal.passed + normal.failed == 15, f"{FILTER} selects 9 + 6 tests: {normal}")

    # 3. Watch mode.
    path, more_path = s.path(GTEST_PARAMS_FILE), s.path(GTEST_PARAMS_MORE_FILE)
    original = path.read_text(encoding="utf-8")
    p = s.start("test", *link, "--watch", *FILES)
    wait_run(p, 0, "the first run's summary line", FIRST_RUN_S)
    p.wait_stderr(WATCHING_RE, "`hotcc: watching N files (Ctrl-C to stop)` on stderr")

    edited = replace_once(original, SQUARE_CHECK, HEXAGON_CHECK)
    normal = save_and_compare(p, proj, path, edited, "editing a TEST_P body", recompiled=8)
    check(("Few/RegularPolygonTest.SquareIsNotOnPurpose/2" in normal.failed_cases and
           "Few/RegularPolygonTest.SquareIsNotOnPurpose/1" not in normal.failed_cases),
          f"the edited check should fail for the hexagon only: {normal}")

    edited = replace_once(edited, MANY, "")
    normal = save_and_compare(p, proj, path, edited, "removing an instantiation")
    check(normal.passed + normal.failed == 34, f"9 tests fewer: {normal}")

    edited = replace_once(replace_once(edited, FEW_VALUES, MORE_VALUES), TYPES, MORE_TYPES)
    normal = save_and_compare(p, proj, path, edited, "adding a value and a type")
    check(normal.passed + normal.failed == 39, f"3 + 2 tests more: {normal}")

    more = replace_once(more_path.read_text(encoding="utf-8"), ODD_VALUES, MORE_ODD_VALUES)
    normal = save_and_compare(p, proj, more_path, more, "adding a value in the second file")
    check(normal.passed + normal.failed == 42, f"3 tests more: {normal}")
    check(p.alive(), "hotcc test --watch exited")


if __name__ == "__main__":
    Session.main(body)
