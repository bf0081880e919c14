// Reclamation of retired code: a version is freed only once no thread is in it, and reloads under
// threads calling at full speed give old or new results, never garbage.
#include "engine_fixture.hpp"

#include "hotcc/thread_registry.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

using hotcc::test::EngineFixture;

namespace {
std::mutex gateMutex;
std::condition_variable gateChanged;
bool entered = false, released = false;
} // namespace

// Hot code calls this from inside version 1: the thread blocks here until the test releases it.
extern "C" void hotcc_test_reclaim_wait() {
  std::unique_lock lock(gateMutex);
  entered = true;
  gateChanged.notify_all();
  gateChanged.wait(lock, [] { return released; });
}

static std::string workVersion(int k) {
  if (k == 1)
    return "extern \"C\" void hotcc_test_reclaim_wait();\n"
           "int work(int x) { int base = x + 40; hotcc_test_reclaim_wait(); return base + 1; }\n";
  return "int work(int x) { return x + " + std::to_string(k) + "; }\n";
}

TEST_CASE("reclaim: a version a sleeping thread is inside is freed only after it returns",
          "[reclaim]") {
  EngineFixture f(workVersion(1));
  auto *work = f.fn<int(int)>("work");
  // No local here holds version 1's address: the scan of this thread's own stack would find it.

  int result = 0;
  std::thread sleeper([&] {
    hotcc::ThreadRegistration registration;
    result = work(0);  // enters version 1, blocks in hotcc_test_reclaim_wait
  });
  {
    std::unique_lock lock(gateMutex);
    gateChanged.wait(lock, [] { return entered; });
  }

  f.editOk(workVersion(2));
  f.editOk(workVersion(3));
  REQUIRE(work(0) == 3);

  // Version 1 is neither current nor the rollback target (version 2 is): it is retired, but the
  // sleeper's stack returns into it.
  auto stats = f.engine->reclaimRetiredCode();
  CHECK(stats.passes == 1);
  CHECK(stats.reclaimed == 0);
  CHECK(stats.heldByThreads == 1);
  auto history = f.engine->registry().find("work")->history;
  CHECK(history.at(0).retired);
  CHECK_FALSE(history.at(0).reclaimed);

  {
    std::lock_guard lock(gateMutex);
    released = true;
  }
  gateChanged.notify_all();
  sleeper.join();
  CHECK(result == 41);  // finished in version 1's code

  stats = f.engine->reclaimRetiredCode();
  CHECK(stats.reclaimed == 1);
  CHECK(stats.heldByThreads == 0);
  history = f.engine->registry().find("work")->history;
  CHECK(history.at(0).reclaimed);
  CHECK(work(5) == 8);
  // Version 2 (what a rollback returns to) is kept; a rollback past it is refused.
  CHECK_FALSE(history.at(1).reclaimed);
  REQUIRE(f.engine->rollback("work"));
  CHECK(work(0) == 2);
  CHECK_FALSE(f.engine->rollback("work"));
}

// Threads hotcc did not start or register (a library's worker calling back into hot code) are
// stopped and scanned as well: a pass that skipped them would free the code under them.
TEST_CASE("reclaim: an unregistered thread inside a version holds it too", "[reclaim]") {
  {
    std::lock_guard lock(gateMutex);
    entered = released = false;
  }
  EngineFixture f(workVersion(1));
  auto *work = f.fn<int(int)>("work");

  int result = 0;
  bool registered = true;
  std::thread sleeper([&] {
    registered = hotcc::thisThreadRegistered();
    result = work(0);  // enters version 1 and blocks there, registered nowhere
  });
  {
    std::unique_lock lock(gateMutex);
    gateChanged.wait(lock, [] { return entered; });
  }
  CHECK_FALSE(registered);
  f.editOk(workVersion(2));
  f.editOk(workVersion(3));

  auto stats = f.engine->reclaimRetiredCode();
  CHECK(stats.passes == 1);
  CHECK(stats.reclaimed == 0);
  CHECK(stats.heldByThreads == 1);
  CHECK_FALSE(f.engine->registry().find("work")->history.at(0).reclaimed);

  {
    std::lock_guard lock(gateMutex);
    released = true;
  }
  gateChanged.notify_all();
  sleeper.join();
  CHECK(result == 41);  // returned into version 1's code, which was still there

  stats = f.engine->reclaimRetiredCode();
  CHECK(stats.reclaimed == 1);
  CHECK(f.engine->registry().find("work")->history.at(0).reclaimed);
}

