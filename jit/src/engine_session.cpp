// The session extension (hotcc/engine_session.hpp): what a REPL or a test runner asks of the
// engine beyond the core a host embeds.
#include "engine_impl.hpp"

#include "hotcc/frontend/outcome_error.hpp"

#include <spdlog/spdlog.h>

namespace hotcc {

void SessionExtension::setQuiescent(bool quiescent) {
  std::lock_guard lock(engine_.impl_->reloadMutex);
  engine_.impl_->quiescent = quiescent;
}

void SessionExtension::configureFile(const std::string &path, FileConfig config) {
  auto &impl = *engine_.impl_;
  std::lock_guard lock(impl.reloadMutex);
  auto absolute = absolutePath(path);
  auto &settings = impl.fileSettings[absolute];
  settings.extraArgs = std::move(config.extraArgs);
  settings.usePreamble = config.usePreamble;
  impl.compilerFor(absolute).configureFile(absolute, settings, config.onlyAddsHeaders);
}

ReloadReport SessionExtension::reloadFile(const std::string &path, const SessionReload &how) {
  auto &impl = *engine_.impl_;
  auto absolute = absolutePath(path);
  std::lock_guard lock(impl.reloadMutex);
  auto batch = impl.unitsReading(absolute);
  if (batch.empty()) {
    ReloadReport report;
    report.files = {absolute};
    report.failures.push_back(failure::NotInProgram{absolute});
    return report;
  }
  return mergeReports(impl.loadBatch(batch, how));
}

std::vector<std::string> SessionExtension::complete(const std::string &text, unsigned line,
                                                    unsigned column,
                                                    const std::string &settingsOf) {
  auto &impl = *engine_.impl_;
  std::lock_guard lock(impl.reloadMutex);
  auto absolute = absolutePath(settingsOf);
  auto names = impl.compilerFor(absolute).complete(absolute + ".complete.cpp", text, line,
                                                   column, absolute);
  if (!names) {
    spdlog::debug("completion failed: {}", llvm::toString(names.takeError()));
    return {};
  }
  return std::move(*names);
}

Result<PrecompiledHeaderFile>
SessionExtension::precompiledHeader(const std::string &headerText, const std::string &cacheDir,
                                    const std::vector<std::string> &extraArgs, bool rebuild) {
  auto &impl = *engine_.impl_;
  std::lock_guard lock(impl.reloadMutex);
  auto pch = impl.compiler->precompiledHeader(headerText, cacheDir, extraArgs, rebuild);
  if (!pch)
    return frontend::toFailure(pch.takeError());
  return PrecompiledHeaderFile{pch->path, pch->built};
}

Status SessionExtension::loadLibraryFirst(const std::string &path) {
  auto &impl = *engine_.impl_;
  std::lock_guard lock(impl.reloadMutex);
  if (auto err = impl.host->searchLibraryFirst(path))
    return Status::fail(failure::LibraryUnavailable{path, llvm::toString(std::move(err))});
  return Status::ok();
}

Status SessionExtension::bindSymbol(const std::string &linkName, void *address) {
  auto &impl = *engine_.impl_;
  std::lock_guard lock(impl.reloadMutex);
  if (auto err = impl.host->bindSymbol(linkName, address))
    return Status::fail(frontend::toFailure(std::move(err), [](std::string text) -> Failure {
      return failure::SetupError{"binding a symbol", text};
    }));
  return Status::ok();
}

} // namespace hotcc
