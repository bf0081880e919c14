// Destructors of hot code's static objects. JIT'd code registers them with __cxa_atexit; hotcc routes
// that call here (the JIT'd code's __dso_handle is the address of one of these objects) so they run
// when the engine shuts down, before its code is unmapped, instead of at a process exit that might
// find the code gone.
#pragma once
#include <mutex>
#include <vector>

namespace hotcc {

class ExitHandlers {
public:
  using Handler = void (*)(void *);
  void record(Handler fn, void *arg);
  // Runs every handler once, newest first; handlers registered while running also run.
  void runAll();
  std::size_t pending() const;

private:
  mutable std::mutex mutex_;
  std::vector<std::pair<Handler, void *>> handlers_;
};

} // namespace hotcc

extern "C" {
// Installed as JIT'd code's __cxa_atexit: `dso` is the ExitHandlers the code was linked against.
int hotcc_rt_cxa_atexit(void (*fn)(void *), void *arg, void *dso);
}
