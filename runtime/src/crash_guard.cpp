#include "hotcc/crash_guard.hpp"
#include "hotcc/crash_handler.hpp"
#include "crash_stack.hpp"

#include <csetjmp>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <ctime>
#include <pthread.h>
#include <unistd.h>
#include <typeinfo>
#include <vector>

#include <cxxabi.h>

namespace hotcc {
namespace {

constexpr int kGuardedSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGINT};

struct Frame {
  sigjmp_buf jump;
  Frame *outer = nullptr;
  timer_t timer{};
  bool hasTimer = false;
  unsigned timeoutMs = 0;
  CrashRecord crash;  // the stack at a crash, taken before the jump leaves it
};

// The per-thread timeout timer's signal: a real-time one, so a program's own SIGALRM is left alone.
int timerSignal() { return SIGRTMIN + 4; }

thread_local Frame *innermost = nullptr;
thread_local volatile sig_atomic_t caughtSignal = 0;
thread_local Frame *volatile timedOutFrame = nullptr;

// Process-wide state: our handlers are installed while any guarded call runs, the previous ones
// are restored when the last ends.
std::mutex installMutex;
int activeGuards = 0;
struct sigaction previous[NSIG];
std::vector<pthread_t> guardedThreads;  // where a process-directed SIGINT is forwarded

void onSignal(int signal, siginfo_t *info, void *context) {
  if (signal == timerSignal()) {
    // Jump to the guard whose timer fired, if it is still running on this thread.
    auto *target = info ? static_cast<Frame *>(info->si_value.sival_ptr) : nullptr;
    for (Frame *frame = innermost; frame; frame = frame->outer)
      if (frame == target) {
        caughtSignal = signal;
        timedOutFrame = target;
        siglongjmp(target->jump, 1);
      }
    return;  // a stale timer
  }
  if (Frame *frame = innermost) {
    caughtSignal = signal;
    if (signal != SIGINT && context)
      crash::walkStack(*static_cast<ucontext_t *>(context), frame->crash, nullptr, nullptr);
    siglongjmp(frame->jump, 1);
  }
  if (signal == SIGINT && !guardedThreads.empty()) {
    // Ctrl-C landed on a thread that is not running guarded code: interrupt the one that is.
    pthread_kill(guardedThreads.back(), SIGINT);
    return;
  }
  // Not ours: behave as the process would have without us.
  struct sigaction &old = previous[signal];
  if (old.sa_flags & SA_SIGINFO) {
    if (old.sa_sigaction)
      old.sa_sigaction(signal, info, context);  // the crash handler reads the context
    return;
  }
  if (old.sa_handler == SIG_IGN)
    return;
  if (old.sa_handler != SIG_DFL && old.sa_handler) {
    old.sa_handler(signal);
    return;
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

void enter() {
  std::lock_guard lock(installMutex);
  guardedThreads.push_back(pthread_self());
  if (activeGuards++ > 0)
    return;
  struct sigaction action {};
  action.sa_sigaction = onSignal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (int signal : kGuardedSignals)
    sigaction(signal, &action, &previous[signal]);
  sigaction(timerSignal(), &action, &previous[timerSignal()]);
}

void leave() {
  std::lock_guard lock(installMutex);
  for (auto it = guardedThreads.end(); it != guardedThreads.begin();) {
    --it;
    if (pthread_equal(*it, pthread_self())) {
      guardedThreads.erase(it);
      break;
    }
  }
  if (--activeGuards > 0)
    return;
  for (int signal : kGuardedSignals)
    sigaction(signal, &previous[signal], nullptr);
  sigaction(timerSignal(), &previous[timerSignal()], nullptr);
}

void armTimer(Frame &frame) {
  if (!frame.hasTimer)
    return;
  itimerspec spec{};
  spec.it_value.tv_sec = frame.timeoutMs / 1000;
  spec.it_value.tv_nsec = static_cast<long>(frame.timeoutMs % 1000) * 1000000L;
  timer_settime(frame.timer, 0, &spec, nullptr);
}

void startTimer(Frame &frame, unsigned timeoutMs) {
  if (timeoutMs == 0)
    return;
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = timerSignal();
  event.sigev_value.sival_ptr = &frame;
  event._sigev_un._tid = static_cast<pid_t>(gettid());
  if (timer_create(CLOCK_MONOTONIC, &event, &frame.timer) != 0)
    return;
  frame.hasTimer = true;
  frame.timeoutMs = timeoutMs;
  armTimer(frame);
}

void stopTimer(Frame &frame) {
  if (frame.hasTimer)
    timer_delete(frame.timer);
  frame.hasTimer = false;
}

// Leaves `frame`, and any inner guards a jump to it skipped.
void unwindTo(Frame &frame) {
  for (Frame *inner = innermost; inner && inner != &frame; inner = inner->outer) {
    stopTimer(*inner);
    leave();
  }
  stopTimer(frame);
  innermost = frame.outer;
  leave();
}

std::string currentExceptionType() {
  if (auto *type = abi::__cxa_current_exception_type()) {
    int status = 0;
    char *name = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
    std::string out = status == 0 && name ? name : type->name();
    std::free(name);
    return out;
  }
  return "unknown";
}

} // namespace

std::string describeSignal(int signal) {
  switch (signal) {
  case SIGSEGV:
    return "SIGSEGV (segmentation fault)";
  case SIGBUS:
    return "SIGBUS (bus error)";
  case SIGFPE:
    return "SIGFPE (arithmetic exception, e.g. division by zero)";
  case SIGILL:
    return "SIGILL (illegal instruction)";
  case SIGABRT:
    return "SIGABRT (abort)";
  case SIGINT:
    return "SIGINT (interrupted)";
  default:
    return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
}

std::string signalName(int signal) {
  switch (signal) {
  case SIGSEGV:
    return "SIGSEGV";
  case SIGBUS:
    return "SIGBUS";
  case SIGFPE:
    return "SIGFPE";
  case SIGILL:
    return "SIGILL";
  case SIGABRT:
    return "SIGABRT";
  case SIGINT:
    return "SIGINT";
  default:
    return "signal " + std::to_string(signal);
  }
}

failure::Crash GuardedOutcome::crash(std::string during) const {
  failure::Crash crash;
  crash.cause = kind == Kind::Exception ? failure::Crash::Cause::Exception
                : kind == Kind::Timeout ? failure::Crash::Cause::Timeout
                                        : failure::Crash::Cause::Signal;
  crash.signal = signal;
  if (kind == Kind::Signal)
    crash.signalName = signalName(signal);
  crash.exceptionType = exceptionType;
  crash.what = what;
  crash.timeoutMs = timeoutMs;
  crash.during = std::move(during);
  return crash;
}

GuardedOutcome runGuarded(void (*fn)(void *), void *arg) { return runGuarded(fn, arg, {}); }

GuardedOutcome runGuarded(void (*fn)(void *), void *arg, const GuardOptions &options) {
  ensureAlternateStack();
  enter();
  GuardedOutcome outcome;
  Frame frame;
  frame.outer = innermost;
  // Saves the signal mask: the jump back restores it, unblocking the signal being handled.
  if (sigsetjmp(frame.jump, 1) == 0) {
    innermost = &frame;
    startTimer(frame, options.timeoutMs);
    if (!options.catchExceptions) {
      try {
        fn(arg);
      } catch (...) {
        unwindTo(frame);
        throw;
      }
    } else {
      try {
        fn(arg);
      } catch (const std::exception &e) {
        outcome.kind = GuardedOutcome::Kind::Exception;
        outcome.exceptionType = currentExceptionType();
        outcome.what = e.what();
        outcome.message = outcome.exceptionType + ": " + outcome.what;
      } catch (...) {
        outcome.kind = GuardedOutcome::Kind::Exception;
        outcome.exceptionType = currentExceptionType();
        outcome.message = "an exception of type " + outcome.exceptionType;
      }
    }
  } else if (timedOutFrame == &frame) {
    timedOutFrame = nullptr;
    outcome.kind = GuardedOutcome::Kind::Timeout;
    outcome.timeoutMs = frame.timeoutMs;
    outcome.message = "timed out after " + std::to_string(frame.timeoutMs) + " ms";
  } else {
    outcome.kind = GuardedOutcome::Kind::Signal;
    outcome.signal = caughtSignal;
    outcome.what = strsignal(caughtSignal);
    outcome.message = describeSignal(caughtSignal);
    if (caughtSignal != SIGINT)
      outcome.frames.assign(frame.crash.frames, frame.crash.frames + frame.crash.frameCount);
  }
  unwindTo(frame);
  return outcome;
}

void restartGuardTimeout() {
  for (Frame *frame = innermost; frame; frame = frame->outer)
    if (frame->hasTimer) {
      armTimer(*frame);
      return;
    }
}

} // namespace hotcc
