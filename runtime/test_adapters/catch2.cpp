// The Catch2 v2 adapter of `hotcc test`: Catch's own implementation (CATCH_CONFIG_RUNNER) plus
// what hotcc needs around it, compiled once per Catch version and flags into a cached shared
// library. Test files are JIT-compiled against the plain header; their AutoReg constructor calls
// are bound to recordTest() below, so tests are kept per file and replaced on reload; what they
// hand Catch to own goes through catch2_ownership.hpp. Catch's own registry only grows and caches its sorted list, so the run loop is ours too — the same steps as
// Catch's TestGroup (parse the command line, sort, filter by the test spec, RunContext::runTest),
// over our list.
//
// HOTCC_CATCH_HEADER is the header the test files include (the user's copy or the system's).
#define CATCH_CONFIG_RUNNER
// hotcc's guard handles signals per test; Catch's handler would end the process.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#include HOTCC_CATCH_HEADER

#include "catch2_ownership.hpp"
#include "file_registrations.hpp"
#include "hotcc/test_adapter_abi.h"

#include <cstring>
#include <exception>
#include <memory>
#include <set>
#include <string>

namespace {

const hotcc_test_host *activeHost = nullptr;  // during run()
constexpr const char *kIsolationPrefix = "hotcc-isolation: ";

// A crash or timeout inside a test, as an exception Catch reports like any other.
class IsolationFailure : public std::exception {
public:
  explicit IsolationFailure(const char *reason) : text_(std::string(kIsolationPrefix) + reason) {}
  const char *what() const noexcept override { return text_.c_str(); }

private:
  std::string text_;
};

// Runs the test body under the host's guard: a signal or timeout becomes an IsolationFailure.
class GuardedInvoker : public Catch::ITestInvoker {
public:
  explicit GuardedInvoker(Catch::ITestInvoker *inner) : inner_(inner) {}
  void invoke() const override {
    if (!activeHost) {
      inner_->invoke();
      return;
    }
    char reason[512] = {};
    auto call = [](void *invoker) { static_cast<Catch::ITestInvoker *>(invoker)->invoke(); };
    if (activeHost->guard(activeHost->context, call, inner_.get(), reason, sizeof reason) != 0)
      throw IsolationFailure(reason);
  }

private:
  std::unique_ptr<Catch::ITestInvoker> inner_;
};

hotcc_adapter::FileRegistrations<Catch::TestCase> &registrations() {
  // Never destroyed: at exit the JIT'd code a test's invoker belongs to may be gone already.
  static auto *instance = new hotcc_adapter::FileRegistrations<Catch::TestCase>();
  return *instance;
}

// File names outlive the JIT'd string literal they came from (old code may be freed).
const char *internFileName(const char *file) {
  static std::set<std::string> names;
  return names.insert(file ? file : "").first->c_str();
}

// Bound to Catch::AutoReg::AutoReg(...) in test files: same arguments, `this` first.
void recordTest(Catch::AutoReg *, Catch::ITestInvoker *invoker, Catch::SourceLineInfo const &lineInfo,
                Catch::StringRef const &classOrMethod, Catch::NameAndTags const &nameAndTags) noexcept {
  try {
    Catch::SourceLineInfo owned(internFileName(lineInfo.file), lineInfo.line);
    registrations().add(Catch::makeTestCase(new GuardedInvoker(invoker),
                                            Catch::extractClassName(classOrMethod), nameAndTags,
                                            owned));
  } catch (...) {
    Catch::getMutableRegistryHub().registerStartupException();
  }
}

std::string failureText(Catch::AssertionStats const &stats) {
  auto const &result = stats.assertionResult;
  std::string expression = result.hasExpression() ? result.getExpressionInMacro() : "";
  std::string text = "FAILED: ";
  switch (result.getResultType()) {
  case Catch::ResultWas::ThrewException: {
    std::string message = result.getMessage();
    if (message.rfind(kIsolationPrefix, 0) == 0)
      return text + message.substr(std::strlen(kIsolationPrefix));
    text += expression.empty() ? "" : expression + " ";
    text += "due to unexpected exception with message: " + message;
    break;
  }
  case Catch::ResultWas::FatalErrorCondition:
    text += "due to a fatal error condition: " + result.getMessage();
    break;
  case Catch::ResultWas::DidntThrowException:
    text += expression + " because no exception was thrown where one was expected";
    break;
  case Catch::ResultWas::ExplicitFailure:
    text += "explicitly with message: " + result.getMessage();
    break;
  default:
    text += expression;
    if (result.hasExpandedExpression())
      text += " with expansion: " + result.getExpandedExpression();
    else if (result.hasMessage())
      text += " with message: " + result.getMessage();
  }
  for (auto const &info : stats.infoMessages)
    if (info.type == Catch::ResultWas::Info)
      text += " with message: " + info.message;
  return text;
}

// Feeds the host every test case's outcome; listens beside whichever reporter prints.
class HostListener : public Catch::TestEventListenerBase {
public:
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(Catch::TestCaseInfo const &info) override {
    TestEventListenerBase::testCaseStarting(info);
    activeHost->case_started(activeHost->context, info.name.c_str(), info.lineInfo.file,
                             static_cast<int>(info.lineInfo.line));
  }
  bool assertionEnded(Catch::AssertionStats const &stats) override {
    auto const &result = stats.assertionResult;
    if (!result.isOk()) {
      auto where = result.getSourceInfo();
      activeHost->failure(activeHost->context, where.file, static_cast<int>(where.line),
                          failureText(stats).c_str());
    }
    return true;
  }
  void testCaseEnded(Catch::TestCaseStats const &stats) override {
    TestEventListenerBase::testCaseEnded(stats);
    activeHost->case_ended(activeHost->context, stats.totals.testCases.failed == 0,
                           static_cast<long>(stats.totals.assertions.total()));
  }
};

// The reporter when the user asked for none: hotcc prints its own summary.
class QuietReporter : public Catch::TestEventListenerBase {
public:
  using TestEventListenerBase::TestEventListenerBase;
};

bool namesReporter(int argc, const char *const *args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = args[i];
    if (a == "-r" || a == "--reporter" || a.rfind("-r=", 0) == 0 || a.rfind("--reporter=", 0) == 0)
      return true;
  }
  return false;
}

