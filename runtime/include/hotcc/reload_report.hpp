// What one reload did: the figure every status line, hook and benchmark reads. A value: the text
// people read is made from it by tools/render.
#pragma once
#include "hotcc/outcome.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hotcc {

struct PhaseTimes {
  double parseMs = 0;    // Clang: preprocess + parse + IR generation
  double analyzeMs = 0;  // hashing, diffing, splitting the module
  double compileMs = 0;  // LLVM optimization + machine code + JIT link
  double redirectMs = 0; // writing stub pointers, running new initializers
  double totalMs = 0;
};

// The type of a value a REPL cell hands to hotcc_repl::capture, as the REPL prints it.
struct CapturedValueType {
  std::string type;
  bool lvalue = false;
  bool record = false;
};

struct ReloadReport {
  bool ok = false;
  std::uint64_t version = 0;              // the engine's version counter after this reload
  std::vector<std::string> files;         // files recompiled
  std::vector<std::string> compiled;      // display names of functions with a new body
  std::vector<std::string> compiledAt;    // where each of `compiled` is defined (file:line)
  std::vector<std::string> removed;       // functions gone from the source; last body stays callable
  std::vector<std::string> addedGlobals;  // globals created by this reload
  std::size_t unchanged = 0;              // functions whose hash did not change
  std::vector<std::string> replacedGlobals;  // globals given fresh storage (a REPL redefinition)
  std::vector<LayoutChange> changedLayouts;  // accepted layout changes (see LayoutChange)
  std::map<std::string, CapturedValueType> capturedValues;  // by cell function (REPL)
  std::vector<Failure> failures;          // why !ok: the compile error, each refusal, each missing name
  std::vector<Diagnostic> warnings;       // the compiler's warnings, in order
  std::vector<Notice> notices;            // worth knowing: kept values, removed functions, ...
  bool previousVersionRuns = false;       // !ok, and code from an earlier load keeps running
  PhaseTimes times;
};

} // namespace hotcc
