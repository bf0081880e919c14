#include "hotcc/exit_handlers.hpp"

namespace hotcc {

void ExitHandlers::record(Handler fn, void *arg) {
  std::lock_guard lock(mutex_);
  handlers_.emplace_back(fn, arg);
}

void ExitHandlers::runAll() {
  for (;;) {
    std::pair<Handler, void *> next;
    {
      std::lock_guard lock(mutex_);
      if (handlers_.empty())
        return;
      next = handlers_.back();
      handlers_.pop_back();
    }
    next.first(next.second);
  }
}

std::size_t ExitHandlers::pending() const {
  std::lock_guard lock(mutex_);
  return handlers_.size();
}

} // namespace hotcc

extern "C" int hotcc_rt_cxa_atexit(void (*fn)(void *), void *arg, void *dso) {
  if (!dso || !fn)
    return -1;
  static_cast<hotcc::ExitHandlers *>(dso)->record(fn, arg);
  return 0;
}
