#include "hotcc/thread_registry.hpp"

#include <pthread.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace hotcc {

namespace {

// x86-64 leaf functions may keep values in the 128 bytes below the stack pointer.
constexpr std::uintptr_t kRedZone = 128;

struct ThreadRecord {
  pthread_t handle{};
  std::uintptr_t stackLow = 0, stackTop = 0;
  // Written by the stop handler, read by the scanner once `stopped` says so.
  std::uintptr_t sp = 0;
  std::uintptr_t registers[NGREG] = {};
  std::atomic<std::uint32_t> stopped{0};  // the epoch this thread last stopped for
};

std::mutex registryMutex;             // registration, and one stop-the-world at a time
std::vector<ThreadRecord *> threads;  // registered, alive
std::atomic<std::uint32_t> resumeEpoch{0};
std::atomic<std::uint32_t> stopEpoch{0};
thread_local ThreadRecord *self = nullptr;

void futexWait(std::atomic<std::uint32_t> &word, std::uint32_t value) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAIT_PRIVATE, value, nullptr,
          nullptr, 0);
}
void futexWakeAll(std::atomic<std::uint32_t> &word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX,
          nullptr, nullptr, 0);
}

// Runs on the stopped thread: only async-signal-safe work (atomics and a futex syscall).
void onStop(int, siginfo_t *, void *context) {
  int savedErrno = errno;
  ThreadRecord *record = self;
  std::uint32_t epoch = stopEpoch.load(std::memory_order_acquire);
  if (record && epoch != 0) {
    auto *uc = static_cast<ucontext_t *>(context);
    for (int i = 0; i < NGREG; ++i)
      record->registers[i] = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[i]);
    record->sp = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
    record->stopped.store(epoch, std::memory_order_release);
    futexWakeAll(record->stopped);
    while (resumeEpoch.load(std::memory_order_acquire) != epoch)
      futexWait(resumeEpoch, resumeEpoch.load(std::memory_order_relaxed));
  }
  errno = savedErrno;
}

void installStopHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action = {};
    action.sa_sigaction = onStop;
    // SA_RESTART: a thread stopped inside a blocking call (a condition wait) resumes the call.
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask);
    sigaction(threadStopSignal(), &action, nullptr);
  });
}

// The thread's stack as pthread sees it (the main thread's too: glibc reads /proc/self/maps).
bool stackOf(pthread_t thread, std::uintptr_t &low, std::uintptr_t &top) {
  pthread_attr_t attr;
  if (pthread_getattr_np(thread, &attr) != 0)
    return false;
  void *base = nullptr;
  size_t size = 0;
  bool ok = pthread_attr_getstack(&attr, &base, &size) == 0;
  pthread_attr_destroy(&attr);
  low = reinterpret_cast<std::uintptr_t>(base);
  top = low + size;
  return ok && size != 0;
}

void visitRange(std::uintptr_t from, std::uintptr_t to,
                const std::function<void(std::uintptr_t)> &visit) {
  from &= ~std::uintptr_t(sizeof(void *) - 1);
  for (auto p = from; p + sizeof(void *) <= to; p += sizeof(void *))
    visit(*reinterpret_cast<const std::uintptr_t *>(p));
}

// Unregisters a thread that leaves through pthread_exit as well as by returning.
struct ExitGuard {
  ~ExitGuard() { unregisterThisThread(); }
};

} // namespace

int threadStopSignal() { return SIGRTMAX - 3; }

void registerThisThread() {
  if (self)
    return;
  installStopHandler();
  auto *record = new ThreadRecord;
  record->handle = pthread_self();
  stackOf(record->handle, record->stackLow, record->stackTop);
  {
    std::lock_guard lock(registryMutex);
    threads.push_back(record);
  }
  self = record;
  thread_local ExitGuard guard;
  (void)guard;
}

void unregisterThisThread() {
  ThreadRecord *record = self;
  if (!record)
    return;
  {
    // Waits for a stop-the-world in progress: the record must outlive its scan.
    std::lock_guard lock(registryMutex);
    std::erase(threads, record);
  }
  self = nullptr;
  delete record;
}

bool thisThreadRegistered() { return self != nullptr; }

ScanResult stopAndScan(const std::function<void(std::uintptr_t)> &visit) {
  installStopHandler();
  std::lock_guard lock(registryMutex);
  const std::uint32_t epoch = stopEpoch.load() + 1;
  stopEpoch.store(epoch, std::memory_order_release);

  // Step 1: signal every other registered thread and wait for each to publish its state.
  std::vector<ThreadRecord *> others;
  others.reserve(threads.size());
  for (auto *record : threads)
    if (record != self)
      others.push_back(record);
  std::size_t signaled = 0;
  ScanResult result = ScanResult::Complete;
  for (auto *record : others) {
    if (pthread_kill(record->handle, threadStopSignal()) != 0) {
      result = ScanResult::ThreadDidNotStop;
      break;
    }
    ++signaled;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (std::size_t i = 0; i < signaled && result == ScanResult::Complete; ++i) {
    // A thread that blocks the signal never answers: give up on this pass rather than guess.
    while (others[i]->stopped.load(std::memory_order_acquire) != epoch) {
      if (std::chrono::steady_clock::now() > deadline) {
        result = ScanResult::ThreadDidNotStop;
        break;
      }
      std::this_thread::yield();
    }
  }

  // Step 2: scan. Nothing below allocates: a stopped thread may hold the malloc lock.
  if (result == ScanResult::Complete) {
    for (auto *record : others) {
      if (record->sp < record->stackLow + kRedZone || record->sp > record->stackTop) {
        result = ScanResult::StackNotFound;  // e.g. on an alternate signal stack
        break;
      }
      for (auto word : record->registers)
        visit(word);
      visitRange(record->sp - kRedZone, record->stackTop, visit);
    }
  }
  if (result == ScanResult::Complete) {
    // The caller's own frames: callee-saved registers spilled first, then the stack up to its top.
    __builtin_unwind_init();
    std::uintptr_t low = 0, top = 0;
    if (self)
      low = self->stackLow, top = self->stackTop;
    else if (!stackOf(pthread_self(), low, top))
      result = ScanResult::StackNotFound;
    auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    if (result == ScanResult::Complete)
      visitRange(here - kRedZone, top, visit);
  }

  // Step 3: resume every thread that was signaled (a late one resumes as soon as it stops).
  resumeEpoch.store(epoch, std::memory_order_release);
  futexWakeAll(resumeEpoch);
  if (result != ScanResult::Complete)
    for (std::size_t i = 0; i < signaled; ++i)
      // A late thread must have seen this epoch's resume before the next stop reuses its record.
      while (others[i]->stopped.load(std::memory_order_acquire) != epoch &&
             std::chrono::steady_clock::now() < deadline + std::chrono::seconds(2))
        std::this_thread::yield();
  return result;
}

} // namespace hotcc

namespace {
struct StartArguments {
  void *(*start)(void *);
  void *arg;
};

void *registeredStart(void *raw) {
  auto args = *static_cast<StartArguments *>(raw);
  delete static_cast<StartArguments *>(raw);
  hotcc::registerThisThread();  // unregistered by its thread_local guard when it exits
  return args.start(args.arg);
}
} // namespace

extern "C" int hotcc_pthread_create(void *thread, const void *attr, void *(*start)(void *),
                                    void *arg) {
  auto *args = new StartArguments{start, arg};
  int rc = pthread_create(static_cast<pthread_t *>(thread), static_cast<const pthread_attr_t *>(attr),
                          registeredStart, args);
  if (rc != 0)
    delete args;
  return rc;
}
