// The REPL's session core: the session file's headers and flags (a PCH when it can), turning a
// list of entries into a new version of the file and compiling it through the engine (which
// compiles only what changed), and creating the session.
#include "hotcc/cache_dir.hpp"
#include "hotcc/repl.hpp"

#include "hotcc/repl/value_printer.hpp"
#include "input_text.hpp"
#include "outcome_facts.hpp"
#include "repl_impl.hpp"
#include "session_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace hotcc {

namespace fs = std::filesystem;
using repl::Entry;

namespace {

// Included whole the first time an input includes any of them: one PCH serves every later
// include of a common header, in this session and the next.
const char *const kCommonHeaders[] = {
    "algorithm", "array",    "bitset",     "cassert",  "cctype",        "chrono",
    "climits",   "cmath",    "cstddef",    "cstdint",  "cstdio",        "cstdlib",
    "cstring",   "deque",    "fstream",    "functional", "initializer_list", "iomanip",
    "iostream",  "iterator", "limits",     "list",     "map",           "memory",
    "numeric",   "optional", "queue",      "set",      "sstream",       "stack",
    "stdexcept", "string",   "string_view", "tuple",   "type_traits",   "unordered_map",
    "unordered_set", "utility", "variant", "vector"};

bool isCommonHeader(const std::string &name) {
  return std::find(std::begin(kCommonHeaders), std::end(kCommonHeaders), name) !=
         std::end(kCommonHeaders);
}

bool isCommonInclude(const Entry &entry) {
  std::string name;
  bool angled = false;
  return entry.kind == Entry::Kind::Include && repl::parseInclude(entry.text, name, angled) &&
         angled && isCommonHeader(name);
}

} // namespace

ReplSession::ReplSession() : impl_(std::make_unique<Impl>()) {}

ReplSession::~ReplSession() {
  if (impl_->ownsWorkDir) {
    std::error_code ec;
    fs::remove_all(impl_->workDir, ec);
  }
}

bool ReplSession::needsMoreInput(const std::string &text) {
  return repl::needsMoreInput(text);
}

std::string ReplSession::sessionText() const {
  return impl_->render(impl_->entries);
}

const Failure *ReplSession::headerCacheFailure() const {
  return impl_->headerCacheFailure ? &*impl_->headerCacheFailure : nullptr;
}

std::string ReplSession::helpText() {
  return "Enter C++: declarations and definitions stay; statements run once; an expression\n"
         "without a trailing ';' prints its value. Redefine a function, variable or type by\n"
         "entering it again: earlier callers see the new definition.\n"
         "An unbalanced (, [ or {, or a trailing \\, continues the input on the next line.\n"
         "  %undo [N]      forget the last N inputs that defined something (default 1)\n"
         "  %lib PATH      load a shared library; its functions can be declared and called\n"
         "  %I DIR         add DIR to the header search path\n"
         "  %time EXPR     evaluate EXPR and say how long compiling and running it took\n"
         "  %reset         forget every definition and include\n"
         "  %help          this text\n"
         "  %quit          leave (Ctrl-D too)\n";
}

std::string ReplSession::Impl::prelude(const std::vector<Entry> &list) const {
  // No PCH: the same headers lead the file and the engine's in-memory preamble caches them.
  return (pchPath.empty() ? headerTextFor(list) : std::string()) + options.prelude;
}

bool ReplSession::Impl::usesCommonHeaders(const std::vector<Entry> &list) const {
  return std::any_of(list.begin(), list.end(), isCommonInclude);
}

std::string ReplSession::Impl::headerTextFor(const std::vector<Entry> &list) const {
  std::string text = "#include \"" + valuePrinterHeader + "\"\n";
  for (auto &inc : options.includes)
    text += "#include " + (inc.front() == '<' ? inc : "\"" + inc + "\"") + "\n";
  if (usesCommonHeaders(list))
    for (auto *name : kCommonHeaders)
      text += std::string("#include <") + name + ">\n";
  for (auto &entry : list)
    if (entry.kind == Entry::Kind::Include && entry.precompiled && !isCommonInclude(entry))
      text += entry.text + "\n";
  return text;
}

std::vector<std::string> ReplSession::Impl::searchArgs() const {
  // Quoted includes are found from where the user started the REPL; overload errors list the
  // best candidates only, not every operator<< in the standard library.
  std::vector<std::string> args = {"-iquote", fs::current_path().string(),
                                   "-fshow-overloads=best"};
  for (auto &dir : includeDirs)
    args.push_back("-I" + dir);
  return args;
}

Status ReplSession::Impl::configure(const std::vector<Entry> &list, bool rebuild,
                                    bool onlyAdds) {
  FileConfig config;
  config.extraArgs = searchArgs();
  if (!options.precompileHeaders) {
    pchPath.clear();
    config.usePreamble = true;
    engine->session().configureFile(sessionFile, config);
    return Status::ok();
  }
  std::string headerText = headerTextFor(list);
  if (headerText == pchHeaderText && !rebuild && !pchPath.empty())
    return Status::ok();
  auto pch = engine->session().precompiledHeader(headerText, cacheDir, config.extraArgs, rebuild);
  if (!pch)
    return Status::fail(pch.failure());
  if (pch->built && options.onHeadersPrecompiled)
    options.onHeadersPrecompiled(pch->path);
  pchPath = pch->path;
  pchHeaderText = headerText;
  config.extraArgs.insert(config.extraArgs.begin(), {"-include-pch", pch->path});
  config.usePreamble = false;
  config.onlyAddsHeaders = onlyAdds;
  engine->session().configureFile(sessionFile, config);
  return Status::ok();
}

