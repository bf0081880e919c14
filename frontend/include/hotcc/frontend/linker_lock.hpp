// lld keeps process-global state while a link runs, whichever of its drivers runs it (the wasm
// backend's side modules, the engine's export table): every in-process link holds this lock.
#pragma once
#include <mutex>

namespace hotcc::frontend {

std::mutex &inProcessLinkerLock();

} // namespace hotcc::frontend
