// A source file in a fresh temporary directory that a test rewrites between reloads.
#pragma once
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace hotcc::test {

class TempSource {
public:
  explicit TempSource(const std::string &name, const std::string &text = "") {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("hotcc-test-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / name;
    if (!text.empty())
      write(text);
  }
  ~TempSource() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void write(const std::string &text) const {
    std::ofstream(path_, std::ios::trunc) << text;
  }
  std::string path() const { return path_.string(); }
  std::filesystem::path dir() const { return dir_; }

private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

} // namespace hotcc::test
