// What `hotcc test` prints: one line per test file, the failures, and "N passed, M failed".
#pragma once
#include "hotcc/test_session.hpp"

#include <string>
#include <vector>

namespace hotcc::cli {

// A file as the user would name it: relative to the working directory when inside it.
std::string displayPath(const std::string &path);

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

} // namespace hotcc::cli
