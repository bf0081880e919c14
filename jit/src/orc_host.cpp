#include "hotcc/frontend/outcome_error.hpp"
#include "orc_host.hpp"

#include "hotcc/frontend/ir_surgery.hpp"
#include "export_table.hpp"
#include "hotcc/thread_registry.hpp"

#include <llvm/AsmParser/Parser.h>
#include <llvm/ExecutionEngine/Orc/AbsoluteSymbols.h>
#include <llvm/ExecutionEngine/Orc/EHFrameRegistrationPlugin.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/DynamicLibrary.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <spdlog/spdlog.h>

#include <dlfcn.h>
#include <link.h>

#include <thread>

extern "C" {
// Where a stub points before its first body is linked. Only reachable through a bug in hotcc:
// a failed reload never activates a stub it created.
[[noreturn]] static void hotcc_rt_unlinked_stub() {
  spdlog::critical("a hot function was called before any body of it was linked");
  std::abort();
}

// Hot code's dlopen and dlsym first publish the program's exports (see export_table.hpp).
static void hotcc_rt_publish_exports(hotcc::jit::ExportTable *table) {
  if (auto err = table->publish())
    spdlog::error("libraries loaded now cannot bind to the program's functions: {}",
                  llvm::toString(std::move(err)));
}
}

namespace hotcc::jit {

namespace {
std::once_flag nativeTargetOnce;

// atexit(fn) in hot code must reach the engine too; it is a static wrapper in glibc's
// libc_nonshared.a, so hot code gets its own, registering with __cxa_atexit under our __dso_handle.
// ASan dies on dlopen with RTLD_DEEPBIND (github.com/google/sanitizers/issues/611): a sanitized
// build (tools/check --sanitize) leaves it out, so there a library sees the symbols of the
// libraries hotcc itself loaded before its own.
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define HOTCC_DLOPEN_OWN_FIRST "0"
#else
#define HOTCC_DLOPEN_OWN_FIRST "8"
#endif
constexpr const char *kPlatformIR = R"IR(
@__dso_handle = external global i8
declare i32 @__cxa_atexit(ptr, ptr, ptr)
define i32 @atexit(ptr %fn) {
  %r = call i32 @__cxa_atexit(ptr %fn, ptr null, ptr @__dso_handle)
  ret i32 %r
}

; A library the program loads binds to the program's exports, as with -rdynamic. The calls to the
; C library are tail calls so that it sees hot code as its caller (dlsym's RTLD_NEXT asks who).
; RTLD_DEEPBIND (8): the library's own symbols come before those of the libraries hotcc itself
; loaded (libedit's readline emulation, a second zlib), which a normally built program would not
; have; the program's exports are still found, in the global scope behind them.
@__hotcc_export_table = external global i8
declare void @__hotcc_publish_exports(ptr)
declare ptr @__hotcc_libc_dlopen(ptr, i32)
declare ptr @__hotcc_libc_dlsym(ptr, ptr)
define ptr @dlopen(ptr %file, i32 %mode) {
  call void @__hotcc_publish_exports(ptr @__hotcc_export_table)
  %own = or i32 %mode, )IR" HOTCC_DLOPEN_OWN_FIRST R"IR(
  %r = musttail call ptr @__hotcc_libc_dlopen(ptr %file, i32 %own)
  ret ptr %r
}
define ptr @dlsym(ptr %handle, ptr %name) {
  call void @__hotcc_publish_exports(ptr @__hotcc_export_table)
  %r = musttail call ptr @__hotcc_libc_dlsym(ptr %handle, ptr %name)
  ret ptr %r
}
)IR";
} // namespace

OrcHost::OrcHost() = default;
OrcHost::~OrcHost() = default;

llvm::Expected<std::unique_ptr<OrcHost>> OrcHost::create(int optLevel, ExitHandlers &exitHandlers) {
  std::call_once(nativeTargetOnce, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
  std::unique_ptr<OrcHost> host(new OrcHost());
  host->optLevel_ = optLevel;
  host->exports_ = std::make_unique<ExportTable>();
  host->codeMap_ = std::make_shared<CodeMap>();

  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb)
    return jtmb.takeError();
  // -O0 code is for turnaround: the fast instruction selector, like clang -O0 itself.
  jtmb->setCodeGenOptLevel(optLevel == 0 ? llvm::CodeGenOptLevel::None
                                         : llvm::CodeGenOptLevel::Default);
  host->targetBuilder_ = std::make_unique<llvm::orc::JITTargetMachineBuilder>(*jtmb);

  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(*jtmb))
                 // JITLink, with .eh_frame registered so C++ exceptions unwind through hot code.
                 .setObjectLinkingLayerCreator([codeMap = host->codeMap_](llvm::orc::ExecutionSession &es)
                                                   -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
                   auto layer = std::make_unique<llvm::orc::ObjectLinkingLayer>(es);
                   auto ehFrames = llvm::orc::EHFrameRegistrationPlugin::Create(es);
                   if (!ehFrames)
                     return ehFrames.takeError();
                   layer->addPlugin(std::move(*ehFrames));
                   // Names JIT code for crash reports (the .eh_frame above lets them unwind).
                   layer->addPlugin(std::make_unique<CodeMapPlugin>(codeMap));
                   return std::unique_ptr<llvm::orc::ObjectLayer>(std::move(layer));
                 })
                 // No platform runtime: initializers and exit handlers are ours, TLS is emulated.
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 // Modules (a batch has one or two per file) are optimized and compiled on every
                 // core while the reloading thread waits for their addresses.
                 .setNumCompileThreads(std::max(1u, std::thread::hardware_concurrency()))
                 // Each file's modules have a context of their own (shared by its two halves,
                 // whose compiles then take turns): nothing gains from the bitcode round trip
                 // ORC's concurrent mode makes per module to give each a fresh one. The compiler
                 // makes a target machine per compile, so it is safe on any thread.
                 .setSupportConcurrentCompilation(false)
                 .setCompileFunctionCreator(
                     [](llvm::orc::JITTargetMachineBuilder builder)
                         -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                       return std::make_unique<llvm::orc::ConcurrentIRCompiler>(
                           std::move(builder));
                     })
                 .create();
  if (!jit)
    return jit.takeError();
  host->jit_ = std::move(*jit);
  if (optLevel > 0)
    host->jit_->getIRTransformLayer().setTransform(
        [raw = host.get()](llvm::orc::ThreadSafeModule module,
                           const llvm::orc::MaterializationResponsibility &)
            -> llvm::Expected<llvm::orc::ThreadSafeModule> {
          if (auto err = raw->optimize(module))
            return std::move(err);
          return std::move(module);
        });
  host->dylib_ = &host->jit_->getMainJITDylib();
  host->stubs_ = llvm::orc::createLocalIndirectStubsManagerBuilder(host->jit_->getTargetTriple())();
  if (!host->stubs_)
    return frontend::makeFailure(failure::InternalError{"no indirect stubs for this target"});
  if (auto err = host->definePlatformSymbols(exitHandlers))
    return std::move(err);
  return host;
}