ReloadReport ReplSession::Impl::compile(const SessionReload &how) {
  return added ? engine->session().reloadFile(sessionFile, how) : engine->addFile(sessionFile);
}

ReplSession::Impl::Attempt ReplSession::Impl::apply(std::vector<Entry> candidate, int input,
                                                    bool full,
                                                    const std::vector<std::string> &alsoFresh) {
  {
    std::ofstream out(sessionFile, std::ios::trunc);
    out << render(candidate);
  }
  fresh_storage::ForRedefinitionsIn fresh{alsoFresh};
  fresh.files.push_back(repl::inputName(input));
  SessionReload how{fresh, full ? BodyReuse::ParseAll : BodyReuse::SkipUnchanged};
  Attempt attempt;
  attempt.report = compile(how);
  if (!attempt.report.ok && !pchPath.empty() &&
      repl::precompiledHeaderIsStale(attempt.report.failures)) {
    // A header changed since the cached PCH was built (a package upgrade): build it again.
    if (configure(candidate, /*rebuild=*/true))
      attempt.report = compile(how);
  }
  attempt.ok = attempt.report.ok;
  added = added || attempt.ok;
  if (attempt.ok)
    commit(std::move(candidate));
  return attempt;
}

void ReplSession::Impl::commit(std::vector<Entry> candidate) {
  auto definitions = [](const std::vector<Entry> &list) {
    std::vector<std::pair<int, std::string>> out;
    for (auto &entry : list)
      if (entry.kind != Entry::Kind::Cell)
        out.emplace_back(entry.input, entry.text);
    return out;
  };
  if (definitions(candidate) != definitions(entries))
    history.push_back(entries);
  entries = std::move(candidate);
}

ReplResult ReplSession::Impl::rejection(const Attempt &attempt, const std::string &subject) const {
  ReplResult result;
  result.ok = false;
  result.failures = attempt.report.failures;
  repl::inSessionTerms(result.failures, termsFor(subject));
  return result;
}

void ReplSession::Impl::noteWarnings(const Attempt &attempt, int input, ReplResult &result) const {
  auto name = repl::inputName(input);
  auto warnings = repl::diagnosticsIn(attempt.report.warnings, name);
  repl::inSessionTerms(warnings, termsFor(name));
  result.warnings.insert(result.warnings.end(), warnings.begin(), warnings.end());
  auto notices = repl::noticesForTheUser(attempt.report.notices);
  result.notices.insert(result.notices.end(), notices.begin(), notices.end());
}

namespace {

// The session's own directory: a new temporary one, or the host's.
Result<std::string> makeWorkDir(const std::string &requested, bool &owned) {
  owned = requested.empty();
  if (!owned) {
    std::error_code ec;
    fs::create_directories(requested, ec);
    return requested;
  }
  std::string pattern = (fs::temp_directory_path() / "hotcc-repl-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    return failure::SetupError{fs::temp_directory_path().string(),
                               "cannot create a directory for the REPL session: " +
                                   std::string(std::strerror(errno))};
  return pattern;
}

} // namespace

Result<std::unique_ptr<ReplSession>> ReplSession::create(Engine &engine, ReplOptions options) {
  std::unique_ptr<ReplSession> session(new ReplSession());
  auto &impl = *session->impl_;
  impl.engine = &engine;
  impl.options = std::move(options);
  impl.cacheDir = impl.options.cacheDir.empty() ? defaultCacheDir() : impl.options.cacheDir;
  impl.valuePrinterHeader = HOTCC_RUNTIME_INCLUDE_DIR "/hotcc/repl/value_printer.hpp";
  // Cells call the printer's compiled half by name: make sure the host links it in.
  static void (*volatile printerAnchor)(hotcc_repl::Sink *, bool) = &hotcc_repl::putBool;
  (void)printerAnchor;
  auto workDir = makeWorkDir(impl.options.workDir, impl.ownsWorkDir);
  if (!workDir)
    return workDir.failure();
  impl.workDir = *workDir;
  impl.sessionFile = (fs::path(impl.workDir) / "session.cpp").string();
  std::ofstream(impl.sessionFile, std::ios::trunc).close();
  if (auto status = impl.configure({}, false); !status) {
    // A broken cache or unwritable cache dir must not stop the REPL: parse headers instead.
    impl.headerCacheFailure = status.failure();
    impl.options.precompileHeaders = false;
    impl.configure({}, false);
  }
  // With a host's prelude, compile now so its mistakes show at once; without one the first input
  // adds the file (one compile less before the first answer).
  if (!impl.options.prelude.empty() || !impl.options.includes.empty()) {
    auto attempt = impl.apply({}, 0, true);
    if (!attempt.ok) {
      auto rejected = impl.rejection(attempt, "the REPL's prelude");
      return rejected.failures.empty() ? Failure(failure::InternalError{"the prelude failed"})
                                       : rejected.failures.front();
    }
  }
  return std::move(session);
}

} // namespace hotcc
