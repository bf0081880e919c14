// Crashes in hot code, the engine's side: the hooks the runtime's crash handler calls (is this
// JIT code, roll back what crashed), naming a crash's frames, and guarded calls for hosts.
#include "engine_impl.hpp"
#include "hotcc/crash_guard.hpp"

#include <llvm/Demangle/Demangle.h>

#include <cstring>

#include <dlfcn.h>

namespace hotcc {

namespace {
const Engine *fatalEngine = nullptr;  // the engine whose hooks the crash handler calls
} // namespace

namespace {

// Called in a signal handler: a lock-free table lookup.
bool isJitCode(void *context, std::uintptr_t pc) {
  return static_cast<Engine::Impl *>(context)->host->codeMap().find(pc).has_value();
}

// Called in a signal handler: the registry's lock is only tried.
CrashRecord::Rollback rollBackAt(void *context, std::uintptr_t pc, std::uint64_t &reload) {
  auto &impl = *static_cast<Engine::Impl *>(context);
  auto range = impl.host->codeMap().find(pc);
  if (!range)
    return CrashRecord::Rollback::None;
  return impl.registry.tryRollbackReloadOf(range->start, reload);
}


void reportFatal(void *context, const CrashRecord &record) {
  auto &impl = *static_cast<Engine::Impl *>(context);
  if (impl.crashReport && fatalEngine)
    impl.crashReport(const_cast<Engine *>(fatalEngine)->describeCrash(record));
}

// "file.cpp:12" → ("file.cpp", 12).
SourcePoint splitLocation(const std::string &location) {
  SourcePoint point;
  auto colon = location.rfind(':');
  if (colon == std::string::npos)
    return SourcePoint{location, 0, 0};
  point.file = location.substr(0, colon);
  point.line = static_cast<unsigned>(std::strtoul(location.c_str() + colon + 1, nullptr, 10));
  return point;
}

// A body's symbol is "<link name>.hcv.<hash>" (module_split.cpp).
std::string hotLinkName(const std::string &symbol) {
  auto suffix = symbol.find(".hcv.");
  return suffix == std::string::npos ? symbol : symbol.substr(0, suffix);
}

StackFrame hostFrame(std::uintptr_t pc) {
  StackFrame frame;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void *>(pc), &info) != 0) {
    if (info.dli_sname)
      frame.function = llvm::demangle(info.dli_sname);
    if (info.dli_fname)
      frame.file = info.dli_fname;
  }
  return frame;
}

} // namespace

StackFrame Engine::Impl::nameFrame(std::uintptr_t pc, bool hot) {
  auto range = hot ? host->codeMap().find(pc) : std::nullopt;
  if (!range)
    return hostFrame(pc);
  StackFrame frame;
  frame.hot = true;
  std::optional<HotSymbolInfo> symbol;
  if (auto body = registry.findBody(range->start)) {
    symbol = body->first;
    frame.version = body->second + 1;
  } else {
    symbol = registry.find(hotLinkName(*range->name));
  }
  if (!symbol) {
    frame.function = llvm::demangle(hotLinkName(*range->name));
    return frame;
  }
  frame.function = symbol->displayName;
  auto where = splitLocation(symbol->location);
  frame.file = where.file;
  frame.line = where.line;
  return frame;
}

void Engine::Impl::nameCrash(failure::Crash &crash, const CrashRecord &record) {
  for (int i = 0; i < record.frameCount; ++i) {
    const RawFrame &raw = record.frames[i];
    // A return address may be one past a call that ends its function: look up the call.
    auto frame = nameFrame(i == 0 ? raw.ip : raw.ip - 1, raw.hot);
    frame.address = raw.ip;
    crash.backtrace.push_back(std::move(frame));
  }
  if (record.hotFrame < 0)
    return;
  const StackFrame &hot = crash.backtrace[record.hotFrame];
  crash.function = hot.function;
  crash.where = SourcePoint{hot.file, hot.line, 0};
  if (record.hotFrame + 1 < static_cast<int>(crash.backtrace.size()))
    crash.returnedTo = crash.backtrace[record.hotFrame + 1].function;
}

