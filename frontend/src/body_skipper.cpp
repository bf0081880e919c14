#include "body_skipper.hpp"

#include "hotcc/support.hpp"
#include "ir_normalize.hpp"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclBase.h>
#include <clang/AST/Mangle.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Lex/Preprocessor.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <llvm/Support/xxhash.h>
#include <cstring>
#include <optional>
#include <map>

namespace hotcc::frontend {

namespace {

// Advances past a comment or a string/character literal starting at `i`, if there is one.
bool skipLiteralOrComment(llvm::StringRef t, std::size_t &i) {
  const std::size_t n = t.size();
  if (t.substr(i, 2) == "//") {
    while (i < n && t[i] != '\n')
      ++i;
    return true;
  }
  if (t.substr(i, 2) == "/*") {
    auto close = t.find("*/", i + 2);
    i = close == std::string::npos ? n : close + 2;
    return true;
  }
  if (t[i] == 'R' && i + 1 < n && t[i + 1] == '"') {
    auto open = t.find('(', i + 2);
    if (open == std::string::npos)
      return false;
    std::string terminator = ")" + t.substr(i + 2, open - i - 2).str() + "\"";
    auto close = t.find(terminator, open);
    i = close == std::string::npos ? n : close + terminator.size();
    return true;
  }
  if (t[i] == '"' || t[i] == '\'') {
    // A quote after a digit or letter is a digit separator (1'000), not a literal.
    if (t[i] == '\'' && i > 0 && std::isalnum(static_cast<unsigned char>(t[i - 1])))
      return false;
    char quote = t[i++];
    while (i < n && t[i] != quote) {
      if (t[i] == '\\')
        ++i;
      if (t[i] == '\n')
        break;
      ++i;
    }
    ++i;
    return true;
  }
  return false;
}

} // namespace

// A body that moved to another line is skipped only if its text cannot depend on where it is:
// no __LINE__, assert, source_location, or call of an upper-case (by convention, macro) name,
// any of which may bake the line number into the code.
bool mayUseLineNumbers(llvm::StringRef body) {
  for (llvm::StringRef word : {"__LINE__", "__builtin_LINE", "assert", "source_location"})
    if (body.contains(word))
      return true;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (!std::isupper(static_cast<unsigned char>(body[i])) ||
        (i > 0 && (std::isalnum(static_cast<unsigned char>(body[i - 1])) || body[i - 1] == '_')))
      continue;
    std::size_t j = i;
    bool lower = false;
    // j advances outside the ||: inside it, the first lower-case letter stopped it (a hang on
    // any capitalised name, found by tests/fuzz).
    for (; j < body.size() && (std::isalnum(static_cast<unsigned char>(body[j])) || body[j] == '_'); ++j)
      lower = lower || std::islower(static_cast<unsigned char>(body[j]));
    while (j < body.size() && body[j] == ' ')
      ++j;
    if (!lower && j - i > 1 && j < body.size() && body[j] == '(')
      return true;
    i = j;
  }
  return false;
}

namespace {

// Where a comment or literal may start: the only characters skipLiteralOrComment looks at.
bool mayStartLiteralOrComment(char c) {
  return c == '/' || c == '"' || c == '\'' || c == 'R';
}

} // namespace

bool findOpeningBrace(llvm::StringRef t, std::size_t from, std::size_t &begin) {
  int parens = 0;
  for (std::size_t i = from; i < t.size(); ++i) {
    if (mayStartLiteralOrComment(t[i]) && skipLiteralOrComment(t, i)) {
      --i;
      continue;
    }
    char c = t[i];
    if (c == '(' || c == '[')
      ++parens;
    else if (c == ')' || c == ']')
      --parens;
    else if (c == ';' && parens == 0)
      return false;
    else if (c == '{' && parens == 0) {
      begin = i;
      return true;
    }
  }
  return false;
}

