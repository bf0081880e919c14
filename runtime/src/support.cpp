#include "hotcc/support.hpp"

#include <filesystem>

namespace hotcc {

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string absolutePath(const std::string &path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec)
    return path;
  auto normal = absolute.lexically_normal().string();
  // "dir/" and "dir" are one directory.
  if (normal.size() > 1 && normal.back() == '/')
    normal.pop_back();
  return normal;
}

} // namespace hotcc
