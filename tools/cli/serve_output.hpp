// How `hotcc serve`'s outcomes read: a line per save for people ("hotcc: patch 1: step (1
// compiled) → 2 pages, 11 ms"), or with --json one event per line (events "serve", "page-patch",
// "full-reload", "page", "request-refused", and render's "diagnostic"/"failure").
#pragma once
#include "outcome_output.hpp"

#include "hotcc/serve/dev_server.hpp"

#include <chrono>
#include <mutex>

namespace hotcc::cli {

class ServeOutput {
public:
  ServeOutput(OutcomeOutput &outcomes, bool verbose, bool quiet)
      : outcomes_(outcomes), verbose_(verbose), quiet_(quiet) {}

  void started(const serve::DevServer &server, std::size_t hotFiles, const std::string &files);
  void save(const serve::SaveOutcome &outcome);
  void page(const serve::PageEvent &event);  // from the server's threads

private:
  void patch(const serve::PatchPushed &pushed);
  void failed(const serve::BuildFailed &failed);
  void reload(const serve::FullReload &reload);
  void unchanged(const serve::NothingChanged &unchanged);
  void shellReloaded(const serve::ShellReloaded &reloaded);
  void line(const std::string &text);
  void refused(const serve::RefusedRequest &refused);
  void programFailed(const serve::PageProgramFailed &failed);

  OutcomeOutput &outcomes_;
  bool verbose_, quiet_;
  std::mutex mutex_;  // page events come from other threads
  // Any web page can make requests that get refused: without -v the terminal shows the first
  // kRefusalsShown of each kRefusalWindow, so a flood cannot bury the output.
  static constexpr int kRefusalsShown = 10;
  static constexpr std::chrono::seconds kRefusalWindow{10};
  std::chrono::steady_clock::time_point refusalWindowStart_{};
  int refusalsInWindow_ = 0;
};

} // namespace hotcc::cli
