#include "hotcc/frontend/linker_lock.hpp"

namespace hotcc::frontend {

std::mutex &inProcessLinkerLock() {
  static std::mutex lock;
  return lock;
}

} // namespace hotcc::frontend
