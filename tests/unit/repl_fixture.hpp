// A REPL session over its own engine, as `hotcc repl` makes one, with a PCH cache shared by the
// tests (kept in the build directory, so only the first run pays for building it). Failures are
// checked by their kinds and fields; the renderer only explains a failed check.
#pragma once
#include "hotcc/engine_session.hpp"
#include "hotcc/render.hpp"
#include "hotcc/repl.hpp"

#include <catch2/catch.hpp>

namespace hotcc::test {

// Everything a result says, as `hotcc repl` would show it (for INFO only).
inline std::string shown(const ReplResult &result) {
  std::string text = result.output;
  for (auto &f : result.failures)
    text += render::failure(f);
  return text + render::diagnostics(result.warnings);
}

struct ReplFixture {
  explicit ReplFixture(ReplOptions options = {}, EngineOptions engineOptions = {}) {
    engineOptions.languageStandard = "c++20";
    auto created = Engine::create(engineOptions);
    INFO((created ? std::string() : render::failure(created.failure())));
    REQUIRE(created);
    engine = std::move(*created);
    engine->session().setQuiescent(true);  // nothing runs between inputs
    options.cacheDir = HOTCC_TEST_CACHE_DIR;
    auto made = ReplSession::create(*engine, options);
    INFO((made ? std::string() : render::failure(made.failure())));
    REQUIRE(made);
    session = std::move(*made);
  }

  // Evaluates input that must succeed; returns what it printed.
  std::string ok(const std::string &input) {
    auto result = session->eval(input);
    INFO("input: " << input << "\n" << shown(result));
    REQUIRE(result.ok);
    return result.output;
  }

  // Evaluates input that must fail; returns the result.
  ReplResult fails(const std::string &input) {
    auto result = session->eval(input);
    INFO("input: " << input << "\noutput: " << result.output);
    REQUIRE_FALSE(result.ok);
    REQUIRE_FALSE(result.failures.empty());
    return result;
  }

  std::unique_ptr<Engine> engine;
  std::unique_ptr<ReplSession> session;
};

// The first failure of kind `Kind` in `result` (the check fails when there is none).
template <typename Kind> Kind failureOf(const ReplResult &result) {
  for (auto &f : result.failures)
    if (auto *kind = std::get_if<Kind>(&f))
      return *kind;
  INFO("failures: " << shown(result));
  FAIL("no failure of the expected kind");
  return {};
}

// The first error diagnostic of the result's compile error.
inline Diagnostic firstError(const ReplResult &result) {
  for (auto &d : failureOf<failure::CompileError>(result).diagnostics)
    if (d.severity == Severity::Error || d.severity == Severity::Fatal)
      return d;
  INFO("failures: " << shown(result));
  FAIL("the compile error has no error diagnostic");
  return {};
}

} // namespace hotcc::test
