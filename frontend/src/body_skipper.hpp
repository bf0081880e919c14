// Re-parsing only what changed. A reload of a file whose declarations are untouched (same preamble,
// same text outside the bodies of ordinary functions) needs Clang to parse and generate code for the
// changed bodies only: the others are skipped by the parser — with every template instantiation
// they would have caused — and stay live in the engine under their stubs.
//
// Safety rests on one check made after the parse: the compile's "skeleton" (the text of every user
// file it read after the preamble, in the order it read them, with the bodies of eligible
// functions cut out, and the names of the system headers it read there) must equal the skeleton
// of the last compile the engine accepted, or extend it at its end (appended declarations cannot
// change an earlier body). If it does not, something a skipped body could depend on may have
// changed, and the compile is redone in full. Eligible: non-template, non-inline, non-constexpr
// functions with a deduced-free return type, not constructors or destructors, spelled in a user
// file the compile reads itself (the main file, or a file it includes after the preamble: a
// unity build's .c files).
#pragma once
#include <clang/AST/ASTConsumer.h>
#include <clang/Basic/SourceLocation.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/MemoryBuffer.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <memory>

namespace clang {
class ASTNameGenerator;
class CompilerInstance;
class FunctionDecl;
} // namespace clang

namespace hotcc::frontend {

// What the last accepted compile of a file looked like, body by body.
struct RememberedBody {
  std::string text;
  unsigned line = 0;  // where the body starts
};

// A file as the last accepted compile read it, with the byte ranges of its remembered bodies.
struct RememberedFile {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> bodies;
};

struct BodyMemory {
  std::map<std::string, RememberedBody> bodies;  // function key → body, for emitted functions
  std::map<std::string, RememberedFile> files;   // by path: where those bodies are
  std::string skeleton;
  bool valid = false;
};

// The next compile's sources with every remembered body that did not change blanked out: its
// text between the braces turned into spaces (newlines kept, so every offset, line and column
// stays where it was). The preprocessor then has nothing to expand there, and the parser skips
// an empty body, which is what makes an unchanged body cost nothing in a big file.
struct BlankedSources {
  std::unique_ptr<llvm::MemoryBuffer> main;  // the main file's text, null when nothing blanked
  std::vector<std::pair<std::string, std::unique_ptr<llvm::MemoryBuffer>>> others;  // by path
  // path → blanked bodies, each from its '{' to just past its '}'
  std::map<std::string, std::map<std::size_t, std::size_t>> bodies;
  std::map<std::string, std::string> originals;             // path → text before blanking
};

// Blanks the remembered bodies of `memory`'s files that lie outside what changed since (found by
// comparing each file's old and new text from both ends). A body that moved to another line and
// may use its line number is left for the parser. `mainText`: the main file's new text.
BlankedSources blankUnchangedBodies(const BodyMemory &memory, const std::string &mainFile,
                                    llvm::StringRef mainText);

// Owned by the frontend action (it must outlive the AST); Clang talks to it through consumer().
class BodySkipper {
public:
  // `previous` null: nothing is skipped, the compile only records what it sees. `enteredFiles`:
  // the files the compile enters, in order (filled by the action's preprocessor callback).
  // `blanked`: bodies blanked in the sources the compile reads (skipped, whatever their key);
  // the skeleton takes its original texts at the end of the parse.
  // `preambleEnd`: files the main file includes before this offset are the preamble's (compiled
  // into it, or to be): they are not part of the skeleton.
  BodySkipper(clang::CompilerInstance &ci, const BodyMemory *previous,
              const std::vector<clang::FileID> &enteredFiles, BlankedSources *blanked,
              unsigned preambleEnd);
  ~BodySkipper();

  std::unique_ptr<clang::ASTConsumer> consumer();
  bool shouldSkipFunctionBody(clang::Decl *decl);
  void handleTopLevelDecl(clang::DeclGroupRef group);
  // Takes the skeleton; call while the SourceManager is alive (at the end of the translation unit).
  void captureSkeleton();

  // After code generation: link names of skipped functions, the memory this compile leaves (bodies
  // only of functions in `emitted`), and whether skipping was sound.
  struct Outcome {
    std::vector<std::string> skippedLinkNames;
    BodyMemory memory;
    bool skeletonChanged = false;
    std::size_t skipped = 0;
    std::map<std::string, std::uint64_t> readHashes;  // every user file as the parse read it
  };
  Outcome finish(const std::set<std::string> &emitted, const std::string &unitTag);
  // Clang's names of skipped functions with internal linkage: the module only declares them,
  // under names hotcc must promote like their definitions were.
  std::set<std::string> skippedInternalNames() const;

private:
  struct Seen {
    std::string key;
    std::string linkName;    // as Clang mangles it, before hotcc promotes internal names
    bool internal = false;
    clang::FileID file;      // the file (one inclusion of it) the body is spelled in
    std::string path;
    std::size_t begin, end;  // body's byte range in that file
    unsigned line;
    bool skipped;
    std::string text;        // the body as on disk, for the memory
  };
  bool eligible(const clang::FunctionDecl *fn) const;
  const std::string *originalText(const std::string &path) const;  // null: read unblanked
  // The end of the blanked body that starts at `bodyBegin`; none when it was not blanked.
  std::optional<std::size_t> blankedBodyEnd(const std::string &path, std::size_t bodyBegin) const;
  bool inPreamble(clang::FileID file) const;
  void markCompiledBodiesUsed(clang::Decl *decl);
  bool bodyRange(const clang::FunctionDecl *fn, clang::FileID file, const std::string &path,
                 std::size_t &begin, std::size_t &end) const;
  static std::string linkNameOf(const Seen &seen, const std::string &unitTag);

  clang::CompilerInstance &ci_;
  const BodyMemory *previous_;
  const std::vector<clang::FileID> &enteredFiles_;
  BlankedSources *blanked_;
  unsigned preambleEnd_;
  std::vector<Seen> seen_;
  std::string skeleton_;
  std::map<std::string, RememberedFile> files_;  // what the memory keeps of each file
  std::map<std::string, std::uint64_t> readHashes_;
  int userFilesInSkeleton_ = 0;
  bool unknownBlankedBody_ = false;
  std::unique_ptr<clang::ASTNameGenerator> names_;
};

// The body of a function whose name starts at `from` in `text`: the first '{' outside
// parentheses, then its matching '}' (comments and string and character literals skipped).
bool findOpeningBrace(llvm::StringRef text, std::size_t from, std::size_t &begin);
bool findClosingBrace(llvm::StringRef text, std::size_t begin, std::size_t &end);

bool mayUseLineNumbers(llvm::StringRef body);

} // namespace hotcc::frontend
