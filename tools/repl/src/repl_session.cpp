// The REPL's core: turning one input into a new version of the session file, compiling it through
// the engine (which compiles only what changed), and running what the input asked to run.
#include "hotcc/cache_dir.hpp"
#include "hotcc/repl.hpp"

#include "hotcc/crash_guard.hpp"
#include "hotcc/repl/value_printer.hpp"
#include "input_text.hpp"
#include "repl_impl.hpp"
#include "session_text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

namespace hotcc {

namespace fs = std::filesystem;
using repl::Entry;

namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

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

// "#include <vector>" → ("vector", true); "#include "a.h"" → ("a.h", false).
bool parseInclude(const std::string &line, std::string &name, bool &angled) {
  auto rest = repl::trim(line.substr(1));
  if (rest.rfind("include", 0) != 0)
    return false;
  rest = repl::trim(rest.substr(7));
  if (rest.size() < 3)
    return false;
  char open = rest[0];
  char close = open == '<' ? '>' : open == '"' ? '"' : 0;
  auto end = close ? rest.find(close, 1) : std::string::npos;
  if (end == std::string::npos)
    return false;
  name = rest.substr(1, end - 1);
  angled = open == '<';
  return repl::trim(rest.substr(end + 1)).empty() || rest.substr(end + 1).find("//") != std::string::npos;
}

std::string formatDuration(double ms) {
  char buf[64];
  if (ms < 1)
    std::snprintf(buf, sizeof buf, "%.1f us", ms * 1000);
  else
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// Inputs starting like this are declarations whatever else they could parse as.
bool startsWithDeclarationKeyword(const std::string &text) {
  static const char *const words[] = {"struct", "class", "union", "enum", "namespace", "template",
                                      "typedef", "using", "extern", "static", "inline",
                                      "constexpr", "consteval", "concept"};
  for (const char *word : words) {
    auto n = std::strlen(word);
    if (text.compare(0, n, word) == 0 &&
        (text.size() == n || !(std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '_')))
      return true;
  }
  return false;
}



// Clang's "N errors generated." and the engine's advice for running programs mean nothing here.
std::string tidyError(std::string error, const std::string &sessionFile) {
  std::string out;
  std::istringstream in(error);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(" generated.") != std::string::npos ||
        line.find("restart the program") != std::string::npos ||
        line.find("the running code keeps its current version") != std::string::npos)
      continue;
    for (std::string from : {"refusing to reload " + fs::path(sessionFile).filename().string(),
                             "cannot link " + fs::path(sessionFile).filename().string()})
      if (auto pos = line.find(from); pos != std::string::npos)
        line.replace(pos, from.size(), from[0] == 'r' ? "refusing this input" : "cannot link this input");
    // A cell is the REPL's wrapper, not something the user named.
    for (auto pos = line.find("__hotcc_cell_"); pos != std::string::npos;
         pos = line.find("__hotcc_cell_", pos)) {
      auto end = line.find_first_not_of("0123456789", pos + 13);
      line.replace(pos, (end == std::string::npos ? line.size() : end) - pos, "this input");
    }
    out += line + "\n";
  }
  return out;
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
  for (auto &entry : list) {
    std::string name;
    bool angled = false;
    if (entry.kind == Entry::Kind::Include && parseInclude(entry.text, name, angled) && angled &&
        isCommonHeader(name))
      return true;
  }
  return false;
}

std::string ReplSession::Impl::headerTextFor(const std::vector<Entry> &list) const {
  std::string text = "#include \"" + valuePrinterHeader + "\"\n";
  for (auto &inc : options.includes)
    text += "#include " + (inc.front() == '<' ? inc : "\"" + inc + "\"") + "\n";
  if (usesCommonHeaders(list))
    for (auto *name : kCommonHeaders)
      text += std::string("#include <") + name + ">\n";
  for (auto &entry : list) {
    std::string name;
    bool angled = false;
    if (entry.kind == Entry::Kind::Include && entry.precompiled &&
        !(parseInclude(entry.text, name, angled) && angled && isCommonHeader(name)))
      text += entry.text + "\n";
  }
  return text;
}

