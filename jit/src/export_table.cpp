#include "export_table.hpp"

#include "hotcc/frontend/linker_lock.hpp"

#include <lld/Common/Driver.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/raw_ostream.h>

#include <spdlog/spdlog.h>

#include <dlfcn.h>

LLD_HAS_DRIVER(elf)

namespace hotcc::jit {

namespace {

llvm::Error failure(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", message.c_str());
}

// A linker script that defines each symbol as an absolute address. In a shared object lld exports
// such symbols with section index SHN_ABS, and glibc (since 2.28) binds them without adding the
// object's load address.
std::string scriptDefining(const std::map<std::string, std::uintptr_t> &symbols) {
  std::string script;
  llvm::raw_string_ostream os(script);
  for (auto &[name, address] : symbols)
    os << '"' << name << "\" = " << llvm::format_hex(address, 18) << ";\n";
  return script;
}

llvm::Error linkSharedObject(const std::string &script, const std::string &output) {
  std::vector<const char *> argv = {"ld.lld", "-m", "elf_x86_64", "-shared", "--threads=1",
                                    "-o", output.c_str(), script.c_str()};
  std::string out, err;
  llvm::raw_string_ostream outStream(out), errStream(err);
  std::lock_guard lock(frontend::inProcessLinkerLock());
  lld::Result result = lld::lldMain(argv, outStream, errStream, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode != 0)
    return failure("cannot link the export table: " + err);
  return llvm::Error::success();
}

} // namespace

ExportTable::ExportTable() = default;

ExportTable::~ExportTable() {
  // The addresses die with the engine. An object a library bound to stays loaded (the loader
  // counts that binding as a dependency), but the others leave the global scope.
  for (void *handle : handles_)
    dlclose(handle);
  if (!directory_.empty())
    llvm::sys::fs::remove(directory_);
}

void ExportTable::add(const std::string &name, std::uintptr_t address) {
  std::lock_guard lock(mutex_);
  if (published_.count(name))
    return;
  pending_[name] = address;
  anyPending_ = true;
}

llvm::Error ExportTable::publish() {
  if (!anyPending_.load(std::memory_order_acquire))
    return llvm::Error::success();
  std::lock_guard lock(mutex_);
  if (pending_.empty())
    return llvm::Error::success();
  if (auto err = publishPending(pending_))
    return err;
  for (auto &[name, address] : pending_)
    published_.insert(name);
  pending_.clear();
  anyPending_ = false;
  return llvm::Error::success();
}

llvm::Error ExportTable::publishPending(const std::map<std::string, std::uintptr_t> &symbols) {
  if (directory_.empty()) {
    llvm::SmallString<128> dir;
    if (auto ec = llvm::sys::fs::createUniqueDirectory("hotcc-exports", dir))
      return failure("cannot create a directory for the export table: " + ec.message());
    directory_ = std::string(dir);
  }
  auto stem = directory_ + "/exports-" + std::to_string(++generation_);
  auto scriptPath = stem + ".lds", objectPath = stem + ".so";
  {
    std::error_code ec;
    llvm::raw_fd_ostream script(scriptPath, ec);
    if (ec)
      return failure("cannot write " + scriptPath + ": " + ec.message());
    script << scriptDefining(symbols);
  }
  auto linked = linkSharedObject(scriptPath, objectPath);
  llvm::sys::fs::remove(scriptPath);
  if (linked)
    return linked;
  // RTLD_GLOBAL: the loader searches it for every library loaded later, as it searches an
  // executable's dynamic symbols.
  void *handle = dlopen(objectPath.c_str(), RTLD_NOW | RTLD_GLOBAL);
  llvm::sys::fs::remove(objectPath);
  if (!handle)
    return failure(std::string("cannot load the export table: ") + dlerror());
  handles_.push_back(handle);
  spdlog::debug("published {} symbols for libraries the program loads", symbols.size());
  return llvm::Error::success();
}

} // namespace hotcc::jit
