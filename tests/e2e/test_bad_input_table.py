"""Bad saves as a table, under `hotcc run --watch --json` of the counter: each row saves something
bad (or changes what is at the file's path), expects a failure event of a kind (with its subject),
checks that the counter keeps counting with the code it had, then saves a good edit with a new
score() and checks that it goes live. Kinds are checked through --json, never wording. The
engine-level table (tests/unit/test_jit_bad_input_table.cpp) has the many compiler-side rows; these
are the ones that need a watcher: a path that changes under it.

The rows where the saved code crashes (a segfault, abort(), an exception, a stack overflow, a
thread that crashes) expect a crash failure: the crashing call returns 0 to its caller, the reload
is rolled back, and the counter goes on with the code it had. exit() is not a bad input here: a
program that calls it means to end (the exit status is the program's, as in a normal build). The wasm patch rows (truncated, tampered, unknown slots)
live with the node harness in test_wasm_node.py, which builds the main module once."""
import json
import os
import random
import signal
import subprocess
import time

from hotcc_e2e import (Proc, Session, TICK_RE, TestFailure, check, check_ticks, counter_source,
                       with_score, write_in_place)
from hotcc_repl_e2e import repl_cache_dir, repl_env

AS_ROOT = os.geteuid() == 0  # root reads a chmod 000 file: that row cannot fail as root


def events(p):
    """stdout's JSON events (the program's own output goes to stderr under --json)."""
    parsed = []
    for line in p.stdout():
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            raise TestFailure(f"stdout holds a line that is not JSON: {line!r}")
    return parsed


def ticks(p):
    return [tuple(map(int, m.groups())) for m in map(TICK_RE.match, p.stderr()) if m]


def wait_formula(p, formula, what):
    """The last 3 ticks all computed by formula (Proc.wait_formula reads stdout, which holds
    events under --json)."""
    p.wait_for(lambda: len(ticks(p)) >= 3 and all(formula(n) == v for _, n, v in ticks(p)[-3:]),
               what)


def wait_event(p, what, predicate, start):
    def find():
        for event in events(p)[start:]:
            if predicate(event):
                return event
    return p.wait_for(find, what)


def failure(kind):
    return lambda e: e["event"] == "failure" and e["kind"] == kind


def reload_ok(e):
    return e["event"] == "reload" and e["ok"]


# ---- The bad saves: each takes (session, path, good source) and changes the file. ----

def save(text_of):
    return lambda s, path, src: write_in_place(path, text_of(src))


def save_bytes(bytes_of):
    def apply(s, path, src):
        with open(path, "wb") as f:
            f.write(bytes_of(src))
    return apply


def delete(s, path, src):
    os.remove(path)


def to_directory(s, path, src):
    os.remove(path)
    os.mkdir(path)


def unreadable(s, path, src):
    os.chmod(path, 0)


def symlink_loop(s, path, src):
    os.remove(path)
    os.symlink(path.name, path)


def half_written(src):
    return src[:src.index("++ticks;")]


def garbage(src):
    return random.Random(7).randbytes(64 * 1024)


def bad_utf8_identifier(src):
    return src.encode() + b"int caf\xe9 = 1;\n"


def nul_in_identifier(src):
    return src.encode().replace(b"score(ticks)", b"sco\0re(ticks)")


