// A precompiled preamble changes the order in which a compile sees macros: the command line's
// -D/-U (and Clang's own predefines) are applied again *after* the preamble is loaded, so a
// `#define BAR 1` at the top of a file would lose to `-DBAR=2`, and an `#undef NDEBUG` before the
// includes would be undone by `-DNDEBUG`. A compiler gives the file the last word. The recorder
// notes, while the preamble is built, the final state of every predefined macro that a file in
// the preamble defined or undefined; the compile then states it again after the predefines.
#pragma once
#include <clang/Lex/PPCallbacks.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clang {
class Preprocessor;
class PreprocessorOptions;
} // namespace clang

namespace hotcc::frontend {

struct MacroRestatement {
  std::string name;
  std::optional<std::string> definition;  // "NAME(args)=body" as -D spells it; none: undefined
};

class PreambleMacroRecorder : public clang::PPCallbacks {
public:
  PreambleMacroRecorder(clang::Preprocessor &pp, std::vector<MacroRestatement> &out)
      : pp_(pp), out_(out) {}

  void MacroDefined(const clang::Token &name, const clang::MacroDirective *directive) override;
  void MacroUndefined(const clang::Token &name, const clang::MacroDefinition &definition,
                      const clang::MacroDirective *undef) override;
  void EndOfMainFile() override;

private:
  bool inPredefines(clang::SourceLocation loc) const;

  clang::Preprocessor &pp_;
  std::vector<MacroRestatement> &out_;  // written when the preamble ends
  std::set<std::string> predefined_;
  std::map<std::string, std::optional<std::string>> changedByFiles_;
  std::vector<std::string> order_;  // of last change, so restatements keep the files' order
};

// Appends the restatements to the compile's macro options: each name undefined, then defined
// again if it was defined at the end of the preamble.
void restateMacros(clang::PreprocessorOptions &options,
                   const std::vector<MacroRestatement> &restatements);

} // namespace hotcc::frontend
