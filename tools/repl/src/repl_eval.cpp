// Evaluating one input: deciding what it is (an include, a declaration, statements, a value) from
// its shape and from what the compiler said about each try, then compiling it into the session
// and running what it asked to run.
#include "hotcc/repl.hpp"

#include "hotcc/crash_guard.hpp"
#include "hotcc/repl/value_printer.hpp"
#include "hotcc/support.hpp"
#include "input_text.hpp"
#include "outcome_facts.hpp"
#include "repl_impl.hpp"
#include "session_text.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace hotcc {

using repl::Entry;

namespace {

std::string formatDuration(double ms) {
  char buf[64];
  if (ms < 1)
    std::snprintf(buf, sizeof buf, "%.1f us", ms * 1000);
  else
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

bool isTimeCommand(const std::string &text) {
  return text.rfind("%time", 0) == 0 && text.size() > 5 &&
         std::isspace(static_cast<unsigned char>(text[5]));
}

// Keeps the entries that did not come from one of `inputs` (cells always stay).
void dropInputs(std::vector<Entry> &list, const std::set<int> &inputs) {
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](auto &e) {
                              return inputs.count(e.input) && e.kind != Entry::Kind::Cell;
                            }),
             list.end());
}

} // namespace

ReplResult ReplSession::eval(const std::string &rawInput) {
  auto &impl = *impl_;
  // A backslash-newline stays: Clang splices it, and a multi-line #define needs it.
  std::string text = repl::trim(rawInput);
  if (text.empty())
    return {};
  auto shape = repl::shapeOf(text);
  if (shape == repl::InputShape::Command) {
    if (!isTimeCommand(text))
      return impl.evalCommand(text);
    // Whatever the input is, run it as usual and say how long it took.
    auto result = eval(repl::trim(text.substr(5)));
    if (result.ok)
      result.output += "time: compile " + formatDuration(result.compileMs) + ", run " +
                       formatDuration(result.runMs) + "\n";
    return result;
  }
  int input = ++impl.inputCounter;
  auto started = Clock::now();
  ReplResult result;
  std::string name;
  bool angled = false;
  if (shape == repl::InputShape::Directive)
    result = repl::parseInclude(text, name, angled)
                 ? impl.evalInclude(text, input)
                 : impl.evalDeclaration(text, input, Entry::Kind::Directive).result;
  else if (shape == repl::InputShape::Expression)
    result = impl.evalExpression(text, input);
  else
    result = impl.evalCode(text, input, shape == repl::InputShape::Declaration);
  if (result.compileMs == 0)
    result.compileMs = msSince(started) - result.runMs;
  return result;
}

ReplResult ReplSession::Impl::evalExpression(const std::string &text, int input) {
  auto value = evalCell(repl::valueCellBody(input, text), input, true);
  if (value.result.ok || !value.rejected)
    return value.result;
  // "int x = 5" or "struct P {}" without the ';': a declaration after all?
  auto declaration = evalDeclaration(text + ";", input, Entry::Kind::Code);
  if (declaration.result.ok)
    return declaration.result;
  // Report what the text most looks like it meant.
  return repl::looksLikeDeclaration(text) ? declaration.result : value.result;
}

ReplResult ReplSession::Impl::evalCode(const std::string &text, int input, bool declarationFirst) {
  auto first = declarationFirst ? evalDeclaration(text, input, Entry::Kind::Code)
                                : evalCell(repl::statementCellBody(input, text), input, false);
  if (first.result.ok || !first.rejected)
    return first.result;
  // A declaration that failed for a reason other than not parsing as one (a lambda's capture
  // default, a refused change) must report that, not become a local variable of a statement.
  const bool declarationOnly =
      declarationFirst && (declarationUnderstood || repl::startsWithDeclarationKeyword(text) ||
                           repl::parsedAsDeclaration(first.result.failures));
  if (declarationOnly)
    return first.result;
  auto retry = declarationFirst ? evalCell(repl::statementCellBody(input, text), input, false)
                                : evalDeclaration(text, input, Entry::Kind::Code);
  if (retry.result.ok || !retry.rejected)
    return retry.result;  // succeeded, or compiled and then failed when it ran
  if (text.back() == '}') {
    // "std::vector<int>{1, 2}" ends like a block but is a value.
    auto value = evalCell(repl::valueCellBody(input, text), input, true);
    if (value.result.ok || !value.rejected)
      return value.result;
  }
  return first.result;
}

ReplResult ReplSession::Impl::evalInclude(const std::string &text, int input) {
  // After a #define the include must see it: it goes into the text in order, not into the PCH.
  bool afterDirective = std::any_of(entries.begin(), entries.end(), [](auto &e) {
    return e.kind == Entry::Kind::Directive;
  });
  auto candidate = entries;
  emptyCells(candidate);
  Entry entry{Entry::Kind::Include, input, text};
  entry.precompiled = options.precompileHeaders && !afterDirective;
  candidate.push_back(entry);
  if (entry.precompiled) {
    // The PCH build checks the header; nothing compiled so far needs compiling again (earlier
    // inputs were made before the include, as in any REPL), so no compile happens now.
    if (auto status = configure(candidate, false, /*onlyAdds=*/true); !status) {
      configure(entries, false);
      auto result = failedWith(status.failure());
      repl::inSessionTerms(result.failures, termsFor(repl::inputName(input)));
      return result;
    }
    commit(std::move(candidate));
    return {};
  }
  if (!options.precompileHeaders)
    configure(candidate, false);
  auto attempt = apply(candidate, input, true);
  if (attempt.ok)
    return {};
  configure(entries, false);
  return rejection(attempt, repl::inputName(input));
}

