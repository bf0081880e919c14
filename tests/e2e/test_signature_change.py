"""Changing score()'s parameters while the running tick() calls it cannot be patched safely:
hotcc refuses, naming the function and both signatures, and the program keeps running the old
code. Same for C, where the new score has the same (unmangled) name but another type."""
from hotcc_e2e import (Session, check, check_ticks, counter_source, status_re, with_score,
                       write_in_place, RELOAD_FAILED)

C_COUNTER = r'''#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int ticks = 0;

int score(int n) { return 3 * n + 1; }

static void sleepMs(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

void tick(void) {
  ++ticks;
  printf("tick %d: score(%d) = %d\n", ticks, ticks, score(ticks));
}

int main(int argc, char **argv) {
  long limit = argc > 1 ? atol(argv[1]) : 1000000;
  for (long i = 0; i < limit; ++i) {
    tick();
    sleepMs(100);
  }
  return 0;
}
'''


def refuse_then_fix(s, name, src):
    path = s.write(name, src)
    p = s.watch(name)
    p.wait_ticks(2, f"2 ticks from {name}")
    old = lambda n: 3 * n + 1

    changed = src.replace("int score(int n) { return 3 * n + 1; }",
                          "int score(int n, int k) { return k * n; }")
    changed = changed.replace("score(ticks))", "score(ticks, 2))")
    check(changed.count("score(ticks, 2)") == 1 and "int k" in changed, "edit did not apply")
    seen = len(p.stderr())
    write_in_place(path, changed)
    failed = p.wait_stderr(RELOAD_FAILED, f"the refusal of {name}", start=seen)
    report = "\n".join(p.stderr()[seen:failed])
    check("the signature of 'score' changed from 'int (int)' to 'int (int, int)'" in report,
          f"{name}: the refusal should name score and both signatures:\n{report}")

    count = len(p.ticks())
    p.wait_ticks(count + 3, f"{name}: 3 more ticks after the refusal")
    check(p.alive(), f"{name}: hotcc exited after a refused reload")
    check(check_ticks(p.ticks(), [old], p.dump()) == 0, f"{name}: the old score() must keep running")

    # A compatible edit afterwards is applied as usual.
    seen = len(p.stderr())
    write_in_place(path, with_score(src, "10 * n"))
    p.wait_stderr(status_re("1 compiled (score)", removed=0), f"{name}: the status line after "
                  "going back to score(int)", start=seen)
    p.wait_formula(lambda n: 10 * n, what=f"{name}: ticks computed by the new score()")
    check(check_ticks(p.ticks(), [old, lambda n: 10 * n], p.dump()) == 1, f"{name}: final ticks")
    p.stop()


def body(s):
    refuse_then_fix(s, "counter.cpp", counter_source(delay_ms=100))
    refuse_then_fix(s, "counter.c", C_COUNTER)


if __name__ == "__main__":
    Session.main(body)
