// Clang in-process. The driver expands the user's flags into cc1 arguments once per file (include
// paths, resource dir, target); each compile then runs a cc1 invocation over the file's text with
// the cached precompiled preamble, generating IR with Clang's CodeGenerator while the AST is still
// alive so that every emitted symbol can be traced back to its declaration.
#include "hotcc/frontend/compiler.hpp"
#include "hotcc/frontend/outcome_error.hpp"
#include "hotcc/support.hpp"
#include "diagnostic_collector.hpp"
#include "hotcc/frontend/compiler_flags.hpp"

#include "body_skipper.hpp"
#include "captured_values.hpp"
#include "decl_facts.hpp"
#include "ir_normalize.hpp"
#include "preamble_macros.hpp"

#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/SourceManager.h>
#include <clang/CodeGen/ModuleBuilder.h>
#include <clang/Driver/Compilation.h>
#include <clang/Driver/Driver.h>
#include <clang/Driver/Job.h>
#include <clang/Driver/Tool.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Basic/Version.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Sema/CodeCompleteConsumer.h>
#include <clang/Sema/Sema.h>
#include <clang/Frontend/MultiplexConsumer.h>
#include <clang/Frontend/PrecompiledPreamble.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Lex/PreprocessorOptions.h>
#include <clang/Serialization/PCHContainerOperations.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/xxhash.h>
#include <llvm/TargetParser/Host.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <unistd.h>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace hotcc::frontend {

CompiledUnit::CompiledUnit() = default;
CompiledUnit::CompiledUnit(CompiledUnit &&) noexcept = default;
CompiledUnit &CompiledUnit::operator=(CompiledUnit &&) noexcept = default;
CompiledUnit::~CompiledUnit() {
  module.reset();  // the module must die before its context
  context.reset();
}

namespace {

constexpr const char *kClangBinDir = HOTCC_LLVM_BINDIR;

bool isCSource(llvm::StringRef file) {
  return llvm::sys::path::extension(file) == ".c";
}

// Records the user (non-system) files a compile enters, so the watcher can follow headers too,
// and every file it enters, in order, for the body skipper's skeleton.
class DependencyRecorder : public clang::PPCallbacks {
public:
  DependencyRecorder(clang::SourceManager &sm, std::set<std::string> &out,
                     std::vector<clang::FileID> *entered = nullptr)
      : sm_(sm), out_(out), entered_(entered) {}
  void FileChanged(clang::SourceLocation loc, FileChangeReason reason,
                   clang::SrcMgr::CharacteristicKind kind, clang::FileID) override {
    if (reason != EnterFile)
      return;
    auto fid = sm_.getFileID(loc);
    if (entered_)
      entered_->push_back(fid);
    if (kind != clang::SrcMgr::C_User)
      return;
    if (auto entry = sm_.getFileEntryRefForID(fid)) {
      out_.insert(absolutePath(entry->getName().str()));
    }
  }

private:
  clang::SourceManager &sm_;
  std::set<std::string> &out_;
  std::vector<clang::FileID> *entered_;
};

// While a preamble is built: the user files it reads, and the macros it must state again.
class PreambleRecorders : public clang::PreambleCallbacks {
public:
  PreambleRecorders(std::set<std::string> &dependencies, std::vector<MacroRestatement> &macros,
                    std::map<std::string, std::uint64_t> &readHashes)
      : dependencies_(dependencies), macros_(macros), readHashes_(readHashes) {}
  void BeforeExecute(clang::CompilerInstance &ci) override { ci_ = &ci; }
  // The headers' contents as this build read them, not as they are on disk once it is done: a
  // save during the build must not make the old PCH look current.
  void AfterExecute(clang::CompilerInstance &ci) override {
    auto &sm = ci.getSourceManager();
    for (auto &path : dependencies_)
      if (auto file = ci.getFileManager().getOptionalFileRef(path))
        if (auto buffer = sm.getMemoryBufferForFileOrNone(*file))
          readHashes_[path] = llvm::xxh3_64bits(buffer->getBuffer());
  }
  std::unique_ptr<clang::PPCallbacks> createPPCallbacks() override {
    return std::make_unique<clang::PPChainedCallbacks>(
        std::make_unique<DependencyRecorder>(ci_->getSourceManager(), dependencies_),
        std::make_unique<PreambleMacroRecorder>(ci_->getPreprocessor(), macros_));
  }

private:
  clang::CompilerInstance *ci_ = nullptr;
  std::set<std::string> &dependencies_;
  std::vector<MacroRestatement> &macros_;
  std::map<std::string, std::uint64_t> &readHashes_;
};

// Runs after CodeGen's own HandleTranslationUnit (MultiplexConsumer keeps order), while the AST
// and CodeGen's name→decl map are alive: reads the facts about each emitted symbol, then takes
// the module.
class FactCollector : public clang::ASTConsumer {
public:
  FactCollector(clang::CompilerInstance &ci, clang::CodeGenerator *gen, CompiledUnit &unit,
                DeclFacts &facts)
      : ci_(ci), gen_(gen), unit_(unit), facts_(facts) {}

