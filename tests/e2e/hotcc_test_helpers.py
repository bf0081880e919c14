"""Helpers for the `hotcc test` end-to-end tests (test_test_*.py); python3 stdlib only.

The tests check `hotcc test` against the ground truth: the same unmodified test files built the
normal way (CMake + Ninja + clang++-22, Catch2's own main, GoogleTest's gtest_main) and run as
ordinary executables. So this module has three parts:

- TestProject: copies tests/e2e/test_project into the session's temp dir, builds it with CMake and
  runs the normal binaries (incremental rebuilds reuse one build dir under the temp dir).
- Parsers for what the normal binaries print (Catch2 `-r compact` for failure messages and
  `-r xml` for counts, test names and which failure belongs to which test; GoogleTest's default
  output) and for what `hotcc test` prints (the contract in each test's docstring).
- Outcome + compare(): both sides reduced to the same normal form, so a test asserts one thing:
  "hotcc reports exactly what the normal build reports".

Normal form of a failure: (file basename, line, message), where message is
  Catch2:     ("expr", expression, expansion or None)   e.g. ("expr", "area(sq) == 5", "4.0 == 5")
  GoogleTest: ("gtest", line1, line2, ...)               the text gtest prints after `: Failure`
Paths are compared by basename: hotcc may print them as given on its command line, the normal
build prints CMake's absolute paths.
"""
import json
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from hotcc_e2e import TestFailure, check

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "test_project"
CATCH_FILE = "tests/test_geometry_catch.cpp"
GTEST_FILE = "tests/test_geometry_gtest.cpp"
GTEST_PARAMS_FILE = "tests/test_geometry_gtest_params.cpp"
GTEST_PARAMS_MORE_FILE = "tests/test_geometry_gtest_params_more.cpp"
CXX = os.environ.get("HOTCC_TEST_CXX", "clang++-22")

BUILD_TIMEOUT_S = 240.0  # a cold build of the project (Catch2's main is the slow part)
RUN_TIMEOUT_S = 60.0     # a normal test binary; they finish in milliseconds

# --- what `hotcc test` prints ---------------------------------------------------------------------

_N = r"(?P<n>\d+) test cases?"
_TIME = r"\((?P<ms>[\d.]+) ms(?P<first>, first run)?\)"
# `<basename>: N test cases, A assertions — all passed (T ms, first run)`; hotcc may leave out
# the assertion count when the framework does not count assertions (GoogleTest).
FILE_PASSED_RE = re.compile(r"^(?P<file>\S+): " + _N + r"(?:, (?P<assertions>\d+) assertions?)? "
                            r"\u2014 all passed " + _TIME + "$")
# `<basename>: N test cases — F failed (T ms, first run)`
FILE_FAILED_RE = re.compile(r"^(?P<file>\S+): " + _N + r"(?:, (?P<assertions>\d+) assertions?)? "
                            r"\u2014 (?P<failed>\d+) failed " + _TIME + "$")
# watch mode after an edit: `<basename>: K test cases recompiled, N run — all passed (T ms)` or
# `... — F failed (T ms)`; "1 test case recompiled" is accepted too.
FILE_RERUN_RE = re.compile(r"^(?P<file>\S+): (?P<recompiled>\d+) test cases? recompiled, "
                           r"(?P<n>\d+) run(?:, (?P<assertions>\d+) assertions?)? \u2014 "
                           r"(?:all passed|(?P<failed>\d+) failed) " + _TIME + "$")
SUMMARY_RE = re.compile(r"^(?P<passed>\d+) passed, (?P<failed>\d+) failed$")
CASE_RE = re.compile(r'^  FAILED: "(?P<name>.*)" \((?P<file>.+):(?P<line>\d+)\)$')
FAILURE_RE = re.compile(r"^    (?P<file>[^ ].*?):(?P<line>\d+): (?P<text>.*)$")
CONTINUATION = " " * 6
WATCHING_RE = re.compile(r"^hotcc: watching (?P<n>\d+) files? \(Ctrl-C to stop\)$")


