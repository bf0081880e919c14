// Stopping every thread of the process and scanning its stack and registers (see
// thread_registry.hpp). Why every thread and not only registered ones: a thread hotcc did not
// start (a library's worker, a callback from a C library, a thread started through libstdc++'s
// std::thread, whose pthread_create call is not hot code's) may be executing in a retired version
// or have a frame that returns into one; a scan that skipped it would free code under it. Stopping
// it is what makes that impossible; a thread that cannot be stopped (it blocks the signal) or
// whose stack cannot be found makes the pass free nothing.
#include "hotcc/thread_registry.hpp"

#include "process_threads.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
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
// More threads than this and a pass gives up (slots are static: a late handler may still read one).
constexpr std::size_t kMaxThreads = 4096;
constexpr auto kStopDeadline = std::chrono::seconds(2);

// What a stopped thread publishes, on its own stack (in the handler's frame): it stays valid
// until the thread sees the resume.
struct StopRecord {
  std::uintptr_t sp = 0;
  std::uintptr_t registers[NGREG] = {};
  std::uintptr_t stackLow = 0, stackTop = 0;  // registered threads only
  bool registered = false;
  bool onAlternateStack = false;
};

// One thread asked to stop. `request` packs the epoch and the thread id; the handler claims it by
// setting kClaimed, so a request the scanner withdrew (the pass gave up) is never answered late
// into a slot reused for another thread.
struct Slot {
  std::atomic<std::uint64_t> request{0};
  std::atomic<StopRecord *> record{nullptr};
  std::atomic<std::uint32_t> stopped{0};  // the epoch this thread last stopped for
  pid_t tid = 0;                          // the scanner's copy
  bool gone = false;                      // exited before it answered
};
constexpr std::uint64_t kClaimed = std::uint64_t(1) << 63;

Slot slots[kMaxThreads];
std::atomic<std::size_t> slotsInUse{0};
std::atomic<std::uint32_t> stopEpoch{0};
std::atomic<std::uint32_t> resumeEpoch{0};
std::mutex stopMutex;  // one stop-the-world at a time

std::uint64_t requestFor(std::uint32_t epoch, pid_t tid) {
  return (std::uint64_t(epoch & 0x7fffffffu) << 32) | std::uint32_t(tid);
}
// A thread still inside the handler for an earlier pass blocks the signal for a moment too: only
// a mask that stays blocking this long counts as a thread that blocks it.
constexpr auto kBlockedGrace = std::chrono::milliseconds(50);

pid_t currentTid() { return pid_t(syscall(SYS_gettid)); }

void futexWait(std::atomic<std::uint32_t> &word, std::uint32_t value) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAIT_PRIVATE, value, nullptr,
          nullptr, 0);
}
void futexWakeAll(std::atomic<std::uint32_t> &word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX,
          nullptr, nullptr, 0);
}

void fillRecord(StopRecord &record, const ucontext_t &uc) {
  for (int i = 0; i < NGREG; ++i)
    record.registers[i] = static_cast<std::uintptr_t>(uc.uc_mcontext.gregs[i]);
  record.sp = static_cast<std::uintptr_t>(uc.uc_mcontext.gregs[REG_RSP]);
  record.registered = registeredStack(record.stackLow, record.stackTop);
  // Interrupted inside a handler that runs on the alternate signal stack: the thread's own
  // frames are on its normal stack, which its stack pointer does not lead to.
  stack_t alternate;
  record.onAlternateStack = sigaltstack(nullptr, &alternate) == 0 &&
                            (alternate.ss_flags & SS_ONSTACK);
}

