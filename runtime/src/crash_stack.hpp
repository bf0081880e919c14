// The crash handler's steps that read the crashed thread: its stack (from the signal context)
// and the exception std::terminate saw. Used by crash_handler.cpp and crash_guard.cpp.
#pragma once
#include "hotcc/crash_handler.hpp"

#include <ucontext.h>

namespace hotcc::crash {

// The registers a caller expects intact after a call (System V x86-64), as they are in the frame
// that called the innermost JIT frame: what a `ret` from that frame would leave.
struct CallerState {
  bool known = false;
  std::uintptr_t ip = 0, sp = 0;
  std::uintptr_t rbx = 0, rbp = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0;
};

struct StackWalk {
  bool truncated = false;  // more frames than CrashRecord::kMaxFrames
  CallerState caller;      // of record.hotFrame, when there is one
};

// Fills record.frames/frameCount/hotFrame from the signal context `context` (frames of the
// handler itself are skipped). `isJitCode` may be null (no frame is then hot).
StackWalk walkStack(const ucontext_t &context, CrashRecord &record,
                    bool (*isJitCode)(void *, std::uintptr_t), void *hookContext);

// The terminate handler's note of the exception in flight on this thread, moved into `record`.
void takePendingException(CrashRecord &record);
// Called by the terminate handler: notes the current exception's type and what().
void notePendingException();

// Makes the signal context resume in `caller` as if the innermost JIT frame had returned zero.
void resumeInCaller(ucontext_t &context, const CallerState &caller);

} // namespace hotcc::crash