  bool HandleTopLevelDecl(clang::DeclGroupRef group) override {
    for (auto *decl : group)
      collectCapturedValues(decl, ci_.getASTContext(), unit_.capturedValues);
    return true;
  }

  void HandleTranslationUnit(clang::ASTContext &ctx) override {
    if (ci_.getDiagnostics().hasErrorOccurred())
      return;
    llvm::Module *module = gen_->GetModule();
    if (!module)
      return;
    collectDeclFacts(*module, *gen_, ctx, ci_.getSourceManager(), facts_);
    unit_.module = gen_->ReleaseModule();
  }

private:
  clang::CompilerInstance &ci_;
  clang::CodeGenerator *gen_;
  CompiledUnit &unit_;
  DeclFacts &facts_;
};

class HotccCodeGenAction : public clang::ASTFrontendAction {
public:
  HotccCodeGenAction(CompiledUnit &unit, std::set<std::string> &deps, const BodyMemory *previous,
                     BlankedSources *blanked, unsigned preambleEnd)
      : unit_(unit), deps_(deps), previous_(previous), blanked_(blanked),
        preambleEnd_(preambleEnd) {}

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &ci,
                                                        llvm::StringRef file) override {
    auto gen = clang::CreateLLVMCodeGen(ci, llvm::sys::path::filename(file), *unit_.context);
    auto collector = std::make_unique<FactCollector>(ci, gen.get(), unit_, facts_);
    skipper_ =
        std::make_unique<BodySkipper>(ci, previous_, enteredFiles_, blanked_, preambleEnd_);
    std::vector<std::unique_ptr<clang::ASTConsumer>> consumers;
    consumers.push_back(skipper_->consumer());  // first: it marks bodies before CodeGen sees them
    consumers.push_back(std::move(gen));
    consumers.push_back(std::move(collector));
    return std::make_unique<clang::MultiplexConsumer>(std::move(consumers));
  }

  bool BeginSourceFileAction(clang::CompilerInstance &ci) override {
    ci.getPreprocessor().addPPCallbacks(std::make_unique<DependencyRecorder>(
        ci.getSourceManager(), deps_, &enteredFiles_));
    return true;
  }

  BodySkipper &skipper() { return *skipper_; }

  // Outlives the consumers, which Clang destroys when the file ends.
  DeclFacts &facts() { return facts_; }

private:
  CompiledUnit &unit_;
  std::set<std::string> &deps_;
  const BodyMemory *previous_;
  BlankedSources *blanked_;
  unsigned preambleEnd_;
  DeclFacts facts_;
  std::unique_ptr<BodySkipper> skipper_;
  std::vector<clang::FileID> enteredFiles_;  // in order: what the skeleton is made of
};

struct PreambleEntry {
  std::unique_ptr<clang::PrecompiledPreamble> preamble;
  std::set<std::string> dependencies;
  std::vector<MacroRestatement> macros;  // stated again after the predefines
  std::map<std::string, std::uint64_t> contentHashes;  // of the user headers in the preamble
};

std::uint64_t contentHash(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  return buffer ? llvm::xxh3_64bits((*buffer)->getBuffer()) : 0;
}

// Clang judges a preamble's headers by size and modification time in seconds; a header saved
// twice within a second with the same size would go unnoticed. The user's headers are few and
// small: compare their contents.
bool headersUnchanged(const PreambleEntry &entry) {
  for (auto &[path, hash] : entry.contentHashes)
    if (contentHash(path) != hash)
      return false;
  return true;
}

// The preamble stops before the first #include of a source file (a unity build's `#include
// "lvm.c"`): what follows is the program's own code, which the body skipper can leave unparsed
// where it did not change, instead of being frozen into a PCH that any edit rebuilds.
clang::PreambleBounds limitToHeaders(llvm::StringRef text, clang::PreambleBounds bounds) {
  bool inComment = false;
  for (std::size_t lineStart = 0; lineStart < bounds.Size;) {
    std::size_t lineEnd = text.find('\n', lineStart);
    if (lineEnd == llvm::StringRef::npos)
      lineEnd = text.size();
    llvm::StringRef line = text.slice(lineStart, lineEnd).trim();
    const std::size_t start = lineStart;
    lineStart = lineEnd + 1;
    if (inComment || line.starts_with("/*")) {
      inComment = !line.contains("*/") || (line.rfind("/*") > line.rfind("*/") &&
                                           line.rfind("/*") != llvm::StringRef::npos);
      continue;
    }
    if (!line.consume_front("#"))
      continue;
    line = line.ltrim();
    if (!line.consume_front("include") && !line.consume_front("import"))
      continue;
    line = line.ltrim();
    if (line.empty() || (line.front() != '"' && line.front() != '<'))
      continue;
    auto name = line.drop_front().take_until([](char c) { return c == '"' || c == '>'; });
    if (isSourceFile(name.str()))
      return clang::PreambleBounds(static_cast<unsigned>(start), /*EndsAtStartOfLine=*/true);
  }
  return bounds;
}

