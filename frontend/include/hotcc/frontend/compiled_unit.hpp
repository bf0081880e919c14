// What the frontend hands the backends for one source file: an LLVM module plus, for every symbol in
// it, what the engine needs to decide what changed — kind, content hash, names for messages.
#pragma once
#include "hotcc/outcome.hpp"
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace hotcc::frontend {

enum class FunctionKind {
  Hot,     // defined in the user's code: reached through a stub, recompiled when its hash changes
  Library, // from a system header or compiler-made with a shared name: defined once, never replaced
  Helper,  // compiler-made and module-local (global initializers): copied into whichever module uses it
};

struct FunctionInfo {
  std::string linkName;
  std::string displayName;  // qualified C++ name, or the C name
  std::string signature;    // Clang's spelling of the type, e.g. "int (int)"
  std::string location;     // file:line
  FunctionKind kind = FunctionKind::Library;
  bool odr = false;         // inline / template: every file that uses it may define it
  bool nounwind = false;    // Clang proved it cannot throw; callers in its file may rely on that
  bool exported = false;    // external with default visibility in the source (see GlobalInfo)
  std::uint64_t hash = 0;   // body hash; callees and data by name, private constants by content
  std::vector<std::string> references;  // named functions and globals the body refers to
  std::vector<std::string> records;     // keys of the user records whose layout the body uses
};

// One field of a record as the compiler lays it out; what a layout check compares and names.
struct FieldLayout {
  std::string name;
  std::string type;
  std::uint64_t offsetBits = 0;
  bool operator==(const FieldLayout &) const = default;
};

struct TypeLayout {
  std::string name;  // e.g. "struct Player"
  std::string file;  // where it is defined: two C files may each have their own "struct node"
  std::uint64_t sizeBytes = 0;
  std::vector<FieldLayout> fields;
  bool operator==(const TypeLayout &) const = default;
};

// What identifies one record across compiles: its name and the file that defines it.
inline std::string recordKey(const TypeLayout &layout) {
  return layout.name + "@" + layout.file;
}

enum class GlobalKind {
  Data,      // storage that lives across versions: created once, later versions bind to it
  CodeLocal, // private/internal constants (string literals, tables): copied with the code that uses them
};

struct GlobalInfo {
  std::string linkName;
  std::string displayName;
  std::string location;
  GlobalKind kind = GlobalKind::Data;
  bool user = false;                 // declared in the user's code (not a system header)
  bool threadLocal = false;          // emulated TLS: the storage symbol is __emutls_v.<name>
  bool exported = false;             // external with default visibility in the source: what a
                                     // program linked with -rdynamic lets libraries bind to
  bool strong = false;               // external (not inline, weak or common) in the source: a
                                     // normal link allows one definition in the program
  std::string typeSpelling;          // Clang's spelling of the variable's type
  std::uint64_t layoutHash = 0;      // hash of the layouts below plus the IR type
  std::uint64_t initializerHash = 0; // hash of the static initializer
  std::vector<TypeLayout> layouts;   // records the variable holds by value or points at (user types)
};

struct PhaseTiming {
  double parseMs = 0;     // preprocess + parse + IR generation
  double analyzeMs = 0;   // normalize names, hash
  bool preambleReused = false;
  std::size_t skippedBodies = 0;  // unchanged function bodies Clang did not parse again
  bool retriedInFull = false;     // declarations changed: parsed again without skipping
};

// A REPL value: the expression a `__hotcc_cell*` function hands to `hotcc_repl::capture(...)` with
// the comma operator, described as the REPL prints its type.
struct CapturedValue {
  std::string type;      // e.g. "int", "std::string", "std::vector<int>", "const char *"
  bool lvalue = false;   // names an object (printed by address as "(T &) @0x...")
  bool record = false;   // class, struct or union
};

struct CompiledUnit {
  std::string file;  // absolute path
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::map<std::string, FunctionInfo> functions;  // every defined function, by link name
  std::map<std::string, GlobalInfo> globals;      // every defined global variable, by link name
  std::map<std::string, TypeLayout> records;      // user records the emitted bodies use, by key
  std::vector<std::string> dependencies;          // user files the unit read (itself and its headers)
  std::vector<std::string> skippedFunctions;      // link names of functions whose bodies were not
                                                  // re-parsed: unchanged since the last commit
  std::map<std::string, CapturedValue> capturedValues;  // by cell function name
  std::vector<Diagnostic> warnings;               // the compiler's warnings, in order
  PhaseTiming timing;

  CompiledUnit();
  CompiledUnit(CompiledUnit &&) noexcept;
  CompiledUnit &operator=(CompiledUnit &&) noexcept;
  ~CompiledUnit();
};

} // namespace hotcc::frontend
