// An engine over one temporary source file, for tests that rewrite the file and reload.
#pragma once
#include "hotcc/engine.hpp"
#include "outcome_checks.hpp"
#include "temp_source.hpp"

#include <catch2/catch.hpp>

namespace hotcc::test {

struct EngineFixture {
  explicit EngineFixture(const std::string &text, const std::string &name = "hot.cpp",
                         EngineOptions options = {})
      : source(name, text) {
    engine = makeEngine(std::move(options));
    REQUIRE(engine);
    auto report = engine->addFile(source.path());
    INFO(summary(report));
    REQUIRE(report.ok);
  }

  ReloadReport edit(const std::string &text) {
    source.write(text);
    return engine->reloadFile(source.path());
  }

  ReloadReport editOk(const std::string &text) {
    auto report = edit(text);
    INFO(summary(report));
    REQUIRE(report.ok);
    return report;
  }

  template <typename Fn> Fn *fn(const std::string &name) {
    auto *f = engine->lookupFunction<Fn>(name);
    REQUIRE(f != nullptr);
    return f;
  }

  TempSource source;
  std::unique_ptr<Engine> engine;
};

} // namespace hotcc::test
