// One worker thread that runs jobs in the order they come, off the caller's thread: what the
// engine prepares for later reloads (a file's preamble) while the program runs. Stopping it
// finishes the running job and drops the rest.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace hotcc::jit {

class BackgroundQueue {
public:
  BackgroundQueue() = default;
  BackgroundQueue(const BackgroundQueue &) = delete;
  BackgroundQueue &operator=(const BackgroundQueue &) = delete;
  ~BackgroundQueue() { stop(); }

  void enqueue(std::function<void()> job) {
    std::lock_guard lock(mutex_);
    if (stopping_)
      return;
    jobs_.push_back(std::move(job));
    if (!worker_.joinable())
      worker_ = std::thread([this] { run(); });
    wake_.notify_one();
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      jobs_.clear();
    }
    wake_.notify_one();
    if (worker_.joinable())
      worker_.join();
  }

private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_)
        return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};

} // namespace hotcc::jit
