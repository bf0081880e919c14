#include "session_terms.hpp"

#include "session_text.hpp"

#include <cctype>
#include <filesystem>

namespace hotcc::repl {

namespace {

bool isSessionFile(const std::string &file, const SessionTerms &terms) {
  if (file == terms.sessionFile)
    return true;
  // The engine may name it by another spelling of the same path.
  std::error_code ec;
  return std::filesystem::path(file).is_absolute() &&
         std::filesystem::equivalent(file, terms.sessionFile, ec);
}

void renameFile(std::string &file, const SessionTerms &terms) {
  if (!file.empty() && isSessionFile(file, terms))
    file = terms.subject;
}

// A function name: the cell's own name (or a name inside it, a lambda's) becomes the input's.
void renameFunction(std::string &name, const SessionTerms &terms) {
  for (auto pos = name.find(kCellPrefix); pos != std::string::npos;
       pos = name.find(kCellPrefix, pos)) {
    auto end = pos + sizeof kCellPrefix - 1;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end])))
      ++end;
    name.replace(pos, end - pos, terms.subject);
    pos += terms.subject.size();
  }
}

void renameAll(std::vector<std::string> &names, const SessionTerms &terms) {
  for (auto &name : names)
    renameFunction(name, terms);
}

void inSessionTerms(Diagnostic &d, const SessionTerms &terms) {
  renameFile(d.where.file, terms);
  for (auto &from : d.includedFrom)
    renameFile(from.file, terms);
  inSessionTerms(d.notes, terms);
}

} // namespace

void inSessionTerms(std::vector<Diagnostic> &diagnostics, const SessionTerms &terms) {
  for (auto &d : diagnostics)
    inSessionTerms(d, terms);
}

// Each subject field a failure kind has, by the field's name.
void inSessionTerms(std::vector<Failure> &failures, const SessionTerms &terms) {
  for (auto &f : failures)
    std::visit(
        [&](auto &kind) {
          if constexpr (requires { kind.file.size(); })
            renameFile(kind.file, terms);
          if constexpr (requires { kind.files.size(); })
            for (auto &file : kind.files)
              renameFile(file, terms);
          if constexpr (requires { kind.diagnostics.size(); })
            inSessionTerms(kind.diagnostics, terms);
          if constexpr (requires { kind.function.size(); })
            renameFunction(kind.function, terms);
          if constexpr (requires { kind.users.size(); })
            renameAll(kind.users, terms);
          if constexpr (requires { kind.callers.size(); })
            renameAll(kind.callers, terms);
          if constexpr (requires { kind.change.users.size(); }) {
            renameFile(kind.change.file, terms);
            renameAll(kind.change.users, terms);
          }
        },
        f);
}

} // namespace hotcc::repl
