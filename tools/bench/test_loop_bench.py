"""The edit-test loop: `hotcc test --watch` against rebuild-and-rerun, on the same edits.

What a developer waits for after saving a test file is the result. Two ways to get it:

  anchor  `cmake --build` (Ninja, clang++-22, the project's normal Debug build) recompiles the test
          file and relinks the test binary, then the binary runs to exit. Timed from the write to
          the binary's exit.
  hotcc   `hotcc test --watch -I include --link build/libgeometry.so FILE`, started once and
          warmed up; the save makes it recompile what changed and rerun. Timed from the write to
          the moment its summary line `N passed, M failed` is read from its stdout.

The project is tests/e2e/test_project (a small geometry library, a Catch2 v2 and a GoogleTest
file), copied to a temp dir and built normally first. Each round edits one assertion of one
passing test case (same line count, so no other test moves) and measures one save. The phases
run one after the other so they never compete for the CPU: the anchor rounds with no hotcc
running, then hotcc's rounds on its own.

Edits: by default every round writes a constant never written before (`area(r) * 7 == 42`, then
`* 8 == 48`, ...), so hotcc must compile each time. `--edit alternate` flips between two versions
instead; hotcc may then serve the second and later rounds from bodies it compiled already (a
reload of an earlier text compiles nothing), which measures its undo path, not an edit. The
anchor recompiles the whole file either way.

Prints a Markdown table: medians, the ratio (anchor / hotcc), and hotcc's first run (wall time
from start to the first summary line, and the time it reports itself).
"""
import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "tests" / "e2e" / "test_project"
SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed$")
FIRST_RUN_RE = re.compile(r"\(([\d.]+) ms, first run\)$")
RERUN_RE = re.compile(r"^(\S+): (\d+) test cases? recompiled, (\d+) run")

# Per suite: the test file, the normal binary, and the assertion each round rewrites. The
# template's {k} is the round's constant; the original text is the k == 1 version.
SUITES = [
    {
        "name": "Catch2",
        "file": "tests/test_geometry_catch.cpp",
        "exe": "geometry_catch",
        "original": "REQUIRE( area(r) == 6 );",
        "template": "REQUIRE( area(r) * {k} == {six_k} );",
    },
    {
        "name": "GoogleTest",
        "file": "tests/test_geometry_gtest.cpp",
        "exe": "geometry_gtest",
        "original": "EXPECT_EQ(area(r), 6);",
        "template": "EXPECT_EQ(area(r) * {k}, {six_k});",
    },
]


class BenchError(Exception):
    pass


def log(message):
    print(f"test-loop: {message}", file=sys.stderr, flush=True)


def run(cmd, cwd, timeout, what):
    """Runs cmd to completion; returns (seconds, CompletedProcess). Raises on timeout."""
    started = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} did not finish within {timeout:.0f} s: {' '.join(map(str, cmd))}")
    return time.monotonic() - started, r


class Edits:
    """The texts one suite's assertion goes through: fresh constants, or two alternating."""

    def __init__(self, suite, mode):
        self.suite, self.mode, self.count = suite, mode, 0
        # Fresh constants start at a random point so that a second run of the benchmark does not
        # write texts an on-disk cache of hotcc's may have kept from the first.
        self.base = random.randrange(10, 1_000_000)

    def next_text(self, original_source):
        self.count += 1
        # k == 1 would be the original text again (already compiled), so alternate uses 2 and 3.
        k = (2 + self.count % 2) if self.mode == "alternate" else self.base + self.count
        line = self.suite["template"].format(k=k, six_k=6 * k)
        check_once(original_source, self.suite["original"])
        return original_source.replace(self.suite["original"], line)


def check_once(source, needle):
    if source.count(needle) != 1:
        raise BenchError(f"the fixture should contain {needle!r} exactly once; "
                         "update tools/bench/test_loop_bench.py")


