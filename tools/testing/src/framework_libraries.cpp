// The shared libraries `hotcc test` builds and caches: a framework's adapter (once per framework
// version and flags) and the --link objects and archives made into one library (see
// test_frameworks.hpp).
#include "test_frameworks.hpp"

#include "hotcc/cache_dir.hpp"
#include "hotcc/support.hpp"

#include <llvm/Support/Program.h>
#include <llvm/Support/xxhash.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
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

// The system's static GoogleTest library (Debian's libgtest-dev ships it, built with -fPIC).
std::optional<std::string> findGoogleTestLibrary() {
  for (const char *dir : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                          "/usr/local/lib", "/usr/lib"}) {
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

// Runs the C++ compiler hotcc was built with to make `subject`; its messages are the problem when
// it fails.
Status runCompiler(std::vector<std::string> args, const std::string &subject,
                   const std::string &cacheDir) {
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
    return Status::ok();
  return Status::fail(failure::SetupError{
      subject, "building it failed (" +
                   (message.empty() ? compiler + " exited with " + std::to_string(rc) : message) +
                   "):\n" + output});
}

// Builds `output` with `args` + `-o tmp`, then renames it into place: concurrent sessions sharing
// a cache never see half a library.
Status buildAtomically(std::vector<std::string> args, const std::string &output,
                       const std::string &subject, const std::string &cacheDir) {
  auto tmp = output + ".tmp" + std::to_string(::getpid());
  args.push_back("-o");
  args.push_back(tmp);
  if (auto built = runCompiler(std::move(args), subject, cacheDir); !built)
    return built;
  std::error_code ec;
  fs::rename(tmp, output, ec);
  if (ec)
    return Status::fail(failure::SetupError{output, "cannot be stored: " + ec.message()});
  return Status::ok();
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

// What an adapter library is built with, and the cache key that names it.
struct AdapterBuild {
  std::vector<std::string> args;
  std::string key;
};

Result<AdapterBuild> adapterBuild(const FrameworkUse &use, const std::vector<std::string> &flags) {
  std::string adapters = HOTCC_TEST_ADAPTERS_DIR;
  std::string runtimeInclude = HOTCC_RUNTIME_INCLUDE_DIR;
  auto source = adapters + (use.kind == Framework::Catch2 ? "/catch2.cpp" : "/gtest.cpp");

  AdapterBuild build;
  auto &args = build.args;
  args = kSharedLibraryFlags;
  args.insert(args.end(), {"-O1", "-g0", "-w", "-I" + adapters, "-I" + runtimeInclude});
  args.insert(args.end(), flags.begin(), flags.end());
  build.key = adapterSources(adapters) +
              readFile(runtimeInclude + "/hotcc/test_adapter_abi.h") + HOTCC_CXX_COMPILER;
  if (use.kind == Framework::Catch2) {
    args.push_back("-DHOTCC_CATCH_HEADER=\"" + use.header + "\"");
    args.push_back(source);
    build.key += readFile(use.header);
  } else {
    auto gtest = findGoogleTestLibrary();
    if (!gtest)
      return failure::LibraryUnavailable{"libgtest.a",
                                         "GoogleTest's static library was not found (Debian: "
                                         "apt install libgtest-dev)"};
    // The directory holding gtest/gtest.h comes first, so the adapter sees the test files' copy.
    args.push_back("-I" + fs::path(use.header).parent_path().parent_path().string());
    args.push_back("-DHOTCC_GTEST_VERSION=\"" + googleTestVersion(*gtest) + "\"");
    args.push_back(source);
    args.insert(args.end(), {"-Wl,--whole-archive", *gtest, "-Wl,--no-whole-archive"});
    std::error_code ec;
    build.key += readFile(use.header) + std::to_string(fs::file_size(*gtest, ec)) +
                 std::to_string(fs::last_write_time(*gtest, ec).time_since_epoch().count());
  }
  for (auto &a : args)
    build.key += '\0' + a;
  return build;
}

} // namespace

std::string defaultCacheDir() { return hotcc::defaultCacheDir() + "/test"; }

Result<AdapterLibrary> adapterLibrary(const FrameworkUse &use, const std::vector<std::string> &flags,
                                      const std::string &cacheDir) {
  auto build = adapterBuild(use, flags);
  if (!build)
    return build.failure();
  std::error_code ec;
  fs::create_directories(cacheDir, ec);
  AdapterLibrary library;
  library.path = cacheDir + "/" + (use.kind == Framework::Catch2 ? "catch2" : "gtest") + "-" +
                 hex(llvm::xxh3_64bits(build->key)) + ".so";
  if (fs::exists(library.path, ec))
    return library;
  auto start = Clock::now();
  spdlog::info("building the {} library for hotcc test (once): {}", use.name(), library.path);
  auto subject = "the " + use.name() + " library for hotcc test";
  if (auto built = buildAtomically(std::move(build->args), library.path, subject, cacheDir);
      !built)
    return built.failure();
  library.built = true;
  library.ms = msSince(start);
  return library;
}

Result<std::string> linkedLibrary(const std::vector<std::string> &inputs,
                                  const std::string &cacheDir) {
  std::string key = HOTCC_CXX_COMPILER;
  std::vector<std::string> args = kSharedLibraryFlags;
  args.push_back("-Wl,--whole-archive");
  for (auto &input : inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(input, ec))
      return failure::FileUnreadable{input, fs::exists(input, ec) ? "not a regular file"
                                                                  : std::strerror(ENOENT)};
    auto absolute = absolutePath(input);
    args.push_back(absolute);
    key += '\0' + absolute + '\0' + readFile(absolute);
  }
  args.push_back("-Wl,--no-whole-archive");
  std::error_code ec;
  fs::create_directories(cacheDir, ec);
  auto path = cacheDir + "/linked-" + hex(llvm::xxh3_64bits(key)) + ".so";
  if (fs::exists(path, ec))
    return path;
  if (auto built = buildAtomically(std::move(args), path, "the --link objects and archives",
                                   cacheDir);
      !built)
    return built.failure();
  return path;
}

} // namespace hotcc::testing