def compile_failed_line(basename):
    return f"hotcc: {basename}: compile failed; previous results stand"


class FileLine:
    """One per-file result line of a `hotcc test` run."""

    def __init__(self, m, kind):
        m = m.groupdict()  # not every pattern has every group
        self.file = m["file"]
        self.kind = kind                      # "first" or "rerun"
        self.n = int(m["n"])                  # test cases run
        self.failed = int(m.get("failed") or 0)
        self.assertions = None if m["assertions"] is None else int(m["assertions"])
        self.recompiled = int(m["recompiled"]) if kind == "rerun" else None
        self.first_run = bool(m["first"])
        self.ms = float(m["ms"])

    def __repr__(self):
        return f"FileLine({self.__dict__})"


class HotccRun:
    """One block of `hotcc test` output: per-file lines, failed test cases, the summary line."""

    def __init__(self, lines):
        self.lines = lines
        self.files = {}       # basename -> FileLine
        self.cases = []       # [(name, file basename, line, [failure, ...])]
        self.passed = self.failed = None
        case = None
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            m = FILE_PASSED_RE.match(line) or FILE_FAILED_RE.match(line)
            if m:
                self.files[m["file"]] = FileLine(m, "first")
                continue
            m = FILE_RERUN_RE.match(line)
            if m:
                self.files[m["file"]] = FileLine(m, "rerun")
                continue
            m = SUMMARY_RE.match(line)
            if m:
                self.passed, self.failed = int(m["passed"]), int(m["failed"])
                continue
            m = CASE_RE.match(line)
            if m:
                case = (m["name"], os.path.basename(m["file"]), int(m["line"]), [])
                self.cases.append(case)
                continue
            m = FAILURE_RE.match(line)
            if m and case is not None:
                text = [m["text"]]
                # Continuation lines (GoogleTest's message, a Catch2 text spanning lines) are
                # indented by 6 spaces.
                while i < len(lines) and lines[i].startswith(CONTINUATION):
                    text.append(lines[i][len(CONTINUATION):])
                    i += 1
                case[3].append(normal_hotcc_failure(os.path.basename(m["file"]),
                                                    int(m["line"]), text))
                continue
            # Anything else (what tests print, diagnostics) ends the current failure list.
            case = None

    def file(self, basename):
        check(basename in self.files,
              f"no per-file result line for {basename} in hotcc's output:\n" +
              "\n".join(self.lines))
        return self.files[basename]


def hotcc_runs(stdout_lines, start=0):
    """Split stdout (from line `start` on) into runs; each run ends with its summary line.
    Returns [(index of the summary line, HotccRun)]."""
    runs, begin = [], start
    for i in range(start, len(stdout_lines)):
        if SUMMARY_RE.match(stdout_lines[i]):
            runs.append((i, HotccRun(stdout_lines[begin:i + 1])))
            begin = i + 1
    return runs


def parse_hotcc_output(stdout):
    """The single run of a `hotcc test` without --watch."""
    runs = hotcc_runs(stdout.splitlines())
    check(len(runs) == 1, f"expected exactly one summary line `N passed, M failed`, found "
                          f"{len(runs)}:\n{stdout}")
    return runs[0][1]


def wait_run(proc, start, what, timeout):
    """Wait for the first complete run whose lines all come after stdout line `start` of a
    `hotcc test --watch` process; returns (index of its summary line, HotccRun)."""
    def find():
        runs = hotcc_runs(proc.stdout(), start)
        return runs[0] if runs else None
    return proc.wait_for(find, what, timeout=timeout)


# --- what `hotcc test --json` prints: one JSON object per line, {"schema": 1, "event": ...} -------