bool findClosingBrace(llvm::StringRef t, std::size_t begin, std::size_t &end) {
  int depth = 0;
  for (std::size_t i = begin; i < t.size(); ++i) {
    if (mayStartLiteralOrComment(t[i]) && skipLiteralOrComment(t, i)) {
      --i;
      continue;
    }
    if (t[i] == '{')
      ++depth;
    else if (t[i] == '}' && --depth == 0) {
      end = i + 1;
      return true;
    }
  }
  return false;
}

BodySkipper::BodySkipper(clang::CompilerInstance &ci, const BodyMemory *previous,
                         const std::vector<clang::FileID> &enteredFiles, BlankedSources *blanked,
                         unsigned preambleEnd)
    : ci_(ci), previous_(previous && previous->valid ? previous : nullptr),
      enteredFiles_(enteredFiles), blanked_(blanked), preambleEnd_(preambleEnd) {}

bool BodySkipper::inPreamble(clang::FileID file) const {
  auto &sm = ci_.getSourceManager();
  auto main = sm.getMainFileID();
  if (file == main)
    return false;
  // Up the include chain to the main file: where did it include this file?
  auto where = sm.getIncludeLoc(file);
  while (where.isValid() && sm.getFileID(where) != main)
    where = sm.getIncludeLoc(sm.getFileID(where));
  return where.isValid() && sm.getFileOffset(where) < preambleEnd_;
}

namespace {

std::size_t countNewlines(llvm::StringRef text) {
  return static_cast<std::size_t>(text.count('\n'));
}

// A directive inside a body (#include "ljumptab.h" in Lua's interpreter loop, an #undef) acts on
// everything after it: such a body must reach the preprocessor, skipped or not.
bool hasDirective(llvm::StringRef body) {
  for (std::size_t line = body.find('\n'); line != llvm::StringRef::npos;
       line = body.find('\n', line + 1))
    if (body.drop_front(line + 1).ltrim(" \t").starts_with("#"))
      return true;
  return false;
}

// `text` with its bodies at `ranges` blanked, or nothing when none may be; records their starts.
// Spaces over everything but newlines in [from, to).
void blankKeepingLines(std::string &text, std::size_t from, std::size_t to) {
  while (from < to) {
    const char *newline = static_cast<const char *>(memchr(&text[from], '\n', to - from));
    std::size_t stop = newline ? static_cast<std::size_t>(newline - text.data()) : to;
    memset(&text[from], ' ', stop - from);
    from = stop + 1;
  }
}

std::unique_ptr<llvm::MemoryBuffer>
blankFile(const RememberedFile &old, llvm::StringRef now, const std::string &path,
          std::map<std::size_t, std::size_t> &ranges) {
  const std::size_t common = std::min(old.text.size(), now.size());
  const std::size_t prefix = static_cast<std::size_t>(
      std::mismatch(old.text.begin(), old.text.begin() + common, now.begin()).first -
      old.text.begin());
  const std::size_t suffix = static_cast<std::size_t>(
      std::mismatch(old.text.rbegin(), old.text.rbegin() + (common - prefix), now.rbegin())
          .first -
      old.text.rbegin());
  const auto shift = static_cast<std::ptrdiff_t>(now.size()) -
                     static_cast<std::ptrdiff_t>(old.text.size());
  const bool linesMoved = countNewlines(llvm::StringRef(old.text).substr(prefix)) !=
                          countNewlines(now.substr(prefix));
  std::string text;
  for (auto [begin, end] : old.bodies) {
    if (hasDirective(llvm::StringRef(old.text).slice(begin, end)))
      continue;
    std::size_t at;
    if (end <= prefix) {
      at = begin;
    } else if (begin >= old.text.size() - suffix) {
      llvm::StringRef body = llvm::StringRef(old.text).slice(begin, end);
      if (linesMoved && mayUseLineNumbers(body))
        continue;
      at = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(begin) + shift);
    } else {
      continue;  // in what changed: the parser reads it
    }
    if (text.empty())
      text = now.str();
    blankKeepingLines(text, at + 1, at + (end - begin) - 1);
    ranges[at] = at + (end - begin);
  }
  if (text.empty())
    return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(text, path);
}

} // namespace

