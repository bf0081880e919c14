"""A crash in hot code without --watch is reported, never silent: what the program printed comes
first (its buffered stdout is flushed), then the signal, the hot function and its file:line, and a
backtrace whose JIT frames are named; the exit status is the one a normal crash gives (139)."""
from hotcc_e2e import Session, check

CRASH = r'''#include <cstdio>
int score(int n) { int *p = n == 3 ? nullptr : &n; return *p * 10; }

int main() {
  for (int i = 1; i <= 5; ++i)
    std::printf("score(%d) = %d\n", i, score(i));
  return 0;
}
'''


def body(s):
    s.write("crash.cpp", CRASH)
    r = s.run("run", "crash.cpp")
    check(r.returncode in (-11, 139), f"exit status should be a SIGSEGV death (139):\n{r.dump}")
    check(r.stdout.splitlines() == ["score(1) = 10", "score(2) = 20"],
          f"the two lines printed before the crash should appear:\n{r.dump}")
    check("main crashed: SIGSEGV in score (crash.cpp:2)" in r.stderr,
          f"stderr should say SIGSEGV in score (crash.cpp:2):\n{r.dump}")
    frames = [l for l in r.stderr.splitlines() if l.startswith("  #")]
    check(len(frames) >= 2 and frames[0].startswith("  #0 score (crash.cpp:2)  hot code"),
          f"the backtrace should start in score, a JIT frame:\n{r.dump}")
    check(any(l.startswith("  #1 main (crash.cpp:4)  hot code") for l in frames),
          f"the backtrace should name main as a JIT frame:\n{r.dump}")


if __name__ == "__main__":
    Session.main(body)
