// Running code that may crash, abort, throw or loop, and coming back: what lets a REPL (or an
// in-process test runner) survive the user's mistakes. Signals raised while the guarded function
// runs on this thread (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, and SIGINT for Ctrl-C) jump back
// out of it; exceptions are caught. Outside a guarded call the process's own handlers apply.
#pragma once
#include <string>
#include <type_traits>

namespace hotcc {

struct GuardedOutcome {
  enum class Kind { Returned, Signal, Exception };
  Kind kind = Kind::Returned;
  int signal = 0;
  std::string message;  // "segmentation fault (SIGSEGV)", or the exception's what()
  bool ok() const { return kind == Kind::Returned; }
};

// Calls fn(arg). A jump out of a signal skips the destructors of the frames it leaves, and a
// crash inside the C library may leave it inconsistent: the outcome says what happened, the caller
// decides what to trust afterwards. Guarded calls may nest and may run on several threads.
GuardedOutcome runGuarded(void (*fn)(void *), void *arg);

template <typename F> GuardedOutcome runGuarded(F &&f) {
  return runGuarded([](void *p) { (*static_cast<std::remove_reference_t<F> *>(p))(); },
                    static_cast<void *>(&f));
}

// "SIGSEGV (segmentation fault)" and so on.
std::string describeSignal(int signal);

} // namespace hotcc
