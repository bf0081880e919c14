// lld's wasm driver, in-process. lld keeps global state while it runs, so links are serialised;
// lld resets that state after each link, so one process can link any number of times.
#pragma once
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace hotcc::wasm {

class LinkError : public llvm::ErrorInfo<LinkError> {
public:
  static char ID;
  explicit LinkError(std::string message) : message_(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
  const std::string &text() const { return message_; }

private:
  std::string message_;
};

// A side module (`-shared --experimental-pic`, dylink.0) from wasm32 objects. Undefined symbols
// become imports that the main module (or an earlier side module) provides at load time.
llvm::Error linkSideModule(const std::vector<std::string> &objects, const std::string &output);

// One relocatable object from several (`wasm-ld -r`), for a main module's build to link.
llvm::Error linkRelocatable(const std::vector<std::string> &objects, const std::string &output);

// Any wasm-ld command line (without the program name); for what the two above do not cover.
llvm::Error runWasmLd(const std::vector<std::string> &args);

} // namespace hotcc::wasm
