// Running code that may crash, abort, throw or loop, and coming back: what lets a REPL (or an
// in-process test runner) survive the user's mistakes. Signals raised while the guarded function
// runs on this thread (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, and SIGINT for Ctrl-C) jump back
// out of it; exceptions are caught. Outside a guarded call the process's own handlers apply.
#pragma once
#include "hotcc/crash_handler.hpp"
#include "hotcc/outcome.hpp"

#include <string>
#include <type_traits>
#include <vector>

namespace hotcc {

struct GuardedOutcome {
  enum class Kind { Returned, Signal, Exception, Timeout };
  Kind kind = Kind::Returned;
  int signal = 0;
  std::string exceptionType;  // Kind::Exception: the type thrown, demangled, when known
  std::string what;           // the exception's what(); for a signal, the system's description
  unsigned timeoutMs = 0;     // Kind::Timeout: the limit that ran out
  std::string message;        // for logs: "SIGSEGV (segmentation fault)", "T: what()", ...
  // Kind::Signal (not SIGINT): the crashed thread's frames, innermost first (frames[0] is the
  // faulting PC); not classified as hot or not (RawFrame::hot is false).
  std::vector<RawFrame> frames;
  bool ok() const { return kind == Kind::Returned; }
  // The outcome as the typed failure clients report; `during`: what was running (a test's name,
  // an input's).
  failure::Crash crash(std::string during) const;
};

// Calls fn(arg). A jump out of a signal skips the destructors of the frames it leaves, and a
// crash inside the C library may leave it inconsistent: the outcome says what happened, the caller
// decides what to trust afterwards. Guarded calls may nest and may run on several threads.
GuardedOutcome runGuarded(void (*fn)(void *), void *arg);

struct GuardOptions {
  // false: exceptions leave the guarded call as they would without the guard (a test framework
  // that reports them itself).
  bool catchExceptions = true;
  // Nonzero: a call still running after this many milliseconds of wall time is interrupted (a
  // per-thread timer signal jumps out of it) and reported as Kind::Timeout.
  unsigned timeoutMs = 0;
};
GuardedOutcome runGuarded(void (*fn)(void *), void *arg, const GuardOptions &options);

// Restarts the timeout of the innermost guarded call on this thread that has one (a framework
// that runs many tests inside one guarded call gives each its own time).
void restartGuardTimeout();

template <typename F> GuardedOutcome runGuarded(F &&f) {
  return runGuarded([](void *p) { (*static_cast<std::remove_reference_t<F> *>(p))(); },
                    static_cast<void *>(&f));
}

// "SIGSEGV (segmentation fault)" and so on.
std::string describeSignal(int signal);
// "SIGSEGV", "SIGABRT", ...; "signal N" for others.
std::string signalName(int signal);

} // namespace hotcc
