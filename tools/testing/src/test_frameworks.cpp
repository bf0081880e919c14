#include "test_frameworks.hpp"

#include "hotcc/cache_dir.hpp"

#include <llvm/Support/Program.h>
#include <llvm/Support/xxhash.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace hotcc::testing {

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::optional<std::string> findHeader(const std::string &name, bool quoted, const std::string &fromDir,
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
      return fs::absolute(candidate).lexically_normal().string();
  }
  return std::nullopt;
}

// The system's static GoogleTest library (Debian's libgtest-dev ships it, built with -fPIC).
std::optional<std::string> findGoogleTestLibrary() {
  for (const char *dir : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/local/lib",
                          "/usr/lib"}) {
    std::error_code ec;
    auto candidate = fs::path(dir) / "libgtest.a";
    if (fs::is_regular_file(candidate, ec))
      return candidate.string();
  }
  return std::nullopt;
}

std::string googleTestVersion(const std::string &library) {
  auto pc = fs::path(library).parent_path() / "pkgconfig" / "gtest.pc";
  std::istringstream lines(readFile(pc.string()));
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("Version:", 0) == 0)
      return line.substr(line.find_first_not_of(" ", 8));
  return "unknown";
}

// Runs the C++ compiler hotcc was built with; its messages go to `error` on failure.
bool runCompiler(std::vector<std::string> args, const std::string &cacheDir, std::string &error) {
  std::string compiler = HOTCC_CXX_COMPILER;
  args.insert(args.begin(), compiler);
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  // The redirect paths are StringRefs: the string must outlive the call.
  const std::string log = cacheDir + "/build-" + std::to_string(::getpid()) + ".log";
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(compiler, argv, std::nullopt, redirects, 0, 0, &message);
  std::string output = readFile(log);
  std::error_code ec;
  fs::remove(log, ec);
  if (rc == 0)
    return true;
  error = "hotcc: error: building the test framework library failed (" +
          (message.empty() ? compiler + " exited with " + std::to_string(rc) : message) + "):\n" +
          output;
  return false;
}

// Builds `output` with `args` + `-o tmp`, then renames it into place: concurrent sessions sharing
// a cache never see half a library.
bool buildAtomically(std::vector<std::string> args, const std::string &output,
                     const std::string &cacheDir, std::string &error) {
  auto tmp = output + ".tmp" + std::to_string(::getpid());
  args.push_back("-o");
  args.push_back(tmp);
  if (!runCompiler(std::move(args), cacheDir, error))
    return false;
  std::error_code ec;
  fs::rename(tmp, output, ec);
  if (ec) {
    error = "hotcc: error: cannot store " + output + ": " + ec.message();
    return false;
  }
  return true;
}

// Every adapter source and header, in name order: what an adapter library is built from.
std::string adapterSources(const std::string &dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto &entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec))
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  std::string all;
  for (auto &file : files)
    all += fs::path(file).filename().string() + '\0' + readFile(file) + '\0';
  return all;
}

const std::vector<std::string> kSharedLibraryFlags = {"-shared", "-fPIC", "-Wl,-Bsymbolic",
                                                      "-Wl,-z,nodelete"};

} // namespace

std::string defaultCacheDir() { return hotcc::defaultCacheDir() + "/test"; }

namespace {

enum class Found { Framework, Nothing, Error };

bool isSystemHeader(const std::string &path) {
  return path.rfind("/usr/include/", 0) == 0 || path.rfind("/usr/local/include/", 0) == 0;
}

// Looks for the framework's #include in `file`, then in the project headers it includes (a test
// file often includes its framework through a fixture or helpers header). `topLevel` is the test
// file, for messages.
Found findFramework(const std::string &file, const std::string &topLevel,
                    const std::vector<std::string> &includeDirs, std::set<std::string> &visited,
                    FrameworkUse &use, std::string &error) {
  if (!visited.insert(file).second)
    return Found::Nothing;
  std::ifstream in(file);
  if (!in) {
    error = "hotcc: error: cannot read " + file;
    return Found::Error;
  }
  static const std::regex include(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  auto dir = fs::absolute(fs::path(file)).parent_path().string();
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, include))
      continue;
    std::string name = m[2];
    bool quoted = m[1] == "\"";
    auto base = fs::path(name).filename().string();
    if (name.rfind("catch2/catch_", 0) == 0 || name == "catch2/catch_all.hpp") {
      error = "hotcc: error: " + topLevel + " uses Catch2 v3 (" + name +
              "); hotcc test supports Catch2 v2 (catch2/catch.hpp) and GoogleTest";
      return Found::Error;
    }
    std::optional<Framework> kind;
    if (base == "catch.hpp")
      kind = Framework::Catch2;
    else if (name == "gtest/gtest.h")
      kind = Framework::GoogleTest;
    auto header = findHeader(name, quoted, dir, includeDirs);
    if (!kind) {
      if (header && !isSystemHeader(*header)) {
        auto found = findFramework(*header, topLevel, includeDirs, visited, use, error);
        if (found != Found::Nothing)
          return found;
      }
      continue;
    }
    if (!header) {
      error = "hotcc: error: " + file + " includes " + name + ", which is not in the include path";
      return Found::Error;
    }
    use.kind = *kind;
    // A quoted include in another header is relative to that header: named by its path.
    bool relative = quoted && file != topLevel;
    use.includeLine = relative ? "#include \"" + *header + "\""
                               : "#include " + std::string(m[1]) + name + (quoted ? "\"" : ">");
    use.header = *header;
    return Found::Framework;
  }
  return Found::Nothing;
}

} // namespace

