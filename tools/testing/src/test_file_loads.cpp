// Compiling test files and recording their tests: each file through the engine between the
// adapter's begin_file and end_file, or several at once when their tests are made together (a
// GoogleTest suite with its TEST_Ps and an instantiation in different files).
#include "hotcc/crash_guard.hpp"
#include "hotcc/support.hpp"
#include "test_session_impl.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace fs = std::filesystem;

namespace hotcc {

namespace {

std::string fileOfLocation(const std::string &location, int &line) {
  auto colon = location.rfind(':');
  line = colon == std::string::npos ? 0 : std::atoi(location.c_str() + colon + 1);
  return colon == std::string::npos ? location : location.substr(0, colon);
}

// The lines of `path` where a function got a new body in this reload.
std::set<int> changedLines(const std::string &path, const ReloadReport &report) {
  std::set<int> lines;
  for (auto &location : report.compiledAt) {
    int line = 0;
    if (fileOfLocation(location, line) == path)
      lines.insert(line);
  }
  return lines;
}

} // namespace

// The framework header comes from a cached PCH, so a test file's compile parses only the file;
// the file's own #include of it then finds the header's guard already defined.
Status TestSession::Impl::configureTestFile(const std::string &path,
                                            const testing::FrameworkUse &use) {
  auto dir = fs::path(path).parent_path().string();
  std::vector<std::string> search = {"-I" + dir};
  auto key = use.includeLine + "\n" + dir;
  auto known = pchs.find(key);
  if (known == pchs.end()) {
    auto pch = engine->session().precompiledHeader(use.includeLine + "\n", cacheDir, search,
                                                    /*rebuild=*/false);
    if (!pch)
      return Status::fail(pch.failure());
    known = pchs.emplace(key, pch->path).first;
  }
  FileConfig config;
  config.extraArgs = {"-include-pch", known->second, "-I" + dir};
  config.usePreamble = true;
  engine->session().configureFile(path, config);
  return Status::ok();
}

// A file the session has not loaded yet gets its framework's adapter and flags.
bool TestSession::Impl::prepare(const std::string &path, TestFileLoad &load) {
  load.file = path;
  auto known = files.find(path);
  if (known == files.end() || !known->second.adapter) {
    auto fail = [&](const Failure &failure) {
      load.failures.push_back(failure);
      files.erase(path);
      return false;
    };
    auto use = testing::detectFramework(path, engine->options().includeDirs);
    if (!use)
      return fail(use.failure());
    auto adapter = adapterFor(*use);
    if (!adapter)
      return fail(adapter.failure());
    if (auto configured = configureTestFile(path, *use); !configured)
      return fail(configured.failure());
    auto &file = files[path];
    file.adapter = *adapter;
    file.order = files.size();
  }
  load.framework = files[path].adapter->api->framework;
  return true;
}

// One compile of a prepared file, its registrations recorded for it.
ReloadReport TestSession::Impl::compile(const std::string &path) {
  auto &file = files[path];
  auto *api = file.adapter->api;
  std::error_code ec;
  file.attempted = fs::last_write_time(path, ec);

  auto known = engine->files();
  bool inEngine = std::find(known.begin(), known.end(), path) != known.end();
  api->begin_file(path.c_str());
  ReloadReport report;
  if (!inEngine || !file.loadedOnce) {
    report = inEngine ? engine->reloadFile(path) : engine->addFile(path);
  } else {
    // Every registration object of the file is created afresh, so its initializer registers the
    // test again (a renamed or retagged test included) and a deleted test is gone.
    SessionReload how;
    how.freshStorage =
        fresh_storage::ForRegistrationsIn{{path}, file.adapter->use.registrationGlobals()};
    report = engine->session().reloadFile(path, how);
  }
  // Under the crash guard: an adapter making tests runs the files' generators and name
  // generators, and GoogleTest's checks abort on a bad name.
  int keep = report.ok ? 1 : 0;
  auto ended = runGuarded([&] { api->end_file(path.c_str(), keep); });
  if (!ended.ok()) {
    api->end_file(path.c_str(), 0);  // the file keeps the tests it had
    report.ok = false;
    report.failures.push_back(
        ended.crash("registering the tests of " + fs::path(path).filename().string()));
  }
  spdlog::debug("{}: {} functions compiled, {} globals made afresh, {} new globals", path,
                report.compiled.size(), report.replacedGlobals.size(), report.addedGlobals.size());
  return report;
}

// The load's outcome once the file's tests are recorded.
void TestSession::Impl::finish(const std::string &path, const ReloadReport &report,
                               TestFileLoad &load) {
  auto &file = files[path];
  auto *api = file.adapter->api;
  load.ok = report.ok;
  load.failures.insert(load.failures.end(), report.failures.begin(), report.failures.end());
  load.warnings.insert(load.warnings.end(), report.warnings.begin(), report.warnings.end());
  load.tests = api->test_count(path.c_str());
  if (report.ok && file.loadedOnce) {
    auto lines = changedLines(path, report);
    for (std::size_t i = 0; i < load.tests; ++i)
      load.recompiledTests += lines.count(api->test_line(path.c_str(), i));
  }
  file.loadedOnce = file.loadedOnce || report.ok;
}

TestFileLoad TestSession::Impl::loadOne(const std::string &path, ReloadReport &report) {
  auto start = Clock::now();
  TestFileLoad load;
  if (!prepare(path, load))
    return load;
  report = compile(path);
  finish(path, report, load);
  load.ms = msSince(start);
  return load;
}

// The files of this session whose tests the adapter makes together with `path`'s, in the
// session's order.
std::vector<std::string> TestSession::Impl::companionsOf(const std::string &path) {
  auto it = files.find(path);
  if (it == files.end() || !it->second.adapter || !it->second.adapter->api->companions)
    return {};
  auto *api = it->second.adapter->api;
  std::vector<const char *> names(api->companions(path.c_str(), nullptr, 0));
  names.resize(api->companions(path.c_str(), names.data(), names.size()));
  std::vector<std::string> out;
  for (auto *name : names)
    if (auto other = files.find(name);
        other != files.end() && other->second.adapter == it->second.adapter)
      out.push_back(name);
  return out;
}

// Files compiled again together, their registrations one group. `earlier`: what compiling a file
// alone just before did (its changed tests count as recompiled).
std::vector<TestFileLoad> TestSession::Impl::loadGroup(
    std::vector<std::string> paths, const std::map<std::string, ReloadReport> &earlier) {
  auto start = Clock::now();
  std::sort(paths.begin(), paths.end(),
            [&](auto &a, auto &b) { return files[a].order < files[b].order; });
  auto *api = files[paths.front()].adapter->api;
  spdlog::debug("{} files make their parameterized tests together", paths.size());

  api->begin_group();
  std::vector<ReloadReport> reports;
  for (auto &path : paths)
    reports.push_back(compile(path));
  if (auto made = runGuarded([&] { api->end_group(); }); !made.ok()) {
    reports.front().ok = false;
    reports.front().failures.push_back(made.crash("making the parameterized tests of " +
                                                  fs::path(paths.front()).filename().string() +
                                                  " and its companions"));
  }

  std::vector<TestFileLoad> loads;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto &report = reports[i];
    if (auto before = earlier.find(paths[i]); before != earlier.end()) {
      report.compiled.insert(report.compiled.end(), before->second.compiled.begin(),
                             before->second.compiled.end());
      report.compiledAt.insert(report.compiledAt.end(), before->second.compiledAt.begin(),
                               before->second.compiledAt.end());
    }
    TestFileLoad load;
    load.file = paths[i];
    load.framework = api->framework;
    finish(paths[i], report, load);
    load.ms = msSince(start);
    loads.push_back(std::move(load));
  }
  return loads;
}

std::vector<TestFileLoad> TestSession::Impl::load(const std::vector<std::string> &paths) {
  std::vector<TestFileLoad> out;
  std::set<std::string> done;
  for (auto &path : paths) {
    if (done.count(path))
      continue;
    auto companions = companionsOf(path);
    std::vector<TestFileLoad> loads;
    std::map<std::string, ReloadReport> alone;
    if (companions.empty()) {
      loads.push_back(loadOne(path, alone[path]));
      // Its tests may turn out to be made together with other files' (the first time they are).
      if (loads.back().ok)
        companions = companionsOf(path);
    }
    if (!companions.empty()) {
      companions.insert(companions.begin(), path);
      loads = loadGroup(companions, alone);
    }
    for (auto &load : loads)
      if (done.insert(load.file).second)
        out.push_back(std::move(load));
  }
  return out;
}

} // namespace hotcc
