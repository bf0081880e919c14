"""A file that cannot be read: at startup hotcc exits 1 with "cannot read"; while watching,
deleting the file is an error that leaves the program running, and recreating it reloads."""
import os

from hotcc_e2e import (Session, check, check_ticks, status_re, with_score,
                       write_atomic, write_in_place, RELOAD_FAILED)


def body(s):
    r = s.run("run", "nonexistent.cpp")
    check(r.returncode == 1, f"expected exit code 1 for a missing file\n{r.dump}")
    check("hotcc: error: cannot read" in r.stderr and "nonexistent.cpp" in r.stderr,
          f"expected `hotcc: error: cannot read ...nonexistent.cpp: ...`\n{r.dump}")

    src, path, p = s.start_counter()

    formulas = [lambda n: 3 * n + 1]
    # Recreate it once by a plain write, once by a rename (like an editor restoring a file).
    for new_body, formula, save in [("10 * n", lambda n: 10 * n, write_in_place),
                                    ("-n", lambda n: -n, write_atomic)]:
        seen = len(p.stderr())
        os.remove(path)
        failed = p.wait_stderr(RELOAD_FAILED, "the reload-failed line after deleting the file",
                               start=seen)
        report = "\n".join(p.stderr()[seen:failed])
        check("hotcc: error: cannot read" in report and "counter.cpp" in report,
              f"expected `hotcc: error: cannot read ...counter.cpp: ...`:\n{report}")
        count = len(p.ticks())
        p.wait_ticks(count + 3, "3 more ticks after the file was deleted")
        check(p.alive(), "hotcc exited when the file was deleted")
        check(check_ticks(p.ticks(), formulas, p.dump()) == len(formulas) - 1,
              "the old code must keep running")

        seen = len(p.stderr())
        save(path, with_score(src, new_body))
        p.wait_stderr(status_re("1 compiled (score)", removed=0),
                      f"the reload of the recreated file ({save.__name__})", start=seen)
        formulas.append(formula)
        p.wait_formula(formula, what=f"ticks computed by `return {new_body};`")
        check(check_ticks(p.ticks(), formulas, p.dump()) == len(formulas) - 1,
              "ticks after recreating the file")


if __name__ == "__main__":
    Session.main(body)
