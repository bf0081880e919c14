// Which test framework a file uses: its #include of catch2/catch.hpp or gtest/gtest.h, in the file
// itself or in a project header it includes (see test_frameworks.hpp).
#include "test_frameworks.hpp"

#include "hotcc/support.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <variant>

namespace fs = std::filesystem;

namespace hotcc::testing {

namespace {

std::optional<std::string> findHeader(const std::string &name, bool quoted,
                                      const std::string &fromDir,
                                      const std::vector<std::string> &includeDirs) {
  std::vector<std::string> dirs;
  if (quoted)
    dirs.push_back(fromDir);
  dirs.insert(dirs.end(), includeDirs.begin(), includeDirs.end());
  for (const char *system : {"/usr/local/include", "/usr/include"})
    dirs.push_back(system);
  for (auto &dir : dirs) {
    std::error_code ec;
    auto candidate = fs::path(dir) / name;
    if (fs::is_regular_file(candidate, ec))
      return absolutePath(candidate.string());
  }
  return std::nullopt;
}

bool isSystemHeader(const std::string &path) {
  return path.rfind("/usr/include/", 0) == 0 || path.rfind("/usr/local/include/", 0) == 0;
}

// What a search found: a framework, nothing (look further), or a failure that ends the search.
struct NothingFound {};
using Search = std::variant<FrameworkUse, NothingFound, Failure>;

struct SearchContext {
  std::string topLevel;  // the test file, for messages
  const std::vector<std::string> &includeDirs;
  std::set<std::string> visited;
};

Search findIn(const std::string &file, SearchContext &context);

// One #include of `file` (`name` as spelled, `quoted` for "..."): the framework, a project header
// to search in turn, or nothing.
Search examineInclude(const std::string &file, const std::string &name, bool quoted,
                      SearchContext &context) {
  auto dir = fs::path(absolutePath(file)).parent_path().string();
  auto base = fs::path(name).filename().string();
  if (name.rfind("catch2/catch_", 0) == 0 || name == "catch2/catch_all.hpp")
    return failure::SetupError{context.topLevel,
                               "uses Catch2 v3 (" + name + "); hotcc test supports Catch2 v2 "
                               "(catch2/catch.hpp) and GoogleTest"};
  std::optional<Framework> kind;
  if (base == "catch.hpp")
    kind = Framework::Catch2;
  else if (name == "gtest/gtest.h")
    kind = Framework::GoogleTest;
  auto header = findHeader(name, quoted, dir, context.includeDirs);
  if (!kind) {
    if (header && !isSystemHeader(*header))
      return findIn(*header, context);
    return NothingFound{};
  }
  if (!header)
    return failure::SetupError{file, "includes " + name + ", which is not in the include path"};
  FrameworkUse use;
  use.kind = *kind;
  // A quoted include in another header is relative to that header: named by its path.
  bool relative = quoted && file != context.topLevel;
  use.includeLine = relative ? "#include \"" + *header + "\""
                             : "#include " + std::string(quoted ? "\"" : "<") + name +
                                   (quoted ? "\"" : ">");
  use.header = *header;
  return use;
}

// Looks for the framework's #include in `file`, then in the project headers it includes (a test
// file often includes its framework through a fixture or helpers header).
Search findIn(const std::string &file, SearchContext &context) {
  if (!context.visited.insert(file).second)
    return NothingFound{};
  std::ifstream in(file);
  if (!in)
    return failure::FileUnreadable{file, std::strerror(errno)};
  static const std::regex include(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, include))
      continue;
    auto found = examineInclude(file, m[2], m[1] == "\"", context);
    if (!std::holds_alternative<NothingFound>(found))
      return found;
  }
  return NothingFound{};
}

} // namespace

Result<FrameworkUse> detectFramework(const std::string &file,
                                     const std::vector<std::string> &includeDirs) {
  SearchContext context{file, includeDirs, {}};
  auto found = findIn(file, context);
  if (auto *use = std::get_if<FrameworkUse>(&found))
    return *use;
  if (auto *failure = std::get_if<Failure>(&found))
    return *failure;
  return failure::SetupError{file, "includes no test framework hotcc knows (catch2/catch.hpp for "
                                   "Catch2 v2, gtest/gtest.h for GoogleTest), itself or through "
                                   "the project headers it includes"};
}

} // namespace hotcc::testing
