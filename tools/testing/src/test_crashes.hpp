// A guarded call that did not return (hotcc/crash_guard.hpp) as the outcome model's Crash: what a
// test case, a test file's registrations or a framework's run record when hot code goes down.
#pragma once
#include "hotcc/crash_guard.hpp"
#include "hotcc/outcome.hpp"

#include <string>

namespace hotcc::testing {

// `during`: what was running (a test's name, "registering the tests of a.cpp"); `timeoutMs`: the
// limit that applied, for a timeout.
failure::Crash crashOf(const GuardedOutcome &outcome, std::string during, unsigned timeoutMs);

// The reason a framework's adapter gets from the host's guard, as it reports it: "crashed:
// SIGSEGV (segmentation fault)", "timed out after 300 ms", an exception's what().
std::string adapterReason(const GuardedOutcome &outcome);

} // namespace hotcc::testing
