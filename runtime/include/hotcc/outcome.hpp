// Outcomes as values. Every reload, refusal, crash and compile error leaves hotcc's libraries as
// one of the types below: a Diagnostic (what a compiler says, with where) or a Failure (a closed
// set of kinds, each carrying its subjects as fields). Nothing here is text meant for people:
// tools/render turns these into clang-style lines or JSON, and clients decide on the fields.
// No LLVM or Clang header is reachable from here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace hotcc {

enum class Severity { Note, Remark, Warning, Error, Fatal };
// "note", "remark", "warning", "error", "fatal": the JSON "severity" and a log's word.
const char *severityName(Severity severity);

// What a compiler diagnostic is about, where a client acts on it (the REPL tells a declaration
// from a statement, finds the earlier input a redefinition clashes with, rebuilds a stale PCH).
// Filled by the frontend from Clang's diagnostic IDs, never from the message.
enum class DiagnosticKind {
  Other,
  ParseError,              // the parser expected something else
  UnknownTypeName,         // "unknown type name 'x'"
  MissingTypeSpecifier,    // a declaration without a type (C++ forbids default int)
  Redefinition,            // a name defined twice in one scope
  PreviousDefinition,      // note: where the earlier definition is
  UndeclaredIdentifier,    // a name nobody declared
  StalePrecompiledHeader,  // a PCH's inputs changed since it was built
};

struct SourcePoint {
  std::string file;  // as the compiler presumes it (#line applies)
  unsigned line = 0;    // 1-based; 0: unknown
  unsigned column = 0;  // 1-based; 0: unknown
};

// A stretch of source text the compiler points at: [from, to), to's column one past the end.
struct SourceSpan {
  SourcePoint from;
  SourcePoint to;
};

