"""Deleting a helper that the edited code no longer calls: the reload counts it as removed and
says its last version stays callable (old frames or pointers may still reach it), and the
program continues with the new code."""
import re

from hotcc_e2e import (Session, check, check_ticks, counter_source, status_re, write_in_place,
                       RELOAD_FAILED)


def body(s):
    base = counter_source(delay_ms=100)
    score = "int score(int n) { return 3 * n + 1; }"
    src = base.replace(score, "int helper(int n) { return 2 * n; }\n"
                              "int score(int n) { return helper(n) + 5; }")
    path = s.write("counter.cpp", src)
    p = s.watch("counter.cpp")
    p.wait_ticks(2)
    old = lambda n: 2 * n + 5

    seen = len(p.stderr())
    write_in_place(path, base.replace(score, "int score(int n) { return 10 * n; }"))
    status = p.wait_stderr(status_re("1 compiled (score)", removed=1, files="counter.cpp"),
                           "a status line with 1 compiled (score) and 1 removed", start=seen)
    # C++ names may be shown demangled with their parameters: 'helper(int)'.
    note = re.compile(r"^hotcc: note: 'helper(\(int\))?' was removed from the source; "
                      r"its last version stays callable$")
    check(any(note.match(l) for l in p.stderr()[seen:status]),
          "expected the removed-function note before the status line")

    p.wait_formula(lambda n: 10 * n, what="ticks computed by the new score()")
    check(p.alive() and RELOAD_FAILED not in p.stderr(), "hotcc failed or exited")
    check(check_ticks(p.ticks(), [old, lambda n: 10 * n], p.dump()) == 1, "ticks after removal")

    # A later, unrelated edit must not report helper as removed a second time.
    seen = len(p.stderr())
    write_in_place(path, base.replace(score, "int score(int n) { return 20 * n; }"))
    p.wait_stderr(status_re("1 compiled (score)", removed=0), "the next reload, 0 removed",
                  start=seen)
    p.wait_formula(lambda n: 20 * n, what="ticks computed by the third score()")


if __name__ == "__main__":
    Session.main(body)
