// hotcc-bench-memory: resident memory after many one-function reloads, against after the first.
// Run it with tools/bench/memory [--reloads 10000] (both modes) or this binary with
// --reclaim on|off [--reloads N].
//
// One file, one function; each reload changes its constant, so each is a new version (a new code
// module). RSS is read from /proc/self/statm after the first reload and after the last one; with
// reclamation a background pass runs every 16 reloads and a last one before the reading.
#include "hotcc/engine.hpp"
#include "hotcc/render.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <spdlog/spdlog.h>
#include <unistd.h>

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "hotcc-bench-memory: FAILED: %s\n", message.c_str());
  std::exit(1);
}

double residentMb() {
  long pages = 0, resident = 0;
  if (FILE *f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

const char *option(int argc, char **argv, const char *name, const char *fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return fallback;
}

} // namespace

int main(int argc, char **argv) {
  const int reloads = std::atoi(option(argc, argv, "--reloads", "2000"));
  const bool reclaim = std::strcmp(option(argc, argv, "--reclaim", "on"), "on") == 0;
  spdlog::set_level(spdlog::level::warn);

  auto dir = std::filesystem::temp_directory_path() / ("hotcc-memory-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "one.cpp").string();
  auto write = [&](int k) {
    std::ofstream(path, std::ios::trunc) << "int value(int x) { return x + " << k << "; }\n";
  };

  hotcc::EngineOptions options;
  options.reclaimRetiredCode = reclaim;
  auto engine = hotcc::Engine::create(options);
  if (!engine)
    fail("cannot create the engine");
  auto &e = **engine;
  write(0);
  if (auto report = e.addFile(path); !report.ok)
    fail("first load: " + hotcc::render::failures(report));
  auto *value = e.lookupFunction<int(int)>("value");

  auto reloadTo = [&](int k) {
    write(k);
    if (auto report = e.reloadFile(path); !report.ok)
      fail("reload " + std::to_string(k) + ": " + hotcc::render::failures(report));
    if (value(1) != 1 + k)
      fail("reload " + std::to_string(k) + " is not live");
  };
  reloadTo(1);
  const double first = residentMb();
  auto started = std::chrono::steady_clock::now();
  for (int k = 2; k <= reloads; ++k)
    reloadTo(k);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto stats = reclaim ? e.reclaimRetiredCode() : e.registry().versionStats();
  const double last = residentMb();

  std::printf("reclamation %-3s: %d reloads in %.1f s; RSS %.1f MB after the first, %.1f MB after "
              "the last: growth %.1f MB; versions retained %zu, reclaimed %zu\n",
              reclaim ? "on" : "off", reloads, seconds, first, last, last - first, stats.retained,
              stats.reclaimed);
  std::filesystem::remove_all(dir);
  return 0;
}