// A change the compiler proposes: replace [from, to) with `replacement` (from == to: an insertion).
struct FixIt {
  SourcePoint from;
  SourcePoint to;
  std::string replacement;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  DiagnosticKind kind = DiagnosticKind::Other;
  SourcePoint where;                     // file empty: no location (a flag, a tool)
  std::string message;                   // the compiler's words, without location or severity
  std::string option;                    // the flag that enabled it: "-Wunused-variable"
  std::string sourceLine;                // the text of where.line, for a caret
  std::vector<SourcePoint> includedFrom; // innermost first: the #includes that led to where.file
  std::vector<SourceSpan> ranges;        // what the message is about, underlined with ~
  std::vector<FixIt> fixIts;             // what the compiler proposes to change
  std::vector<Diagnostic> notes;         // notes attached to this diagnostic, in order (with
                                         // "expanded from macro" ones for a macro's expansion)
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

// One frame of a crashed thread's stack, innermost first.
struct StackFrame {
  std::string function;        // display name (demangled); empty when unknown
  std::string file;            // hot code: the function's definition; host code: the library
  unsigned line = 0;           // hot code: the definition's line (no debug info for JIT code)
  std::uintptr_t address = 0;  // the faulting PC, then return addresses
  bool hot = false;            // JIT code
  std::size_t version = 0;     // hot functions: 1-based index in their version history; 0 unknown
};

// ---- Failures: why something did not happen. The previous code keeps running. ----

namespace failure {

// Clang rejected the source (or its flags): the diagnostics say where and why.
struct CompileError {
  std::string file;                      // the file compiled; empty for bad flags alone
  std::vector<Diagnostic> diagnostics;   // errors with their notes (warnings too)
};

// New code uses a name nothing defines.
struct UndefinedSymbol {
  std::string file;                // the file whose code uses it
  std::string name;                // demangled
  std::vector<std::string> users;  // functions that use it, by display name
};

// A function's parameters or return type changed while live code calls it with the old ones.
struct SignatureChange {
  std::string file;
  std::string function;                // display name
  std::string before, after;           // the signatures
  std::vector<std::string> callers;    // live callers (or holders of its address)
};

// A record's layout changed while live code uses it. `holder`: the live global whose storage has
// this type (empty: objects anywhere, found through the live functions in change.users).
struct LayoutChangeRefused {
  std::string file;  // the file being reloaded
  LayoutChange change;
  std::string holder;
  std::string holderLocation;
};

// A live global's type changed (its storage was made for the old one).
struct GlobalTypeChange {
  std::string file;
  std::string global;
  std::string location;
  std::string before, after;  // the type spellings (empty when the compiler gave none)
};

// Virtual functions were added, removed or reordered while objects made before may use the old
// virtual table.
struct VirtualTableChange {
  std::string file;
  std::string type;
};

// A function defined by two files that are not allowed to share it.
struct DuplicateDefinition {
  std::string name;
  std::vector<std::string> files;
};

struct FileUnreadable {
  std::string path;
  std::string reason;  // the system's words (strerror)
};

// A reload of a file the program does not have.
struct NotInProgram {
  std::string path;
};

// The JIT linker refused the new code (ORC's words: it gives nothing more structured).
struct LinkError {
  std::vector<std::string> files;
  std::string detail;
};

// Hot code crashed, threw, or was interrupted while hotcc ran it.
struct Crash {
  enum class Cause { Signal, Exception, Timeout };
  Cause cause = Cause::Signal;
  int signal = 0;             // Cause::Signal
  std::string signalName;     // "SIGSEGV"
  std::string exceptionType;  // Cause::Exception, when known
  std::string what;           // the exception's what(), the signal's description
  unsigned timeoutMs = 0;     // Cause::Timeout
  std::string during;         // what hotcc was running: "main", "the initializers of a.cpp", a test
  std::string function;       // the hot function it happened in, when known
  SourcePoint where;
  std::vector<StackFrame> backtrace;  // innermost first; empty when not taken
  // What became of the crashed thread and of the code (a crash the process survived).
  enum class Continuation { Died, ReturnedToCaller, Restarted };
  Continuation continuation = Continuation::Died;
  std::string returnedTo;               // ReturnedToCaller: the function the call returned to
  std::vector<std::string> rolledBack;  // the functions the crash's reload had changed, now back
  bool rollbackSkipped = false;         // the registry was busy (a reload in progress)
};

// A library (-l, dlopen, a test framework's) could not be found or loaded.
struct LibraryUnavailable {
  std::string library;
  std::string reason;
};

// rollback(), lookup() of a name the engine does not have as a hot function.
struct UnknownFunction {
  std::string name;
};

// rollback() of a function that has had one version only.
struct NoEarlierVersion {
  std::string function;
};

struct NoMain {};
struct EngineShutDown {};

// A wasm patch cannot carry this change (the main module must be rebuilt).
struct PatchCannotApply {
  std::string file;
  std::vector<std::string> changes;  // each: "signature of 'f'", "new global 'g'", ...
};

// Something hotcc needs around the code is missing or broken: a directory it cannot create, a
// cache it cannot write, a framework it cannot build, an argument that names nothing. `subject`
// is what (a path, a flag, a framework), `problem` what is wrong with it.
struct SetupError {
  std::string subject;
  std::string problem;
};

// A bug in hotcc, not in the user's code.
struct InternalError {
  std::string detail;
};

} // namespace failure

using Failure =
    std::variant<failure::CompileError, failure::UndefinedSymbol, failure::SignatureChange,
                 failure::LayoutChangeRefused, failure::GlobalTypeChange,
                 failure::VirtualTableChange, failure::DuplicateDefinition,
                 failure::FileUnreadable, failure::NotInProgram, failure::LinkError,
                 failure::Crash, failure::LibraryUnavailable, failure::UnknownFunction,
                 failure::NoEarlierVersion, failure::NoMain, failure::EngineShutDown,
                 failure::PatchCannotApply, failure::SetupError, failure::InternalError>;

// The kind as a stable identifier ("compile-error", "signature-change", ...): the JSON "kind" and
// the name a log line uses. Not a message.
const char *kindName(const Failure &failure);

// ---- Notices: a reload happened, and here is something worth knowing about it. ----

namespace notice {

// A function gone from the source: its last version stays callable (code may still hold it).
struct RemovedFunctionKept {
  std::string function;
};
// A global's initializer changed; the live value is kept.
struct InitializerChangedValueKept {
  std::string global;
};
// main() is running its old body; the new one runs the next time main is called.
struct MainRunsOldBody {};
// A global's initializer threw while new globals were constructed.
struct InitializerThrew {
  std::string what;  // empty when not a std::exception
};
// Libraries loaded with -l cannot call the program's functions (the exports could not be
// published).
struct LibrariesCannotCallBack {
  std::string reason;
};
// A file missing from compile_commands.json is compiled with the command-line flags only.
struct CompileDatabaseMiss {
  std::string file;
  std::string reason;
};
// A flag from a build (compile_commands.json) that makes no sense in-process, dropped.
struct FlagDropped {
  std::string flag;
  std::string reason;
  std::string from;  // where the flag came from
};
// An accepted layout change (see ReloadReport::changedLayouts for the fields).
struct LayoutChanged {
  std::string type;
  std::uint64_t sizeBefore = 0, sizeAfter = 0;
};

} // namespace notice

using Notice =
    std::variant<notice::RemovedFunctionKept, notice::InitializerChangedValueKept,
                 notice::MainRunsOldBody, notice::InitializerThrew,
                 notice::LibrariesCannotCallBack, notice::CompileDatabaseMiss,
                 notice::FlagDropped, notice::LayoutChanged>;

const char *kindName(const Notice &notice);

// For tests that prove nothing decides by wording: every compiler message the frontend hands out
// passes through `rewrite` first (null: as the compiler said it). Not for production use.
using MessageRewriter = std::string (*)(const std::string &);
void setMessageRewriterForTesting(MessageRewriter rewrite);
std::string rewriteMessageForTesting(const std::string &message);

} // namespace hotcc
