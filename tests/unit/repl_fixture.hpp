// A REPL session over its own engine, as `hotcc repl` makes one, with a PCH cache shared by the
// tests (kept in the build directory, so only the first run pays for building it).
#pragma once
#include "hotcc/repl.hpp"

#include <catch2/catch.hpp>

namespace hotcc::test {

struct ReplFixture {
  explicit ReplFixture(ReplOptions options = {}, EngineOptions engineOptions = {}) {
    engineOptions.languageStandard = "c++20";
    engineOptions.quiescent = true;
    std::string error;
    engine = Engine::create(engineOptions, error);
    REQUIRE(engine);
    options.cacheDir = HOTCC_TEST_CACHE_DIR;
    session = ReplSession::create(*engine, options, error);
    INFO(error);
    REQUIRE(session);
  }

  // Evaluates input that must succeed; returns what it printed.
  std::string ok(const std::string &input) {
    auto result = session->eval(input);
    INFO("input: " << input << "\nerror: " << result.error);
    REQUIRE(result.ok);
    return result.output;
  }

  // Evaluates input that must fail; returns the error text.
  std::string fails(const std::string &input) {
    auto result = session->eval(input);
    INFO("input: " << input << "\noutput: " << result.output);
    REQUIRE_FALSE(result.ok);
    return result.error;
  }

  std::unique_ptr<Engine> engine;
  std::unique_ptr<ReplSession> session;
};

} // namespace hotcc::test