def write_in_place(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Watcher:
    """`hotcc test --watch ...` in its own process group; stdout lines are timestamped as they
    arrive (time.monotonic()), so a round's latency is arrival time minus write time."""

    def __init__(self, cmd, cwd):
        self.cmd = cmd
        self.lines = []   # [(arrival time, text)]
        self.err = []
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, start_new_session=True)
        for stream, sink, stamped in ((self.p.stdout, self.lines, True),
                                      (self.p.stderr, self.err, False)):
            threading.Thread(target=self._pump, args=(stream, sink, stamped), daemon=True).start()

    def _pump(self, stream, sink, stamped):
        for raw in iter(stream.readline, b""):
            now = time.monotonic()
            text = raw.decode("utf-8", "replace").rstrip("\n")
            with self.lock:
                sink.append((now, text) if stamped else text)

    def count(self):
        with self.lock:
            return len(self.lines)

    def wait_summary(self, start, timeout, what):
        """Waits for the first summary line at index >= start; returns (arrival time, index,
        the run's lines)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                for i in range(start, len(self.lines)):
                    if SUMMARY_RE.match(self.lines[i][1]):
                        return self.lines[i][0], i, [t for _, t in self.lines[start:i + 1]]
            if self.p.poll() is not None:
                time.sleep(0.2)  # let the readers take in the last output
                with self.lock:
                    if any(SUMMARY_RE.match(t) for _, t in self.lines[start:]):
                        continue
                raise BenchError(f"hotcc exited (status {self.p.returncode}) while waiting for "
                                 f"{what}\n{self.dump()}")
            if time.monotonic() > deadline:
                raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}\n"
                                 f"{self.dump()}")
            time.sleep(0.005)

    def stop(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)  # its own group: hotcc and any children
            except ProcessLookupError:
                pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def dump(self):
        with self.lock:
            out = "\n".join(t for _, t in self.lines[-30:])
            err = "\n".join(self.err[-30:])
        return f"--- {' '.join(map(str, self.cmd))}\n--- stdout:\n{out}\n--- stderr:\n{err}"


def anchor_rounds(suite, project, build, rounds, mode, timeout):
    """Edit, `cmake --build`, run the binary to exit; one untimed warm-up round first."""
    path = project / suite["file"]
    original = path.read_text(encoding="utf-8")
    edits = Edits(suite, mode)
    times = []
    try:
        for i in range(rounds + 1):
            write_in_place(path, edits.next_text(original))
            started = time.monotonic()
            _, b = run(["cmake", "--build", str(build), "--target", suite["exe"]], project,
                       timeout, "cmake --build")
            if b.returncode != 0:
                raise BenchError(f"the normal build failed:\n{b.stdout.decode()}{b.stderr.decode()}")
            _, r = run([str(build / suite["exe"])], project, timeout, suite["exe"])
            elapsed = time.monotonic() - started
            if r.returncode < 0:
                raise BenchError(f"{suite['exe']} died with signal {-r.returncode}")
            if i > 0:
                times.append(elapsed)
    finally:
        write_in_place(path, original)
    return times


def hotcc_rounds(suite, project, build, hotcc, rounds, mode, timeout):
    """Starts `hotcc test --watch` once, waits for its first run, one untimed warm-up edit, then
    `rounds` timed edits. Returns (round times, first-run wall time, first-run ms it reported)."""
    path = project / suite["file"]
    original = path.read_text(encoding="utf-8")
    edits = Edits(suite, mode)
    cmd = [hotcc, "test", "-I", "include", "--link", str(build / "libgeometry.so"), "--watch",
           suite["file"]]
    try:
        w = Watcher(cmd, project)
    except OSError as e:
        raise BenchError(f"cannot start {hotcc}: {e}")
    try:
        first_at, index, lines = w.wait_summary(0, timeout, "the first run")
        first_wall = first_at - w.started
        reported = [float(m.group(1)) for m in map(FIRST_RUN_RE.search, lines) if m]
        # Every edit keeps the edited assertion true, so each rerun must end like the first run;
        # a different summary means hotcc measured something else (e.g. a half-read file).
        first_summary = lines[-1]
        times = []
        for i in range(rounds + 1):
            start = w.count()
            write_in_place(path, edits.next_text(original))
            written = time.monotonic()
            arrived, index, lines = w.wait_summary(start, timeout, f"the run after edit {i + 1}")
            rerun = [m for m in map(RERUN_RE.match, lines) if m]
            if not rerun or int(rerun[0].group(2)) < 1:
                raise BenchError(f"edit {i + 1}: expected `N test cases recompiled` with N >= 1, "
                                 f"got:\n" + "\n".join(lines))
            if lines[-1] != first_summary:
                raise BenchError(f"edit {i + 1}: the run ended `{lines[-1]}`, the first run "
                                 f"`{first_summary}`:\n" + "\n".join(lines))
            if i > 0:
                times.append(arrived - written)
        return times, first_wall, (reported[0] / 1000 if reported else None)
    finally:
        w.stop()
        write_in_place(path, original)


def fmt(seconds):
    if seconds is None:
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hotcc", required=True, help="path to the hotcc binary")
    parser.add_argument("--rounds", type=int, default=7, help="timed edits per suite and side")
    parser.add_argument("--edit", choices=["fresh", "alternate"], default="fresh",
                        help="fresh: a new constant each round (default); alternate: two versions")
    parser.add_argument("--cxx", default="clang++-22")
    parser.add_argument("--suite", choices=[s["name"] for s in SUITES], action="append",
                        help="only this suite (repeatable); default: all")
    parser.add_argument("--timeout", type=float, default=300.0, help="bound on any one step (s)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    hotcc = os.path.abspath(args.hotcc)
    if not os.access(hotcc, os.X_OK):
        sys.exit(f"test-loop: {hotcc} is not an executable (build hotcc first: tools/bench/test-loop)")
    for tool in (args.cxx, "cmake", "ninja"):
        if not shutil.which(tool):
            sys.exit(f"test-loop: {tool} not found")
    suites = [s for s in SUITES if not args.suite or s["name"] in args.suite]

    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the `finally` blocks kill hotcc and
    # restore the files.
    def on_sigterm(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_sigterm)

    tmp = Path(tempfile.mkdtemp(prefix="hotcc-test-loop-"))
    project, build = tmp / "project", tmp / "project" / "build"
    rows = []
    try:
        shutil.copytree(PROJECT, project)
        log(f"building {PROJECT.name} normally in {build}")
        _, r = run(["cmake", "-S", str(project), "-B", str(build), "-G", "Ninja",
                    f"-DCMAKE_CXX_COMPILER={args.cxx}"], project, args.timeout, "cmake")
        if r.returncode != 0:
            raise BenchError(f"cmake failed:\n{r.stdout.decode()}{r.stderr.decode()}")
        full, r = run(["cmake", "--build", str(build)], project, args.timeout, "cmake --build")
        if r.returncode != 0:
            raise BenchError(f"build failed:\n{r.stdout.decode()}{r.stderr.decode()}")
        log(f"full build: {fmt(full)}")

        for suite in suites:
            log(f"{suite['name']}: {args.rounds} rounds of edit + cmake --build + run")
            anchor = anchor_rounds(suite, project, build, args.rounds, args.edit, args.timeout)
            log(f"{suite['name']}: {args.rounds} rounds of edit under hotcc test --watch")
            try:
                hot, first_wall, first_reported = hotcc_rounds(
                    suite, project, build, hotcc, args.rounds, args.edit, args.timeout)
                note = None
            except BenchError as e:
                log(f"{suite['name']}: hotcc side failed: {e}")
                hot, first_wall, first_reported, note = [], None, None, "hotcc failed (see above)"
            rows.append((suite, anchor, hot, first_wall, first_reported, note))
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except BenchError as e:
        log(str(e))
        return 1
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n`hotcc test --watch` vs rebuild + rerun: median of {args.rounds} saves "
          f"({args.edit} edits; {os.cpu_count()} cores; {args.cxx}, Ninja, Debug)\n")
    print("| suite | edit → `cmake --build` + run | edit → `hotcc test --watch` result "
          "| ratio (rebuild / hotcc) | hotcc first run (wall / reported) |")
    print("|---|---:|---:|---:|---:|")
    for suite, anchor, hot, first_wall, first_reported, note in rows:
        a = statistics.median(anchor)
        h = statistics.median(hot) if hot else None
        ratio = f"{a / h:.1f}x" if h else "n/a"
        first = f"{fmt(first_wall)} / {fmt(first_reported)}" if first_wall else "n/a"
        print(f"| {suite['name']} (`{Path(suite['file']).name}`) | {fmt(a)} | "
              f"{fmt(h) if h else note or 'n/a'} | {ratio} | {first} |")
    print(f"\nfull normal build of the project: {fmt(full)}")
    return 0 if all(row[2] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
