"""The main loop of hotcc: edit score() in a running counter, save, and the next ticks use the new
body while the tick counter (a global) keeps counting. Three in-place saves, then an editor-style
save (temp file renamed over the original)."""
from hotcc_e2e import (Session, check, check_ticks, status_re, with_score,
                       write_atomic, write_in_place, RELOAD_FAILED)

EDITS = [  # (new body, same formula in python, how to save); no two formulas agree for n >= 1
    ("10 * n", lambda n: 10 * n, write_in_place),
    ("100 * n + 7", lambda n: 100 * n + 7, write_in_place),
    ("-n", lambda n: -n, write_in_place),
    ("1000 * n + 2", lambda n: 1000 * n + 2, write_atomic),
]


def body(s):
    src, path, p = s.start_counter()
    formulas = [lambda n: 3 * n + 1]
    check(check_ticks(p.ticks(), formulas, p.dump()) == 0, "initial ticks")

    for new_body, formula, save in EDITS:
        seen = len(p.stderr())
        save(path, with_score(src, new_body))
        p.wait_stderr(status_re("1 compiled (score)", removed=0, files="counter.cpp"),
                      f"the status line for `return {new_body};` ({save.__name__})", start=seen)
        formulas.append(formula)
        p.wait_formula(formula, what=f"3 ticks computed by `return {new_body};`")
        phase = check_ticks(p.ticks(), formulas, p.dump())
        check(phase == len(formulas) - 1, "ticks should now follow the newest score()")
        check(p.alive(), "hotcc exited")

    # One save, one reload: no duplicate status lines, no failures along the way.
    reloads = [l for l in p.stderr() if l.startswith("hotcc: reloaded")]
    check(len(reloads) == len(EDITS), f"expected {len(EDITS)} status lines, got {len(reloads)}")
    check(RELOAD_FAILED not in p.stderr(), "a reload failed")


if __name__ == "__main__":
    Session.main(body)