BlankedSources blankUnchangedBodies(const BodyMemory &memory, const std::string &mainFile,
                                    llvm::StringRef mainText) {
  BlankedSources out;
  for (auto &[path, old] : memory.files) {
    std::string now;
    if (path == mainFile) {
      now = mainText.str();
    } else {
      auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
      if (!buffer)
        continue;  // gone: the compile reports it
      now = (*buffer)->getBuffer().str();
    }
    std::map<std::size_t, std::size_t> ranges;
    auto blanked = blankFile(old, now, path, ranges);
    if (!blanked)
      continue;
    out.bodies[path] = std::move(ranges);
    out.originals[path] = std::move(now);
    if (path == mainFile)
      out.main = std::move(blanked);
    else
      out.others.emplace_back(path, std::move(blanked));
  }
  return out;
}

BodySkipper::~BodySkipper() = default;

namespace {
class SkipperConsumer : public clang::ASTConsumer {
public:
  explicit SkipperConsumer(BodySkipper &skipper) : skipper_(skipper) {}
  bool shouldSkipFunctionBody(clang::Decl *decl) override {
    return skipper_.shouldSkipFunctionBody(decl);
  }
  bool HandleTopLevelDecl(clang::DeclGroupRef group) override {
    skipper_.handleTopLevelDecl(group);
    return true;
  }
  void HandleTranslationUnit(clang::ASTContext &) override { skipper_.captureSkeleton(); }

private:
  BodySkipper &skipper_;
};
} // namespace

std::unique_ptr<clang::ASTConsumer> BodySkipper::consumer() {
  return std::make_unique<SkipperConsumer>(*this);
}

// Each file read after the preamble, in the order it was entered: a user file as its text with the
// eligible bodies cut to "{}", a system header by its name (its text is taken to be stable).
void BodySkipper::captureSkeleton() {
  auto &sm = ci_.getSourceManager();
  std::map<clang::FileID, std::vector<const Seen *>> cutsByFile;
  for (auto &s : seen_)
    cutsByFile[s.file].push_back(&s);
  std::vector<clang::FileID> files = enteredFiles_;
  if (std::find(files.begin(), files.end(), sm.getMainFileID()) == files.end())
    files.insert(files.begin(), sm.getMainFileID());
  std::map<std::string, int> inclusions;
  for (auto file : files)
    if (auto entry = sm.getFileEntryRefForID(file))
      ++inclusions[entry->getName().str()];
  for (auto file : files) {
    auto entry = sm.getFileEntryRefForID(file);
    if (!entry || sm.isInSystemHeader(sm.getLocForStartOfFile(file))) {
      // System headers after the preamble are named (their text is taken to be stable); memory
      // buffers (the predefines, which a preamble's restated macros change) are left out.
      if (entry && !inPreamble(file))
        skeleton_ += "\n#file " + entry->getName().str() + "\n";
      continue;
    }
    auto path = entry->getName().str();
    // The text as on disk (not as blanked for this compile); the parse is over, so the
    // blanking's copy of it can be taken rather than copied.
    std::string original;
    if (auto kept = blanked_ ? blanked_->originals.find(path) : decltype(blanked_->originals)::iterator{};
        blanked_ && kept != blanked_->originals.end())
      original = std::move(kept->second);
    else
      original = sm.getBufferData(file).str();
    // As the dependency lists spell it.
    readHashes_[absolutePath(std::string(path))] = llvm::xxh3_64bits(original);
    // What the preamble holds (or will) is not part of the skeleton: it must not depend on
    // whether there is a preamble.
    if (inPreamble(file))
      continue;
    skeleton_ += "\n#file " + path + "\n";
    ++userFilesInSkeleton_;
    auto text = sm.getBufferData(file);
    // What the memory keeps to blank this file's bodies next time, if it was read once (a file
    // included twice is left alone).
    if (inclusions[path] == 1)
      files_[path].text = std::move(original);
    auto &cuts = cutsByFile[file];
    std::sort(cuts.begin(), cuts.end(), [](auto *a, auto *b) { return a->begin < b->begin; });
    std::size_t cursor = 0;
    for (auto *cut : cuts) {
      if (cut->begin < cursor)
        continue;
      skeleton_.append(text.data() + cursor, cut->begin - cursor);
      skeleton_ += "{}";
      cursor = cut->end;
    }
    skeleton_.append(text.data() + cursor, text.size() - cursor);
  }
}

