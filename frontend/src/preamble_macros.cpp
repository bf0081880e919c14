#include "preamble_macros.hpp"

#include <clang/Basic/SourceManager.h>
#include <clang/Lex/MacroInfo.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Lex/PreprocessorOptions.h>

#include <algorithm>

namespace hotcc::frontend {

namespace {

// The macro as a -D option spells it: NAME, NAME(a,b) or NAME(a,...), then =body.
std::string spelledAsOption(const clang::Preprocessor &pp, const std::string &name,
                            const clang::MacroInfo &macro) {
  std::string text = name;
  if (macro.isFunctionLike()) {
    text += "(";
    auto params = macro.params();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const bool last = i + 1 == params.size();
      if (i)
        text += ",";
      if (last && macro.isC99Varargs())
        text += "...";
      else
        text += params[i]->getName().str() + (last && macro.isGNUVarargs() ? "..." : "");
    }
    text += ")";
  }
  text += "=";
  bool first = true;
  for (const auto &token : macro.tokens()) {
    if (!first && token.hasLeadingSpace())
      text += " ";
    text += pp.getSpelling(token);
    first = false;
  }
  return text;
}

} // namespace

void PreambleMacroRecorder::EndOfMainFile() {
  out_.clear();
  for (auto &name : order_)
    out_.push_back({name, changedByFiles_.at(name)});
}

bool PreambleMacroRecorder::inPredefines(clang::SourceLocation loc) const {
  auto &sm = pp_.getSourceManager();
  return loc.isValid() && sm.getFileID(sm.getExpansionLoc(loc)) == pp_.getPredefinesFileID();
}

void PreambleMacroRecorder::MacroDefined(const clang::Token &name,
                                         const clang::MacroDirective *directive) {
  auto text = name.getIdentifierInfo()->getName().str();
  if (inPredefines(name.getLocation())) {
    predefined_.insert(text);
    return;
  }
  // The predefines come first, so every name they touch is known by now.
  if (!predefined_.count(text) || !directive || !directive->getMacroInfo())
    return;
  changedByFiles_[text] = spelledAsOption(pp_, text, *directive->getMacroInfo());
  order_.erase(std::remove(order_.begin(), order_.end(), text), order_.end());
  order_.push_back(text);
}

void PreambleMacroRecorder::MacroUndefined(const clang::Token &name,
                                           const clang::MacroDefinition &,
                                           const clang::MacroDirective *) {
  auto text = name.getIdentifierInfo()->getName().str();
  if (inPredefines(name.getLocation())) {
    predefined_.insert(text);  // a -U: the predefines will undefine it again
    return;
  }
  if (!predefined_.count(text))
    return;
  changedByFiles_[text] = std::nullopt;
  order_.erase(std::remove(order_.begin(), order_.end(), text), order_.end());
  order_.push_back(text);
}

void restateMacros(clang::PreprocessorOptions &options,
                   const std::vector<MacroRestatement> &restatements) {
  for (const auto &macro : restatements) {
    options.addMacroUndef(macro.name);
    if (macro.definition)
      options.addMacroDef(*macro.definition);
  }
}

} // namespace hotcc::frontend
