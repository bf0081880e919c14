// Which of a report's warnings to show: the frontend may put a warning both in
// ReloadReport::warnings and in a compile error's diagnostics; each is said once, with the error.
#pragma once
#include "hotcc/reload_report.hpp"

#include <vector>

namespace hotcc::render {

std::vector<Diagnostic> warningsNotCarried(const ReloadReport &report);

} // namespace hotcc::render
