"""Shared helpers for hotcc's end-to-end tests (python3 stdlib only).

Each test_*.py drives the real hotcc binary the way a user does: it writes source files into a
temp dir, runs `hotcc run [--watch]`, edits the files on disk and asserts on what hotcc and the
program print. Usage:

    from hotcc_e2e import Session, check
    def body(s):              # s: Session (temp dir + processes, all cleaned up afterwards)
        ...
    if __name__ == "__main__":
        Session.main(body)
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COUNTER_EXAMPLE = REPO / "tools" / "examples" / "counter.cpp"

WAIT_S = 20.0    # bound on any single expectation
BUDGET_S = 55.0  # bound on a whole test, so a broken hotcc fails fast instead of hanging ctest

RELOAD_FAILED = "hotcc: reload failed; the program keeps running its previous version"
TICK_RE = re.compile(r"^tick (\d+): score\((\d+)\) = (-?\d+)$")


def sanitized(hotcc):
    """Whether this hotcc is tools/check --sanitize's build (ASan + UBSan): its CMakeCache.txt,
    beside the binary, has HOTCC_SANITIZE on."""
    cache = Path(hotcc).resolve().parent / "CMakeCache.txt"
    return cache.is_file() and re.search(r"^HOTCC_SANITIZE:BOOL=ON$", cache.read_text(),
                                         re.MULTILINE) is not None


class TestFailure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise TestFailure(message)


def status_re(compiled=None, removed=None, files=None):
    """Regex for a successful reload's status line, e.g.
    `hotcc: reloaded counter.cpp: 1 compiled (score), 3 unchanged, 0 removed — 17 ms`;
    `compiled` is the exact "N compiled (names)" text, None for any."""
    names = r"[^:]+" if files is None else re.escape(files)
    comp = r"\d+ compiled(?: \([^)]*\))?" if compiled is None else re.escape(compiled)
    rem = r"\d+" if removed is None else str(removed)
    return re.compile(r"^hotcc: reloaded " + names + ": " + comp + r", \d+ unchanged, " + rem +
                      r" removed \u2014 [\d.]+ ms$")


def write_in_place(path, text):
    """Truncate and rewrite the same inode, like `echo > file` or many IDEs."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_atomic(path, text):
    """Editor-style save: write a sibling temp file, then rename it over the original."""
    path = Path(path)
    tmp = path.with_name("." + path.name + ".swp~")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def counter_source(delay_ms=100):
    """tools/examples/counter.cpp with a shorter tick so tests need not wait half a second."""
    src = COUNTER_EXAMPLE.read_text(encoding="utf-8")
    old = "static int delayMs() { return 500; }"
    check(old in src, f"{COUNTER_EXAMPLE} no longer contains {old!r}; update the tests")
    return src.replace(old, "static int delayMs() { return %d; }" % delay_ms)


def with_score(src, body):
    """Replace score()'s body in the counter source, e.g. with_score(src, '10 * n')."""
    new, n = re.subn(r"int score\(int n\) \{ return [^;]*; \}",
                     "int score(int n) { return %s; }" % body, src)
    check(n == 1, "could not find score() in the counter source")
    return new


def check_ticks(ticks, formulas, dump=""):
    """The tick counter runs 1, 2, 3, ... (never reset, no gaps), and scores follow `formulas` in
    order: each tick fits the current formula or a later one, never an earlier one again.
    Returns the index of the formula the last tick fits. Pick formulas that differ for every n."""
    phase = 0
    for i, (tick, n, score) in enumerate(ticks):
        check(tick == i + 1 and n == tick,
              f"tick counter did not continue: line {i + 1} is tick {tick} (n={n})\n{dump}")
        while phase < len(formulas) and formulas[phase](n) != score:
            phase += 1
        check(phase < len(formulas),
              f"tick {tick}: score {score} fits no expected formula at this point\n{dump}")
    return phase


