// Watches files for saves with inotify. Editors save in many ways (write in place, write a temp
// file and rename it over, delete and recreate), so the watch is on each file's directory and
// filtered by name; events are debounced so one save is one reload.
#pragma once
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace hotcc::cli {

class FileWatcher {
public:
  FileWatcher();
  ~FileWatcher();
  FileWatcher(const FileWatcher &) = delete;
  FileWatcher &operator=(const FileWatcher &) = delete;

  bool ok() const { return fd_ >= 0; }
  // Replaces the watched set (absolute paths).
  void watch(const std::vector<std::string> &files);
  // Waits up to `timeout` for saves; returns the files that changed once `quiet` has passed
  // without further events (empty on timeout).
  std::set<std::string> wait(std::chrono::milliseconds timeout,
                             std::chrono::milliseconds quiet = std::chrono::milliseconds(30));

private:
  // Reads the pending events; true when one of them finished a save (close after write, rename).
  bool drain(std::set<std::string> &changed);
  int fd_ = -1;
  std::set<std::string> files_;
  std::vector<std::pair<int, std::string>> dirWatches_;  // watch descriptor → directory
};

} // namespace hotcc::cli