def fifty_megabytes(src):
    # Valid and big (a generated table could be): it must compile, not be refused by size.
    return "".join(["// " + "x" * 96 + "\n"] * (50 * 1024 * 1024 // 100)) + \
        with_score(src, "4 * n + 4")


def one_megabyte_line(src):
    # Clang recurses once per operand: this overflowed an 8 MB stack and killed the program.
    return with_score(src, "4 * n + 4" + " + 0" * (256 * 1024))


# Crashing saves: score() crashes on every call; a return of 0 is the crashed call's.
def crashing(body, includes=""):
    return save(lambda src: includes + with_score(src, body))


STACK_OVERFLOW = ("[&]() -> int { struct R { static int deep(int k) { volatile char buf[4096]; "
                  "buf[0] = 0; return k > 0 ? deep(k + 1) + buf[0] : 0; } }; "
                  "return R::deep(1); }()")
THREAD_CRASH = ("(std::thread([] { *(volatile int *)nullptr = 1; }).join(), 7 * n)")


def restore(path):
    """A plain writable file at the path again, whatever a row left there."""
    if os.path.islink(path):
        os.remove(path)
    elif os.path.isdir(path):
        os.rmdir(path)
    elif os.path.exists(path):
        os.chmod(path, 0o644)


def path_is(path):
    return lambda e: e["path"] == str(path)


def name_is(name):
    return lambda e: e["name"] == name


def anything(e):
    return True


# name, bad save, expected failure kind (None: a successful reload), check of the event's subjects
ROWS = [
    ("a syntax error", save(lambda src: with_score(src, "3 * n +")), "compile-error", anything),
    ("an undefined symbol", save(lambda src: with_score(src, "helper(n)").replace(
        "int score(int n)", "int helper(int);\nint score(int n)")), "undefined-symbol",
     name_is("helper(int)")),
    ("a signature change", save(lambda src: src.replace(
        "int score(int n) { return 3 * n + 1; }", "int score(int n, int k) { return k * n; }")
        .replace("score(ticks))", "score(ticks, 2))")), "signature-change",
     lambda e: e["function"] == "score"),
    ("the file deleted", delete, "file-unreadable", None),
    ("the file replaced by a directory", to_directory, "file-unreadable", None),
    ("the file made unreadable", unreadable, "file-unreadable", None),
    ("a symlink loop", symlink_loop, "file-unreadable", None),
    ("binary garbage", save_bytes(garbage), "compile-error", anything),
    ("invalid UTF-8 in an identifier", save_bytes(bad_utf8_identifier), "compile-error",
     anything),
    ("a NUL byte in an identifier", save_bytes(nul_in_identifier), "compile-error", anything),
    ("a half-written file", save(half_written), "compile-error", anything),
    ("the file includes itself", save(lambda src: '#include "counter.cpp"\n' + src),
     "compile-error", anything),
    ("a missing header", save(lambda src: '#include "nowhere.h"\n' + src), "compile-error",
     anything),
    ("a 50 MB file", save(fifty_megabytes), None, None),
    ("code that segfaults", crashing("*(volatile int *)nullptr + n"), "crash",
     lambda e: e["signalName"] == "SIGSEGV"),
    ("code that aborts", crashing("(std::abort(), n)", "#include <cstdlib>\n"), "crash",
     lambda e: e["signalName"] == "SIGABRT"),
    ("code that throws", crashing("(throw std::runtime_error(\"bad\"), n)",
                                  "#include <stdexcept>\n"), "crash",
     lambda e: e["cause"] == "exception" and e["what"] == "bad"),
    ("code that overflows its stack", crashing(STACK_OVERFLOW), "crash",
     lambda e: e["signalName"] == "SIGSEGV"),
    ("code that starts a thread that crashes", crashing(THREAD_CRASH, "#include <thread>\n"),
     "crash", lambda e: e["signalName"] == "SIGSEGV"),
    ("a 1 MB line", save(one_megabyte_line), None, None),
]


def run_row(s, p, path, src, index, name, bad, kind, subjects, formulas):
    seen = len(events(p))
    bad(s, path, src)
    if kind == "crash":
        event = wait_event(p, f"{name}: a crash failure", failure(kind), seen)
        check(subjects(event), f"{name}: subjects of {event}")
        # The crashed call returned 0 (or, for a thread, the new code ran once); then the code
        # it had runs again.
        formulas.extend([lambda n: 7 * n, lambda n: 0, formulas[-1]])
        count = len(ticks(p))
        p.wait_for(lambda: len(ticks(p)) >= count + 3, f"{name}: 3 more ticks")
    elif kind is None:
        wait_event(p, f"{name}: a successful reload", reload_ok, seen)
        formulas.append(lambda n: 4 * n + 4)
        wait_formula(p, formulas[-1], f"{name}: ticks of the new score")
    else:
        event = wait_event(p, f"{name}: a {kind} failure", failure(kind), seen)
        check((subjects or path_is(path))(event), f"{name}: subjects of {event}")
        wait_event(p, f"{name}: the failed reload", lambda e: e["event"] == "reload"
                   and not e["ok"], seen)
        count = len(ticks(p))
        p.wait_for(lambda: len(ticks(p)) >= count + 3, f"{name}: 3 more ticks")
    check(p.alive(), f"{name}: hotcc exited")
    check(check_ticks(ticks(p), formulas, p.dump()) == len(formulas) - 1,
          f"{name}: the old code must keep running, the counter counting")

    # The next good save goes live: score(n) = (index + 5) * n, unlike every formula before.
    restore(path)
    seen = len(events(p))
    write_in_place(path, with_score(src, f"{index + 5} * n"))
    wait_event(p, f"{name}: the reload of the good save", reload_ok, seen)
    formulas.append(lambda n, k=index + 5: k * n)
    wait_formula(p, formulas[-1], f"{name}: ticks of the good save")
    check(check_ticks(ticks(p), formulas, p.dump()) == len(formulas) - 1,
          f"{name}: ticks after the good save")


def start_repl(s):
    """`hotcc repl --json` fed line by line through a pipe."""
    repl = Proc(s, [s.hotcc, "repl", "--json", "--cache-dir", repl_cache_dir()], s.dir,
                stdin=subprocess.PIPE, env=repl_env(s))
    s.procs.append(repl)
    return repl


def send(repl, line):
    repl.p.stdin.write(line.encode() + b"\n")
    repl.p.stdin.flush()


def interrupt_after(seconds):
    """The user pressing Ctrl-C once the input has been running for a while."""
    def act(repl):
        time.sleep(seconds)
        repl.p.send_signal(signal.SIGINT)
    return act


# name, bad inputs, what to do while the last runs, expected failure kind, check of its subjects
REPL_ROWS = [
    ("an input that loops until interrupted", ["while (spin) {}"], interrupt_after(1.0), "crash",
     lambda e: e["signalName"] == "SIGINT" and e["during"].startswith("input_")),
    ("an input with a syntax error", ["int y = ;"], None, "compile-error", anything),
    ("an input calling a function nothing defines", ["int nowhere(int);", "nowhere(1)"], None,
     "undefined-symbol", lambda e: e["name"] == "nowhere(int)"),
]


def repl_table(s):
    """Bad REPL inputs: each a typed failure, then the session's earlier state still answers."""
    repl = start_repl(s)
    send(repl, "int x = 4;")
    send(repl, "volatile int spin = 1;")
    send(repl, "x + 1")
    wait_event(repl, "the first value", lambda e: e["event"] == "value", 0)
    for index, (name, bad, during, kind, subjects) in enumerate(REPL_ROWS):
        seen = len(events(repl))
        for line in bad:
            send(repl, line)
        if during:
            during(repl)
        event = wait_event(repl, f"REPL, {name}: a {kind} failure", failure(kind), seen)
        check(subjects(event), f"REPL, {name}: subjects of {event}")
        send(repl, f"x + {index + 2}")
        value = wait_event(repl, f"REPL, {name}: the next input's value",
                           lambda e: e["event"] == "value", seen)
        check(value["text"].endswith(f" {index + 6}"), f"REPL, {name}: x is still 4: {value}")
        check(repl.alive(), f"REPL, {name}: hotcc exited")


def body(s):
    repl_table(s)
    s.deadline = time.monotonic() + 240  # a table of saves; each waits a few ticks
    src = counter_source(delay_ms=50)
    path = s.write("counter.cpp", src)
    p = s.start("run", "--watch", "--json", "counter.cpp")
    p.wait_for(lambda: len(ticks(p)) >= 2, "2 ticks of the counter")
    formulas = [lambda n: 3 * n + 1]
    for index, (name, bad, kind, subjects) in enumerate(ROWS):
        if bad is unreadable and AS_ROOT:
            print(f"skipped as root: {name}")
            continue
        started = time.monotonic()
        run_row(s, p, path, src, index, name, bad, kind, subjects, formulas)
        print(f"row {index + 1} ({name}): {time.monotonic() - started:.1f} s")
    print(f"{len(ROWS)} rows under --watch, {len(REPL_ROWS)} in the REPL")


if __name__ == "__main__":
    Session.main(body)