bool ReplSession::Impl::configure(const std::vector<Entry> &list, bool rebuild,
                                  std::string &error, bool onlyAdds) {
  // Quoted includes are found from where the user started the REPL; overload errors list the
  // best candidates only, not every operator<< in the standard library.
  std::vector<std::string> searchArgs = {"-iquote", fs::current_path().string(),
                                         "-fshow-overloads=best"};
  for (auto &dir : includeDirs)
    searchArgs.push_back("-I" + dir);
  FileConfig config;
  config.extraArgs = searchArgs;
  if (!options.precompileHeaders) {
    pchPath.clear();
    config.usePreamble = true;
    engine->configureFile(sessionFile, config);
    return true;
  }
  std::string headerText = headerTextFor(list);
  if (headerText == pchHeaderText && !rebuild && !pchPath.empty())
    return true;
  bool built = false;
  auto path = engine->precompiledHeader(headerText, cacheDir, searchArgs, rebuild, built, error);
  if (path.empty())
    return false;
  if (built)
    spdlog::info("hotcc: precompiled the session's headers into {}", path);
  pchPath = path;
  pchHeaderText = headerText;
  config.extraArgs.insert(config.extraArgs.begin(), {"-include-pch", path});
  config.usePreamble = false;
  config.onlyAddsHeaders = onlyAdds;
  engine->configureFile(sessionFile, config);
  return true;
}

ReplSession::Impl::Attempt ReplSession::Impl::apply(std::vector<Entry> candidate, int input,
                                                    bool full,
                                                    const std::vector<std::string> &alsoFresh) {
  Attempt attempt;
  {
    std::ofstream out(sessionFile, std::ios::trunc);
    out << render(candidate);
  }
  ReloadRequest request;
  request.freshGlobalsFrom = alsoFresh;
  request.freshGlobalsFrom.push_back(repl::inputName(input));
  request.fullCompile = full;
  auto compile = [&] {
    return added ? engine->reloadFile(sessionFile, request) : engine->addFile(sessionFile);
  };
  attempt.report = compile();
  if (!attempt.report.ok && pchPath.size() &&
      attempt.report.error.find("precompiled header") != std::string::npos) {
    // A header changed since the cached PCH was built (a package upgrade): build it again.
    std::string error;
    if (configure(candidate, /*rebuild=*/true, error))
      attempt.report = compile();
  }
  attempt.ok = attempt.report.ok;
  added = added || attempt.ok;
  if (attempt.ok)
    commit(std::move(candidate));
  else
    attempt.error = tidyError(attempt.report.error, sessionFile);
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

void ReplSession::Impl::warningsOf(const Attempt &attempt, int input, ReplResult &result) const {
  for (auto &note : attempt.report.notes)
    if (note.find(repl::inputName(input) + ":") != std::string::npos)
      result.error += repl::diagnosticsIn(note, repl::inputName(input));
}

std::unique_ptr<ReplSession> ReplSession::create(Engine &engine, ReplOptions options,
                                                 std::string &error) {
  std::unique_ptr<ReplSession> session(new ReplSession());
  auto &impl = *session->impl_;
  impl.engine = &engine;
  impl.options = std::move(options);
  impl.cacheDir = impl.options.cacheDir.empty() ? defaultCacheDir() : impl.options.cacheDir;
  impl.valuePrinterHeader = HOTCC_RUNTIME_INCLUDE_DIR "/hotcc/repl/value_printer.hpp";
  // Cells call the printer's compiled half by name: make sure the host links it in.
  static void (*volatile printerAnchor)(hotcc_repl::Sink *, bool) = &hotcc_repl::putBool;
  (void)printerAnchor;
  if (impl.options.workDir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "hotcc-repl-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      error = "hotcc: error: cannot create a directory for the session in " +
              fs::temp_directory_path().string();
      return nullptr;
    }
    impl.workDir = pattern;
    impl.ownsWorkDir = true;
  } else {
    impl.workDir = impl.options.workDir;
    std::error_code ec;
    fs::create_directories(impl.workDir, ec);
  }
  impl.sessionFile = (fs::path(impl.workDir) / "session.cpp").string();
  {
    std::ofstream out(impl.sessionFile, std::ios::trunc);
  }
  if (!impl.configure({}, false, error)) {
    // A broken cache or unwritable cache dir must not stop the REPL: parse headers instead.
    spdlog::warn("hotcc: no precompiled header ({}); headers will be parsed in memory", error);
    error.clear();
    impl.options.precompileHeaders = false;
    impl.configure({}, false, error);
  }
  // With a host's prelude, compile now so its mistakes show at once; without one the first input
  // adds the file (one compile less before the first answer).
  if (!impl.options.prelude.empty() || !impl.options.includes.empty()) {
    auto attempt = impl.apply({}, 0, true);
    if (!attempt.ok) {
      error = "hotcc: error: the REPL session does not compile:\n" + attempt.error;
      return nullptr;
    }
  }
  return session;
}

