// A stop-the-world over every thread of the process: what reclamation of retired code needs to
// know that no thread is executing in a version or will return into one.
//
// stopAndScan() lists the process's threads (/proc/self/task) and sends each but the caller
// threadStopSignal(); its handler publishes the interrupted registers and stack pointer and waits
// on a futex. The caller visits every saved register and every word of each stack from the stack
// pointer (red zone included) to the stack's top, then resumes them all. Every thread, not only
// the ones hotcc knows: a thread a library started may call back into hot code, and a thread that
// is not stopped cannot be scanned. A thread that registered itself (ThreadRegistration, or hot
// code's pthread_create, bound to hotcc_pthread_create) is scanned to its exact stack bounds; any
// other to the end of the readable mapping its stack pointer is in (/proc/self/maps), which holds
// its whole stack for a thread started by pthread or the process's main thread. See README,
// "How it works: reclamation".
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

// Why a stop-and-scan did not cover every thread. Anything but Complete means: do not free
// anything on this pass.
enum class ScanResult {
  Complete,
  ThreadDidNotStop,  // a thread blocks the stop signal (or did not answer in 2 s)
  StackNotFound,     // a thread runs on another stack (a signal's alternate stack, a fiber's)
  ThreadsUnknown,    // /proc/self/task or /proc/self/maps could not be read, or too many threads
};

// Stops every thread of the process but the caller, calls `visit` with each word of their
// stacks and registers and of the caller's own stack, then resumes them. `visit` runs while other
// threads are stopped (one may hold the malloc lock): it must not allocate, lock or log.
ScanResult stopAndScan(const std::function<void(std::uintptr_t)> &visit);

// Whether the program switched stacks (hot code called swapcontext or setcontext, bound to the
// wrappers below): a suspended fiber's frames are on no thread's current stack, so from then on
// stopAndScan frees nothing (StackNotFound).
bool programSwitchedStacks();

// The calling thread's registered stack, [low, top), or false when it did not register.
// Async-signal-safe.
bool registeredStack(std::uintptr_t &low, std::uintptr_t &top);

} // namespace hotcc

// Hot code's pthread_create is bound to this: the new thread registers itself before the start
// routine runs and unregisters after it returns.
extern "C" int hotcc_pthread_create(void *thread, const void *attr, void *(*start)(void *),
                                    void *arg);

// Hot code's swapcontext and setcontext are bound to these: they note that the program switches
// stacks (see programSwitchedStacks), then switch.
extern "C" int hotcc_swapcontext(void *from, const void *to);
extern "C" int hotcc_setcontext(const void *to);
