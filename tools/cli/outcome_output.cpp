#include "outcome_output.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

namespace hotcc::cli {

namespace {
int eventsFd = STDOUT_FILENO;
std::mutex eventsMutex;  // events may come from a watcher and a program thread
} // namespace

void JsonEvents::claimStdout() {
  std::fflush(stdout);
  // Close-on-exec: a child the program starts must not hold the event stream open.
  int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return;
  if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    close(fd);  // the program's output would share the stream: keep the plain stdout
    return;
  }
  eventsFd = fd;
}

void JsonEvents::write(const std::string &line) {
  std::lock_guard lock(eventsMutex);
  std::string text = line + "\n";
  for (std::size_t done = 0; done < text.size();) {
    auto n = ::write(eventsFd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    done += static_cast<std::size_t>(n);
  }
}

OutcomeOutput::OutcomeOutput(Settings settings) : settings_(settings) {
  style_.color = !settings.json && isatty(STDERR_FILENO);
}

void OutcomeOutput::firstLoad(const ReloadReport &report) {
  if (settings_.json) {
    for (auto &line : render::jsonReload(report))
      JsonEvents::write(line);
    return;
  }
  std::string text;
  if (!report.ok) {
    text = render::reload(report, style_, settings_.verbose, /*quiet=*/true);
  } else if (!settings_.quiet) {
    text = render::reload(report, style_, settings_.verbose, /*quiet=*/true);
    if (settings_.verbose)
      text += render::statusLine(report, true);
  }
  std::fputs(text.c_str(), stderr);
}

void OutcomeOutput::reload(const ReloadReport &report) {
  if (settings_.json) {
    for (auto &line : render::jsonReload(report))
      JsonEvents::write(line);
    return;
  }
  if (settings_.quiet && report.ok)
    return;  // --quiet: only errors
  std::fputs(render::reload(report, style_, settings_.verbose, settings_.quiet).c_str(), stderr);
}

void OutcomeOutput::failure(const Failure &f) {
  if (!settings_.json) {
    std::fputs(render::failure(f, style_).c_str(), stderr);
    return;
  }
  if (auto *compile = std::get_if<failure::CompileError>(&f))
    for (auto &d : compile->diagnostics)
      JsonEvents::write(render::jsonDiagnostic(d));
  JsonEvents::write(render::jsonFailure(f));
}

void OutcomeOutput::warnings(const std::vector<Diagnostic> &list) {
  if (settings_.json) {
    for (auto &d : list)
      JsonEvents::write(render::jsonDiagnostic(d));
  } else if (!settings_.quiet) {
    std::fputs(render::diagnostics(list, style_).c_str(), stderr);
  }
}

void OutcomeOutput::notice(const Notice &n) {
  if (settings_.json)
    JsonEvents::write(render::jsonNotice(n));
  else if (!settings_.quiet)
    std::fputs(render::notice(n, style_).c_str(), stderr);
}

void OutcomeOutput::versions(const VersionStats &stats) {
  if (!settings_.verbose)
    return;
  if (settings_.json)
    JsonEvents::write(render::jsonVersionStats(stats));
  else if (!settings_.quiet)
    std::fputs(render::versionStats(stats).c_str(), stderr);
}

void OutcomeOutput::event(const std::string &jsonLine) {
  if (settings_.json)
    JsonEvents::write(jsonLine);
}

} // namespace hotcc::cli
