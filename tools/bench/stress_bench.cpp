// hotcc-bench-stress: reloading while threads call hot functions at full speed. Run it with
// tools/bench/stress [--threads 8] [--reloads 1000] [--reclaim-every 16].
//
// `--threads` threads (registered with hotcc's thread registry) call fa, fb and fc in a tight loop
// while the main thread reloads the file `--reloads` times, alternating two sets of bodies (each
// reload also gets a salt of its own, so every reload is a new version to retire). A result is
// right when it is the old or the new body's: 3x+1 or 3x+2 for fa, and so on. Reclamation is on,
// a background pass every `--reclaim-every` reloads. A crash kills the process (there is no
// handler): reaching the summary means it had none.
#include "hotcc/engine.hpp"
#include "hotcc/render.hpp"
#include "hotcc/thread_registry.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "hotcc-bench-stress: FAILED: %s\n", message.c_str());
  std::exit(1);
}

std::string bodies(int reload) {
  std::string add = reload % 2 ? "1" : "2";
  std::string salt = "volatile int salt = " + std::to_string(reload) + "; (void)salt; ";
  return "int fa(int x) { " + salt + "return 3 * x + " + add + "; }\n"
         "int fb(int x) { " + salt + "return 5 * x + " + add + "; }\n"
         "int fc(int x) { " + salt + "return 7 * x + " + add + "; }\n";
}

int argument(int argc, char **argv, const char *name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return std::atoi(argv[i + 1]);
  return fallback;
}

} // namespace

int main(int argc, char **argv) {
  const int threads = argument(argc, argv, "--threads", 8);
  const int reloads = argument(argc, argv, "--reloads", 1000);
  spdlog::set_level(spdlog::level::warn);

  auto dir = std::filesystem::temp_directory_path() / ("hotcc-stress-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "stress.cpp").string();
  auto write = [&](int reload) { std::ofstream(path, std::ios::trunc) << bodies(reload); };

  hotcc::EngineOptions options;
  options.preparesReloads = true;
  options.reclaimRetiredCode = true;
  options.reclaimEveryReloads = argument(argc, argv, "--reclaim-every", 16);
  auto engine = hotcc::Engine::create(options);
  if (!engine)
    fail("cannot create the engine");
  auto &e = **engine;
  write(0);
  if (auto report = e.addFile(path); !report.ok)
    fail("first load: " + hotcc::render::failures(report));
  auto *fa = e.lookupFunction<int(int)>("fa");
  auto *fb = e.lookupFunction<int(int)>("fb");
  auto *fc = e.lookupFunction<int(int)>("fc");

  std::atomic<bool> stop{false};
  std::atomic<long long> calls{0}, wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t)
    callers.emplace_back([&, t] {
      hotcc::ThreadRegistration registration;
      long long made = 0, bad = 0;
      for (int x = t; !stop.load(std::memory_order_relaxed); x = (x + 1) & 4095, made += 3) {
        int a = fa(x) - 3 * x, b = fb(x) - 5 * x, c = fc(x) - 7 * x;
        bad += (a != 1 && a != 2) + (b != 1 && b != 2) + (c != 1 && c != 2);
      }
      calls += made;
      wrong += bad;
    });

  auto started = std::chrono::steady_clock::now();
  for (int reload = 1; reload <= reloads; ++reload) {
    write(reload);
    if (auto report = e.reloadFile(path); !report.ok)
      fail("reload " + std::to_string(reload) + ": " + hotcc::render::failures(report));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  stop = true;
  for (auto &caller : callers)
    caller.join();
  auto stats = e.reclaimRetiredCode();  // a last pass with every caller gone

  std::printf("threads:            %d\n", threads);
  std::printf("reloads:            %d in %.1f s (%.1f reloads/s)\n", reloads, seconds,
              reloads / seconds);
  std::printf("calls made:         %lld\n", calls.load());
  std::printf("wrong results:      %lld\n", wrong.load());
  std::printf("crashes:            0\n");
  std::printf("versions reclaimed: %zu (retained %zu, kept for data %zu; passes %zu, skipped %zu)\n",
              stats.reclaimed, stats.retained, stats.keptForData, stats.passes, stats.passesSkipped);
  std::filesystem::remove_all(dir);
  return wrong == 0 ? 0 : 1;
}