class Proc:
    """A running hotcc (`hotcc run --watch ...`, `hotcc test --watch ...`); stdout/stderr are
    read line by line by threads."""

    def __init__(self, session, args, cwd, stdin=subprocess.DEVNULL, env=None):
        self.session = session
        self.args = args
        self.out, self.err = [], []
        self.lock = threading.Lock()
        self.p = subprocess.Popen(args, cwd=cwd, stdin=stdin, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.threads = [threading.Thread(target=self._pump, args=(self.p.stdout, self.out),
                                         daemon=True),
                        threading.Thread(target=self._pump, args=(self.p.stderr, self.err),
                                         daemon=True)]
        for t in self.threads:
            t.start()

    def _pump(self, stream, lines):
        for raw in iter(stream.readline, b""):
            with self.lock:
                lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def stdout(self):
        with self.lock:
            return list(self.out)

    def stderr(self):
        with self.lock:
            return list(self.err)

    def alive(self):
        return self.p.poll() is None

    def wait_for(self, predicate, what, timeout=WAIT_S):
        """Poll predicate() until it returns a truthy value, which is returned; fail after timeout
        (or when the test's overall budget runs out) with `what` in the message."""
        deadline = min(time.monotonic() + timeout, self.session.deadline)
        while True:
            value = predicate()
            if value:
                return value
            if not self.alive():
                time.sleep(0.2)  # let the reader threads take in the last output
                if predicate():
                    return predicate()
                raise TestFailure(f"hotcc exited (status {self.p.returncode}) while waiting "
                                  f"for {what}")
            if time.monotonic() > deadline:
                raise TestFailure(f"timed out waiting for {what}")
            time.sleep(0.02)

    def wait_stderr(self, pattern, what=None, start=0):
        """Wait for a stderr line (index >= start) matching a regex or containing a string;
        returns its index."""
        match = pattern.search if hasattr(pattern, "search") else (lambda l: pattern in l)

        def find():
            for i, line in enumerate(self.stderr()[start:], start):
                if match(line):
                    return i + 1  # +1 so that index 0 is truthy
        return self.wait_for(find, what or f"stderr line matching {pattern!r}") - 1

    def save_expecting_failure(self, path, text):
        """Saves a bad edit and waits for the reload-failed line; returns (stderr lines of the
        failure report, index where they start)."""
        seen = len(self.stderr())
        write_in_place(path, text)
        failed = self.wait_stderr(RELOAD_FAILED, "the reload-failed line", start=seen)
        return self.stderr()[seen:failed], seen

    def expect_old_code_running(self, formulas, what):
        """After a failed reload: the program lives on, ticking with the code it had."""
        count = len(self.ticks())
        self.wait_ticks(count + 3, "3 more ticks after the failed reload")
        check(self.alive(), "hotcc exited after a failed reload")
        check(check_ticks(self.ticks(), formulas, self.dump()) == 0, what)

    def ticks(self):
        """[(tick, n, score)] of the counter-style lines printed so far."""
        return [tuple(map(int, m.groups())) for m in map(TICK_RE.match, self.stdout()) if m]

    def wait_ticks(self, count, what=None):
        return self.wait_for(lambda: len(self.ticks()) >= count and self.ticks(),
                             what or f"{count} ticks on stdout")

    def wait_formula(self, formula, count=3, what="ticks with the new score"):
        """Wait until the last `count` ticks all fit formula(n) == score."""
        def ok():
            t = self.ticks()
            return len(t) >= count and all(formula(n) == s for _, n, s in t[-count:])
        self.wait_for(ok, what)

    def stop(self):
        if self.alive():
            self.p.kill()
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for t in self.threads:
            t.join(timeout=2)

    def dump(self):
        return (f"--- command: {' '.join(map(str, self.args))}\n"
                f"--- exit status: {self.p.poll()}\n"
                "--- stdout:\n" + "\n".join(self.stdout()[-40:]) + "\n"
                "--- stderr:\n" + "\n".join(self.stderr()[-40:]) + "\n")


class Session:
    """A test's temp dir and the hotcc processes it started; everything is cleaned up by main()."""

    def __init__(self, hotcc):
        self.hotcc = hotcc
        self.dir = Path(tempfile.mkdtemp(prefix="hotcc-e2e-"))
        self.procs = []
        self.deadline = time.monotonic() + BUDGET_S

    def path(self, name):
        return self.dir / name

    def write(self, name, text):
        write_in_place(self.dir / name, text)
        return self.dir / name

    def run(self, *args, timeout=WAIT_S):
        """`hotcc ARGS` to completion (no --watch); returns CompletedProcess with str output."""
        cmd = [self.hotcc, *map(str, args)]
        try:
            r = subprocess.run(cmd, cwd=self.dir, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise TestFailure(f"{' '.join(cmd)} did not finish within {timeout} s; "
                              f"stdout: {e.stdout!r} stderr: {e.stderr!r}")
        r.stdout = r.stdout.decode("utf-8", "replace")
        r.stderr = r.stderr.decode("utf-8", "replace")
        r.dump = (f"--- command: {' '.join(cmd)}\n--- exit status: {r.returncode}\n"
                  f"--- stdout:\n{r.stdout}\n--- stderr:\n{r.stderr}\n")
        return r

    def start_counter(self, delay_ms=100, ticks=2):
        """Writes the counter example, runs it under `hotcc run --watch` and waits for `ticks`
        ticks. Returns (source text, path, process)."""
        src = counter_source(delay_ms=delay_ms)
        path = self.write("counter.cpp", src)
        p = self.watch("counter.cpp")
        p.wait_ticks(ticks)
        return src, path, p

    def watch(self, *args):
        """Start `hotcc run --watch ARGS` in the temp dir."""
        return self.start("run", "--watch", *args)

    def start(self, *args):
        """Start `hotcc ARGS` in the temp dir without waiting for it (any subcommand, e.g.
        `test ... --watch`); it is killed when the test ends."""
        p = Proc(self, [self.hotcc, *map(str, args)], self.dir)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            p.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def main(body):
        parser = argparse.ArgumentParser()
        parser.add_argument("--hotcc", required=True, help="path to the hotcc binary")
        parser.add_argument("--keep", action="store_true", help="keep the temp dir (debugging)")
        args = parser.parse_args()
        session = Session(os.path.abspath(args.hotcc))
        name = Path(sys.argv[0]).stem
        try:
            body(session)
        except BaseException as e:  # report any failure with everything hotcc printed
            if isinstance(e, TestFailure):
                print(f"FAIL {name}: {e}")
            else:
                print(f"FAIL {name}: unexpected exception")
                traceback.print_exc(file=sys.stdout)
            for p in session.procs:
                p.stop()
                print(p.dump())
            failed = True
        else:
            print(f"PASS {name}")
            failed = False
        if args.keep:
            for p in session.procs:
                p.stop()
            print(f"--- kept temp dir: {session.dir}")
        else:
            session.close()
        sys.exit(1 if failed else 0)
