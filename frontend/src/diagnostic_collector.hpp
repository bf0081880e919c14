// Clang's diagnostics as values: a DiagnosticConsumer that records each one as a hotcc::Diagnostic
// (severity, presumed location, message, flag, source line, include stack, attached notes, and
// the kind a client acts on) instead of printing it.
#pragma once
#include "hotcc/outcome.hpp"

#include <clang/Basic/Diagnostic.h>

#include <vector>

namespace hotcc::frontend {

class DiagnosticCollector : public clang::DiagnosticConsumer {
public:
  void BeginSourceFile(const clang::LangOptions &langOpts,
                       const clang::Preprocessor *preprocessor) override;
  void EndSourceFile() override;
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic &info) override;

  bool hasErrors() const { return errors_ > 0; }
  const std::vector<Diagnostic> &diagnostics() const { return diagnostics_; }
  std::vector<Diagnostic> take() { return std::move(diagnostics_); }

private:
  void addMacroNotes(Diagnostic &d, const clang::SourceManager &sm,
                     clang::SourceLocation loc) const;
  std::vector<Diagnostic> diagnostics_;
  unsigned errors_ = 0;
  const clang::LangOptions *langOpts_ = nullptr;  // while a source file is read: macro names
};

// Appends `more` to `into` (the preamble's warnings ahead of the compile's).
void appendDiagnostics(std::vector<Diagnostic> &into, std::vector<Diagnostic> more);

} // namespace hotcc::frontend
