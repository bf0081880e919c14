// What `hotcc test` shows. For people (stdout): one line per test file, the failures, and
// "N passed, M failed"; a file that could not be loaded through hotcc_render (stderr). For
// machines (--json): one JSON object per line, {"schema": 1, "event": ...}:
//   "test-file"   one per load: file, framework, ok, tests, recompiledTests, ms
//   "diagnostic"  / "failure": why a load failed (render::jsonDiagnostic / jsonFailure), its
//                 warnings; a run's failure (a framework refusing its arguments)
//   "test-case"   one per test case run: name, file, line, passed, assertions (null: not
//                 counted), failures [{file, line, text}], crash (the crash's failure object
//                 without schema and event, or null)
//   "test-run"    the summary: passed, failed, available, assertions, ms
#pragma once
#include "hotcc/render.hpp"
#include "hotcc/test_session.hpp"

#include <string>
#include <vector>

namespace hotcc::cli {

// A file as the user would name it: relative to the working directory when inside it.
std::string displayPath(const std::string &path);

// ---- For people ----

// "test_geometry.cpp: 14 test cases, 52 assertions — all passed (310 ms, first run)", or after a
// reload "test_geometry.cpp: 1 test case recompiled, 14 run — 1 failed (38 ms)"; a file none of
// whose tests ran says so ("main.cpp: defines no test cases").
std::string fileLine(const TestFileLoad &load, const TestRunResult &run, double ms, bool firstRun);

// Every failed test case with its failures, indented under it.
std::string failureBlock(const TestRunResult &run);

// "N passed, M failed"
std::string summaryLine(const TestRunResult &run);

// Why a run that ran no test is an error: the files define none, or the selection matched none.
std::string noTestRan(const TestRunResult &run, const std::vector<std::string> &frameworkArgs);

// A load's warnings and, when it failed, its failures (clang's diagnostics for a compile error).
std::string loadOutcomes(const TestFileLoad &load, const render::Style &style);

// ---- For machines (--json) ----

std::string jsonTestFile(const TestFileLoad &load);
// The "diagnostic" and "failure" events of a load: each warning (when no compile error carries
// it), each compile error's diagnostics, then each failure.
std::vector<std::string> jsonLoadOutcomes(const TestFileLoad &load);
std::string jsonTestCase(const TestCaseResult &testCase);
std::string jsonTestRun(const TestRunResult &run);

} // namespace hotcc::cli
