// A small success-or-message type for the parts of hotcc that do not speak llvm::Error.
#pragma once
#include <optional>
#include <string>
#include <utility>

namespace hotcc {

class Status {
public:
  static Status ok() { return Status(); }
  static Status fail(std::string message) { return Status(std::move(message)); }

  explicit operator bool() const { return !message_; }
  const std::string &message() const {
    static const std::string none;
    return message_ ? *message_ : none;
  }

private:
  Status() = default;
  explicit Status(std::string m) : message_(std::move(m)) {}
  std::optional<std::string> message_;
};

} // namespace hotcc
