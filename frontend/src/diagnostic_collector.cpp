#include "diagnostic_collector.hpp"

#include <clang/Basic/AllDiagnostics.h>
#include <clang/Basic/DiagnosticIDs.h>
#include <clang/Basic/SourceManager.h>
#include <llvm/ADT/SmallString.h>

namespace hotcc::frontend {
namespace {

Severity severityOf(clang::DiagnosticsEngine::Level level) {
  switch (level) {
  case clang::DiagnosticsEngine::Note:
    return Severity::Note;
  case clang::DiagnosticsEngine::Remark:
    return Severity::Remark;
  case clang::DiagnosticsEngine::Warning:
    return Severity::Warning;
  case clang::DiagnosticsEngine::Fatal:
    return Severity::Fatal;
  default:
    return Severity::Error;
  }
}

// The few diagnostics a client decides on, by Clang's ID (never by the words).
DiagnosticKind kindOf(unsigned id) {
  namespace diag = clang::diag;
  switch (id) {
  case diag::err_unknown_typename:
    return DiagnosticKind::UnknownTypeName;
  case diag::err_missing_type_specifier:
  case diag::ext_missing_type_specifier:
    return DiagnosticKind::MissingTypeSpecifier;
  case diag::err_redefinition:
  case diag::err_redefinition_different_kind:
  case diag::err_redefinition_different_type:
  case diag::err_redefinition_different_typedef:
  case diag::err_redefinition_extern_inline:
  case diag::err_redefinition_of_enumerator:
    return DiagnosticKind::Redefinition;
  case diag::note_previous_definition:
  case diag::note_previous_declaration:
    return DiagnosticKind::PreviousDefinition;
  case diag::err_undeclared_var_use:
  case diag::err_undeclared_var_use_suggest:
    return DiagnosticKind::UndeclaredIdentifier;
  case diag::err_fe_ast_file_modified:
  case diag::err_fe_pch_file_overridden:
  case diag::err_fe_pch_malformed_block:
  case diag::err_fe_ast_file_malformed:
  case diag::err_ast_file_out_of_date:
  case diag::err_ast_file_invalid:
  case diag::err_ast_file_version_too_old:
  case diag::err_ast_file_version_too_new:
  case diag::err_ast_file_different_branch:
  case diag::err_ast_file_not_found:
    return DiagnosticKind::StalePrecompiledHeader;
  default:
    break;
  }
  if (id >= diag::DIAG_START_PARSE && id < diag::DIAG_START_AST)
    return DiagnosticKind::ParseError;
  return DiagnosticKind::Other;
}

SourcePoint pointOf(const clang::SourceManager &sm, clang::SourceLocation loc) {
  SourcePoint point;
  auto presumed = sm.getPresumedLoc(sm.getExpansionLoc(loc));
  if (presumed.isInvalid())
    return point;
  point.file = presumed.getFilename();
  point.line = presumed.getLine();
  point.column = presumed.getColumn();
  return point;
}

std::string lineText(const clang::SourceManager &sm, clang::SourceLocation loc) {
  auto expansion = sm.getExpansionLoc(loc);
  bool invalid = false;
  auto [fileId, offset] = sm.getDecomposedLoc(expansion);
  llvm::StringRef buffer = sm.getBufferData(fileId, &invalid);
  if (invalid || offset > buffer.size())
    return {};
  auto start = buffer.rfind('\n', offset == 0 ? 0 : offset - 1);
  start = (start == llvm::StringRef::npos || offset == 0) ? 0 : start + 1;
  if (offset == 0)
    start = 0;
  auto end = buffer.find('\n', offset);
  return buffer.slice(start, end == llvm::StringRef::npos ? buffer.size() : end).rtrim("\r").str();
}

std::vector<SourcePoint> includeStack(const clang::SourceManager &sm, clang::SourceLocation loc) {
  std::vector<SourcePoint> stack;
  auto fileId = sm.getFileID(sm.getExpansionLoc(loc));
  for (auto from = sm.getIncludeLoc(fileId); from.isValid() && stack.size() < 64;
       from = sm.getIncludeLoc(sm.getFileID(from)))
    stack.push_back(pointOf(sm, from));
  return stack;
}

} // namespace

void DiagnosticCollector::HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                                           const clang::Diagnostic &info) {
  clang::DiagnosticConsumer::HandleDiagnostic(level, info);
  if (level == clang::DiagnosticsEngine::Ignored)
    return;
  Diagnostic d;
  d.severity = severityOf(level);
  d.kind = kindOf(info.getID());
  llvm::SmallString<256> message;
  info.FormatDiagnostic(message);
  d.message = rewriteMessageForTesting(message.str().str());
  // Clang 22 made the lookup a member of the engine's DiagnosticIDs (custom IDs are per engine).
  d.option = info.getDiags()->getDiagnosticIDs()->getWarningOptionForDiag(info.getID()).str();
  if (!d.option.empty())
    d.option = "-W" + d.option;
  if (info.getLocation().isValid() && info.hasSourceManager()) {
    auto &sm = info.getSourceManager();
    d.where = pointOf(sm, info.getLocation());
    d.sourceLine = lineText(sm, info.getLocation());
    if (level != clang::DiagnosticsEngine::Note)
      d.includedFrom = includeStack(sm, info.getLocation());
  }
  if (level == clang::DiagnosticsEngine::Error || level == clang::DiagnosticsEngine::Fatal)
    ++errors_;
  if (level == clang::DiagnosticsEngine::Note && !diagnostics_.empty()) {
    diagnostics_.back().notes.push_back(std::move(d));
    return;
  }
  diagnostics_.push_back(std::move(d));
}

void appendDiagnostics(std::vector<Diagnostic> &into, std::vector<Diagnostic> more) {
  into.insert(into.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

} // namespace hotcc::frontend
