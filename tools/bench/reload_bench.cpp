// hotcc-bench-reload: how long an edit takes to go live with hotcc, against the full rebuild it
// replaces, and what calling through a stub costs. Run it with tools/bench/reload [--edits N].
//
//  1. Anchor: `clang++-22 -O0 -c json_app.cpp -o x.o && clang++-22 x.o -o app`, once per edit of
//     score() (a new constant each time, so nothing can be cached; /usr/bin/clang++-22 is run
//     directly, never through ccache).
//  2. hotcc: Engine::addFile once (the cold first load, reported on its own), then per edit: write
//     the new text, start the clock, reloadFile, call score() through its stub and check it
//     returns the new value, stop the clock: change detected → new code live.
//  3. Stub overhead: add1() called `--calls` times through its stub and through the address of its
//     current body; the median over `--rounds` rounds of each.
#include "hotcc/engine.hpp"
#include "hotcc/render.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char *kClang = "/usr/bin/clang++-22";  // directly: no ccache in the anchor
constexpr const char *kScoreLine = "int score(int n) {";
constexpr int kScoreArg = 5;

[[noreturn]] void fail(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "hotcc-bench-reload: FAILED: %s\n", message.c_str());
  std::exit(1);
}

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeFile(const fs::path &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    fail("cannot write " + path.string());
}

// The workload with score()'s body replaced: `return 3 * n + k;`, so score(5) == 15 + k.
std::string withScore(const std::string &source, int k) {
  auto at = source.find(std::string("\n") + kScoreLine);
  if (at == std::string::npos)
    fail(std::string("the workload has no line starting with `") + kScoreLine + "`");
  ++at;
  auto end = source.find('\n', at);
  return source.substr(0, at) + kScoreLine + " return 3 * n + " + std::to_string(k) + "; }" +
         source.substr(end);
}
int expectedScore(int k) { return 3 * kScoreArg + k; }

// Runs a program (no shell) in `dir`, waits for it; true when it exits 0.
bool run(const std::vector<std::string> &argv, const fs::path &dir) {
  std::vector<char *> args;
  for (auto &a : argv)
    args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    fail("cannot start " + argv[0] + ": " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      fail("waitpid failed");
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string capture(const std::string &command) {
  std::string out;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    fail("cannot run " + command);
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe))
    out.append(buffer, n);
  if (pclose(pipe) != 0)
    fail(command + " failed; its output:\n" + out);
  return out;
}

// x = f(x), `calls` times: every call depends on the previous one, and the result is checked, so
// nothing can be hoisted or dropped; f is only known at run time.
__attribute__((noinline)) double nsPerCall(int (*f)(int), long calls) {
  int (*volatile fn)(int) = f;
  int (*g)(int) = fn;
  int x = 0;
  auto start = Clock::now();
  for (long i = 0; i < calls; ++i)
    x = g(x);
  auto ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (x != static_cast<int>(calls))
    fail("add1 loop computed " + std::to_string(x) + ", expected " + std::to_string(calls));
  return ns / static_cast<double>(calls);
}

struct Options {
  int edits = 10;
  long calls = 100'000'000;
  int rounds = 5;
  std::string workload = HOTCC_BENCH_WORKLOAD;
  bool keep = false;
  bool verbose = false;
  bool preamble = true;
  std::vector<std::string> hotFlags;
};

