// What happens when hot code crashes outside a guarded call (runGuarded): the process-wide handler
// for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT (and std::terminate, which records an uncaught
// exception before abort() raises SIGABRT). It walks the faulting thread's stack with libgcc's
// unwinder from the signal context (through the JIT's registered .eh_frame) and then either
//  - Die: calls the host's report hook on the crashing thread, restores the default action and
//    re-raises, so the exit status is what a normal crash gives (128 + signal); or
//  - Survive: the faulting call leaves the innermost JIT frame and returns to its caller with a
//    zero return value (the signal context's registers are rewritten to what `ret` would leave),
//    or, when that cannot be done, the thread jumps to its restart point (see CrashRestartPoint).
//    The crash is queued as a CrashRecord for another thread to take (takeCrash): the handler does
//    not print, and allocates nothing on this path.
// The handler knows nothing of the JIT: the engine supplies CrashHooks. LLVM-free.
#pragma once
#include <csetjmp>
#include <cstddef>
#include <cstdint>

namespace hotcc {

struct RawFrame {
  std::uintptr_t ip = 0;  // the faulting PC for frame 0, return addresses above it
  std::uintptr_t sp = 0;  // the stack pointer in this frame (libgcc's _Unwind_GetCFA)
  bool hot = false;       // JIT code (CrashHooks::isJitCode)
};

// A crash as the handler saw it: plain data, filled in a signal handler.
struct CrashRecord {
  static constexpr int kMaxFrames = 64;
  enum class Continuation { Died, ReturnedToCaller, Restarted };
  enum class Rollback { None, RolledBack, RegistryBusy };

  int signal = 0;
  std::uintptr_t faultAddress = 0;  // si_addr
  RawFrame frames[kMaxFrames];      // innermost first; frames[0] is where it happened (look
                                    // up frames[i > 0] at ip - 1: ip is a return address)
  int frameCount = 0;
  int hotFrame = -1;                // the innermost JIT frame, -1 when none
  bool hasException = false;        // std::terminate saw an exception in flight
  char exceptionType[160] = {};
  char what[512] = {};
  Continuation continuation = Continuation::Died;
  Rollback rollback = Rollback::None;
  std::uint64_t rolledBackReload = 0;  // Rollback::RolledBack: the reload undone
};

// The engine's side, called from the signal handler: each must be async-signal-safe (no locks
// that the crashed thread may hold, no allocation).
struct CrashHooks {
  void *context = nullptr;
  // Whether `pc` lies in code the JIT linked.
  bool (*isJitCode)(void *context, std::uintptr_t pc) = nullptr;
  // Survive only: rolls back the reload that made the body containing `pc` live, if any.
  CrashRecord::Rollback (*rollBack)(void *context, std::uintptr_t pc,
                                    std::uint64_t &reload) = nullptr;
  // Die only: reports the crash (allowed to allocate and print: the process is about to die).
  void (*reportFatal)(void *context, const CrashRecord &record) = nullptr;
};

enum class CrashResponse { Die, Survive };

// Installs the handler process-wide (replacing the previous hooks); the previous signal
// dispositions and terminate handler are restored by uninstallCrashHandler.
void installCrashHandler(const CrashHooks &hooks, CrashResponse response);
void uninstallCrashHandler();

// The next survived crash, oldest first; false when none is queued. Crashes beyond the queue's
// capacity (8) before anyone takes them are counted, not kept.
bool takeCrash(CrashRecord &out);

// A stack for signal handlers on the calling thread, so a stack overflow can be handled. Idempotent.
void ensureAlternateStack();

// Where a thread goes when a crash cannot return to a caller (no JIT frame, no caller frame, or
// the crashed frame is the outermost JIT frame, e.g. main itself): set with sigsetjmp by the
// thread's entry: `if (sigsetjmp(point.jump, 1)) {...restarted...}`, active while `armed`.
struct CrashRestartPoint {
  sigjmp_buf jump;
  bool armed = false;
};
// The calling thread's restart point (null: none; the crash is then fatal).
void setCrashRestartPoint(CrashRestartPoint *point);

} // namespace hotcc