def json_events(stdout_lines, dump=""):
    """Every stdout line of `hotcc test --json` as its event; each must be one schema-1 object."""
    events = []
    for line in stdout_lines:
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            raise TestFailure(f"stdout line is not JSON: {line!r}\n{dump}")
        check(isinstance(event, dict) and event.get("schema") == 1 and "event" in event,
              f"not a schema-1 event: {line!r}\n{dump}")
        events.append(event)
    return events


def events_named(events, name):
    return [e for e in events if e["event"] == name]


def wait_json_run(proc, start, what, timeout):
    """Wait for a "test-run" event after stdout line `start` of `hotcc test --json --watch`;
    returns (index of that line, the events from `start` through it)."""
    def find():
        lines = proc.stdout()
        for i in range(start, len(lines)):
            if '"event":"test-run"' in lines[i]:
                return i, json_events(lines[start:i + 1], proc.dump())
        return None
    return proc.wait_for(find, what, timeout=timeout)


CATCH_HOTCC_RE = re.compile(r"^FAILED: (?P<macro>[A-Z_]+)\( (?P<expr>.*) \)"
                            r"(?: with expansion: (?P<expansion>.*))?$", re.S)


def normal_hotcc_failure(base, line, text):
    first = text[0]
    if first == "Failure":  # GoogleTest: `file:line: Failure` + message lines
        return (base, line, ("gtest", *text[1:]))
    m = CATCH_HOTCC_RE.match("\n".join(text))
    if m:
        expr = m["expr"]
        if m["macro"].endswith("_FALSE"):  # Catch2 prints CHECK_FALSE( x ) as !(x) elsewhere
            expr = f"!({expr})"
        return (base, line, ("expr", expr, m["expansion"]))
    return (base, line, ("other", "\n".join(text)))


# --- what the normal binaries print -----------------------------------------------------------------

CATCH_COMPACT_RE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): failed: (?P<rest>.*)$")


def parse_catch_compact(stdout):
    """Failures from `-r compact`: `file:line: failed: EXPR for: EXPANSION`, as normal failures.
    Failures the fixture does not produce (exceptions, messages) are kept as ("other", text) so a
    comparison shows them instead of silently dropping them."""
    failures = []
    for line in stdout.splitlines():
        m = CATCH_COMPACT_RE.match(line)
        if not m:
            continue
        rest = m["rest"]
        base, num = os.path.basename(m["file"]), int(m["line"])
        if rest.startswith("unexpected exception") or re.search(r" with \d+ messages?: ", rest):
            failures.append((base, num, ("other", rest)))
        elif " for: " in rest:
            expr, expansion = rest.split(" for: ", 1)
            failures.append((base, num, ("expr", expr, expansion)))
        else:
            failures.append((base, num, ("expr", rest, None)))
    return failures


def parse_catch_xml(stdout):
    """From `-r xml`: {test name: (file basename, line, passed, [failed expression lines])} and
    the total number of assertions."""
    root = ET.fromstring(stdout)
    cases = {}
    for tc in root.iter("TestCase"):
        failed_lines = sorted(int(e.get("line")) for e in tc.iter("Expression")
                              if e.get("success") == "false")
        ok = tc.find("OverallResult").get("success") == "true"
        cases[tc.get("name")] = (os.path.basename(tc.get("filename")), int(tc.get("line")), ok,
                                 failed_lines)
    totals = root.find("OverallResults")
    assertions = int(totals.get("successes")) + int(totals.get("failures"))
    return cases, assertions


GTEST_RUN_RE = re.compile(r"^\[ RUN      \] (?P<name>\S+)$")
# A parameterized test's line names its parameter: `[  FAILED  ] Few/Suite.Name/1, where
# GetParam() = 4 (0 ms)`, `[       OK ] Suite/0.Name, where TypeParam = int (0 ms)`.
GTEST_END_RE = re.compile(r"^\[ +(?:OK|FAILED|SKIPPED) +\] (?P<name>[^ ,]+)(?:, where .*)? "
                          r"\(\d+ ms\)$")
GTEST_FAILURE_RE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): Failure$")