ReplSession::Impl::Evaluation ReplSession::Impl::evalDeclaration(const std::string &text,
                                                                 int input, Entry::Kind kind) {
  declarationUnderstood = false;
  auto candidate = entries;
  emptyCells(candidate);
  candidate.push_back({kind, input, text});
  auto attempt = apply(candidate, input, false);
  if (attempt.ok) {
    Evaluation accepted;
    noteWarnings(attempt, input, accepted.result);
    return accepted;
  }
  // A redefinition: Clang points at the earlier input ("previous definition is here").
  auto replaced = repl::redefinedInputs(attempt.report.failures);
  replaced.erase(input);
  declarationUnderstood = !replaced.empty() || repl::anyRefusal(attempt.report.failures);
  bool found = std::any_of(entries.begin(), entries.end(), [&](auto &e) {
    return replaced.count(e.input) && e.kind != Entry::Kind::Cell;
  });
  if (found)
    return redefineInPlace(text, input, kind, replaced);
  return {rejection(attempt, repl::inputName(input)), true};
}

ReplSession::Impl::Evaluation
ReplSession::Impl::redefineInPlace(const std::string &text, int input, Entry::Kind kind,
                                   const std::set<int> &replaced) {
  // Put the new text in the earlier input's place, so what follows still sees a definition;
  // failing that, at the end.
  auto inPlace = entries;
  emptyCells(inPlace);
  auto first = std::find_if(inPlace.begin(), inPlace.end(), [&](auto &e) {
    return replaced.count(e.input) && e.kind != Entry::Kind::Cell;
  });
  *first = {kind, input, text};
  std::vector<Entry> rest(first + 1, inPlace.end());
  dropInputs(rest, replaced);
  inPlace.erase(first + 1, inPlace.end());
  inPlace.insert(inPlace.end(), rest.begin(), rest.end());
  auto attempt = apply(inPlace, input, true);
  if (!attempt.ok) {
    auto atEnd = entries;
    emptyCells(atEnd);
    dropInputs(atEnd, replaced);
    atEnd.push_back({kind, input, text});
    if (auto third = apply(atEnd, input, true); third.ok)
      attempt = std::move(third);
  }
  Evaluation evaluation;
  if (!attempt.ok)
    return {rejection(attempt, repl::inputName(input)), true};
  noteWarnings(attempt, input, evaluation.result);
  return evaluation;
}

ReplSession::Impl::Evaluation ReplSession::Impl::evalCell(const std::string &body, int input,
                                                          bool isValue) {
  auto started = Clock::now();
  auto candidate = entries;
  const std::string newCell = repl::kCellPrefix + std::to_string(cellCounter + 1);
  std::string cellName;
  if (!candidate.empty() && candidate.back().kind == Entry::Kind::Cell) {
    candidate.back().text = body;
    cellName = candidate.back().cellName;
  } else {
    emptyCells(candidate);
    cellName = newCell;
    Entry cell{Entry::Kind::Cell, input, body};
    cell.cellName = cellName;
    candidate.push_back(cell);
  }
  auto attempt = apply(candidate, input, false);
  if (!attempt.ok)
    return {rejection(attempt, repl::inputName(input)), true};
  if (cellName == newCell)
    ++cellCounter;
  CapturedValueType type;
  if (auto it = attempt.report.capturedValues.find(cellName);
      it != attempt.report.capturedValues.end()) {
    type = it->second;
    cellTypes[cellName] = {body, type};
  } else if (auto known = cellTypes.find(cellName);
             known != cellTypes.end() && known->second.first == body) {
    type = known->second.second;
  }
  double compileMs = msSince(started);
  Evaluation evaluation{runCell(cellName, type, input, isValue), false};
  noteWarnings(attempt, input, evaluation.result);
  evaluation.result.compileMs = compileMs;
  return evaluation;
}

ReplResult ReplSession::Impl::runCell(const std::string &cellName, const CapturedValueType &type,
                                      int input, bool isValue) {
  auto *cell = reinterpret_cast<void (*)(void *)>(engine->lookup(cellName));
  if (!cell)
    return failedWith(
        failure::InternalError{"the input compiled but " + cellName + " is missing"});
  ReplResult result;
  hotcc_repl::Sink sink;
  auto runStarted = Clock::now();
  auto outcome = runGuarded([&] { cell(&sink); });
  result.runMs = msSince(runStarted);
  std::fflush(stdout);
  std::cout.flush();
  if (!outcome.ok()) {
    result.ok = false;
    result.failures.push_back(outcome.crash(repl::inputName(input)));
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