ReplResult ReplSession::eval(const std::string &rawInput) {
  auto &impl = *impl_;
  // A backslash-newline stays: Clang splices it, and a multi-line #define needs it.
  std::string text = repl::trim(rawInput);
  if (text.empty())
    return {};
  auto shape = repl::shapeOf(text);
  if (shape == repl::InputShape::Command) {
    if (text.rfind("%time", 0) == 0 && text.size() > 5 && std::isspace(static_cast<unsigned char>(text[5]))) {
      // Whatever the input is, run it as usual and say how long it took.
      auto result = eval(repl::trim(text.substr(5)));
      if (result.ok)
        result.output += "time: compile " + formatDuration(result.compileMs) + ", run " +
                         formatDuration(result.runMs) + "\n";
      return result;
    }
    return impl.evalCommand(text);
  }
  int input = ++impl.inputCounter;
  auto started = Clock::now();
  ReplResult result;
  switch (shape) {
  case repl::InputShape::Directive: {
    std::string name;
    bool angled = false;
    if (parseInclude(text, name, angled))
      result = impl.evalInclude(text, input);
    else
      result = impl.evalDeclaration(text, input, Entry::Kind::Directive);
    break;
  }
  case repl::InputShape::Expression: {
    std::string valueError;
    result = impl.evalCell(repl::valueCellBody(input, text), input, true, &valueError);
    if (!result.ok && !valueError.empty()) {
      // "int x = 5" or "struct P {}" without the ';': a declaration after all?
      std::string declarationError;
      auto retry = impl.evalDeclaration(text + ";", input, Entry::Kind::Code, &declarationError);
      if (retry.ok)
        result = retry;
      else if (repl::looksLikeDeclaration(text))
        result.error = declarationError;
    }
    break;
  }
  case repl::InputShape::Declaration:
  case repl::InputShape::Statement: {
    bool declarationFirst = shape == repl::InputShape::Declaration;
    std::string firstError, secondError;
    result = declarationFirst
                 ? impl.evalDeclaration(text, input, Entry::Kind::Code, &firstError)
                 : impl.evalCell(repl::statementCellBody(input, text), input, false, &firstError);
    // A declaration that failed for a reason other than not parsing as one (a lambda's capture
    // default, a refused change) must report that, not become a local variable of a statement.
    const bool parsedAsDeclaration =
        firstError.find("unknown type name") == std::string::npos &&
        firstError.find("type specifier is required") == std::string::npos &&
        firstError.find("expected") == std::string::npos;
    const bool declarationOnly =
        declarationFirst && (impl.declarationUnderstood || startsWithDeclarationKeyword(text) ||
                             parsedAsDeclaration);
    if (!result.ok && !firstError.empty() && !declarationOnly) {
      auto retry = declarationFirst
                       ? impl.evalCell(repl::statementCellBody(input, text), input, false,
                                       &secondError)
                       : impl.evalDeclaration(text, input, Entry::Kind::Code, &secondError);
      if (retry.ok || secondError.empty())
        result = retry;  // succeeded, or compiled and then failed when it ran
      else if (text.back() == '}') {
        // "std::vector<int>{1, 2}" ends like a block but is a value.
        std::string valueError;
        auto value = impl.evalCell(repl::valueCellBody(input, text), input, true, &valueError);
        if (value.ok || valueError.empty())
          result = value;
      }
    }
    break;
  }
  case repl::InputShape::Command:
    break;
  }
  if (result.compileMs == 0)
    result.compileMs = msSince(started) - result.runMs;
  return result;
}

ReplResult ReplSession::Impl::evalInclude(const std::string &text, int input) {
  ReplResult result;
  // After a #define the include must see it: it goes into the text in order, not into the PCH.
  bool afterDirective = std::any_of(entries.begin(), entries.end(), [](auto &e) {
    return e.kind == Entry::Kind::Directive;
  });
  auto candidate = entries;
  emptyCells(candidate);
  Entry entry{Entry::Kind::Include, input, text};
  entry.precompiled = options.precompileHeaders && !afterDirective;
  candidate.push_back(entry);
  std::string error;
  if (entry.precompiled) {
    // The PCH build checks the header; nothing compiled so far needs compiling again (earlier
    // inputs were made before the include, as in any REPL), so no compile happens now.
    if (!configure(candidate, false, error, /*onlyAdds=*/true)) {
      result.ok = false;
      result.error = tidyError(error, sessionFile);
      configure(entries, false, error);
      return result;
    }
    commit(std::move(candidate));
    return result;
  }
  if (!options.precompileHeaders)
    configure(candidate, false, error);
  auto attempt = apply(candidate, input, true);
  if (!attempt.ok) {
    configure(entries, false, error);
    result.ok = false;
    result.error = attempt.error;
  }
  return result;
}