def parse_gtest(stdout):
    """GoogleTest's default output: {test name: (passed, [failures])}, in the order run. A
    failure's message is every line after `file:line: Failure` up to the next failure or the
    test's `[  FAILED  ]` line (tests in the fixture print nothing themselves)."""
    cases, current, failure = {}, None, None
    for line in stdout.splitlines():
        m = GTEST_RUN_RE.match(line)
        if m:
            current, failure = m["name"], None
            cases[current] = [True, []]
            continue
        if current is None:
            continue
        m = GTEST_END_RE.match(line)
        if m and m["name"] == current:
            cases[current][0] = "[       OK ]" in line
            current = failure = None
            continue
        m = GTEST_FAILURE_RE.match(line)
        if m:
            failure = [os.path.basename(m["file"]), int(m["line"]), ["gtest"]]
            cases[current][1].append(failure)
            continue
        if failure is not None:
            failure[2].append(line)
    return {name: (ok, [(f[0], f[1], tuple(f[2])) for f in fs])
            for name, (ok, fs) in cases.items()}


# --- both sides in one normal form ----------------------------------------------------------------

class Outcome:
    """What one run of one test file reported, in a form both sides can be reduced to."""

    def __init__(self, passed, failed, failures, failed_cases, assertions=None):
        self.passed = passed                  # test cases
        self.failed = failed
        self.failures = sorted(failures)      # [(basename, line, message)]
        self.failed_cases = failed_cases      # {name: sorted failure lines}
        self.assertions = assertions          # None: not compared

    def __repr__(self):
        return (f"passed={self.passed} failed={self.failed} assertions={self.assertions}\n"
                f"  failed cases: {self.failed_cases}\n"
                "  failures:\n" + "".join(f"    {f}\n" for f in self.failures))


def catch_outcome(compact_stdout, xml_stdout):
    cases, assertions = parse_catch_xml(xml_stdout)
    passed = sum(1 for c in cases.values() if c[2])
    failed_cases = {name: c[3] for name, c in cases.items() if not c[2]}
    return Outcome(passed, len(cases) - passed, parse_catch_compact(compact_stdout), failed_cases,
                   assertions)


def gtest_outcome(stdout):
    cases = parse_gtest(stdout)
    failures = [f for ok, fs in cases.values() for f in fs]
    failed_cases = {name: sorted(f[1] for f in fs) for name, (ok, fs) in cases.items() if not ok}
    passed = sum(1 for ok, _ in cases.values() if ok)
    # Cross-check the parse with gtest's own totals.
    m = re.search(r"^\[==========\] (\d+) tests? from \d+ test suites? ran\.", stdout, re.M)
    check(m and int(m.group(1)) == len(cases),
          f"could not parse GoogleTest's output consistently:\n{stdout}")
    return Outcome(passed, len(cases) - passed, failures, failed_cases)


def hotcc_outcome(run, basename, rerun=False):
    """The outcome of `basename` in one hotcc run (the only file of the run)."""
    f = run.file(basename)
    check(f.kind == ("rerun" if rerun else "first"),
          f"expected a {'`recompiled`' if rerun else '`first run`'} line for {basename}, got:\n" +
          "\n".join(run.lines))
    check(rerun or f.first_run, f"the first run's line should say `first run`: {f}")
    check(run.passed is not None, "no summary line")
    check(run.passed + run.failed == f.n and run.failed == f.failed,
          f"summary `{run.passed} passed, {run.failed} failed` disagrees with the per-file line "
          f"({f.n} test cases, {f.failed} failed)")
    check(len(run.cases) == run.failed,
          f"{run.failed} failed test cases but {len(run.cases)} `FAILED: \"name\"` blocks:\n" +
          "\n".join(run.lines))
    failures = [x for case in run.cases for x in case[3]]
    failed_cases = {name: sorted(x[1] for x in fs) for name, _, _, fs in run.cases}
    return Outcome(run.passed, run.failed, failures, failed_cases,
                   f.assertions if f.failed == 0 else None)