llvm::Error OrcHost::definePlatformSymbols(ExitHandlers &exitHandlers) {
  auto &es = jit_->getExecutionSession();
  llvm::orc::SymbolMap symbols;
  symbols[es.intern("__dso_handle")] =
      llvm::orc::ExecutorSymbolDef::fromPtr(&exitHandlers, llvm::JITSymbolFlags::Exported);
  symbols[es.intern("__cxa_atexit")] =
      llvm::orc::ExecutorSymbolDef::fromPtr(&hotcc_rt_cxa_atexit, llvm::JITSymbolFlags::Exported);
  symbols[es.intern("__hotcc_export_table")] =
      llvm::orc::ExecutorSymbolDef::fromPtr(exports_.get(), llvm::JITSymbolFlags::Exported);
  symbols[es.intern("__hotcc_publish_exports")] = llvm::orc::ExecutorSymbolDef::fromPtr(
      &hotcc_rt_publish_exports, llvm::JITSymbolFlags::Exported);
  symbols[es.intern("__hotcc_libc_dlopen")] =
      llvm::orc::ExecutorSymbolDef::fromPtr(&::dlopen, llvm::JITSymbolFlags::Exported);
  symbols[es.intern("__hotcc_libc_dlsym")] =
      llvm::orc::ExecutorSymbolDef::fromPtr(&::dlsym, llvm::JITSymbolFlags::Exported);
  // Threads hot code starts register themselves, so reclamation scans them to their exact stack
  // bounds (threads started elsewhere are stopped and scanned too, to their stack's mapping).
  symbols[es.intern("pthread_create")] = llvm::orc::ExecutorSymbolDef::fromPtr(
      &hotcc_pthread_create, llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  // Fibers: frames on a suspended stack are not scanned, so a program that switches stacks stops
  // reclamation (hotcc::programSwitchedStacks).
  symbols[es.intern("swapcontext")] = llvm::orc::ExecutorSymbolDef::fromPtr(
      &hotcc_swapcontext, llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  symbols[es.intern("setcontext")] = llvm::orc::ExecutorSymbolDef::fromPtr(
      &hotcc_setcontext, llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  if (auto err = dylib_->define(llvm::orc::absoluteSymbols(std::move(symbols))))
    return err;
  defined_.insert({"__dso_handle", "__cxa_atexit", "atexit", "dlopen", "dlsym", "pthread_create",
                   "swapcontext", "setcontext"});

  auto context = std::make_unique<llvm::LLVMContext>();
  llvm::SMDiagnostic diag;
  auto module = llvm::parseAssemblyString(kPlatformIR, diag, *context);
  if (!module)
    return frontend::makeFailure(failure::InternalError{"platform IR: " + diag.getMessage().str()});
  module->setDataLayout(jit_->getDataLayout());
  module->setTargetTriple(jit_->getTargetTriple());
  return jit_->addIRModule(*dylib_, llvm::orc::ThreadSafeModule(std::move(module),
                                                               llvm::orc::ThreadSafeContext(
                                                                   std::move(context))));
}

llvm::Error OrcHost::createStubs(const std::vector<std::string> &names) {
  if (names.empty())
    return llvm::Error::success();
  auto trap = llvm::orc::ExecutorAddr::fromPtr(&hotcc_rt_unlinked_stub);
  llvm::orc::IndirectStubsManager::StubInitsMap inits;
  for (const auto &name : names)
    inits[name] = {trap, llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  if (auto err = stubs_->createStubs(inits))
    return err;
  auto &es = jit_->getExecutionSession();
  llvm::orc::SymbolMap symbols;
  for (const auto &name : names) {
    auto def = stubs_->findStub(name, false);
    symbols[es.intern(name)] = llvm::orc::ExecutorSymbolDef(
        def.getAddress(), llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
    defined_.insert(name);
  }
  return dylib_->define(llvm::orc::absoluteSymbols(std::move(symbols)));
}

StubHandle OrcHost::stub(const std::string &name) {
  StubHandle handle;
  auto stub = stubs_->findStub(name, false);
  auto pointer = stubs_->findPointer(name);
  handle.stub = stub.getAddress().getValue();
  handle.slot = pointer.getAddress().toPtr<void **>();
  return handle;
}

llvm::Expected<llvm::orc::ResourceTrackerSP> OrcHost::add(llvm::orc::ThreadSafeModule module) {
  std::vector<std::string> names;
  module.withModuleDo([&](llvm::Module &m) {
    for (auto &go : m.global_objects())
      if (!go.isDeclaration() && !go.hasLocalLinkage())
        names.push_back(go.getName().str());
  });
  auto tracker = dylib_->createResourceTracker();
  if (auto err = jit_->addIRModule(tracker, std::move(module)))
    return std::move(err);
  defined_.insert(names.begin(), names.end());
  return tracker;
}

llvm::Expected<std::map<std::string, std::uintptr_t>>
OrcHost::resolve(const std::vector<std::string> &names) {
  std::map<std::string, std::uintptr_t> out;
  if (names.empty())
    return out;
  auto &es = jit_->getExecutionSession();
  llvm::orc::SymbolLookupSet set;
  for (const auto &name : names)
    set.add(es.intern(name));
  auto result = es.lookup(llvm::orc::makeJITDylibSearchOrder(dylib_), std::move(set));
  if (!result)
    return result.takeError();
  for (auto &[symbol, def] : *result)
    out[(*symbol).str()] = def.getAddress().getValue();
  return out;
}

std::uintptr_t OrcHost::address(const std::string &name) {
  if (!defined_.count(name))
    return 0;
  auto result = jit_->lookup(*dylib_, name);
  if (!result) {
    llvm::consumeError(result.takeError());
    return 0;
  }
  return result->getValue();
}

llvm::Error OrcHost::bindSymbol(const std::string &name, void *address) {
  if (auto it = bound_.find(name); it != bound_.end() && it->second == address)
    return llvm::Error::success();
  if (defined_.count(name))
    return frontend::makeFailure(failure::DuplicateDefinition{name, {"hot code", "a bound symbol"}});
  auto &es = jit_->getExecutionSession();
  llvm::orc::SymbolMap symbols;
  symbols[es.intern(name)] = llvm::orc::ExecutorSymbolDef::fromPtr(
      address, llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  if (auto err = dylib_->define(llvm::orc::absoluteSymbols(std::move(symbols))))
    return err;
  defined_.insert(name);
  bound_[name] = address;
  return llvm::Error::success();
}

namespace {
// Whether `library` (a dlopen handle) itself defines `name`. dlsym on a handle also searches the
// libraries it depends on (libc, libstdc++, ...): taken from there, hot code's malloc, free or
// operator new would be libc's or libstdc++'s own even where the program defines or interposes
// its own (a replacement operator new, ASan's malloc), which no link would do. Those names are
// left to the process search, behind. An address no loaded object contains (a thread-local's)
// counts as the library's.
bool definesItself(void *library, const char *name) {
  void *address = dlsym(library, name);
  if (!address)
    return false;
  struct link_map *own = nullptr;
  if (dlinfo(library, RTLD_DI_LINKMAP, &own) != 0 || !own)
    return true;
  Dl_info info{};
  struct link_map *holder = nullptr;
  if (!dladdr1(address, &info, reinterpret_cast<void **>(&holder), RTLD_DL_LINKMAP) || !holder)
    return true;
  return holder == own;
}
} // namespace

llvm::Error OrcHost::searchLibraryFirst(const std::string &path) {
  std::string error;
  auto library = llvm::sys::DynamicLibrary::getPermanentLibrary(path.c_str(), &error);
  if (!library.isValid())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (!handle)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", dlerror());
  dlclose(handle);  // the permanent load above keeps it open
  if (std::find(firstLibraries_.begin(), firstLibraries_.end(), handle) != firstLibraries_.end())
    return llvm::Error::success();  // searched first already
  // The main dylib's own generators run before its link order reaches the process symbols.
  char prefix = jit_->getDataLayout().getGlobalPrefix();
  dylib_->addGenerator(std::make_unique<llvm::orc::DynamicLibrarySearchGenerator>(
      library, prefix, [handle, prefix](const llvm::orc::SymbolStringPtr &name) {
        llvm::StringRef text = *name;
        if (prefix)
          text.consume_front(llvm::StringRef(&prefix, 1));
        return definesItself(handle, text.str().c_str());
      }));
  firstLibraries_.push_back(handle);
  return llvm::Error::success();
}

bool OrcHost::isKnown(const std::string &name) const {
  if (defined_.count(name))
    return true;
  for (void *handle : firstLibraries_)
    if (definesItself(handle, name.c_str()))
      return true;
  return dlsym(RTLD_DEFAULT, name.c_str()) != nullptr;
}

// Runs on the JIT's compile threads: each optimization borrows a target machine of its own (they
// cache subtargets without a lock).
llvm::Error OrcHost::optimize(llvm::orc::ThreadSafeModule &module) {
  std::unique_ptr<llvm::TargetMachine> machine;
  {
    std::lock_guard lock(optimizerMutex_);
    if (!idleOptimizers_.empty()) {
      machine = std::move(idleOptimizers_.back());
      idleOptimizers_.pop_back();
    }
  }
  if (!machine) {
    auto created = targetBuilder_->createTargetMachine();
    if (!created)
      return created.takeError();
    machine = std::move(*created);
  }
  module.withModuleDo(
      [&](llvm::Module &m) { frontend::optimizeModule(m, machine.get(), optLevel_); });
  std::lock_guard lock(optimizerMutex_);
  idleOptimizers_.push_back(std::move(machine));
  return llvm::Error::success();
}

} // namespace hotcc::jit
