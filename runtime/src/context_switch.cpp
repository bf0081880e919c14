// Stack switching in hot code (ucontext fibers): frames on a suspended fiber's stack are on no
// thread's current stack, where the stop-the-world looks, so reclamation must stop freeing.
#include "hotcc/thread_registry.hpp"

#include <ucontext.h>

#include <atomic>

namespace {
std::atomic<bool> switchedStacks{false};

// Before the switch: a pass that starts after it sees the flag.
void noteSwitch() { switchedStacks.store(true, std::memory_order_seq_cst); }
} // namespace

bool hotcc::programSwitchedStacks() { return switchedStacks.load(std::memory_order_seq_cst); }

extern "C" int hotcc_swapcontext(void *from, const void *to) {
  noteSwitch();
  return swapcontext(static_cast<ucontext_t *>(from), static_cast<const ucontext_t *>(to));
}

extern "C" int hotcc_setcontext(const void *to) {
  noteSwitch();
  return setcontext(static_cast<const ucontext_t *>(to));
}
