#include "hotcc/support.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

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

std::optional<std::string> readWholeFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return std::move(out).str();
}

} // namespace hotcc
