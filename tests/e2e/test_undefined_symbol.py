"""An edit that calls a function declared but defined nowhere compiles but cannot link: hotcc
names the missing symbol (and who uses it) and keeps the old code running."""
import re

from hotcc_e2e import (Session, check, check_ticks, status_re, with_score,
                       write_in_place)


def body(s):
    src, path, p = s.start_counter()

    broken = with_score(src, "missing_fn(n)").replace(
        "int score(int n)", "int missing_fn(int);\nint score(int n)", 1)
    lines, _ = p.save_expecting_failure(path, broken)
    report = "\n".join(lines)
    # C++ names may be shown demangled with their parameters: 'missing_fn(int)'.
    check(re.search(r"undefined symbol 'missing_fn(\(int\))?', used by score", report),
          f"the error should name missing_fn and its user score:\n{report}")

    p.expect_old_code_running([lambda n: 3 * n + 1], "the old score() must keep running")

    # Defining the function makes the same call link.
    seen = len(p.stderr())
    write_in_place(path, broken.replace("int missing_fn(int);",
                                        "int missing_fn(int n) { return 10 * n; }"))
    p.wait_stderr(status_re(removed=0), "the status line once missing_fn is defined", start=seen)
    p.wait_formula(lambda n: 10 * n, what="ticks computed through missing_fn")


if __name__ == "__main__":
    Session.main(body)