def hotcc_run_outcome(run):
    """The outcome of a whole `hotcc test` run, over all its files (assertions not compared)."""
    check(run.passed is not None, "no summary line:\n" + "\n".join(run.lines))
    ran = sum(f.n for f in run.files.values())
    check(run.passed + run.failed == ran,
          f"summary `{run.passed} passed, {run.failed} failed` disagrees with the per-file lines "
          f"({ran} test cases):\n" + "\n".join(run.lines))
    check(len(run.cases) == run.failed,
          f"{run.failed} failed test cases but {len(run.cases)} `FAILED: \"name\"` blocks:\n" +
          "\n".join(run.lines))
    failures = [x for case in run.cases for x in case[3]]
    failed_cases = {name: sorted(x[1] for x in fs) for name, _, _, fs in run.cases}
    return Outcome(run.passed, run.failed, failures, failed_cases)


def compare(normal, hotcc, what, dump=""):
    """hotcc must report what the normal build reports: counts, failed test cases (by name, with
    the lines of their failures) and every failure's (file, line, message)."""
    problems = []
    if (normal.passed, normal.failed) != (hotcc.passed, hotcc.failed):
        problems.append(f"test cases: normal {normal.passed} passed, {normal.failed} failed; "
                        f"hotcc {hotcc.passed} passed, {hotcc.failed} failed")
    if normal.failed_cases != hotcc.failed_cases:
        problems.append(f"failed test cases (name -> failure lines): normal "
                        f"{normal.failed_cases}; hotcc {hotcc.failed_cases}")
    if normal.failures != hotcc.failures:
        only_n = [f for f in normal.failures if f not in hotcc.failures]
        only_h = [f for f in hotcc.failures if f not in normal.failures]
        problems.append("failures differ:\n  only in the normal run:\n" +
                        "".join(f"    {f}\n" for f in only_n) + "  only in hotcc's:\n" +
                        "".join(f"    {f}\n" for f in only_h))
    if (normal.assertions is not None and hotcc.assertions is not None and
            normal.assertions != hotcc.assertions):
        problems.append(f"assertions: normal {normal.assertions}, hotcc {hotcc.assertions}")
    check(not problems, f"{what}: hotcc's report differs from the normal build's:\n" +
          "\n".join(problems) + f"\nnormal: {normal}\nhotcc: {hotcc}\n{dump}")


CATCH_CASE_RE = re.compile(r'^TEST_CASE(?:_METHOD)?\((?:\w+, )?"((?:[^"\\]|\\.)*)"')
GTEST_CASE_RE = re.compile(r"^(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\((\w+), (\w+)\)")


def registered_tests(source, framework):
    """{test name: 1-based line of its TEST_CASE / TEST / TEST_F} in a test file's source; the
    GoogleTest name is "Suite.Name", as gtest prints it."""
    tests = {}
    for i, line in enumerate(source.splitlines(), 1):
        if framework == "catch":
            m = CATCH_CASE_RE.match(line)
            if m:
                tests[m.group(1).replace('\\"', '"')] = i
        else:
            m = GTEST_CASE_RE.match(line)
            if m:
                tests[f"{m.group(1)}.{m.group(2)}"] = i
    return tests


def gtest_base_name(name):
    """The TEST_P / TYPED_TEST(_P) a generated GoogleTest name comes from, as "Suite.Name":
    "Few/Suite.Name/1" (value-parameterized), "Suite/0.Name" (typed), "Basic/Suite/0.Name"
    (type-parameterized) give "Suite.Name"; a plain "Suite.Name" stays."""
    suite, name = name.split(".", 1)
    suite = [part for part in suite.split("/") if not part.isdigit()][-1]
    return f"{suite}.{name.split('/', 1)[0]}"


