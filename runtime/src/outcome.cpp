#include "hotcc/overloaded.hpp"
#include "hotcc/outcome.hpp"

#include <atomic>

namespace hotcc {

namespace {
} // namespace

const char *severityName(Severity severity) {
  switch (severity) {
  case Severity::Note:
    return "note";
  case Severity::Remark:
    return "remark";
  case Severity::Warning:
    return "warning";
  case Severity::Fatal:
    return "fatal";
  case Severity::Error:
    break;
  }
  return "error";
}

const char *kindName(const Failure &f) {
  return std::visit(
      Overloaded{
          [](const failure::CompileError &) { return "compile-error"; },
          [](const failure::UndefinedSymbol &) { return "undefined-symbol"; },
          [](const failure::SignatureChange &) { return "signature-change"; },
          [](const failure::LayoutChangeRefused &) { return "layout-change"; },
          [](const failure::GlobalTypeChange &) { return "global-type-change"; },
          [](const failure::VirtualTableChange &) { return "vtable-change"; },
          [](const failure::DuplicateDefinition &) { return "duplicate-definition"; },
          [](const failure::FileUnreadable &) { return "file-unreadable"; },
          [](const failure::NotInProgram &) { return "not-in-program"; },
          [](const failure::LinkError &) { return "link-error"; },
          [](const failure::Crash &) { return "crash"; },
          [](const failure::LibraryUnavailable &) { return "library-unavailable"; },
          [](const failure::UnknownFunction &) { return "unknown-function"; },
          [](const failure::NoEarlierVersion &) { return "no-earlier-version"; },
          [](const failure::NoMain &) { return "no-main"; },
          [](const failure::EngineShutDown &) { return "engine-shut-down"; },
          [](const failure::PatchCannotApply &) { return "patch-cannot-apply"; },
          [](const failure::SetupError &) { return "setup-error"; },
          [](const failure::InternalError &) { return "internal-error"; },
      },
      f);
}

const char *kindName(const Notice &n) {
  return std::visit(
      Overloaded{
          [](const notice::RemovedFunctionKept &) { return "removed-function-kept"; },
          [](const notice::InitializerChangedValueKept &) { return "initializer-changed"; },
          [](const notice::MainRunsOldBody &) { return "main-runs-old-body"; },
          [](const notice::InitializerThrew &) { return "initializer-threw"; },
          [](const notice::LibrariesCannotCallBack &) { return "libraries-cannot-call-back"; },
          [](const notice::CompileDatabaseMiss &) { return "compile-database-miss"; },
          [](const notice::FlagDropped &) { return "flag-dropped"; },
          [](const notice::LayoutChanged &) { return "layout-changed"; },
      },
      n);
}

static std::atomic<MessageRewriter> rewriter{nullptr};

void setMessageRewriterForTesting(MessageRewriter rewrite) {
  rewriter = rewrite;
}

std::string rewriteMessageForTesting(const std::string &message) {
  auto rewrite = rewriter.load();
  return rewrite ? rewrite(message) : message;
}

} // namespace hotcc
