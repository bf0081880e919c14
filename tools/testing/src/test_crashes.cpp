#include "test_crashes.hpp"

namespace hotcc::testing {

failure::Crash crashOf(const GuardedOutcome &outcome, std::string during, unsigned timeoutMs) {
  failure::Crash crash;
  crash.during = std::move(during);
  switch (outcome.kind) {
  case GuardedOutcome::Kind::Signal: {
    crash.cause = failure::Crash::Cause::Signal;
    crash.signal = outcome.signal;
    // describeSignal's "SIGSEGV (segmentation fault)": the name, then the description.
    auto open = outcome.message.find(" (");
    bool named = outcome.message.rfind("SIG", 0) == 0 && open != std::string::npos;
    crash.signalName = named ? outcome.message.substr(0, open) : "";
    crash.what = named && outcome.message.back() == ')'
                     ? outcome.message.substr(open + 2, outcome.message.size() - open - 3)
                     : outcome.message;
    break;
  }
  case GuardedOutcome::Kind::Timeout:
    crash.cause = failure::Crash::Cause::Timeout;
    crash.timeoutMs = timeoutMs;
    crash.what = outcome.message;
    break;
  case GuardedOutcome::Kind::Exception:
  case GuardedOutcome::Kind::Returned:
    crash.cause = failure::Crash::Cause::Exception;
    crash.what = outcome.message;
    break;
  }
  return crash;
}

std::string adapterReason(const GuardedOutcome &outcome) {
  return outcome.kind == GuardedOutcome::Kind::Signal ? "crashed: " + outcome.message
                                                      : outcome.message;
}

} // namespace hotcc::testing