def check_case_lines(run, source, framework):
    """Every `FAILED: "name" (file:line)` names a test of the file and the line registering it
    (for a parameterized GoogleTest test, its TEST_P, TYPED_TEST or TYPED_TEST_P)."""
    tests = registered_tests(source, framework)
    for name, _, line, _ in run.cases:
        if framework != "catch":
            name = gtest_base_name(name)
        check(name in tests, f'FAILED: "{name}" is not a test name of the file '
                             f"(expected one of {sorted(tests)})")
        check(line == tests[name],
              f'FAILED: "{name}" points at line {line}; the test is on line {tests[name]}')


def replace_once(text, old, new):
    """`text` with the one occurrence of `old` replaced; fails the test if the fixture changed."""
    check(text.count(old) == 1, f"the fixture should contain {old!r} exactly once")
    return text.replace(old, new)


def line_of(text, needle):
    """1-based line number of the one line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    check(len(hits) == 1, f"expected one line containing {needle!r}, found {len(hits)}")
    return hits[0]


# --- the project, built the normal way ------------------------------------------------------------

class TestProject:
    """tests/e2e/test_project copied into `root` (include/, src/, tests/ directly under it, so
    hotcc runs there with relative paths), built with CMake into root/build."""

    def __init__(self, root):
        self.root = Path(root)
        for entry in PROJECT.iterdir():
            dest = self.root / entry.name
            if entry.is_dir():
                shutil.copytree(entry, dest)
            else:
                shutil.copy2(entry, dest)
        self.build_dir = self.root / "build"
        self.lib = self.build_dir / "libgeometry.so"
        self.configured = False

    def source(self, rel):
        return (self.root / rel).read_text(encoding="utf-8")

    def _cmd(self, cmd, timeout, what):
        started = time.monotonic()
        try:
            r = subprocess.run(cmd, cwd=self.root, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure(f"{what} did not finish within {timeout} s: {' '.join(cmd)}")
        r.stdout = r.stdout.decode("utf-8", "replace")
        r.stderr = r.stderr.decode("utf-8", "replace")
        r.elapsed = time.monotonic() - started
        return r

    def build(self, *targets):
        """Configure once, then build `targets` (incrementally after an edit)."""
        if not self.configured:
            r = self._cmd(["cmake", "-S", str(self.root), "-B", str(self.build_dir), "-G", "Ninja",
                           f"-DCMAKE_CXX_COMPILER={CXX}"], BUILD_TIMEOUT_S, "cmake (configure)")
            check(r.returncode == 0, f"configuring the test project failed:\n{r.stdout}\n{r.stderr}")
            self.configured = True
        r = self._cmd(["cmake", "--build", str(self.build_dir), "--target", *targets],
                      BUILD_TIMEOUT_S, "cmake --build")
        check(r.returncode == 0, f"building the test project failed:\n{r.stdout}\n{r.stderr}")

    def run_catch(self, *args):
        """geometry_catch ARGS with `-r compact` (failure messages) and `-r xml` (counts, names):
        returns (Outcome, exit status of the compact run)."""
        exe = str(self.build_dir / "geometry_catch")
        compact = self._cmd([exe, *args, "-r", "compact"], RUN_TIMEOUT_S, "geometry_catch")
        xml = self._cmd([exe, *args, "-r", "xml"], RUN_TIMEOUT_S, "geometry_catch -r xml")
        try:
            outcome = catch_outcome(compact.stdout, xml.stdout)
        except ET.ParseError as e:
            raise TestFailure(f"geometry_catch -r xml printed no valid XML ({e}):\n{xml.stdout}")
        return outcome, compact.returncode

    def run_gtest(self, *args, exe="geometry_gtest"):
        """`exe` (geometry_gtest, geometry_gtest_params) ARGS, default output: returns (Outcome,
        exit status)."""
        r = self._cmd([str(self.build_dir / exe), *args], RUN_TIMEOUT_S, exe)
        return gtest_outcome(r.stdout), r.returncode
