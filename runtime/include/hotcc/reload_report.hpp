// What one reload did: the figure every status line, hook and benchmark reads.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hotcc {

struct PhaseTimes {
  double parseMs = 0;    // Clang: preprocess + parse + IR generation
  double analyseMs = 0;  // hashing, diffing, splitting the module
  double compileMs = 0;  // LLVM optimisation + machine code + JIT link
  double redirectMs = 0; // writing stub pointers, running new initialisers
  double totalMs = 0;
};

// The type of a value a REPL cell hands to hotcc_repl::capture, as the REPL prints it.
struct CapturedValueType {
  std::string type;
  bool lvalue = false;
  bool record = false;
};

// One field of a record as laid out by the compiler (bases appear as "(base)", the vtable pointer as
// "(vtable)").
struct RecordField {
  std::string name;
  std::string type;
  std::uint64_t offsetBits = 0;
};

// A record whose layout a reload changes while live code used the old one: objects made before
// it (on the heap, where hotcc cannot find them) still have the old layout. Refused unless the
// host accepted it; then the layout-change hook and the report tell which.
struct LayoutChange {
  std::string type;  // e.g. "struct Obj"
  std::string file;  // where it is defined
  std::uint64_t sizeBefore = 0;
  std::uint64_t sizeAfter = 0;
  std::vector<RecordField> before;
  std::vector<RecordField> after;
  std::vector<std::string> users;  // live functions that used the old layout
};

struct ReloadReport {
  bool ok = false;
  std::uint64_t version = 0;              // the engine's version counter after this reload
  std::vector<std::string> files;         // files recompiled
  std::vector<std::string> compiled;      // display names of functions with a new body
  std::vector<std::string> compiledAt;    // where each of `compiled` is defined (file:line)
  std::vector<std::string> removed;       // functions gone from the source; last body stays callable
  std::vector<std::string> addedGlobals;  // globals created by this reload
  std::vector<std::string> notes;         // warnings worth showing (kept values, removed functions)
  std::size_t unchanged = 0;              // functions whose hash did not change
  std::vector<std::string> replacedGlobals;  // globals given fresh storage (a REPL redefinition)
  std::vector<LayoutChange> changedLayouts;  // accepted layout changes (see LayoutChange)
  std::map<std::string, CapturedValueType> capturedValues;  // by cell function (REPL)
  std::string error;                      // rendered message when !ok
  PhaseTimes times;
};

} // namespace hotcc