// A cc1 invocation from arguments; null when Clang rejects them (said through `diags`).
std::shared_ptr<clang::CompilerInvocation> invocationFrom(const std::vector<std::string> &args,
                                                          clang::DiagnosticsEngine &diags) {
  auto invocation = std::make_shared<clang::CompilerInvocation>();
  std::vector<const char *> argv;
  for (auto &a : args)
    argv.push_back(a.c_str());
  if (!clang::CompilerInvocation::CreateFromArgs(*invocation, argv, diags))
    return nullptr;
  invocation->getFrontendOpts().DisableFree = false;
  return invocation;
}

} // namespace

// What the compiler keeps for one file. Its own lock: files compile concurrently, each file's
// compiles one after the other.
struct FileState {
  std::mutex compiling;
  std::optional<std::vector<std::string>> cc1Args;
  FileSettings settings;
  PreambleEntry preamble;
  BodyMemory committed;               // of the compile the engine accepted last
  std::optional<BodyMemory> pending;  // of the last compile, not yet accepted
  bool compiledOnce = false;
  // The first compile went without a preamble (CompileOptions::deferPreamble); prepareReload
  // builds it, and keeps the remembered bodies if the headers are still those it read.
  bool preambleDeferred = false;
  std::map<std::string, std::uint64_t> headersAtFirstCompile;
};

struct Compiler::Impl {
  CompileOptions options;
  std::shared_ptr<clang::PCHContainerOperations> pchOps =
      std::make_shared<clang::PCHContainerOperations>();
  mutable std::mutex filesMutex;  // the map below (not the states: each has its own lock)
  mutable std::map<std::string, std::unique_ptr<FileState>> files;

  FileState &state(const std::string &file) const;
  llvm::Expected<std::vector<std::string>> cc1Args(const std::string &file, bool fileIsVirtual,
                                                   const std::string &settingsOf);
  // The driver flags every compile of a file shares (and a PCH it uses must share).
  std::vector<std::string> commonFlags(bool isC, const std::string &settingsOf) const;
  llvm::Expected<std::vector<std::string>> expandDriver(const std::vector<std::string> &args,
                                                        const std::string &file,
                                                        bool fileIsVirtual) const;
  // Builds the preamble of `text` into `state`; false when it has errors (the compile reports
  // them) or cannot be built. Its warnings go to `warnings`.
  bool buildPreamble(FileState &state, const std::string &file,
                     clang::CompilerInvocation &invocation, llvm::MemoryBuffer &text,
                     const clang::PreambleBounds &bounds, clang::DiagnosticOptions &diagOpts,
                     llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs,
                     std::vector<Diagnostic> &warnings);
  llvm::Expected<std::shared_ptr<clang::CompilerInvocation>>
  compileInvocation(const std::string &file, bool fileIsVirtual, clang::DiagnosticOptions &diagOpts,
                    DiagnosticCollector &collector);
  BodySkipper::Outcome analyze(FileState &state, CompiledUnit &unit, HotccCodeGenAction &action,
                               const std::string &unitTag, bool firstCompile);
  // What the preamble step decided for one compile.
  struct PreambleUse {
    bool reused = false;
    bool headersStable = false;  // the headers are those the committed bodies were compiled with
    // Where the preamble ends (or would): what the main file includes before it is not part of
    // the skeleton, with or without a preamble.
    unsigned end = 0;
    std::vector<Diagnostic> warnings;  // the preamble's, shown with the compile's
  };
  PreambleUse usePreamble(FileState &state, const std::string &file,
                          clang::CompilerInvocation &invocation, llvm::MemoryBuffer &text,
                          clang::DiagnosticOptions &diagOpts,
                          llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs, bool fileIsVirtual,
                          bool firstCompile);
  void mapSources(FileState &state, const std::string &file, clang::CompilerInvocation &invocation,
                  llvm::MemoryBuffer &text, BlankedSources &blanked,
                  // An in-memory preamble overlays itself on `vfs`: the compile must use it.
                  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> &vfs, bool fileIsVirtual,
                  std::set<std::string> &deps);
  // Compiles `file` with its state's lock held.
  llvm::Expected<CompiledUnit> run(FileState &state, const std::string &file,
                                   std::unique_ptr<llvm::MemoryBuffer> text, bool fileIsVirtual,
                                   const std::string &unitTag, bool allowSkipping);
};

FileState &Compiler::Impl::state(const std::string &file) const {
  std::lock_guard lock(filesMutex);
  auto &slot = files[file];
  if (!slot)
    slot = std::make_unique<FileState>();
  return *slot;
}

