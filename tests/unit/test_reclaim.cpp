// Reclamation of retired code: a version is freed only once no thread is in it, and reloads under
// threads calling at full speed give old or new results, never garbage.
#include "engine_fixture.hpp"

#include "hotcc/thread_registry.hpp"

#include <atomic>
#include <condition_variable>
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
