"""A save with a syntax error is reported like a compiler would (file:line:col: error:), the
program keeps running its old score(), and the next good save is picked up normally."""
import re

from hotcc_e2e import (Session, check, check_ticks, status_re, with_score,
                       write_in_place)


def body(s):
    src, path, p = s.start_counter()
    old = lambda n: 3 * n + 1

    broken = with_score(src, "10 * n +")   # `return 10 * n +;`
    line = 1 + broken.splitlines().index("int score(int n) { return 10 * n +; }")
    report, seen = p.save_expecting_failure(path, broken)
    diag = re.compile(r"counter\.cpp:%d:\d+: error: " % line)
    check(any(diag.search(l) for l in report),
          f"expected a clang diagnostic `counter.cpp:{line}:COL: error:` before the failure line")
    check(not any(l.startswith("hotcc: reloaded") for l in p.stderr()[seen:]),
          "a broken save must not report a successful reload")

    # The old code keeps running: more ticks, all still 3n+1, counter not reset.
    p.expect_old_code_running([old], "ticks after a failed reload")

    seen = len(p.stderr())
    write_in_place(path, with_score(src, "10 * n"))
    p.wait_stderr(status_re("1 compiled (score)", removed=0), "the status line after the fix",
                  start=seen)
    p.wait_formula(lambda n: 10 * n, what="ticks computed by the fixed score()")
    check(check_ticks(p.ticks(), [old, lambda n: 10 * n], p.dump()) == 1, "ticks after the fix")


if __name__ == "__main__":
    Session.main(body)