bool BodySkipper::eligible(const clang::FunctionDecl *fn) const {
  if (!fn || fn->isTemplated() || fn->isInlined() || fn->isConstexpr() ||
      fn->getReturnType()->getContainedDeducedType() ||
      llvm::isa<clang::CXXConstructorDecl>(fn) || llvm::isa<clang::CXXDestructorDecl>(fn) ||
      fn->getLocation().isMacroID() || fn->isDependentContext())
    return false;
  if (const auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(fn))
    if (method->getParent()->isLambda() || method->getParent()->isLocalClass())
      return false;
  // A body the parser reads now (not one from the preamble), in the user's code.
  auto &sm = ci_.getSourceManager();
  auto loc = fn->getLocation();
  return loc.isFileID() && !sm.isInSystemHeader(loc) && !sm.isLoadedSourceLocation(loc) &&
         sm.getFileEntryRefForID(sm.getFileID(loc));
}

bool BodySkipper::bodyRange(const clang::FunctionDecl *fn, clang::FileID file,
                            const std::string &path, std::size_t &begin, std::size_t &end) const {
  auto &sm = ci_.getSourceManager();
  auto text = sm.getBufferData(file);
  if (!findOpeningBrace(text, sm.getFileOffset(fn->getLocation()), begin))
    return false;
  if (auto blankedEnd = blankedBodyEnd(path, begin)) {  // no need to scan a blanked body
    end = *blankedEnd;
    return true;
  }
  return findClosingBrace(text, begin, end);
}

std::string BodySkipper::linkNameOf(const Seen &seen, const std::string &unitTag) {
  return seen.internal ? promotedName(seen.linkName, unitTag) : seen.linkName;
}

const std::string *BodySkipper::originalText(const std::string &path) const {
  if (!blanked_)
    return nullptr;
  auto it = blanked_->originals.find(path);
  return it == blanked_->originals.end() ? nullptr : &it->second;
}

std::optional<std::size_t> BodySkipper::blankedBodyEnd(const std::string &path,
                                                       std::size_t bodyBegin) const {
  if (!blanked_)
    return std::nullopt;
  auto file = blanked_->bodies.find(path);
  if (file == blanked_->bodies.end())
    return std::nullopt;
  auto body = file->second.find(bodyBegin);
  if (body == file->second.end())
    return std::nullopt;
  return body->second;
}

bool BodySkipper::shouldSkipFunctionBody(clang::Decl *decl) {
  const auto *fn = decl ? decl->getAsFunction() : nullptr;
  if (!eligible(fn))
    return false;
  auto &sm = ci_.getSourceManager();
  clang::FileID file = sm.getFileID(fn->getLocation());
  auto path = sm.getFileEntryRefForID(file)->getName().str();
  std::size_t begin = 0, end = 0;
  if (!bodyRange(fn, file, path, begin, end))
    return false;
  if (!names_)
    names_ = std::make_unique<clang::ASTNameGenerator>(ci_.getASTContext());
  auto linkName = names_->getName(fn);
  auto key = path + "|" + linkName;  // the mangled name tells overloads apart
  auto body = sm.getBufferData(file).substr(begin, end - begin);
  auto line = sm.getLineNumber(file, begin);
  bool skip = false;
  std::string text;
  if (blankedBodyEnd(path, begin)) {
    // Blanked because it did not change: skipped (the parser has nothing else to see), and
    // remembered with the text it has on disk.
    skip = true;
    unknownBlankedBody_ = unknownBlankedBody_ || !previous_ || !previous_->bodies.count(key);
    text = llvm::StringRef(*originalText(path)).slice(begin, end).str();
  } else {
    if (previous_) {
      auto it = previous_->bodies.find(key);
      skip = it != previous_->bodies.end() && it->second.text == body &&
             (it->second.line == line || !mayUseLineNumbers(body));
    }
    text = body.str();
  }
  seen_.push_back({std::move(key), std::move(linkName), !fn->isExternallyVisible(), file, path,
                   begin, end, line, skip, std::move(text)});
  return skip;
}

