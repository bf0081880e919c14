#include "outcome_facts.hpp"

#include "session_text.hpp"

#include <algorithm>
#include <functional>

namespace hotcc::repl {

namespace {

// Every diagnostic of every compile error, notes included.
void forEachDiagnostic(const std::vector<Failure> &failures,
                       const std::function<void(const Diagnostic &)> &visit) {
  std::function<void(const Diagnostic &)> walk = [&](const Diagnostic &d) {
    visit(d);
    for (auto &note : d.notes)
      walk(note);
  };
  for (auto &f : failures)
    if (auto *compile = std::get_if<failure::CompileError>(&f))
      for (auto &d : compile->diagnostics)
        walk(d);
}

} // namespace

bool isRefusal(const Failure &failure) {
  return std::holds_alternative<failure::SignatureChange>(failure) ||
         std::holds_alternative<failure::LayoutChangeRefused>(failure) ||
         std::holds_alternative<failure::GlobalTypeChange>(failure) ||
         std::holds_alternative<failure::VirtualTableChange>(failure) ||
         std::holds_alternative<failure::DuplicateDefinition>(failure);
}

bool anyRefusal(const std::vector<Failure> &failures) {
  return std::any_of(failures.begin(), failures.end(), isRefusal);
}

bool parsedAsDeclaration(const std::vector<Failure> &failures) {
  bool parsed = true;
  forEachDiagnostic(failures, [&](const Diagnostic &d) {
    if (d.kind == DiagnosticKind::ParseError || d.kind == DiagnosticKind::UnknownTypeName ||
        d.kind == DiagnosticKind::MissingTypeSpecifier)
      parsed = false;
  });
  return parsed;
}

std::set<int> redefinedInputs(const std::vector<Failure> &failures) {
  std::set<int> inputs;
  forEachDiagnostic(failures, [&](const Diagnostic &d) {
    if (d.kind != DiagnosticKind::PreviousDefinition)
      return;
    if (int input = inputNumberOf(d.where.file); input > 0)
      inputs.insert(input);
  });
  return inputs;
}

bool precompiledHeaderIsStale(const std::vector<Failure> &failures) {
  bool stale = false;
  forEachDiagnostic(failures, [&](const Diagnostic &d) {
    stale = stale || d.kind == DiagnosticKind::StalePrecompiledHeader;
  });
  return stale;
}

std::vector<Diagnostic> diagnosticsIn(const std::vector<Diagnostic> &list,
                                      const std::string &file) {
  std::vector<Diagnostic> out;
  std::copy_if(list.begin(), list.end(), std::back_inserter(out),
               [&](const Diagnostic &d) { return d.where.file == file; });
  return out;
}

std::vector<Notice> noticesForTheUser(const std::vector<Notice> &notices) {
  std::vector<Notice> out;
  for (auto &n : notices)
    if (std::holds_alternative<notice::InitializerThrew>(n) ||
        std::holds_alternative<notice::InitializerChangedValueKept>(n) ||
        std::holds_alternative<notice::LibrariesCannotCallBack>(n))
      out.push_back(n);
  return out;
}

} // namespace hotcc::repl
