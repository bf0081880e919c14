"""`hotcc run --watch` started on a file that does not compile yet (a half-written file) says
what is wrong and waits: the first save that compiles starts the program, and later saves reload
it as usual."""
from hotcc_e2e import Session, check, counter_source, status_re, with_score, write_in_place


def body(s):
    src = counter_source(delay_ms=100)
    broken = src.replace("return 3 * n + 1;", "return 3 * n + 1")
    check(broken != src, "could not break the counter source")
    path = s.write("counter.cpp", broken)
    p = s.watch("counter.cpp")
    p.wait_stderr("error: expected ';'", "the compile error of the broken start")
    p.wait_stderr("hotcc: waiting for a save that compiles", "the watcher waiting for a fix")
    check(p.alive() and not p.ticks(), f"nothing runs before the file compiles\n{p.dump()}")

    write_in_place(path, src)
    p.wait_ticks(3, "the program started by the first save that compiles")
    seen = len(p.stderr())
    write_in_place(path, with_score(src, "10 * n"))
    p.wait_stderr(status_re("1 compiled (score)"), "the status line of a reload", start=seen)
    p.wait_formula(lambda n: 10 * n)
    p.stop()


if __name__ == "__main__":
    Session.main(body)