// Runs on the stopped thread: only async-signal-safe work (atomics and syscalls).
void onStop(int, siginfo_t *, void *context) {
  int savedErrno = errno;
  const std::uint32_t epoch = stopEpoch.load(std::memory_order_acquire);
  const std::uint64_t wanted = requestFor(epoch, currentTid());
  const std::size_t inUse = slotsInUse.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < inUse; ++i) {
    std::uint64_t expected = wanted;
    if (!slots[i].request.compare_exchange_strong(expected, wanted | kClaimed,
                                                  std::memory_order_acq_rel))
      continue;
    StopRecord record;
    fillRecord(record, *static_cast<ucontext_t *>(context));
    slots[i].record.store(&record, std::memory_order_release);
    slots[i].stopped.store(epoch, std::memory_order_release);
    futexWakeAll(slots[i].stopped);
    // Until this epoch or a later one resumed: a thread slow to see its resume may find the next
    // pass's already published (that pass, not answered, gave up on it).
    for (std::uint32_t resumed; std::int32_t((resumed = resumeEpoch.load(
                                    std::memory_order_acquire)) - epoch) < 0;)
      futexWait(resumeEpoch, resumed);
    break;
  }
  // Not asked (a signal from a pass that gave up on this thread): nothing to do.
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

// Reads every word of a stack, as a conservative collector does: the words in an instrumented
// frame's ASan redzones too, which are no variable's but are the stack's. So not instrumented.
__attribute__((no_sanitize("address"))) void
visitRange(std::uintptr_t from, std::uintptr_t to,
           const std::function<void(std::uintptr_t)> &visit) {
  from &= ~std::uintptr_t(sizeof(void *) - 1);
  for (auto p = from; p + sizeof(void *) <= to; p += sizeof(void *))
    visit(*reinterpret_cast<const std::uintptr_t *>(p));
}

// One stop-the-world: what it needs is allocated before anyone stops.
class StopSession {
public:
  StopSession(std::uint32_t epoch) : epoch_(epoch), self_(currentTid()) {
    tids_.resize(kMaxThreads);
    maps_.resize(proc::mapsSize() * 2 + (64u << 10));
  }

  // Signals every thread but the caller, again for threads started meanwhile, until the list of
  // the process's threads holds none that is not stopped: a stopped thread cannot start another,
  // so then every thread is stopped.
  ScanResult stopAll() {
    for (;;) {
      long listed = proc::listThreads(tids_.data(), tids_.size());
      if (listed < 0 || std::size_t(listed) > tids_.size())
        return ScanResult::ThreadsUnknown;
      std::size_t before = used_;
      for (long i = 0; i < listed; ++i)
        if (tids_[i] != self_ && !asked(tids_[i]))
          if (auto result = ask(tids_[i]); result != ScanResult::Complete)
            return result;
      if (used_ == before)
        return ScanResult::Complete;
      for (std::size_t i = before; i < used_; ++i)
        if (auto result = waitFor(slots[i]); result != ScanResult::Complete)
          return result;
    }
  }

  // Every stopped thread's registers and stack, then the caller's own stack. No allocation.
  ScanResult scan(std::uintptr_t ownTop, const std::function<void(std::uintptr_t)> &visit) {
    // Read now, with every thread stopped: no mapping changes under the scan.
    if (proc::readFile("/proc/self/maps", maps_.data(), maps_.size()) < 0)
      return ScanResult::ThreadsUnknown;
    for (std::size_t i = 0; i < used_; ++i) {
      if (slots[i].gone)
        continue;
      const StopRecord &record = *slots[i].record.load(std::memory_order_acquire);
      std::uintptr_t low = 0, top = 0;
      if (record.onAlternateStack || !stackBounds(record, low, top))
        return ScanResult::StackNotFound;
      for (auto word : record.registers)
        visit(word);
      visitRange(std::max(low, record.sp - kRedZone), top, visit);
    }
    // The caller's own frames: callee-saved registers spilled first, then the stack up to its top.
    __builtin_unwind_init();
    auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    visitRange(here - kRedZone, ownTop, visit);
    return ScanResult::Complete;
  }

