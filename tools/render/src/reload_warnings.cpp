#include "reload_warnings.hpp"

#include <set>
#include <tuple>

namespace hotcc::render {

std::vector<Diagnostic> warningsNotCarried(const ReloadReport &report) {
  using Place = std::tuple<std::string, unsigned, unsigned, std::string>;
  auto placeOf = [](const Diagnostic &d) {
    return Place{d.where.file, d.where.line, d.where.column, d.message};
  };
  std::set<Place> carried;
  for (auto &f : report.failures)
    if (auto *compile = std::get_if<failure::CompileError>(&f))
      for (auto &d : compile->diagnostics)
        carried.insert(placeOf(d));
  std::vector<Diagnostic> out;
  for (auto &w : report.warnings)
    if (!carried.count(placeOf(w)))
      out.push_back(w);
  return out;
}

} // namespace hotcc::render
