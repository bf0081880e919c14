#include "crash_stack.hpp"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <typeinfo>

#include <cxxabi.h>
#include <unwind.h>

namespace hotcc::crash {
namespace {

// DWARF register numbers of the x86-64 callee-saved registers.
enum DwarfRegister { Rbx = 3, Rbp = 6, R12 = 12, R13 = 13, R14 = 14, R15 = 15 };

struct WalkState {
  std::uintptr_t faultPc = 0;
  bool started = false;
  CrashRecord *record = nullptr;
  StackWalk result;
  bool (*isJitCode)(void *, std::uintptr_t) = nullptr;
  void *hookContext = nullptr;
};

CallerState callerState(_Unwind_Context *context, std::uintptr_t ip) {
  CallerState state;
  state.known = true;
  state.ip = ip;
  // libgcc's CFA of a frame is the stack pointer its callee's `ret` leaves (the callee's CFA in
  // DWARF's terms), so this is the caller's stack pointer right after the call returned.
  state.sp = _Unwind_GetCFA(context);
  state.rbx = _Unwind_GetGR(context, Rbx);
  state.rbp = _Unwind_GetGR(context, Rbp);
  state.r12 = _Unwind_GetGR(context, R12);
  state.r13 = _Unwind_GetGR(context, R13);
  state.r14 = _Unwind_GetGR(context, R14);
  state.r15 = _Unwind_GetGR(context, R15);
  return state;
}

// One frame, innermost first. libgcc starts in this file and unwinds through the kernel's signal
// frame (__restore_rt's CFI) into the frame that faulted, whose IP is the context's RIP.
_Unwind_Reason_Code visitFrame(_Unwind_Context *context, void *argument) {
  auto &walk = *static_cast<WalkState *>(argument);
  int beforeInstruction = 0;
  auto ip = static_cast<std::uintptr_t>(_Unwind_GetIPInfo(context, &beforeInstruction));
  if (!walk.started) {
    if (ip != walk.faultPc)
      return _URC_NO_REASON;  // still in the handler's own frames
    walk.started = true;
  }
  CrashRecord &record = *walk.record;
  if (record.frameCount == CrashRecord::kMaxFrames) {
    walk.result.truncated = true;
    return _URC_END_OF_STACK;
  }
  int index = record.frameCount++;
  RawFrame &frame = record.frames[index];
  frame.ip = ip;
  frame.sp = _Unwind_GetCFA(context);
  // A return address may be the first byte of the next function (after a call that does not
  // return): the call itself is one byte before.
  std::uintptr_t lookup = index == 0 ? ip : ip - 1;
  frame.hot = walk.isJitCode && walk.isJitCode(walk.hookContext, lookup);
  if (frame.hot && record.hotFrame < 0)
    record.hotFrame = index;
  else if (record.hotFrame >= 0 && index == record.hotFrame + 1)
    walk.result.caller = callerState(context, ip);
  return _URC_NO_REASON;
}

void copyText(char *to, std::size_t size, const char *from) {
  if (!from)
    from = "";
  std::strncpy(to, from, size - 1);
  to[size - 1] = '\0';
}

// Filled by the terminate handler, taken by the SIGABRT that abort() raises on the same thread.
struct PendingException {
  bool present = false;
  char type[sizeof(CrashRecord::exceptionType)] = {};
  char what[sizeof(CrashRecord::what)] = {};
};
thread_local PendingException pending;

} // namespace

StackWalk walkStack(const ucontext_t &context, CrashRecord &record,
                    bool (*isJitCode)(void *, std::uintptr_t), void *hookContext) {
  WalkState walk;
  walk.faultPc = static_cast<std::uintptr_t>(context.uc_mcontext.gregs[REG_RIP]);
  walk.record = &record;
  walk.isJitCode = isJitCode;
  walk.hookContext = hookContext;
  record.frameCount = 0;
  record.hotFrame = -1;
  _Unwind_Backtrace(visitFrame, &walk);
  if (record.frameCount == 0) {
    // The unwinder never reached the signal frame: the faulting PC alone.
    record.frames[0].ip = walk.faultPc;
    record.frames[0].sp = static_cast<std::uintptr_t>(context.uc_mcontext.gregs[REG_RSP]);
    record.frames[0].hot = isJitCode && isJitCode(hookContext, walk.faultPc);
    record.hotFrame = record.frames[0].hot ? 0 : -1;
    record.frameCount = 1;
  }
  return walk.result;
}

void notePendingException() {
  auto *type = abi::__cxa_current_exception_type();
  if (!type)
    return;  // std::terminate() called without an exception
  pending.present = true;
  int status = 0;
  char *name = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
  copyText(pending.type, sizeof pending.type, status == 0 && name ? name : type->name());
  std::free(name);
  try {
    throw;
  } catch (const std::exception &e) {
    copyText(pending.what, sizeof pending.what, e.what());
  } catch (...) {
    pending.what[0] = '\0';
  }
  // The exception was caught for std::terminate (by __cxa_throw or a noexcept boundary); a thread
  // that survives the abort never ends that catch, so end it here and free the exception.
  abi::__cxa_end_catch();
}

void takePendingException(CrashRecord &record) {
  if (!pending.present)
    return;
  record.hasException = true;
  copyText(record.exceptionType, sizeof record.exceptionType, pending.type);
  copyText(record.what, sizeof record.what, pending.what);
  pending.present = false;
}

void resumeInCaller(ucontext_t &context, const CallerState &caller) {
  auto &registers = context.uc_mcontext.gregs;
  registers[REG_RIP] = static_cast<greg_t>(caller.ip);
  registers[REG_RSP] = static_cast<greg_t>(caller.sp);
  registers[REG_RBX] = static_cast<greg_t>(caller.rbx);
  registers[REG_RBP] = static_cast<greg_t>(caller.rbp);
  registers[REG_R12] = static_cast<greg_t>(caller.r12);
  registers[REG_R13] = static_cast<greg_t>(caller.r13);
  registers[REG_R14] = static_cast<greg_t>(caller.r14);
  registers[REG_R15] = static_cast<greg_t>(caller.r15);
  // The zero return value: integers and pointers in RAX:RDX, floating point in XMM0.
  registers[REG_RAX] = 0;
  registers[REG_RDX] = 0;
  if (context.uc_mcontext.fpregs)
    std::memset(&context.uc_mcontext.fpregs->_xmm[0], 0, sizeof context.uc_mcontext.fpregs->_xmm[0]);
}

} // namespace hotcc::crash
