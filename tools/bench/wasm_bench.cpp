// hotcc-bench-wasm: how long a WebAssembly patch takes to build with hotcc, against
// `emcc -sSIDE_MODULE=1 -O2` on the same source, in one run. Run it with tools/bench/wasm.
//
// Two patch sources: a 10-line function, and a 300-line file using <string> and <vector>.
// For each, with a new constant in the source on every round (nothing can be cached):
//   emcc      `emcc -sSIDE_MODULE=1 -O2 src -o x.wasm`, a process per patch (what jank-style
//             tools pay today)
//   hotcc     WasmBuilder::buildPatch in this process, cache cold: compile, link with lld
//             in-process, manifest (what a watching dev server pays per save; the builder keeps
//             the file's preamble, the PCH of its #include block, from the main build on)
//   hotcc CLI `hotcc wasm src -o x.wasm`, a process per patch, cache cold (adds process start and
//             the loading of libLLVM/libclang-cpp)
//   cache hit buildPatch of sources already built: the patch comes from the on-disk cache
// Medians over --rounds rounds; ratios are emcc's median over hotcc's.
#include "hotcc/frontend/outcome_error.hpp"
#include "hotcc/render.hpp"
#include "hotcc/wasm/wasm_builder.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void writeFile(const fs::path &path, const std::string &text) {
  std::ofstream(path) << text;
}

// Runs a command, quietly; returns its wall time in ms, or -1 when it failed.
double timedRun(const std::vector<std::string> &command, const fs::path &dir) {
  std::vector<char *> argv;
  for (auto &a : command)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  auto started = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  double ms = msSince(started);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

std::string smallPatch(int round) {
  return "int scale = 3;\n"
         "int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }\n"
         "int f(int x) {\n"
         "  int total = 0;\n"
         "  for (int i = 0; i < x; ++i)\n"
         "    total += clamp(i * scale, 0, " + std::to_string(100 + round) + ");\n"
         "  return total;\n"
         "}\n";
}

// ~300 lines: 24 functions over strings and vectors, one of which changes every round.
std::string largePatch(int round) {
  std::string s = "#include <string>\n#include <vector>\n\n"
                  "struct Item {\n  std::string name;\n  int weight;\n};\n\n"
                  "std::vector<Item> inventory;\n\n";
  for (int i = 0; i < 24; ++i) {
    std::string n = std::to_string(i);
    int k = i == 7 ? 1000 + round : i;
    s += "int summarise" + n + "(const std::vector<Item> &items) {\n"
         "  std::string label = \"group" + n + "\";\n"
         "  int total = 0;\n"
         "  for (const auto &item : items) {\n"
         "    if (item.name.size() > " + std::to_string(i % 5) + ")\n"
         "      total += item.weight * " + std::to_string(k) + ";\n"
         "    else\n"
         "      label += item.name;\n"
         "  }\n"
         "  std::vector<int> scratch(label.size(), " + n + ");\n"
         "  return total + (int)scratch.size();\n"
         "}\n\n";
  }
  s += "int run_all() {\n  int sum = 0;\n";
  for (int i = 0; i < 24; ++i)
    s += "  sum += summarise" + std::to_string(i) + "(inventory);\n";
  s += "  return sum;\n}\n";
  return s;
}

struct Row {
  std::string name;
  double emcc = 0, hotcc = 0, cli = 0, hit = 0, first = 0;
};

// The builder's failure as the CLI would print it.
std::string failureText(llvm::Error error) {
  return hotcc::render::failure(hotcc::frontend::toFailure(std::move(error)));
}

int fail(const std::string &what) {
  std::fprintf(stderr, "hotcc-bench-wasm: %s\n", what.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  int rounds = 7;
  std::string hotccBinary = HOTCC_BENCH_CLI;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = std::max(1, std::atoi(argv[++i]));
    else
      return fail("usage: hotcc-bench-wasm [--rounds N]");
  }
  if (std::getenv("HOTCC_BENCH_VERBOSE"))
    spdlog::set_level(spdlog::level::debug);  // per-phase timings of every build
  fs::path dir = fs::temp_directory_path() / ("hotcc-bench-wasm-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::vector<Row> rows;
  for (auto [name, source] : {std::pair{"10-line function", &smallPatch},
                              std::pair{"300-line file, <string>/<vector>", &largePatch}}) {
    Row row;
    row.name = name;
    fs::path file = dir / (std::string(name).find("10") == 0 ? "small.cpp" : "large.cpp");
    fs::path cache = dir / ("cache-" + file.stem().string());

    // The main module's object, which the patches are diffed against.
    writeFile(file, source(0));
    hotcc::wasm::WasmOptions options;
    options.cacheDir = cache.string();
    options.reuseAcrossBuilds = true;  // a long-lived builder keeps each file's preamble
    auto builder = hotcc::wasm::WasmBuilder::create(options);
    if (!builder)
      return fail(failureText(builder.takeError()));
    if (auto main = (*builder)->buildMain({file.string()}, (dir / "main.o").string()); !main)
      return fail(failureText(main.takeError()));

    std::vector<double> emcc, hotcc, cli, hit;
    for (int r = 1; r <= rounds; ++r) {
      writeFile(file, source(r));
      double e = timedRun({"emcc", "-sSIDE_MODULE=1", "-O2", file.string(), "-o", "emcc.wasm"}, dir);
      if (e < 0)
        return fail("emcc failed on " + file.string());
      emcc.push_back(e);

      auto started = Clock::now();
      auto patch = (*builder)->buildPatch({file.string()}, (dir / "patch.wasm").string());
      if (!patch)
        return fail(failureText(patch.takeError()));
      if (patch->cacheHit || patch->manifest.fills.empty())
        return fail("expected a freshly compiled patch with one function");
      hotcc.push_back(msSince(started));
      if (r == 1)
        row.first = hotcc.back();

      started = Clock::now();
      auto again = (*builder)->buildPatch({file.string()}, (dir / "patch.wasm").string());
      if (!again || !again->cacheHit)
        return fail("expected a cache hit");
      hit.push_back(msSince(started));

      writeFile(file, source(rounds + r));  // new text: the CLI cannot hit the cache
      double c = timedRun({hotccBinary, "wasm", file.string(), "-o", "cli.wasm", "--cache-dir",
                           cache.string()},
                          dir);
      if (c < 0)
        return fail("hotcc wasm failed on " + file.string());
      cli.push_back(c);
    }
    row.emcc = median(emcc);
    row.hotcc = median(hotcc);
    row.cli = median(cli);
    row.hit = median(hit);
    rows.push_back(row);
  }
  fs::remove_all(dir);

  std::printf("WebAssembly patch build, median of %d rounds (ms; ratio = emcc / hotcc)\n\n", rounds);
  std::printf("| patch | emcc -sSIDE_MODULE=1 -O2 | hotcc in-process | ratio | hotcc CLI | ratio "
              "| cache hit | ratio |\n|---|---|---|---|---|---|---|---|\n");
  for (auto &r : rows)
    std::printf("| %s | %.1f | %.1f | %.0fx | %.1f | %.1fx | %.2f | %.0fx |\n", r.name.c_str(),
                r.emcc, r.hotcc, r.emcc / r.hotcc, r.cli, r.emcc / r.cli, r.hit, r.emcc / r.hit);
  std::printf("\nfirst in-process patch after the main build (one-time set-up included): ");
  for (auto &r : rows)
    std::printf("%s %.1f ms; ", r.name.c_str(), r.first);
  std::printf("\n");
  return 0;
}
