"""tl::expected's own Catch2 test suite (a real project nobody here wrote) under `hotcc test`
reports what its normal build reports.

The corpus is read from <repo>/../shared/corpus/tl-expected and never written to (CI lays it out
read-only): everything is built in the session's temp dir.

The normal build is what the corpus's CMakeLists.txt builds, the way it builds it: every
tests/*.cpp but tests/test.cpp, in CMake's (sorted) order, compiled with CMAKE_CXX_STANDARD 14
(CMake passes -std=gnu++14, extensions being on by default), -Wall -Wextra and the include/
directory, linked into one executable; tests/main.cpp provides Catch's main. The CMakeLists fetches
Catch2 v2.13.10 with FetchContent; offline, a user provides that same version, Debian's
catch2 package, whose catch2/catch.hpp is on the compiler's default include path (checked below).

Then, for two language standards:
1. CMake's (-std=gnu++14): the normal build against `hotcc test -std=gnu++14 -I <corpus>/include
   <the same files>`.
2. The compiler's default (no -std): the normal build without CMake's -std against the plain
   `hotcc test -I <corpus>/include <the same files>`. The test files differ between the two
   (tests/issues.cpp has a test case only C++17 compiles), so the counts differ too.
Each time: the same test cases per file (tests/main.cpp defines none), the same passed and
failed ones, the same failures, the same number of assertions, and hotcc exits like the normal
binary (0: so also without crashing at exit).
"""
import collections
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

from hotcc_e2e import REPO, Session, TestFailure, check
from hotcc_test_helpers import CXX, Outcome, catch_outcome, compare, parse_hotcc_output

CORPUS = REPO.parent / "shared" / "corpus" / "tl-expected"
CATCH_HEADER = "/usr/include/catch2/catch.hpp"
BUDGET_S = 560.0
COMPILE_TIMEOUT_S = 240.0
HOTCC_TIMEOUT_S = 240.0  # a first run may build hotcc's Catch2 library for a new -std

# What the corpus's CMakeLists.txt says about its tests; checked, so a changed corpus fails here
# instead of being built differently without anyone noticing.
CMAKE_FACTS = {
    "standard": r"set\(CMAKE_CXX_STANDARD 14\)",
    "sources": r"file\(GLOB test-sources CONFIGURE_DEPENDS tests/\*\.cpp\)",
    "excluded": r'list\(FILTER test-sources EXCLUDE REGEX "tests/test\.cpp"\)',
    "warnings": r"-Wall -Wextra",
    "catch": r"Catch2/archive/v2\.13\.10\.zip",
}
CMAKE_FLAGS = ["-std=gnu++14", "-Wall", "-Wextra"]


def check_corpus():
    check(CORPUS.is_dir(), f"the corpus is missing: {CORPUS} (see shared/corpus/README.md)")
    cmake = (CORPUS / "CMakeLists.txt").read_text(encoding="utf-8")
    for what, pattern in CMAKE_FACTS.items():
        check(re.search(pattern, cmake), f"{CORPUS}/CMakeLists.txt no longer matches {pattern!r} "
                                         f"({what}): update this test's normal build")
    header = open(CATCH_HEADER, encoding="utf-8").read()
    version = tuple(int(re.search(r"#define CATCH_VERSION_%s (\d+)" % part, header).group(1))
                    for part in ("MAJOR", "MINOR", "PATCH"))
    check(version == (2, 13, 10), f"{CATCH_HEADER} is Catch2 {version}; the corpus pins 2.13.10")


def test_files():
    """CMake's list: the glob, sorted, without tests/test.cpp."""
    return [p for p in sorted((CORPUS / "tests").glob("*.cpp")) if p.name != "test.cpp"]