failure::Crash Engine::describeCrash(const CrashRecord &record) {
  failure::Crash crash;
  crash.signal = record.signal;
  crash.signalName = signalName(record.signal);
  if (record.hasException) {
    crash.cause = failure::Crash::Cause::Exception;
    crash.exceptionType = record.exceptionType;
    crash.what = record.what;
  } else {
    crash.what = strsignal(record.signal);
  }
  impl_->nameCrash(crash, record);
  switch (record.continuation) {
  case CrashRecord::Continuation::Died:
    crash.continuation = failure::Crash::Continuation::Died;
    crash.returnedTo.clear();
    break;
  case CrashRecord::Continuation::ReturnedToCaller:
    crash.continuation = failure::Crash::Continuation::ReturnedToCaller;
    break;
  case CrashRecord::Continuation::Restarted:
    crash.continuation = failure::Crash::Continuation::Restarted;
    crash.returnedTo.clear();
    break;
  }
  if (record.rollback == CrashRecord::Rollback::RolledBack)
    crash.rolledBack = impl_->registry.functionsOfReload(record.rolledBackReload);
  crash.rollbackSkipped = record.rollback == CrashRecord::Rollback::RegistryBusy;
  return crash;
}

void Engine::handleCrashes(CrashResponse response,
                           std::function<void(const failure::Crash &)> report) {
  impl_->crashResponse = response;
  impl_->crashReport = std::move(report);
  fatalEngine = this;
  CrashHooks hooks;
  hooks.context = impl_.get();
  hooks.isJitCode = isJitCode;
  hooks.rollBack = rollBackAt;
  hooks.reportFatal = reportFatal;
  installCrashHandler(hooks, response);
}

std::optional<failure::Crash> Engine::takeCrash() {
  CrashRecord record;
  if (!hotcc::takeCrash(record))
    return std::nullopt;
  return describeCrash(record);
}

} // namespace hotcc

namespace hotcc {
namespace {

// The hot function whose stub is `called` (what a host got from lookup), or none.
std::optional<HotSymbolInfo> calledFunction(Registry &registry, const void *called) {
  for (auto &symbol : registry.snapshot())
    if (reinterpret_cast<const void *>(symbol.stub) == called)
      return symbol;
  return std::nullopt;
}

// The reload that made `body` current when it is current (rolling it back steps back the
// functions it changed; the ones it added have nothing earlier and stay); else 0.
std::uint64_t reloadToUndo(Registry &registry, std::uintptr_t body) {
  auto found = registry.findBody(body);
  if (!found)
    return 0;
  auto &[symbol, index] = *found;
  return index == symbol.current ? symbol.history[index].reload : 0;
}

} // namespace

// A guarded crash as the handler would have recorded it, so it is named and rolled back the same
// way: the frames classified through the code map, the innermost JIT frame's reload undone.
Status Engine::guarded(const std::function<void()> &call, const void *called) {
  auto outcome = runGuarded([&] { call(); });
  if (outcome.ok())
    return Status::ok();
  CrashRecord record;
  record.signal = outcome.signal;
  record.hasException = outcome.kind == GuardedOutcome::Kind::Exception;
  std::strncpy(record.exceptionType, outcome.exceptionType.c_str(), sizeof record.exceptionType - 1);
  std::strncpy(record.what, outcome.what.c_str(), sizeof record.what - 1);
  for (auto &raw : outcome.frames) {
    if (record.frameCount == CrashRecord::kMaxFrames)
      break;
    RawFrame &frame = record.frames[record.frameCount] = raw;
    frame.hot = isJitCode(impl_.get(), record.frameCount == 0 ? raw.ip : raw.ip - 1);
    if (frame.hot && record.hotFrame < 0)
      record.hotFrame = record.frameCount;
    ++record.frameCount;
  }
  std::uintptr_t crashedBody = 0;
  if (record.hotFrame >= 0) {
    const RawFrame &hot = record.frames[record.hotFrame];
    if (auto range = impl_->host->codeMap().find(record.hotFrame == 0 ? hot.ip : hot.ip - 1))
      crashedBody = range->start;
  } else if (auto symbol = calledFunction(impl_->registry, called); symbol && !symbol->history.empty()) {
    // An exception leaves no frame: the function the host called stands for it.
    crashedBody = symbol->history[symbol->current].address;
  }
  auto crash = describeCrash(record);
  if (crash.function.empty() && crashedBody)
    if (auto body = impl_->registry.findBody(crashedBody))
      crash.function = body->first.displayName;
  crash.during = "a guarded call";
  crash.continuation = failure::Crash::Continuation::ReturnedToCaller;
  crash.returnedTo = "the host";
  if (auto reload = crashedBody ? reloadToUndo(impl_->registry, crashedBody) : 0)
    crash.rolledBack = impl_->registry.rollbackReload(reload);
  return Status::fail(std::move(crash));
}

} // namespace hotcc

namespace hotcc {

void detachCrashHandling(const Engine *engine) {
  if (fatalEngine != engine)
    return;
  uninstallCrashHandler();
  fatalEngine = nullptr;
}

} // namespace hotcc
