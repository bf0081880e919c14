// Threads that registered themselves: their exact stack bounds, for the stop-the-world
// (stop_the_world.cpp), which stops every thread whether registered or not.
#include "hotcc/thread_registry.hpp"

#include <pthread.h>

#include <atomic>

namespace hotcc {

namespace {

struct ThreadRecord {
  std::uintptr_t stackLow = 0, stackTop = 0;
};

thread_local ThreadRecord *self = nullptr;

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

// Unregisters a thread that leaves through pthread_exit as well as by returning.
struct ExitGuard {
  ~ExitGuard() { unregisterThisThread(); }
};

} // namespace

void registerThisThread() {
  if (self)
    return;
  auto *record = new ThreadRecord;
  if (!stackOf(pthread_self(), record->stackLow, record->stackTop)) {
    delete record;  // scanned as an unregistered thread is
    return;
  }
  // The stop handler reads `self` on this thread: the record must be whole before it is seen.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  self = record;
  thread_local ExitGuard guard;
  (void)guard;
}

void unregisterThisThread() {
  ThreadRecord *record = self;
  if (!record)
    return;
  self = nullptr;
  // A stop handler runs on this thread, so it saw the record before this line or not at all.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  delete record;
}

bool thisThreadRegistered() { return self != nullptr; }

bool registeredStack(std::uintptr_t &low, std::uintptr_t &top) {
  ThreadRecord *record = self;
  if (!record)
    return false;
  low = record->stackLow, top = record->stackTop;
  return true;
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
