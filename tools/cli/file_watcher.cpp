#include "file_watcher.hpp"

#include <cerrno>
#include <filesystem>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace hotcc::cli {

FileWatcher::FileWatcher() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

FileWatcher::~FileWatcher() {
  if (fd_ >= 0)
    close(fd_);
}

void FileWatcher::watch(const std::vector<std::string> &files) {
  files_ = {files.begin(), files.end()};
  std::set<std::string> dirs;
  for (auto &f : files_)
    dirs.insert(std::filesystem::path(f).parent_path().string());
  for (auto &[wd, dir] : dirWatches_)
    if (!dirs.count(dir))
      inotify_rm_watch(fd_, wd);
  std::vector<std::pair<int, std::string>> kept;
  for (auto &dir : dirs) {
    int wd = inotify_add_watch(fd_, dir.c_str(),
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY);
    if (wd >= 0)
      kept.emplace_back(wd, dir);
  }
  dirWatches_ = std::move(kept);
}

bool FileWatcher::drain(std::set<std::string> &changed) {
  bool saved = false;
  alignas(inotify_event) char buffer[16384];
  for (;;) {
    ssize_t n = read(fd_, buffer, sizeof buffer);
    if (n <= 0)
      return saved;
    for (char *p = buffer; p < buffer + n;) {
      auto *event = reinterpret_cast<inotify_event *>(p);
      p += sizeof(inotify_event) + event->len;
      if (event->len == 0)
        continue;
      for (auto &[wd, dir] : dirWatches_) {
        if (wd != event->wd)
          continue;
        auto path = (std::filesystem::path(dir) / event->name).string();
        if (!files_.count(path))
          continue;
        changed.insert(path);
        saved = saved || (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO));
      }
    }
  }
}

std::set<std::string> FileWatcher::wait(std::chrono::milliseconds timeout,
                                        std::chrono::milliseconds quiet) {
  std::set<std::string> changed;
  pollfd pfd{fd_, POLLIN, 0};
  if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0)
    return changed;
  bool saved = drain(changed);
  // Debounce: an editor's save is often several events (truncate, write, close, rename). A
  // closed or renamed-in file is a finished save: only a moment more for the events of the same
  // save; a file still being written is waited for until it is quiet.
  const auto afterSave = std::chrono::milliseconds(1);  // the same save's events come within microseconds
  // A signal (reclamation's stop of every thread) must not cut the quiet period short.
  auto quietFor = [&](std::chrono::milliseconds ms) {
    int ready;
    while ((ready = poll(&pfd, 1, static_cast<int>(ms.count()))) < 0 && errno == EINTR) {
    }
    return ready <= 0;
  };
  while (!quietFor(saved ? afterSave : quiet))
    saved = drain(changed) || saved;
  return changed;
}

} // namespace hotcc::cli
