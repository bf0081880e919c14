"""`hotcc run --watch -v` frees old versions while threads call hot code: a program whose worker
threads (one std::thread, started through libstdc++ and so unknown to hotcc; one pthread_create
from hot code, registered) call work() in a loop gets 30 saves alternating work()'s result. The
program keeps running, no call ever returns a result of neither body, and the versions line says
versions were reclaimed."""
import re

from hotcc_e2e import Session, check, write_in_place

VERSIONS_RE = re.compile(r"^hotcc: code versions: (\d+) reclaimed, (\d+) retained")
TICK_RE = re.compile(r"^tick (\d+): calls (\d+) wrong (\d+)$")
SAVES = 30


def work(save):
    # A salt per save: each save is a body of its own (a new version to retire), not an undo.
    return ("int work(int x) { volatile int salt = %d; (void)salt; return 3 * x + %d; }"
            % (save, 1 + save % 2))


PROGRAM = r"""#include <atomic>
#include <chrono>
#include <cstdio>
#include <pthread.h>
#include <thread>

WORK

static std::atomic<long> calls{0}, wrong{0};

// Calls work() as fast as it can, with a pause now and then (the machine is shared).
static void callWork(int seed) {
  for (long i = 0;; ++i) {
    int x = int((seed + i) & 1023);
    int r = work(x) - 3 * x;
    if (r != 1 && r != 2)
      wrong++;
    calls++;
    if (i % 200 == 0)
      std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
}

static void *pthreadWorker(void *) {
  callWork(7);
  return nullptr;
}

int main() {
  std::thread worker(callWork, 0);
  pthread_t other;
  pthread_create(&other, nullptr, pthreadWorker, nullptr);
  for (int tick = 1;; ++tick) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::printf("tick %d: calls %ld wrong %ld\n", tick, calls.load(), wrong.load());
  }
}
"""


def source(save):
    return PROGRAM.replace("WORK", work(save))


def body(s):
    path = s.write("workers.cpp", source(0))
    p = s.watch("-v", "workers.cpp")

    def ticks():
        return [tuple(map(int, m.groups())) for m in map(TICK_RE.match, p.stdout()) if m]

    def reloads():
        return sum(1 for line in p.stderr() if line.startswith("hotcc: reloaded workers.cpp"))

    p.wait_for(lambda: len(ticks()) >= 2 and ticks()[-1][1] > 0, "the workers calling work()")
    for save in range(1, SAVES + 1):
        write_in_place(path, source(save))
        p.wait_for(lambda: reloads() >= save, f"the reload of save {save}")
        check(p.alive(), "hotcc exited during the saves\n" + p.dump())

    # The pass after the 16th load runs in the background; a later reload's line shows it.
    def reclaimed():
        found = [VERSIONS_RE.match(line) for line in p.stderr()]
        counts = [int(m.group(1)) for m in found if m]
        return counts and counts[-1] > 0 and counts[-1]
    write_in_place(path, source(SAVES + 1))
    count = p.wait_for(reclaimed, "a versions line with versions reclaimed\n" + p.dump())
    check(count >= 5, f"only {count} versions reclaimed after {SAVES} saves\n" + p.dump())

    # Still running, still calling, never a wrong result.
    seen = ticks()[-1]
    p.wait_for(lambda: ticks()[-1][0] >= seen[0] + 3, "3 more ticks after the saves")
    last = ticks()[-1]
    check(p.alive(), "hotcc exited after the saves\n" + p.dump())
    check(last[1] > seen[1], "the workers stopped calling work()\n" + p.dump())
    check(all(wrong == 0 for _, _, wrong in ticks()),
          "a call returned a result of neither body\n" + p.dump())
    check(not any("crashed" in line for line in p.stderr()), "a crash was reported\n" + p.dump())


if __name__ == "__main__":
    Session.main(body)