bool detectFramework(const std::string &file, const std::vector<std::string> &includeDirs,
                     FrameworkUse &use, std::string &error) {
  std::set<std::string> visited;
  switch (findFramework(file, file, includeDirs, visited, use, error)) {
  case Found::Framework:
    return true;
  case Found::Error:
    return false;
  case Found::Nothing:
    break;
  }
  error = "hotcc: error: " + file +
          " includes no test framework hotcc knows (catch2/catch.hpp for Catch2 v2, "
          "gtest/gtest.h for GoogleTest), itself or through the project headers it includes";
  return false;
}

bool adapterLibrary(const FrameworkUse &use, const std::vector<std::string> &flags,
                    const std::string &cacheDir, AdapterLibrary &library, std::string &error) {
  std::string adapters = HOTCC_TEST_ADAPTERS_DIR;
  std::string runtimeInclude = HOTCC_RUNTIME_INCLUDE_DIR;
  auto source = adapters + (use.kind == Framework::Catch2 ? "/catch2.cpp" : "/gtest.cpp");

  std::vector<std::string> args = kSharedLibraryFlags;
  args.insert(args.end(), {"-O1", "-g0", "-w", "-I" + adapters, "-I" + runtimeInclude});
  args.insert(args.end(), flags.begin(), flags.end());
  std::string key = adapterSources(adapters) + readFile(runtimeInclude + "/hotcc/test_adapter_abi.h") +
                    HOTCC_CXX_COMPILER;
  if (use.kind == Framework::Catch2) {
    args.push_back("-DHOTCC_CATCH_HEADER=\"" + use.header + "\"");
    args.push_back(source);
    key += readFile(use.header);
  } else {
    auto gtest = findGoogleTestLibrary();
    if (!gtest) {
      error = "hotcc: error: GoogleTest's libgtest.a was not found (Debian: apt install "
              "libgtest-dev)";
      return false;
    }
    // The directory holding gtest/gtest.h comes first, so the adapter sees the test files' copy.
    args.push_back("-I" + fs::path(use.header).parent_path().parent_path().string());
    args.push_back("-DHOTCC_GTEST_VERSION=\"" + googleTestVersion(*gtest) + "\"");
    args.push_back(source);
    args.insert(args.end(), {"-Wl,--whole-archive", *gtest, "-Wl,--no-whole-archive"});
    std::error_code ec;
    key += readFile(use.header) + std::to_string(fs::file_size(*gtest, ec)) +
           std::to_string(fs::last_write_time(*gtest, ec).time_since_epoch().count());
  }
  for (auto &a : args)
    key += '\0' + a;

  std::error_code ec;
  fs::create_directories(cacheDir, ec);
  library.path = cacheDir + "/" + (use.kind == Framework::Catch2 ? "catch2" : "gtest") + "-" +
                 hex(llvm::xxh3_64bits(key)) + ".so";
  library.built = false;
  if (fs::exists(library.path, ec))
    return true;
  auto start = std::chrono::steady_clock::now();
  spdlog::info("hotcc: building the {} library for hotcc test (once): {}", use.name(), library.path);
  if (!buildAtomically(std::move(args), library.path, cacheDir, error))
    return false;
  library.built = true;
  library.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return true;
}

bool linkedLibrary(const std::vector<std::string> &inputs, const std::string &cacheDir,
                   std::string &path, std::string &error) {
  std::string key = HOTCC_CXX_COMPILER;
  std::vector<std::string> args = kSharedLibraryFlags;
  args.push_back("-Wl,--whole-archive");
  for (auto &input : inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(input, ec)) {
      error = "hotcc: error: cannot read " + input;
      return false;
    }
    auto absolute = fs::absolute(input).string();
    args.push_back(absolute);
    key += '\0' + absolute + '\0' + readFile(absolute);
  }
  args.push_back("-Wl,--no-whole-archive");
  std::error_code ec;
  fs::create_directories(cacheDir, ec);
  path = cacheDir + "/linked-" + hex(llvm::xxh3_64bits(key)) + ".so";
  if (fs::exists(path, ec))
    return true;
  return buildAtomically(std::move(args), path, cacheDir, error);
}

} // namespace hotcc::testing
