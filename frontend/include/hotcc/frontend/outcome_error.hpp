// The frontend's (and every LLVM-facing room's) llvm::Error payload: a typed Failure from
// hotcc/outcome.hpp. Code below tools/ creates these instead of message strings; a room's public
// boundary turns an llvm::Error into the Failure with toFailure().
#pragma once
#include "hotcc/outcome.hpp"

#include <llvm/Support/Error.h>

namespace hotcc::frontend {

class OutcomeError : public llvm::ErrorInfo<OutcomeError> {
public:
  static char ID;
  explicit OutcomeError(Failure failure) : failure_(std::move(failure)) {}
  // For logs only: the kind and its main subject.
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
  const Failure &failure() const { return failure_; }

private:
  Failure failure_;
};

template <typename Kind> llvm::Error makeFailure(Kind kind) {
  return llvm::make_error<OutcomeError>(Failure(std::move(kind)));
}

// The Failure an error carries. An error from LLVM itself (ORC, the linker: a StringError) has
// no kind of ours: `wrap` makes one of its text (a LinkError, say).
Failure toFailure(llvm::Error error,
                  Failure (*wrap)(std::string text) = nullptr);

// A compile error made by hotcc rather than Clang (no such source, bad flags for the driver).
Failure compileErrorOf(std::string file, std::string message);

} // namespace hotcc::frontend
