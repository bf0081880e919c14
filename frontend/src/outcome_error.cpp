#include "hotcc/frontend/outcome_error.hpp"

namespace hotcc::frontend {

char OutcomeError::ID = 0;

void OutcomeError::log(llvm::raw_ostream &os) const {
  os << kindName(failure_);
  if (auto *compile = std::get_if<failure::CompileError>(&failure_)) {
    for (auto &d : compile->diagnostics)
      os << "\n  " << d.where.file << ":" << d.where.line << ":" << d.where.column << ": "
         << d.message;
  }
}

std::error_code OutcomeError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

static Failure internalError(std::string text) {
  return failure::InternalError{std::move(text)};
}

Failure toFailure(llvm::Error error, Failure (*wrap)(std::string text)) {
  std::optional<Failure> out;
  llvm::handleAllErrors(
      std::move(error), [&](const OutcomeError &e) { out = e.failure(); },
      [&](const llvm::ErrorInfoBase &e) {
        if (!out)
          out = (wrap ? wrap : internalError)(e.message());
      });
  return out ? std::move(*out) : internalError("an error without a cause");
}

Failure compileErrorOf(std::string file, std::string message) {
  Diagnostic d;
  d.severity = Severity::Error;
  d.where.file = file;
  d.message = std::move(message);
  return failure::CompileError{std::move(file), {std::move(d)}};
}

} // namespace hotcc::frontend