// A thread that blocks the stop signal cannot be stopped, so it cannot be scanned: nothing is
// freed, and the pass says so at once instead of waiting for an answer that never comes.
TEST_CASE("reclaim: a thread that blocks the stop signal makes a pass free nothing",
          "[reclaim]") {
  EngineFixture f(workVersion(2));
  f.editOk(workVersion(3));
  f.editOk(workVersion(4));

  std::atomic<bool> blocking{false}, stop{false};
  std::thread blocker([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, hotcc::threadStopSignal());
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    blocking = true;
    while (!stop)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  while (!blocking)
    std::this_thread::yield();

  auto started = std::chrono::steady_clock::now();
  auto stats = f.engine->reclaimRetiredCode();
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(stats.passesSkipped == 1);
  CHECK(stats.passes == 0);
  CHECK(stats.reclaimed == 0);
  CHECK(took < std::chrono::seconds(1));  // the signal mask says it: no 2 s deadline

  stop = true;
  blocker.join();
  stats = f.engine->reclaimRetiredCode();
  CHECK(stats.passes == 1);
  CHECK(stats.reclaimed == 1);
}

static std::string stressVersion(int reload) {
  // Alternating bodies; the salt gives each reload a body of its own (a new version to retire).
  int add = reload % 2 ? 1 : 2;
  std::string salt = "volatile int salt = " + std::to_string(reload) + "; (void)salt; ";
  return "int fa(int x) { " + salt + "return 3 * x + " + std::to_string(add) + "; }\n"
         "int fb(int x) { " + salt + "return 5 * x + " + std::to_string(add) + "; }\n"
         "int fc(int x) { " + salt + "return 7 * x + " + std::to_string(add) + "; }\n";
}

TEST_CASE("reclaim: reloads while threads call at full speed return old or new results",
          "[reclaim]") {
  hotcc::EngineOptions options;
  options.reclaimRetiredCode = true;
  options.reclaimEveryReloads = 3;
  EngineFixture f(stressVersion(0), "stress.cpp", options);
  auto *fa = f.fn<int(int)>("fa");
  auto *fb = f.fn<int(int)>("fb");
  auto *fc = f.fn<int(int)>("fc");

  std::atomic<bool> stop{false};
  std::atomic<long> calls{0}, wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      hotcc::ThreadRegistration registration;
      long made = 0, bad = 0;
      for (int x = t; !stop.load(std::memory_order_relaxed); x = (x + 1) & 1023, made += 3) {
        int a = fa(x) - 3 * x, b = fb(x) - 5 * x, c = fc(x) - 7 * x;
        bad += (a != 1 && a != 2) + (b != 1 && b != 2) + (c != 1 && c != 2);
      }
      calls += made;
      wrong += bad;
    });
  for (int reload = 1; reload <= 30; ++reload)
    f.editOk(stressVersion(reload));
  stop = true;
  for (auto &caller : callers)
    caller.join();
  auto stats = f.engine->reclaimRetiredCode();
  CHECK(calls > 0);
  CHECK(wrong == 0);
  CHECK(stats.reclaimed > 0);
  CHECK(stats.retained <= 4);  // the current version and the rollback target, at most a few held
  CHECK(fa(1) == 3 + 2);
}

// Last in this file: the flag it sets is the process's for good, and stops every later pass.
// A fiber's suspended frames are on no thread's current stack: once hot code switches stacks
// (swapcontext, bound to hotcc_swapcontext), no pass frees anything.
TEST_CASE("reclaim: a program that switches stacks makes every pass free nothing", "[reclaim]") {
  auto fiberProgram = [](int k) {
    return "#include <ucontext.h>\n"
           "static ucontext_t mainContext, fiberContext;\n"
           "static char fiberStack[65536];\n"
           "static int fiberRan = 0;\n"
           "static void fiberBody() { fiberRan = 1; }\n"
           "int runFiber() {\n"
           "  getcontext(&fiberContext);\n"
           "  fiberContext.uc_stack.ss_sp = fiberStack;\n"
           "  fiberContext.uc_stack.ss_size = sizeof fiberStack;\n"
           "  fiberContext.uc_link = &mainContext;\n"
           "  makecontext(&fiberContext, fiberBody, 0);\n"
           "  swapcontext(&mainContext, &fiberContext);\n"
           "  return fiberRan;\n"
           "}\n" +
           workVersion(k);
  };
  // The first load keeps its module (fiberBody's address is taken); 3 is retired under 4 and 5.
  EngineFixture f(fiberProgram(2));
  f.editOk(fiberProgram(3));
  f.editOk(fiberProgram(4));
  f.editOk(fiberProgram(5));
  REQUIRE_FALSE(hotcc::programSwitchedStacks());
  CHECK(f.fn<int()>("runFiber")() == 1);
  CHECK(hotcc::programSwitchedStacks());

  auto stats = f.engine->reclaimRetiredCode();
  CHECK(stats.passesSkipped == 1);
  CHECK(stats.reclaimed == 0);
}