Options parseArgs(int argc, char **argv) {
  Options o;
  auto value = [&](int &i) -> std::string {
    if (i + 1 >= argc)
      fail(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--edits")
      o.edits = std::atoi(value(i).c_str());
    else if (a == "--calls")
      o.calls = std::atol(value(i).c_str());
    else if (a == "--rounds")
      o.rounds = std::atoi(value(i).c_str());
    else if (a == "--workload")
      o.workload = value(i);
    else if (a == "--keep")
      o.keep = true;
    else if (a == "--verbose" || a == "-v")
      o.verbose = true;
    else if (a == "--no-preamble")
      o.preamble = false;
    else if (a == "--hot-flag")
      o.hotFlags.push_back(value(i));
    else if (a == "-h" || a == "--help") {
      std::printf("usage: hotcc-bench-reload [--edits N (10)] [--calls N (100000000)] "
                  "[--rounds N (5)] [--workload FILE.cpp] [--keep] [--verbose]\n"
                  "       [--no-preamble] [--hot-flag FLAG]...\n"
                  "  --keep         leave the temporary directory (printed) in place\n"
                  "  --verbose      the engine's debug log (preamble builds, ...) on stderr\n"
                  "  --no-preamble  EngineOptions::usePreamble = false\n"
                  "  --hot-flag F   add F to EngineOptions::extraArgs (hotcc only, not the "
                  "rebuild)\n");
      std::exit(0);
    } else
      fail("unknown argument " + a + " (try --help)");
  }
  if (o.edits < 1 || o.calls < 1 || o.calls > 2'000'000'000L || o.rounds < 1)
    fail("--edits, --rounds must be >= 1 and --calls in 1..2e9");
  return o;
}

std::string fixed(double v, int digits = 1) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

} // namespace

int main(int argc, char **argv) {
  auto opts = parseArgs(argc, argv);
  if (opts.verbose)
    spdlog::set_level(spdlog::level::debug);
  const std::string original = readFile(opts.workload);
  (void)withScore(original, 0);  // fail early when the workload lost its score() line

  char tmpl[] = "/tmp/hotcc-bench-XXXXXX";
  if (!mkdtemp(tmpl))
    fail("mkdtemp failed");
  const fs::path tmp = tmpl;
  const fs::path rebuildDir = tmp / "rebuild", hotDir = tmp / "hot";
  fs::create_directories(rebuildDir);
  fs::create_directories(hotDir);
  std::string engineSetup = opts.preamble ? "preamble on" : "preamble off";
  for (auto &f : opts.hotFlags)
    engineSetup += ", " + f;
  std::printf("hotcc-bench-reload: workload %s, %d edits, %ld calls x %d rounds, engine -O0 %s, "
              "in %s\n",
              opts.workload.c_str(), opts.edits, opts.calls, opts.rounds, engineSetup.c_str(),
              tmp.c_str());
  std::fflush(stdout);

  // 1. The anchor: a full compile + link per edit.
  std::vector<double> rebuildMs, rebuildCompileMs, rebuildLinkMs;
  const fs::path rebuildSource = rebuildDir / "json_app.cpp";
  int lastK = 0;
  for (int i = 0; i < opts.edits; ++i) {
    lastK = 1000 + i;
    writeFile(rebuildSource, withScore(original, lastK));
    auto start = Clock::now();
    if (!run({kClang, "-O0", "-c", "json_app.cpp", "-o", "x.o"}, rebuildDir))
      fail("clang++-22 -c failed on edit " + std::to_string(i));
    double compile = msSince(start);
    auto linkStart = Clock::now();
    if (!run({kClang, "x.o", "-o", "app"}, rebuildDir))
      fail("clang++-22 (link) failed on edit " + std::to_string(i));
    rebuildLinkMs.push_back(msSince(linkStart));
    rebuildMs.push_back(msSince(start));
    rebuildCompileMs.push_back(compile);
  }
  {
    auto out = capture("cd '" + rebuildDir.string() + "' && ./app --quiet");
    auto want = "score(" + std::to_string(kScoreArg) + ") = " + std::to_string(expectedScore(lastK));
    if (out.find(want) == std::string::npos)
      fail("the rebuilt app printed\n" + out + "expected it to contain: " + want);
    std::printf("rebuilt app: %s", out.c_str());
  }

  // 2. hotcc: one engine, the cold load, then the edits.
  hotcc::EngineOptions engineOptions;
  engineOptions.usePreamble = opts.preamble;
  engineOptions.extraArgs = opts.hotFlags;
  auto created = hotcc::Engine::create(engineOptions);
  if (!created)
    fail(hotcc::render::failure(created.failure()));
  auto engine = std::move(*created);
  const fs::path hotSource = hotDir / "json_app.cpp";
  writeFile(hotSource, original);
  auto loadStart = Clock::now();
  auto first = engine->addFile(hotSource.string());
  double firstLoadMs = msSince(loadStart);
  if (!first.ok)
    fail("addFile: " + hotcc::render::failures(first));
  auto *score = engine->lookupFunction<int(int)>("score");
  auto *add1 = engine->lookupFunction<int(int)>("add1");
  if (!score || !add1)
    fail("score or add1 is not a hot symbol after addFile");
  if (score(kScoreArg) != expectedScore(7))
    fail("score(5) after addFile returned " + std::to_string(score(kScoreArg)));
  {
    char arg0[] = "json_app", arg1[] = "--quiet";
    char *mainArgv[] = {arg0, arg1, nullptr};
    std::fflush(stdout);
    std::printf("hot main(): ");
    std::fflush(stdout);
    auto exitCode = engine->runMain(2, mainArgv);
    std::fflush(stdout);
    if (!exitCode || *exitCode != 0)
      fail("the workload's main() under hotcc: " +
           (exitCode ? "exit code " + std::to_string(*exitCode)
                     : hotcc::render::failure(exitCode.failure())));
  }

  std::vector<double> hotMs, parseMs, analyzeMs, compileMs, redirectMs, reportTotalMs;
  std::vector<std::string> surprises;
  for (int i = 0; i < opts.edits; ++i) {
    int k = 2000 + i;
    writeFile(hotSource, withScore(original, k));
    auto start = Clock::now();
    auto report = engine->reloadFile(hotSource.string());
    int got = score(kScoreArg);
    double ms = msSince(start);
    if (!report.ok)
      fail("reloadFile on edit " + std::to_string(i) + ":\n" + hotcc::render::failures(report));
    if (got != expectedScore(k))
      fail("after edit " + std::to_string(i) + " score(5) returned " + std::to_string(got) +
           ", expected " + std::to_string(expectedScore(k)) + " (the stub still runs an old body)");
    hotMs.push_back(ms);
    parseMs.push_back(report.times.parseMs);
    analyzeMs.push_back(report.times.analyzeMs);
    compileMs.push_back(report.times.compileMs);
    redirectMs.push_back(report.times.redirectMs);
    reportTotalMs.push_back(report.times.totalMs);
    if (report.compiled != std::vector<std::string>{"score"}) {
      std::string names;
      for (auto &n : report.compiled)
        names += (names.empty() ? "" : ", ") + n;
      surprises.push_back("edit " + std::to_string(i) + " compiled [" + names +
                          "], expected [score]");
    }
    for (auto &notice : report.notices)
      surprises.push_back("edit " + std::to_string(i) + " " + hotcc::render::notice(notice));
  }

  // 3. The stub's cost: add1 through the stub against its current body called directly.
  auto info = engine->registry().find("add1");
  if (!info || info->history.empty())
    fail("add1 has no registry entry");
  auto body = info->history[info->current].address;
  if (body != info->history.back().address)
    fail("add1's current body is not its newest");
  if (reinterpret_cast<std::uintptr_t>(*info->slot) != body)
    fail("add1's stub slot does not point at its current body");
  auto *direct = reinterpret_cast<int (*)(int)>(body);
  nsPerCall(add1, 1'000'000);  // warm up both paths
  nsPerCall(direct, 1'000'000);
  std::vector<double> stubNs, directNs;
  for (int r = 0; r < opts.rounds; ++r) {
    stubNs.push_back(nsPerCall(add1, opts.calls));
    directNs.push_back(nsPerCall(direct, opts.calls));
  }

  const double rebuild = median(rebuildMs), hot = median(hotMs);
  const double stub = median(stubNs), directCall = median(directNs);
  const double ratio = rebuild / hot;

  std::printf("\n| full rebuild median (ms) | hotcc reload median (ms) | rebuild/hotcc | hotcc first "
              "load (ms) | stub call (ns) | direct call (ns) | stub overhead (ns) |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  std::printf("| %s | %s | %s× | %s | %s | %s | %s |\n", fixed(rebuild).c_str(),
              fixed(hot).c_str(), fixed(ratio).c_str(), fixed(firstLoadMs).c_str(),
              fixed(stub, 3).c_str(), fixed(directCall, 3).c_str(),
              fixed(stub - directCall, 3).c_str());

  std::printf("\nWhere the time goes (medians over %d edits, ms):\n\n", opts.edits);
  std::printf("| | total | parse | analyze | compile+link | redirect |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  std::printf("| full rebuild | %s | %s (clang -c) | | %s (link) | |\n", fixed(rebuild).c_str(),
              fixed(median(rebuildCompileMs)).c_str(), fixed(median(rebuildLinkMs)).c_str());
  std::printf("| hotcc reload | %s | %s | %s | %s | %s |\n", fixed(hot).c_str(),
              fixed(median(parseMs)).c_str(), fixed(median(analyzeMs)).c_str(),
              fixed(median(compileMs)).c_str(), fixed(median(redirectMs)).c_str());
  std::printf("| hotcc first load | %s | %s | %s | %s | %s |\n", fixed(firstLoadMs).c_str(),
              fixed(first.times.parseMs).c_str(), fixed(first.times.analyzeMs).c_str(),
              fixed(first.times.compileMs).c_str(), fixed(first.times.redirectMs).c_str());

  if (!surprises.empty()) {
    std::printf("\nNotes:\n");
    for (auto &s : surprises)
      std::printf("- %s\n", s.c_str());
  }

  auto list = [](const std::vector<double> &v) {
    std::string s;
    for (auto x : v)
      s += (s.empty() ? "" : " ") + fixed(x);
    return s;
  };
  std::printf("\n");
  std::printf("edits: %d\n", opts.edits);
  std::printf("rebuild_median_ms: %s\n", fixed(rebuild, 2).c_str());
  std::printf("rebuild_compile_median_ms: %s\n", fixed(median(rebuildCompileMs), 2).c_str());
  std::printf("rebuild_link_median_ms: %s\n", fixed(median(rebuildLinkMs), 2).c_str());
  std::printf("hotcc_reload_median_ms: %s\n", fixed(hot, 2).c_str());
  std::printf("hotcc_reload_min_ms: %s\n",
              fixed(*std::min_element(hotMs.begin(), hotMs.end()), 2).c_str());
  std::printf("hotcc_reload_max_ms: %s\n",
              fixed(*std::max_element(hotMs.begin(), hotMs.end()), 2).c_str());
  std::printf("hotcc_report_total_median_ms: %s\n", fixed(median(reportTotalMs), 2).c_str());
  std::printf("hotcc_parse_median_ms: %s\n", fixed(median(parseMs), 2).c_str());
  std::printf("hotcc_analyze_median_ms: %s\n", fixed(median(analyzeMs), 2).c_str());
  std::printf("hotcc_compile_median_ms: %s\n", fixed(median(compileMs), 2).c_str());
  std::printf("hotcc_redirect_median_ms: %s\n", fixed(median(redirectMs), 2).c_str());
  std::printf("ratio: %s\n", fixed(ratio, 2).c_str());
  std::printf("hotcc_first_load_ms: %s\n", fixed(firstLoadMs, 2).c_str());
  std::printf("hotcc_first_load_parse_ms: %s\n", fixed(first.times.parseMs, 2).c_str());
  std::printf("hotcc_first_load_compile_ms: %s\n", fixed(first.times.compileMs, 2).c_str());
  std::printf("stub_call_ns: %s\n", fixed(stub, 3).c_str());
  std::printf("direct_call_ns: %s\n", fixed(directCall, 3).c_str());
  std::printf("stub_overhead_ns: %s\n", fixed(stub - directCall, 3).c_str());
  std::printf("rebuild_samples_ms: %s\n", list(rebuildMs).c_str());
  std::printf("hotcc_reload_samples_ms: %s\n", list(hotMs).c_str());
  std::fflush(stdout);

  engine.reset();  // runs the hot code's static destructors while its code is still mapped
  if (opts.keep) {
    std::printf("kept %s\n", tmp.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }
  return 0;
}
