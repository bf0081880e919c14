// libFuzzer target: mutated C++ sources through the frontend and a reload of one long-lived
// engine. Each input is written over the program's file and reloaded. The outcome must be a
// value (ok, or !ok with typed failures), never a crash or a hang; after a refused input the
// previous code must still answer; after an accepted one the good program is reloaded back and
// must answer again. Run with plain files as arguments it replays them once each: that is how
// tests/fuzz/corpus and tests/fuzz/regressions run as a ctest entry.
#include "hotcc/engine.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>
#include <variant>

namespace {

// The program every input replaces. score(2) == 7. No side effects at load time, and its answer
// reads no mutable global, so an accepted input's new globals cannot change it.
const char *kGood = R"(struct Point { int x, y; };
int counter = 0;
template <typename T> T twice(T v) { return v + v; }
int helper(int x) { return twice(x) + 1; }
int score(int n) { Point p{n, helper(n)}; return p.x + p.y; }
)";
constexpr int kAnswer = 7;

// Hot code from a mutated input never runs here, but a reload runs its global initializers. So
// an input that names what could touch the machine (processes, files, sockets, inline assembly)
// is skipped rather than loaded: a fuzzer must not delete files because a mutation happened to
// spell unlink("..."). "/dev/" and "/proc/": an #include or #embed of /dev/stdin or /dev/zero
// blocks or never ends. Plain substrings, deliberately broad: missing some inputs costs nothing.
bool mayTouchTheMachine(const std::string &text) {
  static const char *const kWords[] = {"asm",    "system", "exec",   "fork",   "kill",
                                       "unlink", "remove", "rename", "fopen",  "open(",
                                       "socket", "syscall", "popen", "dlopen", "mmap",
                                       "mprotect", "ptrace", "chmod", "truncate", "write(",
                                       "/dev/",  "/proc/"};
  for (const char *word : kWords)
    if (text.find(word) != std::string::npos)
      return true;
  return false;
}

[[noreturn]] void finding(const char *what, const hotcc::ReloadReport *report = nullptr) {
  std::fprintf(stderr, "fuzz_reload: %s\n", what);
  if (report)
    for (auto &f : report->failures)
      std::fprintf(stderr, "  failure: %s\n", hotcc::kindName(f));
  std::abort();  // libFuzzer saves the input as a crash-* artifact
}

struct Session {
  std::filesystem::path dir;
  std::string path;
  std::unique_ptr<hotcc::Engine> engine;

  Session() {
    dir = std::filesystem::temp_directory_path() /
          ("hotcc-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    path = (dir / "hot.cpp").string();
    start();
  }
  ~Session() {
    engine.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  void write(const std::string &text) const { std::ofstream(path, std::ios::trunc) << text; }

  // A fresh engine on the good program: at start, and when an accepted input left state the
  // good program cannot be reloaded over (a global it turned into a function, say).
  void start() {
    engine.reset();
    write(kGood);
    auto created = hotcc::Engine::create({});
    if (!created)
      finding("Engine::create failed");
    engine = std::move(*created);
    auto report = engine->addFile(path);
    if (!report.ok)
      finding("the good program does not load", &report);
    check("after loading the good program");
  }

  void check(const char *when) {
    auto *score = engine->lookupFunction<int(int)>("_Z5scorei");
    if (!score)
      finding(when);
    if (score(2) != kAnswer) {
      std::fprintf(stderr, "fuzz_reload: score(2) == %d, not %d, %s\n", score(2), kAnswer, when);
      std::abort();
    }
  }
};

// A report is a value: ok, or not ok with at least one typed failure saying why.
void checkTyped(const hotcc::ReloadReport &report) {
  if (!report.ok && report.failures.empty())
    finding("a refused reload without a failure");
  for (auto &f : report.failures)
    if (std::holds_alternative<hotcc::failure::InternalError>(f))
      finding("internal error", &report);
}

Session &session() {
  static Session s;
  return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  Session &s = session();
  std::string text(reinterpret_cast<const char *>(data), size);
  if (mayTouchTheMachine(text))
    return -1;  // -1: not added to the corpus
  s.write(text);
  auto report = s.engine->reloadFile(s.path);
  checkTyped(report);
  if (!report.ok) {
    s.check("after a refused reload (the previous code must still run)");
    return 0;
  }
  // Accepted: its code is not called. Put the good program back; it must answer again.
  s.write(kGood);
  auto back = s.engine->reloadFile(s.path);
  checkTyped(back);
  if (back.ok)
    s.check("after reloading the good program back");
  else
    s.start();
  return 0;
}
