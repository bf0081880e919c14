#include "hotcc/crash_handler.hpp"

#include "crash_stack.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include <pthread.h>

namespace hotcc {
namespace {

constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

CrashHooks hooks;
CrashResponse response = CrashResponse::Die;
bool installed = false;
struct sigaction previous[NSIG];
std::terminate_handler previousTerminate = nullptr;

thread_local CrashRestartPoint *restartPoint = nullptr;
thread_local volatile sig_atomic_t handling = 0;  // a crash inside the handler is fatal at once

// Survived crashes waiting for takeCrash: a fixed ring, written in signal handlers (several
// threads may crash at once), read by one thread.
struct QueueSlot {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 ready
  CrashRecord record;
};
constexpr unsigned kQueueSize = 8;
QueueSlot queue[kQueueSize];
std::atomic<unsigned> queueHead{0};  // next slot to write
unsigned queueTail = 0;              // next slot to read (takeCrash's thread only)

void enqueue(const CrashRecord &record) {
  unsigned index = queueHead.fetch_add(1) % kQueueSize;
  int expected = 0;
  if (!queue[index].state.compare_exchange_strong(expected, 1))
    return;  // the queue is full: nobody took the crashes before; this one is dropped
  queue[index].record = record;
  queue[index].state.store(2, std::memory_order_release);
}

// Ends the process as the signal would have without us: exit status 128 + signal.
[[noreturn]] void dieBySignal(int signal) {
  ::signal(signal, SIG_DFL);
  ::raise(signal);  // pending while the handler blocks it; delivered when unblocked below
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  std::_Exit(128 + signal);
}

[[noreturn]] void reportAndDie(const CrashRecord &record) {
  // What the program printed so far comes before the report. fflush is not async-signal-safe
  // (it takes the stream's lock): accepted in a process that is about to die anyway.
  std::fflush(stdout);
  std::fflush(stderr);
  if (hooks.reportFatal)
    hooks.reportFatal(hooks.context, record);
  dieBySignal(record.signal);
}

// Returning to the caller of the innermost JIT frame needs that caller, and a stack pointer whose
// slot below holds the caller's return address (a check that the unwinder's view is right).
bool canReturnToCaller(const CrashRecord &record, const crash::StackWalk &walk) {
  if (record.hotFrame < 0 || !walk.caller.known || walk.caller.sp < sizeof(std::uintptr_t))
    return false;
  auto *returnSlot = reinterpret_cast<const std::uintptr_t *>(walk.caller.sp) - 1;
  return *returnSlot == walk.caller.ip;
}

// The crashed frame is the outermost JIT frame (main, entered from the host): returning would
// end the program, so a thread with a restart point restarts instead.
bool isOutermostJitFrame(const CrashRecord &record, const crash::StackWalk &walk) {
  if (walk.truncated)
    return false;
  for (int i = record.hotFrame + 1; i < record.frameCount; ++i)
    if (record.frames[i].hot)
      return false;
  return true;
}

void rollBack(CrashRecord &record) {
  if (record.hotFrame < 0 || !hooks.rollBack)
    return;
  const RawFrame &frame = record.frames[record.hotFrame];
  std::uintptr_t pc = record.hotFrame == 0 ? frame.ip : frame.ip - 1;
  record.rollback = hooks.rollBack(hooks.context, pc, record.rolledBackReload);
}

// Survive: returns when the context now resumes in the caller; jumps to the restart point; or
// returns false when neither can be done.
bool survive(CrashRecord &record, const crash::StackWalk &walk, ucontext_t &context) {
  rollBack(record);
  bool restartable = restartPoint && restartPoint->armed;
  if (canReturnToCaller(record, walk) && !(restartable && isOutermostJitFrame(record, walk))) {
    record.continuation = CrashRecord::Continuation::ReturnedToCaller;
    enqueue(record);
    crash::resumeInCaller(context, walk.caller);
    return true;
  }
  if (!restartable)
    return false;
  record.continuation = CrashRecord::Continuation::Restarted;
  enqueue(record);
  handling = 0;
  // Restores the signal mask saved by sigsetjmp, unblocking this signal.
  siglongjmp(restartPoint->jump, 1);
}

void onCrash(int signal, siginfo_t *info, void *rawContext) {
  if (handling || !rawContext)
    dieBySignal(signal);
  handling = 1;
  auto &context = *static_cast<ucontext_t *>(rawContext);
  // Static, not on the (alternate) stack: a record is a few KB. Guarded by `handling` per
  // thread; two threads crashing at once share it (the second report may be garbled).
  static CrashRecord record;
  record = CrashRecord{};
  record.signal = signal;
  record.faultAddress = info ? reinterpret_cast<std::uintptr_t>(info->si_addr) : 0;
  crash::takePendingException(record);
  auto walk = crash::walkStack(context, record, hooks.isJitCode, hooks.context);
  if (response == CrashResponse::Survive && survive(record, walk, context)) {
    handling = 0;
    return;
  }
  reportAndDie(record);
}

[[noreturn]] void onTerminate() {
  crash::notePendingException();
  std::abort();
}

} // namespace

void installCrashHandler(const CrashHooks &newHooks, CrashResponse newResponse) {
  hooks = newHooks;
  response = newResponse;
  if (installed)
    return;
  installed = true;
  struct sigaction action {};
  action.sa_sigaction = onCrash;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int signal : kCrashSignals)
    sigaction(signal, &action, &previous[signal]);
  previousTerminate = std::set_terminate(onTerminate);
}

void uninstallCrashHandler() {
  if (!installed)
    return;
  installed = false;
  for (int signal : kCrashSignals)
    sigaction(signal, &previous[signal], nullptr);
  std::set_terminate(previousTerminate);
  hooks = {};
}

bool takeCrash(CrashRecord &out) {
  QueueSlot &slot = queue[queueTail % kQueueSize];
  if (slot.state.load(std::memory_order_acquire) != 2)
    return false;
  out = slot.record;
  slot.state.store(0, std::memory_order_release);
  ++queueTail;
  return true;
}

void ensureAlternateStack() {
  thread_local std::vector<char> stack;
  if (!stack.empty())
    return;
  // Enough for libgcc's unwinder and the handler's frames (the record itself is static).
  stack.resize(64 * 1024);
  stack_t alternate{};
  alternate.ss_sp = stack.data();
  alternate.ss_size = stack.size();
  sigaltstack(&alternate, nullptr);
}

void setCrashRestartPoint(CrashRestartPoint *point) { restartPoint = point; }

} // namespace hotcc
