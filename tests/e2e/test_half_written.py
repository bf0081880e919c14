"""A slow writer: hotcc sees the file half written (cut off inside a function) for a few hundred
ms, then complete. The half file may fail to reload but must never be taken as the program; once
the file is complete it reloads, and the running program keeps its state (the tick counter)."""
import time

from hotcc_e2e import (Session, check, check_ticks, status_re, with_score,
                       RELOAD_FAILED)


def body(s):
    src, path, p = s.start_counter()

    new = with_score(src, "10 * n")
    cut = new.index("++ticks;")  # inside tick(): the file ends in an unterminated function
    seen = len(p.stderr())
    with open(path, "w", encoding="utf-8") as f:
        f.write(new[:cut])
        f.flush()
        time.sleep(0.3)  # far longer than hotcc's ~30 ms debounce: it reacts to the half file
        half = p.stderr()[seen:]
        f.write(new[cut:])
    check(not any(l.startswith("hotcc: reloaded") for l in half),
          "hotcc reported a successful reload of a half-written file:\n" + "\n".join(half))
    print(f"note: while half written, hotcc printed {len(half)} stderr lines"
          f"{' (reload failed, as expected)' if RELOAD_FAILED in half else ''}")

    p.wait_stderr(status_re("1 compiled (score)", removed=0), "the reload of the complete file",
                  start=seen)
    p.wait_formula(lambda n: 10 * n, what="ticks computed by the new score()")
    check(p.alive(), "hotcc exited")
    check(check_ticks(p.ticks(), [lambda n: 3 * n + 1, lambda n: 10 * n], p.dump()) == 1,
          "ticks must continue from where they were, with the new score")


if __name__ == "__main__":
    Session.main(body)
