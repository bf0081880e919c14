// A rollback (a crash under --watch, Engine::rollback) moves slots in the registry and nothing
// else: the planner's live state still describes the bodies that were rolled back, and the
// frontend still remembers their text as the last accepted compile. Planned against that, the
// next save would leave a function the crashed reload changed at its earlier body when the save
// keeps the crashed reload's text of it, and re-saving the crashed text would compile nothing.
// Before each batch, the live state is brought back to what runs.
#include "engine_impl.hpp"

#include <spdlog/spdlog.h>

namespace hotcc {

// A function's live facts become `fn`; the facts they replace are kept for a rollback.
void Engine::Impl::recordLive(const std::string &name, const frontend::FunctionInfo &fn,
                              const std::string &unitPath) {
  auto it = live.hot.find(name);
  if (it != live.hot.end() && it->second.info.hash != fn.hash)
    replacedInfo[name] = std::move(it->second.info);
  live.hot[name] = {fn, unitPath};
}

void Engine::Impl::followRollbacks() {
  for (auto &[name, running] : registry.currentHashes()) {
    auto it = live.hot.find(name);
    if (it == live.hot.end() || it->second.info.hash == running)
      continue;
    auto &fn = it->second;
    spdlog::debug("{} was rolled back: planning against the body that runs", fn.info.displayName);
    if (auto before = replacedInfo.find(name);
        before != replacedInfo.end() && before->second.hash == running)
      std::swap(fn.info, before->second);  // the facts of the body that runs again
    else
      fn.info.hash = running;  // stepped back further: only the hash is known
    // The compiler would skip the rolled-back text as unchanged: parse every body of the file.
    if (auto unit = units.find(fn.unit); unit != units.end())
      unit->second.compileInFull = true;
  }
}

} // namespace hotcc