Compiler::Compiler(CompileOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Compiler::~Compiler() = default;

const CompileOptions &Compiler::options() const {
  return impl_->options;
}

std::vector<std::string> Compiler::Impl::commonFlags(bool isC,
                                                    const std::string &settingsOf) const {
  std::vector<std::string> args;
  // PIC: JIT'd code lands far from libc and the host, so data goes through the GOT and calls
  // through PLT stubs the linker makes. Emulated TLS: thread_local works without a JIT platform
  // runtime (libgcc's __emutls_get_address serves it).
  args.push_back("-fPIC");
  if (options.targetTriple.empty())
    args.push_back("-femulated-tls");  // host only: wasm32 has no TLS runtime to emulate against
  args.push_back("-fno-color-diagnostics");
  // Templates the headers use are instantiated once, into the preamble, instead of at the end of
  // every compile of the file.
  if (!isC)
    args.push_back("-fpch-instantiate-templates");
  args.push_back("-O" + std::to_string(options.optLevel));
  if (!options.languageStandard.empty())
    args.push_back("-std=" + options.languageStandard);
  for (auto &dir : options.includeDirs)
    args.push_back("-I" + dir);
  for (auto &def : options.defines)
    args.push_back("-D" + def);
  for (auto &extra : options.extraArgs)
    args.push_back(extra);
  if (!settingsOf.empty())
    for (auto &extra : state(settingsOf).settings.extraArgs)
      args.push_back(extra);
  return args;
}

llvm::Expected<std::vector<std::string>>
Compiler::Impl::expandDriver(const std::vector<std::string> &args, const std::string &file,
                             bool fileIsVirtual) const {
  std::string triple =
      options.targetTriple.empty() ? llvm::sys::getProcessTriple() : options.targetTriple;

  clang::DiagnosticOptions diagOpts;
  DiagnosticCollector collector;
  clang::DiagnosticsEngine diags(clang::DiagnosticIDs::create(), diagOpts, &collector,
                                 /*ShouldOwnClient=*/false);

  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs = llvm::vfs::getRealFileSystem();
  if (fileIsVirtual) {
    auto overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(vfs);
    auto memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
    memory->addFile(file, 0, llvm::MemoryBuffer::getMemBuffer(""));
    overlay->pushOverlay(memory);
    vfs = overlay;
  }
  clang::driver::Driver driver(args.front(), triple, diags, "hotcc", vfs);
  driver.setCheckInputsExist(false);
  std::vector<const char *> argv;
  for (auto &a : args)
    argv.push_back(a.c_str());
  std::unique_ptr<clang::driver::Compilation> compilation(driver.BuildCompilation(argv));
  if (!compilation || diags.hasErrorOccurred())
    return makeFailure(failure::CompileError{file, collector.take()});

  const clang::driver::Command *cc1 = nullptr;
  for (auto &job : compilation->getJobs())
    if (llvm::StringRef(job.getCreator().getName()) == "clang") {
      cc1 = &job;
      break;
    }
  if (!cc1)
    return llvm::make_error<OutcomeError>(compileErrorOf(
        file, "not a C or C++ source file (Clang makes no compile job of it)"));

  std::vector<std::string> result;
  for (const char *a : cc1->getArguments())
    result.emplace_back(a);
  if (!result.empty() && result.front() == "-cc1")
    result.erase(result.begin());
  return result;
}

llvm::Expected<std::vector<std::string>>
Compiler::Impl::cc1Args(const std::string &file, bool fileIsVirtual, const std::string &settingsOf) {
  FileState *cached = settingsOf == file ? &state(file) : nullptr;
  if (cached && cached->cc1Args)
    return *cached->cc1Args;

  const bool isC = isCSource(file);
  std::string driverPath = std::string(kClangBinDir) + (isC ? "/clang" : "/clang++");
  std::vector<std::string> args = {driverPath, "-c", file};
  if (fileIsVirtual) {
    args.insert(args.begin() + 1, isC ? "c" : "c++");
    args.insert(args.begin() + 1, "-x");
  }
  for (auto &flag : commonFlags(isC, settingsOf))
    args.push_back(flag);
  auto result = expandDriver(args, file, fileIsVirtual);
  if (!result)
    return result.takeError();
  spdlog::debug("cc1 args for {}: {} arguments", file, result->size());
  if (cached)
    cached->cc1Args = *result;
  return result;
}

static std::string absolute(const std::string &file) {
  return absolutePath(file);
}

void Compiler::configureFile(const std::string &file, FileSettings settings, bool keepBodies) {
  auto &state = impl_->state(absolute(file));
  std::lock_guard lock(state.compiling);
  state.settings = std::move(settings);
  state.cc1Args.reset();
  if (!keepBodies)
    state.committed = BodyMemory{};
  state.pending.reset();
  state.preamble = PreambleEntry{};
}

void Compiler::prepareReload(const std::string &file) {
  auto &state = impl_->state(file);
  std::lock_guard lock(state.compiling);
  if (!state.preambleDeferred)
    return;
  state.preambleDeferred = false;
  auto text = llvm::MemoryBuffer::getFile(file, /*IsText=*/true);
  auto args = impl_->cc1Args(file, false, file);
  if (!text || !args) {
    llvm::consumeError(args.takeError());
    return;  // the next compile reports it
  }
  clang::DiagnosticOptions diagOpts;
  auto diags = llvm::makeIntrusiveRefCnt<clang::DiagnosticsEngine>(
      clang::DiagnosticIDs::create(), diagOpts, new clang::IgnoringDiagConsumer());
  auto invocation = invocationFrom(*args, *diags);
  if (!invocation)
    return;
  auto bounds = limitToHeaders((*text)->getBuffer(),
                               clang::ComputePreambleBounds(invocation->getLangOpts(), **text, 0));
  std::vector<Diagnostic> warnings;  // shown by the first compile already
  if (bounds.Size == 0 || !impl_->buildPreamble(state, file, *invocation, **text, bounds, diagOpts,
                                                llvm::vfs::getRealFileSystem(), warnings))
    return;
  // The bodies remembered from the first compile may be skipped over this preamble only if its
  // headers are the ones that compile read.
  for (auto &[header, hash] : state.preamble.contentHashes) {
    auto then = state.headersAtFirstCompile.find(header);
    if (then == state.headersAtFirstCompile.end() || then->second != hash) {
      state.committed = BodyMemory{};
      state.pending.reset();
      break;
    }
  }
  state.headersAtFirstCompile.clear();
}

void Compiler::commit(const std::string &file) {
  auto &state = impl_->state(file);
  std::lock_guard lock(state.compiling);
  if (!state.pending)
    return;
  state.committed = std::move(*state.pending);
  state.pending.reset();
}

bool Compiler::Impl::buildPreamble(FileState &state, const std::string &file,
                                   clang::CompilerInvocation &invocation, llvm::MemoryBuffer &text,
                                   const clang::PreambleBounds &bounds,
                                   clang::DiagnosticOptions &diagOpts,
                                   llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs,
                                   std::vector<Diagnostic> &warnings) {
  auto &entry = state.preamble;
  entry = PreambleEntry{};
  std::map<std::string, std::uint64_t> readHashes;
  PreambleRecorders callbacks(entry.dependencies, entry.macros, readHashes);
  // Its warnings are the file's (a redefined macro, say): shown with this compile's.
  DiagnosticCollector collector;
  auto quiet = llvm::makeIntrusiveRefCnt<clang::DiagnosticsEngine>(
      clang::DiagnosticIDs::create(), diagOpts, &collector, /*ShouldOwnClient=*/false);
  auto t0 = Clock::now();
  auto built = clang::PrecompiledPreamble::Build(invocation, &text, bounds, quiet, vfs, pchOps,
                                                 /*StoreInMemory=*/true, "", callbacks);
  collector.finish();
  // With errors, the compile reports them, warnings included.
  warnings = !built || quiet->hasErrorOccurred() ? std::vector<Diagnostic>() : collector.take();
  if (built && quiet->hasErrorOccurred()) {
    // A preamble with errors would hide them: compile without it, and clang reports them.
    spdlog::debug("preamble of {} has errors; compiling without one", file);
    entry.dependencies.clear();
    return false;
  }
  if (!built) {
    // Errors inside the preamble surface again, with full diagnostics, in the compile.
    spdlog::debug("no preamble for {}: {}", file, built.getError().message());
    entry.dependencies.clear();
    return false;
  }
  entry.preamble = std::make_unique<clang::PrecompiledPreamble>(std::move(*built));
  for (auto &dep : entry.dependencies)
    if (dep != file) {
      auto read = readHashes.find(dep);
      entry.contentHashes[dep] = read != readHashes.end() ? read->second : contentHash(dep);
    }
  spdlog::debug("built preamble for {} in {:.1f} ms", file, msSince(t0));
  return true;
}

// The cc1 invocation of one compile of `file`, its diagnostics going to `collector`.
llvm::Expected<std::shared_ptr<clang::CompilerInvocation>>
Compiler::Impl::compileInvocation(const std::string &file, bool fileIsVirtual,
                                  clang::DiagnosticOptions &diagOpts,
                                  DiagnosticCollector &collector) {
  auto args = cc1Args(file, fileIsVirtual, file);
  if (!args)
    return args.takeError();
  auto diags = llvm::makeIntrusiveRefCnt<clang::DiagnosticsEngine>(
      clang::DiagnosticIDs::create(), diagOpts, &collector, /*ShouldOwnClient=*/false);
  auto invocation = invocationFrom(*args, *diags);
  if (!invocation)
    return makeFailure(failure::CompileError{file, collector.take()});
  // The driver makes complete-object constructors/destructors aliases of the base ones; every
  // one must be its own function to get its own stub.
  invocation->getCodeGenOpts().CXXCtorDtorAliases = false;
  invocation->getCodeGenOpts().DisableFree = false;
  invocation->getPreprocessorOpts().RetainRemappedFileBuffers = true;
  return invocation;
}

// Reuses or builds the preamble: the PCH of the file's leading #include/#define block.
Compiler::Impl::PreambleUse
Compiler::Impl::usePreamble(FileState &state, const std::string &file,
                            clang::CompilerInvocation &invocation, llvm::MemoryBuffer &text,
                            clang::DiagnosticOptions &diagOpts,
                            llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs,
                            bool fileIsVirtual, bool firstCompile) {
  PreambleUse use;
  use.headersStable = !fileIsVirtual;
  if (!options.usePreamble || !state.settings.usePreamble || fileIsVirtual)
    return use;
  auto bounds = limitToHeaders(text.getBuffer(),
                               clang::ComputePreambleBounds(invocation.getLangOpts(), text, 0));
  use.end = bounds.Size;
  auto &entry = state.preamble;
  if (firstCompile && options.deferPreamble && bounds.Size > 0) {
    // A compiler parses the headers; building a PCH of them costs more. prepareReload builds
    // it later, for the reloads.
    state.preambleDeferred = true;
  } else if (bounds.Size > 0) {
    auto t0 = Clock::now();
    use.reused = entry.preamble && entry.preamble->CanReuse(invocation, text, bounds, *vfs) &&
                 headersUnchanged(entry);
    spdlog::debug("preamble check for {}: {:.1f} ms", file, msSince(t0));
    if (!use.reused) {
      state.committed = BodyMemory{};  // bodies were judged against the old headers
      state.preambleDeferred = false;
      buildPreamble(state, file, invocation, text, bounds, diagOpts, vfs, use.warnings);
    }
    use.headersStable = use.reused;
  } else if (entry.preamble) {
    // The file lost its leading #includes.
    entry = PreambleEntry{};
    state.committed = BodyMemory{};
  }
  return use;
}

// Hands Clang the text to read: the main file (blanked where bodies are unchanged) behind the
// preamble, and any blanked headers in place of theirs.
void Compiler::Impl::mapSources(FileState &state, const std::string &file,
                                clang::CompilerInvocation &invocation, llvm::MemoryBuffer &text,
                                BlankedSources &blanked,
                                llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> &vfs,
                                bool fileIsVirtual, std::set<std::string> &deps) {
  llvm::MemoryBuffer *mainBuffer = blanked.main ? blanked.main.get() : &text;
  for (auto &[path, buffer] : blanked.others)
    invocation.getPreprocessorOpts().addRemappedFile(path, buffer.get());
  if (state.preamble.preamble && options.usePreamble && state.settings.usePreamble &&
      !fileIsVirtual) {
    state.preamble.preamble->AddImplicitPreamble(invocation, vfs, mainBuffer);
    restateMacros(invocation.getPreprocessorOpts(), state.preamble.macros);
    deps.insert(state.preamble.dependencies.begin(), state.preamble.dependencies.end());
  } else {
    invocation.getPreprocessorOpts().addRemappedFile(file, mainBuffer);
  }
  // On even when nothing may be skipped: the parser then shows every body to the skipper, which
  // remembers them for the next compile.
  invocation.getFrontendOpts().SkipFunctionBodies = options.skipUnchangedBodies && !fileIsVirtual;
}

llvm::Expected<CompiledUnit> Compiler::Impl::run(FileState &state, const std::string &file,
                                                 std::unique_ptr<llvm::MemoryBuffer> text,
                                                 bool fileIsVirtual, const std::string &unitTag,
                                                 bool allowSkipping) {
  auto started = Clock::now();
  clang::DiagnosticOptions diagOpts;
  DiagnosticCollector collector;
  auto invocation = compileInvocation(file, fileIsVirtual, diagOpts, collector);
  if (!invocation)
    return invocation.takeError();

  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs = llvm::vfs::getRealFileSystem();
  std::set<std::string> deps;

  const bool firstCompile = !state.compiledOnce;
  state.compiledOnce = true;
  auto preamble = usePreamble(state, file, **invocation, *text, diagOpts, vfs, fileIsVirtual,
                              firstCompile);

  const BodyMemory *previousBodies = nullptr;
  if (allowSkipping && preamble.headersStable && options.skipUnchangedBodies)
    if (state.committed.valid)
      previousBodies = &state.committed;
  // Unchanged bodies are blanked in the text Clang reads (see BlankedSources).
  BlankedSources blanked;
  if (previousBodies)
    blanked = blankUnchangedBodies(*previousBodies, file, text->getBuffer());
  mapSources(state, file, **invocation, *text, blanked, vfs, fileIsVirtual, deps);
  // Kept for a retry in full: the compile below owns `text` through the remapping.
  std::string textCopy = previousBodies ? text->getBuffer().str() : std::string();

  CompiledUnit unit;
  unit.file = file;
  unit.context = std::make_unique<llvm::LLVMContext>();

  clang::CompilerInstance ci(*invocation, pchOps);
  ci.createDiagnostics(&collector, /*ShouldOwnClient=*/false);
  // "N errors generated." is a count of the diagnostics, not one of them.
  ci.setVerboseOutputStream(std::make_unique<llvm::raw_null_ostream>());
  ci.setVirtualFileSystem(vfs);
  ci.createFileManager();
  if (!ci.createTarget())
    return makeFailure(failure::CompileError{file, collector.take()});

  HotccCodeGenAction action(unit, deps, previousBodies, &blanked, preamble.end);
  auto executeStart = Clock::now();
  bool ok = ci.ExecuteAction(action);
  spdlog::debug("clang on {}: {:.1f} ms (setup {:.1f} ms)", file, msSince(executeStart),
                std::chrono::duration<double, std::milli>(executeStart - started).count());
  collector.finish();
  const bool hadErrors = ci.getDiagnostics().hasErrorOccurred();
  if (!ok || hadErrors || !unit.module) {
    if (!collector.hasErrors())
      return llvm::make_error<OutcomeError>(compileErrorOf(file, "compilation failed"));
    return makeFailure(failure::CompileError{file, collector.take()});
  }
  unit.warnings = std::move(preamble.warnings);
  appendDiagnostics(unit.warnings, collector.take());
  unit.timing.parseMs = msSince(started);
  unit.timing.preambleReused = preamble.reused;
  deps.insert(file);
  unit.dependencies.assign(deps.begin(), deps.end());

  auto outcome = analyze(state, unit, action, unitTag, firstCompile);
  if (previousBodies && outcome.skeletonChanged && outcome.skipped > 0) {
    // Something outside the bodies changed: what the skipped bodies mean may have changed too.
    spdlog::debug("{}: declarations changed, compiling every body", file);
    auto full = run(state, file, llvm::MemoryBuffer::getMemBufferCopy(textCopy, file),
                    fileIsVirtual, unitTag, /*allowSkipping=*/false);
    if (full)
      full->timing.retriedInFull = true;
    return full;
  }
  spdlog::debug("{}: {} bodies skipped, {} remembered, skipping {}", file, outcome.skipped,
                outcome.memory.bodies.size(), previousBodies ? "on" : "off");
  outcome.memory.valid = outcome.memory.valid && !fileIsVirtual;
  state.pending = std::move(outcome.memory);
  unit.skippedFunctions = std::move(outcome.skippedLinkNames);
  unit.timing.skippedBodies = outcome.skipped;
  return unit;
}

// After code generation: names and hashes every symbol of the unit, then lets the skipper say
// what it skipped and remember the bodies for the next compile.
BodySkipper::Outcome Compiler::Impl::analyze(FileState &state, CompiledUnit &unit,
                                             HotccCodeGenAction &action,
                                             const std::string &unitTag, bool firstCompile) {
  auto analyzeStart = Clock::now();
  const std::string promotedSuffix = promotedSuffixFor(unitTag, options.identifierSafeNames);
  normalizeAndHash(*unit.module, action.facts(), promotedSuffix,
                   action.skipper().skippedInternalNames(), state.settings.renamedGlobals, unit);
  std::set<std::string> emitted;
  for (auto &[name, fn] : unit.functions)
    emitted.insert(name);
  auto normalizedAt = Clock::now();
  auto outcome = action.skipper().finish(emitted, promotedSuffix);
  // The headers as this compile read them (not as they may be on disk by now): what the deferred
  // preamble must match for the remembered bodies to stay valid.
  if (firstCompile && state.preambleDeferred)
    state.headersAtFirstCompile = std::move(outcome.readHashes);
  // Hashing and naming are the analysis; the skipper's bookkeeping belongs to the parse.
  unit.timing.analyzeMs =
      std::chrono::duration<double, std::milli>(normalizedAt - analyzeStart).count();
  unit.timing.parseMs += msSince(normalizedAt);
  spdlog::debug("{}: normalize {:.2f} ms, remember bodies {:.2f} ms", unit.file,
                unit.timing.analyzeMs, msSince(normalizedAt));
  return outcome;
}

std::string unitTagFor(const std::string &absolutePath) {
  std::string tag;
  llvm::raw_string_ostream os(tag);
  os << llvm::format_hex_no_prefix(llvm::xxh3_64bits(absolutePath) & 0xffffffffu, 8);
  return tag;
}

llvm::Expected<CompiledUnit> Compiler::compile(const std::string &file,
                                               const std::string &unitTag, bool allowSkipping) {
  llvm::SmallString<256> path(absolute(file));
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeFailure(failure::FileUnreadable{std::string(path), buffer.getError().message()});
  auto &state = impl_->state(std::string(path));
  std::lock_guard lock(state.compiling);
  return impl_->run(state, std::string(path), std::move(*buffer), false, unitTag, allowSkipping);
}

llvm::Expected<CompiledUnit> Compiler::compileText(const std::string &virtualName,
                                                   const std::string &text,
                                                   const std::string &unitTag) {
  auto &state = impl_->state(virtualName);
  std::lock_guard lock(state.compiling);
  return impl_->run(state, virtualName, llvm::MemoryBuffer::getMemBufferCopy(text, virtualName),
                    true, unitTag, /*allowSkipping=*/true);
}

namespace {

std::string hex64(std::uint64_t v) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::format_hex_no_prefix(v, 16);
  return out;
}

// Hands Clang's completion results over as plain names.
class NameCollector : public clang::CodeCompleteConsumer {
public:
  explicit NameCollector(std::set<std::string> &out)
      : clang::CodeCompleteConsumer(clang::CodeCompleteOptions()),
        allocator_(std::make_shared<clang::GlobalCodeCompletionAllocator>()), info_(allocator_),
        out_(out) {}

  void ProcessCodeCompleteResults(clang::Sema &, clang::CodeCompletionContext,
                                  clang::CodeCompletionResult *results, unsigned count) override {
    for (unsigned i = 0; i < count; ++i) {
      auto &result = results[i];
      switch (result.Kind) {
      case clang::CodeCompletionResult::RK_Declaration:
        if (auto *named = result.Declaration; named && named->getIdentifier())
          out_.insert(named->getName().str());
        break;
      case clang::CodeCompletionResult::RK_Keyword:
        out_.insert(result.Keyword);
        break;
      case clang::CodeCompletionResult::RK_Macro:
        out_.insert(result.Macro->getName().str());
        break;
      case clang::CodeCompletionResult::RK_Pattern:
        break;
      }
    }
  }
  clang::CodeCompletionAllocator &getAllocator() override { return info_.getAllocator(); }
  clang::CodeCompletionTUInfo &getCodeCompletionTUInfo() override { return info_; }

private:
  std::shared_ptr<clang::GlobalCodeCompletionAllocator> allocator_;
  clang::CodeCompletionTUInfo info_;
  std::set<std::string> &out_;
};

} // namespace

