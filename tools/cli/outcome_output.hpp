// Where a command's outcomes go: rendered for people on stderr, or — with --json — one JSON
// object per line on the event stream (see JsonEvents). Every subcommand prints outcomes
// through this, so people and machines see the same events.
#pragma once
#include "hotcc/render.hpp"

#include <string>

namespace hotcc::cli {

// --json: events go to the process's stdout as it was when the command started; from then on,
// whatever the program (or a test) writes to stdout goes to stderr, so the event stream holds
// nothing but events.
class JsonEvents {
public:
  static void claimStdout();
  static void write(const std::string &line);
};

class OutcomeOutput {
public:
  struct Settings {
    bool json = false;
    bool verbose = false;  // -v: phase timings, the first load's status line
    bool quiet = false;    // only errors
  };
  explicit OutcomeOutput(Settings settings);

  bool json() const { return settings_.json; }
  const render::Style &style() const { return style_; }

  // A file's first load: its failures, or its warnings and notices (and with -v its status line).
  void firstLoad(const ReloadReport &report);
  // A reload under --watch: the status line or the failures, as render::reload says.
  void reload(const ReloadReport &report);
  // A failure; with --json a compile error's diagnostics come first, each its own event, as in a
  // reload's events.
  void failure(const Failure &failure);
  // failure(), then `status`: for a command that ends with it.
  int fail(const Failure &f, int status = 1) {
    failure(f);
    return status;
  }
  void warnings(const std::vector<Diagnostic> &list);
  void notice(const Notice &notice);
  // -v only: what reclamation freed and kept so far (a "versions" event with --json).
  void versions(const VersionStats &stats);
  // A JSON event the command makes itself (a test case, a patch); ignored for people.
  void event(const std::string &jsonLine);

private:
  Settings settings_;
  render::Style style_;
};

} // namespace hotcc::cli
