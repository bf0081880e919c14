// The C API (runtime/include/hotcc/hotcc.h) over hotcc::Engine. A client of the engine like the
// CLI: C hosts get outcomes as text, rendered by hotcc_render.
#include "hotcc/hotcc.h"

#include "hotcc/engine.hpp"
#include "hotcc/render.hpp"

#include <string>
#include <vector>

struct hotcc_engine {
  std::unique_ptr<hotcc::Engine> engine;
  std::string lastError;
};

namespace {
// Why the last hotcc_create on this thread failed.
thread_local std::string createError;

std::string failuresOf(const hotcc::ReloadReport &report) {
  std::string text;
  for (auto &failure : report.failures)
    text += hotcc::render::failure(failure);
  return text;
}

int record(hotcc_engine *e, const hotcc::ReloadReport &report) {
  e->lastError = report.ok ? "" : failuresOf(report);
  return report.ok ? 0 : 1;
}
} // namespace

extern "C" {

hotcc_engine *hotcc_create(const char *const *flags, int flagCount) {
  hotcc::EngineOptions options;
  for (int i = 0; i < flagCount; ++i) {
    std::string flag = flags[i] ? flags[i] : "";
    auto value = [&](const std::string &prefix) -> std::string {
      if (flag.size() > prefix.size())
        return flag.substr(prefix.size());
      return i + 1 < flagCount && flags[i + 1] ? flags[++i] : "";
    };
    if (flag.rfind("-I", 0) == 0)
      options.includeDirs.push_back(value("-I"));
    else if (flag.rfind("-D", 0) == 0)
      options.defines.push_back(value("-D"));
    else if (flag.rfind("-std=", 0) == 0)
      options.languageStandard = flag.substr(5);
    else if (flag.size() == 3 && flag.rfind("-O", 0) == 0 && flag[2] >= '0' && flag[2] <= '3')
      options.optLevel = flag[2] - '0';
    else if (flag.rfind("-l", 0) == 0)
      options.libraries.push_back(value("-l"));
    else if (flag.rfind("-L", 0) == 0)
      options.libraryDirs.push_back(value("-L"));
    else
      options.extraArgs.push_back(flag);
  }
  auto engine = hotcc::Engine::create(std::move(options));
  if (!engine) {
    createError = hotcc::render::failure(engine.failure());
    return nullptr;
  }
  createError.clear();
  auto *handle = new hotcc_engine;
  handle->engine = std::move(*engine);
  return handle;
}

void hotcc_destroy(hotcc_engine *engine) {
  delete engine;
}

int hotcc_add_file(hotcc_engine *e, const char *path) {
  return record(e, e->engine->addFile(path));
}

int hotcc_reload_file(hotcc_engine *e, const char *path) {
  return record(e, e->engine->reloadFile(path));
}

int hotcc_reload(hotcc_engine *e) {
  int failed = 0;
  e->lastError.clear();
  for (auto &report : e->engine->reloadChanged())
    if (!report.ok) {
      failed = 1;
      e->lastError += failuresOf(report);
    }
  return failed;
}

void *hotcc_lookup(hotcc_engine *e, const char *name) {
  return e->engine->lookup(name);
}

int hotcc_rollback(hotcc_engine *e, const char *name) {
  auto status = e->engine->rollback(name);
  e->lastError = status ? "" : hotcc::render::failure(status.failure());
  return status ? 0 : 1;
}

void hotcc_on_reload(hotcc_engine *e, hotcc_reload_callback callback, void *userData) {
  e->engine->registry().onAfterReload([callback, userData](const hotcc::ReloadReport &report) {
    std::vector<const char *> names;
    for (auto &n : report.compiled)
      names.push_back(n.c_str());
    hotcc_reload_info info{};
    info.ok = report.ok;
    info.version = report.version;
    info.compiled = static_cast<int>(report.compiled.size());
    info.unchanged = static_cast<int>(report.unchanged);
    info.removed = static_cast<int>(report.removed.size());
    info.compiled_names = names.data();
    info.total_ms = report.times.totalMs;
    std::string error = report.ok ? "" : failuresOf(report);
    info.error = error.c_str();
    callback(&info, userData);
  });
}

uint64_t hotcc_version(const hotcc_engine *e) {
  return e->engine->version();
}

int hotcc_history_size(hotcc_engine *e, const char *name) {
  auto sym = e->engine->registry().find(name);
  return sym ? static_cast<int>(sym->history.size()) : 0;
}

const char *hotcc_last_error(const hotcc_engine *e) {
  return e->lastError.c_str();
}

const char *hotcc_create_error(void) {
  return createError.c_str();
}

} // extern "C"
