// The threads that may run hot code, and a stop-the-world over them: what reclamation of retired
// code needs to know that no thread is executing in a version or will return into one.
//
// A thread registers itself (ThreadRegistration, or hot code's pthread_create bound to
// hotcc_pthread_create). stopAndScan() sends each other registered thread kStopSignal; its handler
// publishes the interrupted registers and stack pointer and waits on a futex; the caller then
// visits every word of each stack, [sp - red zone, stack top), and every saved register, and
// resumes them all. Threads hotcc does not know about are not stopped: an engine reclaims only
// when the host promised that every thread that may run hot code is registered (see README).
#pragma once
#include <csignal>
#include <cstdint>
#include <functional>

namespace hotcc {

// A real-time signal: neither one a crash handler takes (SEGV, BUS, FPE, ILL, ABRT) nor Boehm
// GC's stop-the-world pair (SIGPWR, SIGXCPU on Linux).
int threadStopSignal();

void registerThisThread();
void unregisterThisThread();
bool thisThreadRegistered();

struct ThreadRegistration {
  ThreadRegistration() { registerThisThread(); }
  ~ThreadRegistration() { unregisterThisThread(); }
  ThreadRegistration(const ThreadRegistration &) = delete;
  ThreadRegistration &operator=(const ThreadRegistration &) = delete;
};

// Why a stop-and-scan did not cover every registered thread. Anything but Complete means: do not
// free anything on this pass.
enum class ScanResult { Complete, ThreadDidNotStop, StackNotFound };

// Stops every registered thread but the caller, calls `visit` with each word of their stacks and
// registers and of the caller's own stack, then resumes them. `visit` runs while other threads
// are stopped (one may hold the malloc lock): it must not allocate, lock or log.
ScanResult stopAndScan(const std::function<void(std::uintptr_t)> &visit);

} // namespace hotcc

// Hot code's pthread_create is bound to this: the new thread registers itself before the start
// routine runs and unregisters after it returns.
extern "C" int hotcc_pthread_create(void *thread, const void *attr, void *(*start)(void *),
                                    void *arg);