void BodySkipper::handleTopLevelDecl(clang::DeclGroupRef group) {
  // While skipping, a changed static function that no compiled body calls must still be emitted,
  // or its new body would never go live: mark the compiled ones used.
  if (!previous_)
    return;
  for (auto *decl : group)
    markCompiledBodiesUsed(decl);
}

void BodySkipper::markCompiledBodiesUsed(clang::Decl *decl) {
  // Functions in namespaces (anonymous ones above all) and extern "C" blocks arrive inside them.
  if (auto *context = llvm::dyn_cast<clang::DeclContext>(decl);
      context && (llvm::isa<clang::NamespaceDecl>(decl) || llvm::isa<clang::LinkageSpecDecl>(decl) ||
                  llvm::isa<clang::ExportDecl>(decl))) {
    for (auto *inner : context->noload_decls())
      markCompiledBodiesUsed(inner);
    return;
  }
  auto *fn = llvm::dyn_cast<clang::FunctionDecl>(decl);
  if (!fn || !fn->doesThisDeclarationHaveABody() || fn->hasSkippedBody() || !eligible(fn))
    return;
  if (!fn->isExternallyVisible() && !fn->hasAttr<clang::UsedAttr>())
    fn->addAttr(clang::UsedAttr::CreateImplicit(ci_.getASTContext()));
}

std::set<std::string> BodySkipper::skippedInternalNames() const {
  std::set<std::string> out;
  for (auto &s : seen_)
    if (s.skipped && s.internal)
      out.insert(s.linkName);
  return out;
}

BodySkipper::Outcome BodySkipper::finish(const std::set<std::string> &emitted,
                                         const std::string &unitTag) {
  Outcome out;
  out.memory.skeleton = std::move(skeleton_);
  out.memory.valid = true;
  out.readHashes = std::move(readHashes_);
  for (auto &s : seen_) {
    if (s.skipped) {
      ++out.skipped;
      out.skippedLinkNames.push_back(linkNameOf(s, unitTag));
    } else if (!emitted.count(linkNameOf(s, unitTag))) {
      continue;  // never compiled (an unused static function): nothing to keep
    }
    out.memory.bodies.insert_or_assign(std::move(s.key), RememberedBody{std::move(s.text), s.line});
    if (auto file = files_.find(s.path); file != files_.end())
      file->second.bodies.emplace_back(s.begin, s.end);
  }
  out.memory.files = std::move(files_);
  // __COUNTER__ counts on through skipped bodies (Clang still preprocesses them) but not through
  // blanked ones: a file that uses it is never blanked.
  if (ci_.getPreprocessor().getCounterValue() != 0)
    out.memory.files.clear();
  // Text appended after the last compile cannot change what an earlier body means (C and C++
  // bodies see only what precedes them; eligible bodies are never templates or class members
  // defined in the class), so a skeleton that only grew at its end is still sound. This is what
  // keeps a REPL session, which grows by appending, from reparsing every input.
  // Only when the skeleton is the one file: text appended to the last of several files comes
  // before what the main file has after including it.
  const auto &skeleton = out.memory.skeleton;
  const auto &before = previous_ ? previous_->skeleton : skeleton;
  const bool grewAtEnd = userFilesInSkeleton_ == 1 && skeleton.size() > before.size() &&
                         !before.empty() && before.back() == '\n' &&
                         skeleton.compare(0, before.size(), before) == 0;
  // A blanked body that is not the function it was (a file included once more, an overload
  // appended) cannot be trusted: the compile is done again in full.
  out.skeletonChanged = previous_ && ((before != skeleton && !grewAtEnd) || unknownBlankedBody_);
  return out;
}

} // namespace hotcc::frontend