llvm::Expected<PrecompiledHeader>
Compiler::precompiledHeader(const std::string &headerText, const std::string &cacheDir,
                            const std::vector<std::string> &extraArgs, bool rebuild) {
  auto started = Clock::now();
  std::string driverPath = std::string(kClangBinDir) + "/clang++";
  std::vector<std::string> flags = impl_->commonFlags(false, "");
  flags.insert(flags.end(), extraArgs.begin(), extraArgs.end());
  std::string keyText = clang::getClangFullVersion() + "\n" + impl_->options.targetTriple + "\n";
  for (auto &flag : flags)
    keyText += flag + "\n";
  keyText += headerText;
  const std::string key = hex64(llvm::xxh3_64bits(keyText));
  llvm::SmallString<256> dir(cacheDir);
  llvm::sys::path::append(dir, "pch");
  std::string pchPath = (dir + "/" + key + ".pch").str();
  std::string headerPath = (dir + "/" + key + ".hpp").str();
  if (!rebuild && llvm::sys::fs::exists(pchPath) && llvm::sys::fs::exists(headerPath))
    return PrecompiledHeader{pchPath, false, msSince(started)};

  if (auto ec = llvm::sys::fs::create_directories(dir))
    return makeFailure(failure::SetupError{dir.str().str(), "cannot create it: " + ec.message()});
  {
    std::error_code ec;
    llvm::raw_fd_ostream header(headerPath, ec);
    if (ec)
      return makeFailure(failure::SetupError{headerPath, "cannot write it: " + ec.message()});
    header << headerText;
  }
  // Written beside its final name and renamed, so a concurrent session never reads half a file.
  std::string temporary = pchPath + ".tmp." + std::to_string(::getpid());
  std::vector<std::string> args = {driverPath, "-x", "c++-header", headerPath, "-o", temporary};
  args.insert(args.end(), flags.begin(), flags.end());
  auto cc1 = impl_->expandDriver(args, headerPath, false);
  if (!cc1)
    return cc1.takeError();

  clang::DiagnosticOptions diagOpts;
  DiagnosticCollector collector;
  auto diags = llvm::makeIntrusiveRefCnt<clang::DiagnosticsEngine>(
      clang::DiagnosticIDs::create(), diagOpts, &collector, /*ShouldOwnClient=*/false);
  auto invocation = invocationFrom(*cc1, *diags);
  if (!invocation)
    return makeFailure(failure::CompileError{headerPath, collector.take()});
  clang::CompilerInstance ci(invocation, impl_->pchOps);
  ci.createDiagnostics(&collector, /*ShouldOwnClient=*/false);
  ci.setVerboseOutputStream(std::make_unique<llvm::raw_null_ostream>());
  clang::GeneratePCHAction action;
  bool ok = ci.ExecuteAction(action);
  collector.finish();
  if (!ok || ci.getDiagnostics().hasErrorOccurred()) {
    llvm::sys::fs::remove(temporary);
    if (!collector.hasErrors())
      return llvm::make_error<OutcomeError>(compileErrorOf(headerPath, "building a PCH failed"));
    return makeFailure(failure::CompileError{headerPath, collector.take()});
  }
  if (auto ec = llvm::sys::fs::rename(temporary, pchPath))
    return makeFailure(failure::SetupError{pchPath, "cannot store it: " + ec.message()});
  spdlog::debug("built PCH {} in {:.0f} ms", pchPath, msSince(started));
  return PrecompiledHeader{pchPath, true, msSince(started)};
}

