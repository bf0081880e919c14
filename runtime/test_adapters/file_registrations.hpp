// Which file registered which test, for a test adapter (see hotcc/test_adapter_abi.h). A file's
// registrations are pending while its initializers run and replace the file's previous tests only
// when the engine accepted the compile; registrations outside any file (code under test that
// defines tests, the host's own) go to the file "". Tests made for several files at once
// (GoogleTest's parameterized suites spread over files) are appended to the files `owner` names.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hotcc_adapter {

template <typename Test> class FileRegistrations {
public:
  void begin(const char *file) {
    owner_ = nullptr;  // an interrupted group ends here
    current_ = file ? file : "";
    pending_.clear();
    recording_ = true;
  }
  void add(Test test) {
    if (owner_)
      committed_[owner_(test)].push_back(std::move(test));
    else if (recording_)
      pending_.push_back(std::move(test));
    else
      committed_[""].push_back(std::move(test));
  }
  void end(const char *file, bool keep) {
    if (keep && recording_ && current_ == (file ? file : ""))
      committed_[current_] = std::move(pending_);
    pending_.clear();
    recording_ = false;
  }
  // Until stopAppending(), registrations are added to the committed tests of owner(test).
  void appendTo(std::function<std::string(const Test &)> owner) { owner_ = std::move(owner); }
  void stopAppending() { owner_ = nullptr; }

  // The file whose code is registering now ("" outside a file's load).
  std::string loadingFile() const { return recording_ ? current_ : ""; }
  void drop(const std::string &file) { committed_.erase(file); }

  const std::vector<Test> &of(const std::string &file) const {
    static const std::vector<Test> none;
    auto it = committed_.find(file);
    return it == committed_.end() ? none : it->second;
  }
  // Every test of `files` (every file when empty), files in name order, tests in source order.
  std::vector<const Test *> select(const std::vector<std::string> &files) const {
    std::vector<const Test *> out;
    for (auto &[file, tests] : committed_) {
      bool wanted = files.empty();
      for (auto &f : files)
        wanted = wanted || f == file;
      if (wanted)
        for (auto &t : tests)
          out.push_back(&t);
    }
    return out;
  }
  const std::map<std::string, std::vector<Test>> &all() const { return committed_; }

private:
  std::map<std::string, std::vector<Test>> committed_;
  std::vector<Test> pending_;
  std::string current_;
  bool recording_ = false;
  std::function<std::string(const Test &)> owner_;
};

} // namespace hotcc_adapter
