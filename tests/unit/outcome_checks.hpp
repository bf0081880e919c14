// Checking outcomes by their fields, never by their wording: the first failure or notice of a
// kind, and a one-line summary of a report for Catch's INFO.
#pragma once
#include "hotcc/engine.hpp"

#include <string>
#include <variant>

namespace hotcc::test {

template <typename Kind> const Kind *failureOf(const ReloadReport &report) {
  for (auto &f : report.failures)
    if (auto *kind = std::get_if<Kind>(&f))
      return kind;
  return nullptr;
}

template <typename Kind> std::vector<const Kind *> failuresOf(const ReloadReport &report) {
  std::vector<const Kind *> out;
  for (auto &f : report.failures)
    if (auto *kind = std::get_if<Kind>(&f))
      out.push_back(kind);
  return out;
}

template <typename Kind> std::vector<const Kind *> noticesOf(const ReloadReport &report) {
  std::vector<const Kind *> out;
  for (auto &n : report.notices)
    if (auto *kind = std::get_if<Kind>(&n))
      out.push_back(kind);
  return out;
}

// For INFO(): the kinds of the failures, with a compile error's diagnostics.
inline std::string summary(const ReloadReport &report) {
  std::string text;
  for (auto &f : report.failures) {
    text += std::string(kindName(f)) + "\n";
    if (auto *compile = std::get_if<failure::CompileError>(&f))
      for (auto &d : compile->diagnostics)
        text += "  " + d.where.file + ":" + std::to_string(d.where.line) + ":" +
                std::to_string(d.where.column) + ": " + d.message + "\n";
  }
  return text;
}

// The first error diagnostic of a compile error, if the report failed with one.
inline const Diagnostic *firstError(const ReloadReport &report) {
  if (auto *compile = failureOf<failure::CompileError>(report))
    for (auto &d : compile->diagnostics)
      if (d.severity == Severity::Error || d.severity == Severity::Fatal)
        return &d;
  return nullptr;
}

inline std::unique_ptr<Engine> makeEngine(EngineOptions options = {}) {
  auto created = Engine::create(std::move(options));
  return created ? std::move(*created) : nullptr;
}

} // namespace hotcc::test