def run(cmd, cwd, timeout, what):
    try:
        r = subprocess.run([str(c) for c in cmd], cwd=cwd, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TestFailure(f"{what} did not finish within {timeout} s")
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r


def normal_build(build_dir, flags):
    """Compiles and links the test files the way the CMakeLists does; returns the executable."""
    build_dir.mkdir()
    objects = [build_dir / (f.stem + ".o") for f in test_files()]

    def compile_one(pair):
        source, obj = pair
        r = run([CXX, *flags, "-I", CORPUS / "include", "-c", source, "-o", obj], build_dir,
                COMPILE_TIMEOUT_S, f"compiling {source.name}")
        check(r.returncode == 0, f"the normal build failed on {source.name}:\n{r.stderr}")

    with ThreadPoolExecutor(max_workers=2) as pool:  # the machine has 2 cores
        list(pool.map(compile_one, zip(test_files(), objects)))
    exe = build_dir / "tl-expected-tests"
    r = run([CXX, *objects, "-o", exe], build_dir, COMPILE_TIMEOUT_S, "linking")
    check(r.returncode == 0, f"linking the normal build failed:\n{r.stderr}")
    return exe


def run_normal(exe):
    """The normal binary's outcome, its test cases per file and its exit status."""
    compact = run([exe, "-r", "compact"], exe.parent, 60, "the normal binary")
    xml = run([exe, "-r", "xml"], exe.parent, 60, "the normal binary (-r xml)")
    try:
        root = ET.fromstring(xml.stdout)
    except ET.ParseError as e:
        raise TestFailure(f"the normal binary printed no valid XML ({e}):\n{xml.stdout}")
    per_file = collections.Counter(tc.get("filename").rsplit("/", 1)[-1]
                                   for tc in root.iter("TestCase"))
    return catch_outcome(compact.stdout, xml.stdout), per_file, compact.returncode


def run_hotcc(s, flags):
    """`hotcc test FLAGS -I <corpus>/include <files>`: its outcome, test cases per file and exit
    status."""
    r = s.run("test", *flags, "-I", CORPUS / "include", *test_files(), timeout=HOTCC_TIMEOUT_S)
    hotcc = parse_hotcc_output(r.stdout)
    check(hotcc.passed is not None, f"no summary line\n{r.dump}")
    per_file = collections.Counter({name: line.n for name, line in hotcc.files.items()
                                    if line.n})
    check("main.cpp: defines no test cases" in r.stdout.splitlines(),
          f"expected `main.cpp: defines no test cases` (it only provides Catch's main)\n{r.dump}")
    failures = [f for case in hotcc.cases for f in case[3]]
    failed_cases = {name: sorted(f[1] for f in fs) for name, _, _, fs in hotcc.cases}
    assertions = None
    if hotcc.failed == 0:
        assertions = sum(line.assertions or 0 for line in hotcc.files.values())
    outcome = Outcome(hotcc.passed, hotcc.failed, failures, failed_cases, assertions)
    return outcome, per_file, r


def compare_standard(s, name, normal_flags, hotcc_flags):
    exe = normal_build(s.path(f"build-{name}"), normal_flags)
    normal, normal_files, normal_rc = run_normal(exe)
    check(normal.passed + normal.failed > 0, f"{name}: the normal binary ran no test case")
    hotcc, hotcc_files, r = run_hotcc(s, hotcc_flags)
    what = f"{name} (normal: {' '.join(normal_flags)}; hotcc test {' '.join(hotcc_flags)})"
    check(normal_files == hotcc_files,
          f"{what}: test cases per file differ:\n  normal {dict(sorted(normal_files.items()))}\n"
          f"  hotcc  {dict(sorted(hotcc_files.items()))}\n{r.dump}")
    compare(normal, hotcc, what, r.dump)
    check(hotcc.assertions == normal.assertions,
          f"{what}: assertions: normal {normal.assertions}, hotcc {hotcc.assertions}\n{r.dump}")
    check(r.returncode == normal_rc,
          f"{what}: hotcc test exited {r.returncode}, the normal binary {normal_rc}\n{r.dump}")
    return normal


def body(s):
    s.deadline = time.monotonic() + BUDGET_S
    check_corpus()
    cmake = compare_standard(s, "CMake's standard", CMAKE_FLAGS, ["-std=gnu++14"])
    default = compare_standard(s, "the compiler's default standard",
                               [f for f in CMAKE_FLAGS if not f.startswith("-std=")], [])
    # Not vacuous: the standards do compile different test files.
    check(cmake.passed + cmake.failed != default.passed + default.failed,
          "expected tests/issues.cpp's C++17-only test case to make the two standards differ")


if __name__ == "__main__":
    Session.main(body)
