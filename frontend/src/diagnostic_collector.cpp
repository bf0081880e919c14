#include "diagnostic_collector.hpp"

#include <clang/Basic/AllDiagnostics.h>
#include <clang/Basic/DiagnosticIDs.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>
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

// The few diagnostics a client decides on, by Clang's ID (never by the words). A parse warning is
// no parse error: only errors get the parser's kinds.
DiagnosticKind kindOf(unsigned id, Severity severity) {
  const bool error = severity == Severity::Error || severity == Severity::Fatal;
  namespace diag = clang::diag;
  switch (id) {
  case diag::err_unknown_typename:
    return DiagnosticKind::UnknownTypeName;
  case diag::err_missing_type_specifier:
  case diag::ext_missing_type_specifier:
    return error ? DiagnosticKind::MissingTypeSpecifier : DiagnosticKind::Other;
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
  // The parser's "expected ';'", "expected ')'", "expected '}'" are common diagnostics, outside
  // the parse range below.
  case diag::err_expected:
  case diag::err_expected_after:
  case diag::err_expected_either:
    return DiagnosticKind::ParseError;
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
  if (error && id >= diag::DIAG_START_PARSE && id < diag::DIAG_START_AST)
    return DiagnosticKind::ParseError;
  return DiagnosticKind::Other;
}

// A file location as the compiler presumes it (#line applies).
SourcePoint pointAt(const clang::SourceManager &sm, clang::SourceLocation fileLoc) {
  SourcePoint point;
  auto presumed = sm.getPresumedLoc(fileLoc);
  if (presumed.isInvalid())
    return point;
  point.file = presumed.getFilename();
  point.line = presumed.getLine();
  point.column = presumed.getColumn();
  return point;
}

SourcePoint pointOf(const clang::SourceManager &sm, clang::SourceLocation loc) {
  return pointAt(sm, sm.getExpansionLoc(loc));
}

// The text of the line holding a file location.
std::string lineAt(const clang::SourceManager &sm, clang::SourceLocation fileLoc) {
  bool invalid = false;
  auto [fileId, offset] = sm.getDecomposedLoc(fileLoc);
  llvm::StringRef buffer = sm.getBufferData(fileId, &invalid);
  if (invalid || offset > buffer.size())
    return {};
  auto newline = buffer.rfind('\n', offset);  // searches before `offset`
  auto start = newline == llvm::StringRef::npos ? 0 : newline + 1;
  auto end = buffer.find('\n', offset);
  return buffer.slice(start, end == llvm::StringRef::npos ? buffer.size() : end).rtrim("\r").str();
}

std::string lineText(const clang::SourceManager &sm, clang::SourceLocation loc) {
  return lineAt(sm, sm.getExpansionLoc(loc));
}

// The ranges clang underlines, as character spans in the files (a token range ends after its
// last token).
std::vector<SourceSpan> rangesOf(const clang::SourceManager &sm, const clang::Diagnostic &info,
                                 const clang::LangOptions *langOpts) {
  std::vector<SourceSpan> out;
  for (auto &range : info.getRanges()) {
    if (range.isInvalid())
      continue;
    // A range inside a macro's expansion covers the whole invocation, as clang shows it.
    auto begin = sm.getExpansionRange(range.getBegin()).getBegin();
    auto end = sm.getExpansionRange(range.getEnd()).getEnd();
    if (range.isTokenRange())
      end = langOpts ? clang::Lexer::getLocForEndOfToken(end, 0, sm, *langOpts)
                     : end.getLocWithOffset(1);
    if (end.isInvalid())
      continue;
    out.push_back({pointAt(sm, begin), pointAt(sm, end)});
  }
  return out;
}

std::vector<FixIt> fixItsOf(const clang::SourceManager &sm, const clang::Diagnostic &info) {
  std::vector<FixIt> out;
  for (auto &hint : info.getFixItHints()) {
    if (hint.RemoveRange.isInvalid())
      continue;
    auto range = hint.RemoveRange.getAsRange();
    out.push_back({pointOf(sm, range.getBegin()), pointOf(sm, range.getEnd()), hint.CodeToInsert});
  }
  return out;
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

void DiagnosticCollector::BeginSourceFile(const clang::LangOptions &langOpts,
                                          const clang::Preprocessor *preprocessor) {
  langOpts_ = &langOpts;
}

void DiagnosticCollector::EndSourceFile() {
  langOpts_ = nullptr;
}

// Where a diagnostic inside a macro's expansion came from: one note per macro, innermost first,
// at the macro's text, as clang's own renderer says it ("expanded from macro 'M'").
void DiagnosticCollector::addMacroNotes(Diagnostic &d, const clang::SourceManager &sm,
                                        clang::SourceLocation loc) const {
  if (!langOpts_)
    return;
  for (int depth = 0; loc.isMacroID() && depth < 16; ++depth) {
    auto name = clang::Lexer::getImmediateMacroNameForDiagnostics(loc, sm, *langOpts_);
    Diagnostic note;
    note.severity = Severity::Note;
    auto spelling = sm.getSpellingLoc(loc);
    note.where = pointAt(sm, spelling);
    note.sourceLine = lineAt(sm, spelling);
    auto tokenEnd = clang::Lexer::getLocForEndOfToken(spelling, 0, sm, *langOpts_);
    if (tokenEnd.isValid())
      note.ranges.push_back({note.where, pointAt(sm, tokenEnd)});
    note.message = rewriteMessageForTesting(
        name.empty() ? std::string("expanded from here")
                     : "expanded from macro '" + name.str() + "'");
    d.notes.push_back(std::move(note));
    loc = sm.getImmediateMacroCallerLoc(loc);
  }
}

void DiagnosticCollector::HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                                           const clang::Diagnostic &info) {
  clang::DiagnosticConsumer::HandleDiagnostic(level, info);
  if (level == clang::DiagnosticsEngine::Ignored)
    return;
  Diagnostic d;
  d.severity = severityOf(level);
  d.kind = kindOf(info.getID(), d.severity);
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
    d.ranges = rangesOf(sm, info, langOpts_);
    d.fixIts = fixItsOf(sm, info);
    addMacroNotes(d, sm, info.getLocation());
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
