#include "test_output.hpp"

#include "hotcc/render_json.hpp"

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace hotcc::cli {

namespace {

std::string plural(std::size_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string milliseconds(double ms) {
  std::ostringstream out;
  out.precision(0);
  out << std::fixed << ms << " ms";
  return out.str();
}

using json = render::Json;

// A load's outcomes as a reload report, so the renderer says them the way it says a reload's
// (warnings a compile error carries are said once, refusals grouped by file).
ReloadReport asReport(const TestFileLoad &load) {
  ReloadReport report;
  report.ok = load.ok;
  report.files = {load.file};
  report.failures = load.failures;
  report.warnings = load.warnings;
  return report;
}

// The failure's own fields (kind and subjects), for nesting in another event.
json failureFields(const Failure &failure) {
  json fields = json::parse(render::jsonFailure(failure));
  fields.erase("schema");
  fields.erase("event");
  return fields;
}

} // namespace

std::string displayPath(const std::string &path) {
  std::error_code ec;
  auto relative = fs::relative(path, fs::current_path(ec), ec);
  if (ec || relative.empty() || relative.native().rfind("..", 0) == 0)
    return path;
  return relative.string();
}

std::string fileLine(const TestFileLoad &load, const TestRunResult &run, double ms, bool firstRun) {
  std::size_t cases = 0, failed = 0;
  long assertions = 0;
  bool counted = true;
  for (auto &c : run.cases) {
    if (c.file != load.file)
      continue;
    ++cases;
    failed += c.passed ? 0 : 1;
    counted = counted && c.assertions >= 0;
    assertions += c.assertions >= 0 ? c.assertions : 0;
  }
  std::string line = fs::path(load.file).filename().string() + ": ";
  if (cases == 0)
    return line + (load.tests == 0 ? "defines no test cases\n"
                                   : "none of its " +
                                         plural(load.tests, "test case", "test cases") +
                                         " selected\n");
  if (firstRun) {
    line += plural(cases, "test case", "test cases");
    if (failed == 0 && counted)
      line += ", " + plural(static_cast<std::size_t>(assertions), "assertion", "assertions");
  } else {
    line += plural(load.recompiledTests, "test case", "test cases") + " recompiled, " +
            std::to_string(cases) + " run";
  }
  line += failed == 0 ? " \u2014 all passed" : " \u2014 " + std::to_string(failed) + " failed";
  line += " (" + milliseconds(ms) + (firstRun ? ", first run)" : ")");
  return line + "\n";
}

std::string failureBlock(const TestRunResult &run) {
  std::string out;
  for (auto &c : run.cases) {
    if (c.passed)
      continue;
    out += "  FAILED: \"" + c.name + "\" (" + displayPath(c.file) + ":" + std::to_string(c.line) +
           ")\n";
    for (auto &f : c.failures) {
      std::istringstream lines(f.text);
      std::string first;
      std::getline(lines, first);
      out += "    " + displayPath(f.file) + ":" + std::to_string(f.line) + ": " + first + "\n";
      for (std::string more; std::getline(lines, more);)
        out += "      " + more + "\n";
    }
  }
  return out;
}

std::string summaryLine(const TestRunResult &run) {
  return std::to_string(run.passed) + " passed, " + std::to_string(run.failed) + " failed\n";
}

std::string noTestRan(const TestRunResult &run, const std::vector<std::string> &frameworkArgs) {
  std::string out = "hotcc: error: no test ran: ";
  if (run.available == 0)
    return out + "the test files define no test cases\n";
  std::string selection;
  for (auto &arg : frameworkArgs)
    selection += (selection.empty() ? "" : " ") + arg;
  out += selection.empty() ? "none" : "the selection `" + selection + "` matched none";
  return out + " of their " + plural(run.available, "test case", "test cases") + "\n";
}

std::string loadOutcomes(const TestFileLoad &load, const render::Style &style) {
  return render::reload(asReport(load), style, /*verbose=*/false, /*quiet=*/true);
}

std::string jsonTestFile(const TestFileLoad &load) {
  json out = render::jsonEvent("test-file");
  out["file"] = load.file;
  out["framework"] = load.framework;
  out["ok"] = load.ok;
  out["tests"] = load.tests;
  out["recompiledTests"] = load.recompiledTests;
  out["ms"] = render::jsonMs(load.ms);
  return render::jsonLine(out);
}

std::vector<std::string> jsonLoadOutcomes(const TestFileLoad &load) {
  // render::jsonReload says a report's diagnostics and failures as a reload does, then ends with
  // its "reload" event: a test file's load is said by its "test-file" event instead.
  auto lines = render::jsonReload(asReport(load));
  lines.pop_back();
  return lines;
}

std::string jsonTestCase(const TestCaseResult &testCase) {
  json out = render::jsonEvent("test-case");
  out["name"] = testCase.name;
  out["file"] = testCase.file;
  out["line"] = testCase.line;
  out["passed"] = testCase.passed;
  out["assertions"] = testCase.assertions >= 0 ? json(testCase.assertions) : json(nullptr);
  json failures = json::array();
  for (auto &f : testCase.failures)
    failures.push_back({{"file", f.file}, {"line", f.line}, {"text", f.text}});
  out["failures"] = failures;
  out["crash"] = testCase.crash ? failureFields(*testCase.crash) : json(nullptr);
  return render::jsonLine(out);
}

std::string jsonTestRun(const TestRunResult &run) {
  json out = render::jsonEvent("test-run");
  out["passed"] = run.passed;
  out["failed"] = run.failed;
  out["available"] = run.available;
  out["assertions"] = run.assertions;
  out["ms"] = render::jsonMs(run.ms);
  return render::jsonLine(out);
}

} // namespace hotcc::cli
