// A crash for people:
//   hotcc: error: main crashed: SIGSEGV in score (crash.cpp:2): Segmentation fault
//     #0 score (crash.cpp:2)  hot code, version 2
//     #1 tick (crash.cpp:5)  hot code
//     #2 hotcc::Engine::runMain(int, char**) in hotcc
//     ... 4 more frames
//     rolled back score; the call returned 0 to tick, and the program goes on
#include "text_parts.hpp"

#include <cstdio>
#include <filesystem>

namespace hotcc::render::text {
namespace {

std::string placeText(const std::string &function, const SourcePoint &where) {
  std::string place = function.empty() ? "" : " in " + function;
  if (!where.file.empty()) {
    std::string at = fileName(where.file);
    if (where.line)
      at += ":" + std::to_string(where.line) +
            (where.column ? ":" + std::to_string(where.column) : "");
    place += (place.empty() ? " at " : " (") + at + (function.empty() ? "" : ")");
  }
  return place;
}

std::string whatHappened(const failure::Crash &c) {
  std::string who = c.during.empty() ? "the hot code" : c.during;
  std::string place = placeText(c.function, c.where);
  switch (c.cause) {
  case failure::Crash::Cause::Signal:
    // "SIGSEGV in score (crash.cpp:2): Segmentation fault": the signal, where, the system's words.
    return who + " crashed: " +
           (c.signalName.empty() ? "signal " + std::to_string(c.signal) : c.signalName) + place +
           (c.what.empty() ? "" : ": " + c.what);
  case failure::Crash::Cause::Exception:
    return who + " threw " +
           (c.exceptionType.empty() ? std::string("an exception") : c.exceptionType) + place +
           (c.what.empty() ? "" : ": " + c.what);
  case failure::Crash::Cause::Timeout:
    return who + " timed out after " + std::to_string(c.timeoutMs) + " ms" + place;
  }
  return who + " crashed" + place;
}

std::string frameText(std::size_t index, const StackFrame &frame) {
  std::string name = frame.function.empty() ? "??" : frame.function;
  if (!frame.function.empty() && frame.function.size() > 100)
    name = frame.function.substr(0, 97) + "...";
  std::string line = "  #" + std::to_string(index) + " " + name;
  if (frame.hot) {
    if (!frame.file.empty())
      line += " (" + fileName(frame.file) + (frame.line ? ":" + std::to_string(frame.line) : "") + ")";
    line += "  hot code";
    if (frame.version > 1)
      line += ", version " + std::to_string(frame.version);
  } else if (!frame.file.empty()) {
    line += " in " + std::filesystem::path(frame.file).filename().string();
  } else {
    char address[32];
    std::snprintf(address, sizeof address, " at 0x%llx",
                  static_cast<unsigned long long>(frame.address));
    line += address;
  }
  return line + "\n";
}

// Every frame up to the first host frame outside the outermost hot one; hotcc's own frames
// beyond it (the CLI, the thread's start) are counted, not listed.
std::string backtraceText(const std::vector<StackFrame> &frames) {
  std::size_t shown = frames.size();
  for (std::size_t i = frames.size(); i-- > 0;)
    if (frames[i].hot) {
      shown = std::min(frames.size(), i + 2);
      break;
    }
  std::string out;
  for (std::size_t i = 0; i < shown; ++i)
    out += frameText(i, frames[i]);
  if (shown < frames.size())
    out += "  ... " + std::to_string(frames.size() - shown) + " more frames\n";
  return out;
}

std::string continuationText(const failure::Crash &c) {
  std::string rollback;
  if (!c.rolledBack.empty())
    rollback = "rolled back " + joinNames(c.rolledBack) + " to the previous version";
  else if (c.rollbackSkipped)
    rollback = "not rolled back (a reload was in progress)";
  else if (!c.function.empty())
    rollback = c.function + " stays as it is (no reload changed it)";
  std::string next;
  switch (c.continuation) {
  case failure::Crash::Continuation::Died:
    return "";
  case failure::Crash::Continuation::ReturnedToCaller:
    next = "the call returned 0" + (c.returnedTo.empty() ? "" : " to " + c.returnedTo) +
           ", and the program goes on";
    break;
  case failure::Crash::Continuation::Restarted:
    next = (c.during.empty() ? std::string("the thread") : c.during) +
           " starts again (globals keep their values)";
    break;
  }
  return "  " + (rollback.empty() ? "" : rollback + "; ") + next + "\n";
}

} // namespace

std::string crashText(const failure::Crash &c, const Style &style) {
  return headline(style, Severity::Error, whatHappened(c)) + backtraceText(c.backtrace) +
         continuationText(c);
}

} // namespace hotcc::render::text