llvm::Expected<std::vector<std::string>>
Compiler::complete(const std::string &virtualName, const std::string &text, unsigned line,
                   unsigned column, const std::string &settingsOf) {
  auto args = impl_->cc1Args(virtualName, true, settingsOf.empty() ? "" : absolute(settingsOf));
  if (!args)
    return args.takeError();
  clang::DiagnosticOptions diagOpts;
  auto diags = llvm::makeIntrusiveRefCnt<clang::DiagnosticsEngine>(
      clang::DiagnosticIDs::create(), diagOpts, new clang::IgnoringDiagConsumer());
  auto invocation = invocationFrom(*args, *diags);
  if (!invocation)
    return llvm::make_error<OutcomeError>(compileErrorOf(virtualName, "bad compiler flags"));
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(text, virtualName);
  invocation->getPreprocessorOpts().addRemappedFile(virtualName, buffer.release());
  invocation->getFrontendOpts().CodeCompletionAt =
      clang::ParsedSourceLocation{virtualName, line, column};
  invocation->getFrontendOpts().SkipFunctionBodies = false;

  std::set<std::string> names;
  clang::CompilerInstance ci(invocation, impl_->pchOps);
  ci.createDiagnostics(new clang::IgnoringDiagConsumer(), /*ShouldOwnClient=*/true);
  ci.setCodeCompletionConsumer(new NameCollector(names));
  clang::SyntaxOnlyAction action;
  ci.ExecuteAction(action);
  return std::vector<std::string>(names.begin(), names.end());
}

} // namespace hotcc::frontend