ReplResult ReplSession::Impl::evalDeclaration(const std::string &text, int input, Entry::Kind kind,
                                              std::string *errorOut) {
  ReplResult result;
  declarationUnderstood = false;
  auto candidate = entries;
  emptyCells(candidate);
  candidate.push_back({kind, input, text});
  auto attempt = apply(candidate, input, false);
  if (!attempt.ok) {
    // A redefinition: Clang points at the earlier input ("previous definition is here"). Put the
    // new text in its place, so what follows still sees a definition; failing that, at the end.
    std::set<int> replaced;
    for (auto &point : repl::diagnosticPoints(attempt.report.error))
      if (point.severity == "note" && point.file.rfind("input_", 0) == 0 &&
          point.message.rfind("previous", 0) == 0)
        replaced.insert(std::atoi(point.file.c_str() + 6));
    replaced.erase(input);
    declarationUnderstood = !replaced.empty() || attempt.error.find("refusing") != std::string::npos;
    bool found = false;
    for (auto &entry : entries)
      found = found || (replaced.count(entry.input) && entry.kind != Entry::Kind::Cell);
    if (found) {
      auto inPlace = entries;
      emptyCells(inPlace);
      auto first = std::find_if(inPlace.begin(), inPlace.end(), [&](auto &e) {
        return replaced.count(e.input) && e.kind != Entry::Kind::Cell;
      });
      *first = {kind, input, text};
      inPlace.erase(std::remove_if(first + 1, inPlace.end(),
                                   [&](auto &e) {
                                     return replaced.count(e.input) && e.kind != Entry::Kind::Cell;
                                   }),
                    inPlace.end());
      auto second = apply(inPlace, input, true);
      if (!second.ok) {
        auto atEnd = entries;
        emptyCells(atEnd);
        atEnd.erase(std::remove_if(atEnd.begin(), atEnd.end(),
                                   [&](auto &e) {
                                     return replaced.count(e.input) && e.kind != Entry::Kind::Cell;
                                   }),
                    atEnd.end());
        atEnd.push_back({kind, input, text});
        auto third = apply(atEnd, input, true);
        if (third.ok)
          second = std::move(third);
      }
      if (second.ok) {
        warningsOf(second, input, result);
        return result;
      }
      attempt = std::move(second);
    }
    result.ok = false;
    result.error = attempt.error;
    if (errorOut)
      *errorOut = attempt.error;
    return result;
  }
  warningsOf(attempt, input, result);
  return result;
}

ReplResult ReplSession::Impl::evalCell(const std::string &body, int input, bool isValue,
                                       std::string *errorOut) {
  ReplResult result;
  auto started = Clock::now();
  auto candidate = entries;
  std::string cellName;
  if (!candidate.empty() && candidate.back().kind == Entry::Kind::Cell) {
    candidate.back().text = body;
    cellName = candidate.back().cellName;
  } else {
    emptyCells(candidate);
    cellName = "__hotcc_cell_" + std::to_string(cellCounter + 1);
    Entry cell{Entry::Kind::Cell, input, body};
    cell.cellName = cellName;
    candidate.push_back(cell);
  }
  auto attempt = apply(candidate, input, false);
  if (!attempt.ok) {
    result.ok = false;
    result.error = attempt.error;
    if (errorOut)
      *errorOut = attempt.error;
    return result;
  }
  if (cellName == "__hotcc_cell_" + std::to_string(cellCounter + 1))
    ++cellCounter;
  warningsOf(attempt, input, result);
  result.compileMs = msSince(started);

  CapturedValueType type;
  if (auto it = attempt.report.capturedValues.find(cellName);
      it != attempt.report.capturedValues.end()) {
    type = it->second;
    cellTypes[cellName] = {body, type};
  } else if (auto known = cellTypes.find(cellName);
             known != cellTypes.end() && known->second.first == body) {
    type = known->second.second;
  }

  auto *cell = reinterpret_cast<void (*)(void *)>(engine->lookup(cellName));
  if (!cell) {
    result.ok = false;
    result.error = "hotcc: internal error: the input compiled but " + cellName + " is missing\n";
    return result;
  }
  hotcc_repl::Sink sink;
  auto runStarted = Clock::now();
  auto outcome = runGuarded([&] { cell(&sink); });
  result.runMs = msSince(runStarted);
  std::fflush(stdout);
  std::cout.flush();
  if (!outcome.ok()) {
    result.ok = false;
    if (outcome.kind == GuardedOutcome::Kind::Exception)
      result.error = "error: uncaught exception " + outcome.message + "\n";
    else
      result.error = "error: " + outcome.message + " while running " + repl::inputName(input) +
                     "; the session and its definitions are intact\n";
    return result;
  }
  if (isValue && sink.captured) {
    std::string typeText = type.type.empty() ? "?" : type.type;
    if (sink.byAddress && type.lvalue)
      typeText += " &";
    result.output = "(" + typeText + ") " + sink.text + "\n";
  }
  return result;
}

} // namespace hotcc
