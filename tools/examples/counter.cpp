// Run it with `tools/hotcc run --watch tools/examples/counter.cpp`, then edit score() and save:
// the next tick prints the new score while `ticks` keeps counting.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

static int ticks = 0;  // lives across reloads

int score(int n) { return 3 * n + 1; }

static int delayMs() { return 500; }

void tick() {
  ++ticks;
  std::printf("tick %d: score(%d) = %d\n", ticks, ticks, score(ticks));
}

int main(int argc, char **argv) {
  long limit = argc > 1 ? std::atol(argv[1]) : 1000000;
  for (long i = 0; i < limit; ++i) {
    tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(delayMs()));
  }
  return 0;
}
