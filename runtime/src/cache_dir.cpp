#include "hotcc/cache_dir.hpp"

#include <cstdlib>
#include <filesystem>

namespace hotcc {

std::string defaultCacheDir() {
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/hotcc";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/hotcc";
  return (std::filesystem::temp_directory_path() / "hotcc-cache").string();
}

} // namespace hotcc