void copyError(const std::string &message, char *error, size_t size) {
  if (size == 0)
    return;
  std::strncpy(error, message.c_str(), size - 1);
  error[size - 1] = '\0';
}

int run(int argc, const char *const *args, const char *const *files, size_t fileCount,
        const hotcc_test_host *host, char *error, size_t errorSize) {
  Catch::ConfigData data;
  auto parsed = Catch::makeCommandLineParser(data).parse(Catch::clara::Args(argc, args));
  if (!parsed) {
    copyError("Catch2: " + parsed.errorMessage(), error, errorSize);
    return -1;
  }
  if (data.showHelp || data.listTests || data.listTestNamesOnly || data.listTags ||
      data.listReporters) {
    copyError("Catch2: --help and --list-* are not supported by hotcc test; select tests with a "
              "test spec (\"[tag]\", names, ~exclusions)",
              error, errorSize);
    return -1;
  }
  try {
    auto config = std::make_shared<Catch::Config>(data);
    Catch::seedRng(*config);
    Catch::getCurrentMutableContext().setConfig(config);

    std::vector<std::string> wanted(files, files + fileCount);
    std::vector<Catch::TestCase> candidates;
    for (auto *test : registrations().select(wanted))
      candidates.push_back(*test);
    Catch::enforceNoDuplicateTestCases(candidates);
    auto sorted = Catch::sortTests(*config, candidates);
    auto selected = Catch::filterTests(sorted, config->testSpec(), *config);

    Catch::IStreamingReporterPtr reporter =
        namesReporter(argc, args)
            ? Catch::getRegistryHub().getReporterRegistry().create(config->getReporterName(), config)
            : Catch::IStreamingReporterPtr(new QuietReporter(Catch::ReporterConfig(config)));
    if (!reporter) {
      copyError("Catch2: no reporter named '" + config->getReporterName() + "'", error, errorSize);
      return -1;
    }
    auto multi = std::make_unique<Catch::ListeningReporter>();
    multi->addListener(std::make_unique<HostListener>(Catch::ReporterConfig(config)));
    multi->addReporter(std::move(reporter));

    activeHost = host;
    {
      Catch::RunContext context(config, std::move(multi));
      context.testGroupStarting(config->name(), 1, 1);
      Catch::Totals totals;
      for (auto const &test : selected)
        if (!context.aborting())
          totals += context.runTest(test);
      context.testGroupEnded(config->name(), totals, 1, 1);
    }
    activeHost = nullptr;
  } catch (std::exception const &e) {
    activeHost = nullptr;
    copyError(std::string("Catch2: ") + e.what(), error, errorSize);
    return -1;
  }
  return 0;
}

const hotcc_test_symbol kOverrides[] = {
    {"_ZN5Catch7AutoRegC1EPNS_12ITestInvokerERKNS_14SourceLineInfoERKNS_9StringRefERKNS_"
     "11NameAndTagsE",
     reinterpret_cast<void *>(&recordTest)},
    {"_ZN5Catch7AutoRegC2EPNS_12ITestInvokerERKNS_14SourceLineInfoERKNS_9StringRefERKNS_"
     "11NameAndTagsE",
     reinterpret_cast<void *>(&recordTest)},
    {"_ZN5Catch21getMutableRegistryHubEv",
     reinterpret_cast<void *>(&hotcc_adapter::filesRegistryHub)},
};

#define HOTCC_STRINGIFY2(x) #x
#define HOTCC_STRINGIFY(x) HOTCC_STRINGIFY2(x)

const hotcc_test_adapter kAdapter = {
    HOTCC_TEST_ABI_VERSION,
    "Catch2 " HOTCC_STRINGIFY(CATCH_VERSION_MAJOR) "." HOTCC_STRINGIFY(
        CATCH_VERSION_MINOR) "." HOTCC_STRINGIFY(CATCH_VERSION_PATCH),
    kOverrides,
    sizeof kOverrides / sizeof kOverrides[0],
    [](const char *file) {
      registrations().begin(file);
      hotcc_adapter::filesHub().setLoadingFile(file ? file : "");
    },
    [](const char *file, int keep) {
      registrations().end(file, keep != 0);
      hotcc_adapter::filesHub().setLoadingFile("");
    },
    [](const char *file) -> size_t { return registrations().of(file ? file : "").size(); },
    [](const char *file, size_t index) -> int {
      auto &tests = registrations().of(file ? file : "");
      return index < tests.size() ? static_cast<int>(tests[index].lineInfo.line) : 0;
    },
    run,
    nullptr,  // Catch2 makes every test in the file that declares it
    nullptr,
    nullptr,
    [](const char *file) {
      registrations().drop(file ? file : "");
      hotcc_adapter::filesHub().drop(file ? file : "");
    },
};

} // namespace

extern "C" __attribute__((visibility("default"))) const hotcc_test_adapter *hotcc_test_adapter_v1() {
  return &kAdapter;
}
