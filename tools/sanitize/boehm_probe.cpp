// Does Boehm GC keep an object alive that only an ASan fake stack frame points to? It does not:
// with detect_stack_use_after_return (on by default in clang 22's ASan) the frame lives on a heap
// the collector's stack scan never reads. Hence detect_stack_use_after_return=0 in
// tools/check --sanitize. Threads, GC_MALLOC and stop-the-world otherwise work under ASan.
//   clang++-22 -O1 -fsanitize=address tools/sanitize/boehm_probe.cpp -lgc -o /tmp/boehm_probe
//   /tmp/boehm_probe                                              # COLLECTED UNDER US, exit 1
//   ASAN_OPTIONS=detect_stack_use_after_return=0 /tmp/boehm_probe  # kept, exit 0
#include <gc.h>
#include <cstdio>
#include <cstring>

__attribute__((noinline)) void escape(void **p) { asm volatile("" ::"r"(p) : "memory"); }

__attribute__((noinline)) int hold() {
  void *local[1];  // address taken: ASan may move this frame to a fake stack
  local[0] = GC_MALLOC(64);
  std::memset(local[0], 0x5a, 64);
  escape(local);
  for (int round = 0; round < 20; ++round) {
    GC_gcollect();
    for (int i = 0; i < 100000; ++i)
      std::memset(GC_MALLOC(64), 0, 64);
  }
  auto *p = static_cast<unsigned char *>(local[0]);
  int changed = 0;
  for (int i = 8; i < 64; ++i)  // the first word is the free list's link once collected
    changed += p[i] != 0x5a;
  return changed;
}

int main() {
  GC_INIT();
  int changed = hold();
  std::printf("%s (%d bytes changed)\n", changed ? "COLLECTED UNDER US" : "kept", changed);
  return changed != 0;
}