  // Lets every stopped thread go, and withdraws the requests no thread answered.
  void resume() {
    resumeEpoch.store(epoch_, std::memory_order_release);
    futexWakeAll(resumeEpoch);
    const auto deadline = std::chrono::steady_clock::now() + kStopDeadline;
    for (std::size_t i = 0; i < used_; ++i) {
      std::uint64_t expected = requestFor(epoch_, slots[i].tid);
      if (slots[i].request.compare_exchange_strong(expected, 0, std::memory_order_acq_rel))
        continue;  // withdrawn: a late handler finds nothing to answer
      // Claimed: the handler is publishing; it must be done before this slot is reused.
      while (slots[i].stopped.load(std::memory_order_acquire) != epoch_ &&
             std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    }
  }

private:
  bool asked(pid_t tid) const {
    for (std::size_t i = 0; i < used_; ++i)
      if (slots[i].tid == tid)
        return true;
    return false;
  }

  ScanResult ask(pid_t tid) {
    if (used_ == kMaxThreads)
      return ScanResult::ThreadsUnknown;
    Slot &slot = slots[used_];
    slot.tid = tid;
    slot.gone = false;
    slot.record.store(nullptr, std::memory_order_relaxed);
    slot.request.store(requestFor(epoch_, tid), std::memory_order_release);
    slotsInUse.store(++used_, std::memory_order_release);
    if (syscall(SYS_tgkill, getpid(), tid, threadStopSignal()) != 0) {
      if (errno != ESRCH)
        return ScanResult::ThreadDidNotStop;
      slot.gone = true;  // exited since it was listed
    }
    return ScanResult::Complete;
  }

  // Until the thread answers, or exits. A thread that blocks the signal never answers: the pass
  // gives up (at once when its signal mask says so, else after the deadline) rather than guess.
  ScanResult waitFor(Slot &slot) {
    const auto start = std::chrono::steady_clock::now();
    auto nextCheck = start + std::chrono::milliseconds(2);
    while (!slot.gone && slot.stopped.load(std::memory_order_acquire) != epoch_) {
      auto now = std::chrono::steady_clock::now();
      if (now >= nextCheck) {
        if (!proc::threadAlive(slot.tid)) {
          std::uint64_t expected = requestFor(epoch_, slot.tid);
          if (slot.request.compare_exchange_strong(expected, 0, std::memory_order_acq_rel))
            slot.gone = true;  // exited without answering; else it is answering right now
          continue;
        }
        if ((now - start > kBlockedGrace && proc::blocksSignal(slot.tid, threadStopSignal())) ||
            now - start > kStopDeadline)
          return ScanResult::ThreadDidNotStop;
        nextCheck = now + std::chrono::milliseconds(2);
      }
      std::this_thread::yield();
    }
    return ScanResult::Complete;
  }

  // Where a stopped thread's frames are: its registered stack, or the readable mapping its stack
  // pointer is in (a pthread stack or the main thread's; more than the stack is only more words).
  bool stackBounds(const StopRecord &record, std::uintptr_t &low, std::uintptr_t &top) const {
    if (record.registered) {
      low = record.stackLow, top = record.stackTop;
      return record.sp >= low + kRedZone && record.sp <= top;
    }
    return proc::readableMappingOf(maps_.data(), record.sp, low, top);
  }

  std::uint32_t epoch_;
  pid_t self_;
  std::vector<pid_t> tids_;
  std::vector<char> maps_;
  std::size_t used_ = 0;
};

// The caller's stack top, found before anything stops (pthread_getattr_np allocates).
bool ownStackTop(std::uintptr_t &top) {
  std::uintptr_t low = 0;
  if (registeredStack(low, top))
    return true;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return false;
  void *base = nullptr;
  size_t size = 0;
  bool ok = pthread_attr_getstack(&attr, &base, &size) == 0;
  pthread_attr_destroy(&attr);
  top = reinterpret_cast<std::uintptr_t>(base) + size;
  return ok && size != 0;
}

} // namespace

int threadStopSignal() { return SIGRTMAX - 3; }

ScanResult stopAndScan(const std::function<void(std::uintptr_t)> &visit) {
  installStopHandler();
  std::lock_guard lock(stopMutex);
  std::uintptr_t ownTop = 0;
  if (programSwitchedStacks() || !ownStackTop(ownTop))
    return ScanResult::StackNotFound;
  const std::uint32_t epoch = stopEpoch.load() + 1;  // compared by difference: wraps safely
  StopSession session(epoch);
  slotsInUse.store(0, std::memory_order_release);
  stopEpoch.store(epoch, std::memory_order_release);

  ScanResult result = session.stopAll();
  if (result == ScanResult::Complete)
    result = session.scan(ownTop, visit);
  session.resume();
  return result;
}

} // namespace hotcc
