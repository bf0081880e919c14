#include "serve_output.hpp"

#include "hotcc/render.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace hotcc::cli {

using json = nlohmann::ordered_json;  // "schema" and "event" first, as in render's events

namespace {

std::string joined(const std::vector<std::string> &items) {
  std::string out;
  for (auto &item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string pagesText(std::size_t count) {
  return std::to_string(count) + (count == 1 ? " page" : " pages");
}

std::string milliseconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
  return text;
}

json event(const char *name) { return json{{"schema", render::kJsonSchema}, {"event", name}}; }

struct Slowest {
  double pushMs = 0, applyMs = 0;
  std::size_t applied = 0, refused = 0;
};

Slowest slowestOf(const serve::PatchPushed &pushed) {
  Slowest s;
  for (auto &answer : pushed.answers) {
    (answer.applied ? s.applied : s.refused) += 1;
    s.pushMs = std::max(s.pushMs, answer.pushMs);
    s.applyMs = std::max(s.applyMs, answer.applyMs);
  }
  return s;
}

} // namespace

void ServeOutput::line(const std::string &text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

void ServeOutput::started(const serve::DevServer &server, std::size_t hotFiles,
                          const std::string &files) {
  std::lock_guard lock(mutex_);
  auto &module = server.mainModule();
  outcomes_.warnings(module.warnings);
  if (outcomes_.json()) {
    auto e = event("serve");
    e["url"] = server.pageUrl();
    e["port"] = server.address().port;
    e["mainModule"] = {{"generation", module.generation}, {"slots", module.slots},
                       {"bytes", module.wasm.size()},
                       {"timesMs", {{"hotObject", render::jsonMs(module.hotObjectMs)},
                                    {"link", render::jsonMs(module.linkMs)},
                                    {"total", render::jsonMs(module.totalMs)}}}};
    outcomes_.event(e.dump());
    return;
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", module.totalMs / 1000);
  line("hotcc: built " + files + " for the browser (main module, " + std::to_string(hotFiles) +
       (hotFiles == 1 ? " hot file" : " hot files") + ") in " + seconds);
  // Always said, even with --quiet: tests and users read the address from this line.
  line("hotcc: open " + server.pageUrl() + "  (Ctrl-C to stop)");
}

void ServeOutput::save(const serve::SaveOutcome &outcome) {
  std::lock_guard lock(mutex_);
  std::visit([&](auto &o) {
    using T = std::decay_t<decltype(o)>;
    if constexpr (std::is_same_v<T, serve::PatchPushed>) patch(o);
    else if constexpr (std::is_same_v<T, serve::BuildFailed>) failed(o);
    else if constexpr (std::is_same_v<T, serve::FullReload>) reload(o);
    else if constexpr (std::is_same_v<T, serve::ShellReloaded>) shellReloaded(o);
    else unchanged(o);
  }, outcome);
}

void ServeOutput::patch(const serve::PatchPushed &pushed) {
  outcomes_.warnings(pushed.patch.warnings);
  Slowest slowest = slowestOf(pushed);
  if (outcomes_.json()) {
    auto e = event("page-patch");
    e["number"] = pushed.number;
    e["id"] = pushed.patch.id;
    e["functions"] = pushed.patch.functions;
    e["pages"] = {{"sent", pushed.pagesSent}, {"applied", slowest.applied},
                  {"refused", slowest.refused}};
    e["timesMs"] = {{"compile", render::jsonMs(pushed.patch.compileMs)},
                    {"link", render::jsonMs(pushed.patch.linkMs)},
                    {"build", render::jsonMs(pushed.buildMs)},
                    {"push", render::jsonMs(slowest.pushMs)},
                    {"apply", render::jsonMs(slowest.applyMs)},
                    {"total", render::jsonMs(pushed.savedToAppliedMs)}};
    outcomes_.event(e.dump());
    return;
  }
  if (quiet_)
    return;
  std::string compiled = std::to_string(pushed.patch.functions.size()) + " compiled";
  std::string reached = pushed.pagesSent == 0 ? "no page open (pages that open get it)"
                                              : pagesText(pushed.pagesSent);
  std::string text = "hotcc: patch " + std::to_string(pushed.number) + ": " +
                     joined(pushed.patch.functions) + " (" + compiled + ") → " + reached + ", " +
                     milliseconds(pushed.savedToAppliedMs);
  std::size_t silent = pushed.pagesSent - slowest.applied - slowest.refused;
  if (silent)
    text += " (" + pagesText(silent) + " did not answer)";
  line(text);
  if (verbose_)
    line("  compile " + milliseconds(pushed.patch.compileMs) + ", link " +
         milliseconds(pushed.patch.linkMs) + ", push " + milliseconds(slowest.pushMs) +
         ", apply " + milliseconds(slowest.applyMs) + " (slowest page)");
}

void ServeOutput::failed(const serve::BuildFailed &failed) {
  outcomes_.failure(failed.failure);
  if (outcomes_.json())
    return;
  line("hotcc: pages keep running " + (failed.runningPatch
                                           ? "patch " + std::to_string(failed.runningPatch)
                                           : std::string("the main build")) +
       " (the error shows on " + pagesText(failed.pages) + ")");
}

void ServeOutput::reload(const serve::FullReload &reload) {
  if (reload.failure)
    outcomes_.failure(*reload.failure);
  if (outcomes_.json()) {
    auto e = event("full-reload");
    e["because"] = reload.failure ? kindName(*reload.failure) : "page-refused-patch";
    if (reload.refusal)
      e["refusal"] = {{"patch", reload.refusedPatch}, {"reason", reload.refusal->reason}};
    e["generation"] = reload.module.generation;
    e["pages"] = reload.pagesReloaded;
    e["timesMs"] = {{"total", render::jsonMs(reload.module.totalMs)}};
    outcomes_.event(e.dump());
    return;
  }
  std::string why = reload.failure ? "a patch cannot carry this change"
                                   : "a page refused patch " + std::to_string(reload.refusedPatch) +
                                         ": " + reload.refusal->reason;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", reload.module.totalMs / 1000);
  line("hotcc: " + why + " — rebuilt the main module in " + seconds + "; " +
       pagesText(reload.pagesReloaded) + " reload (their state is lost)");
}

void ServeOutput::shellReloaded(const serve::ShellReloaded &reloaded) {
  if (outcomes_.json()) {
    auto e = event("shell-reload");
    e["pages"] = reloaded.pagesReloaded;
    outcomes_.event(e.dump());
    return;
  }
  if (!quiet_)
    line("hotcc: the shell page changed — " + pagesText(reloaded.pagesReloaded) +
         " reload (their state is lost)");
}

void ServeOutput::unchanged(const serve::NothingChanged &unchanged) {
  if (outcomes_.json() || quiet_)
    return;
  if (unchanged.clearedError)
    line("hotcc: fixed — nothing changed from what the pages run");
  else if (verbose_)
    line("hotcc: saved, no function changed");
}

void ServeOutput::refused(const serve::RefusedRequest &refused) {
  if (outcomes_.json()) {
    auto e = event("request-refused");
    e["path"] = refused.path;
    e["reason"] = refused.reason;
    e["status"] = refused.status;
    outcomes_.event(e.dump());
    return;
  }
  if (!verbose_) {
    auto now = std::chrono::steady_clock::now();
    if (now - refusalWindowStart_ > kRefusalWindow) {
      refusalWindowStart_ = now;
      refusalsInWindow_ = 0;
    }
    if (++refusalsInWindow_ > kRefusalsShown) {
      if (refusalsInWindow_ == kRefusalsShown + 1)
        line("hotcc: many requests refused; not showing more for 10 s (-v or --json shows each)");
      return;
    }
  }
  line("hotcc: refused a request for " + refused.path + ": " + refused.reason);
}

void ServeOutput::programFailed(const serve::PageProgramFailed &failed) {
  std::string running = failed.runningPatch ? "patch " + std::to_string(failed.runningPatch)
                                            : std::string("the main build");
  if (outcomes_.json()) {
    auto e = event("page-failure");
    e["page"] = failed.page;
    e["message"] = failed.message;
    e["runningPatch"] = failed.runningPatch;
    outcomes_.event(e.dump());
    return;
  }
  line("hotcc: page " + std::to_string(failed.page) + ": the program stopped (running " +
       running + "); save a fix, then reload the page:");
  // What the page sent: shown, but never as terminal control sequences.
  std::string message = failed.message;
  for (char &c : message)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f)
      c = '?';
  for (std::size_t at = 0; at < message.size();) {
    auto end = message.find('\n', at);
    line("  " + message.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos)
      break;
    at = end + 1;
  }
}

void ServeOutput::page(const serve::PageEvent &pageEvent) {
  std::lock_guard lock(mutex_);
  std::visit([&](auto &what) {
    using T = std::decay_t<decltype(what)>;
    if constexpr (std::is_same_v<T, serve::RefusedRequest>) {
      refused(what);
    } else if constexpr (std::is_same_v<T, serve::PageProgramFailed>) {
      programFailed(what);
    } else {
      bool joined = std::is_same_v<T, serve::PageJoined>;
      if (outcomes_.json()) {
        auto e = event("page");
        e["action"] = joined ? "joined" : "left";
        e["page"] = what.page;
        e["pages"] = what.pages;
        outcomes_.event(e.dump());
      } else if (verbose_) {
        line("hotcc: page " + std::to_string(what.page) + (joined ? " connected" : " left") +
             " (" + pagesText(what.pages) + " open)");
      }
    }
  }, pageEvent.what);
}

} // namespace hotcc::cli
