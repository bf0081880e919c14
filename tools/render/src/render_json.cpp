// Outcomes for machines: one compact JSON object per line, {"schema": 1, "event": ..., ...}. The
// field names are a contract (README, "JSON events"): add fields, never rename or retype one
// without raising kJsonSchema.
#include "hotcc/overloaded.hpp"
#include "hotcc/render.hpp"
#include "hotcc/render_json.hpp"
#include "reload_warnings.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace hotcc::render {

namespace {

// Ordered: "schema" and "event" lead every line, subjects follow in the order written here.
using json = nlohmann::ordered_json;



const char *diagnosticKindName(DiagnosticKind k) {
  switch (k) {
  case DiagnosticKind::ParseError:
    return "parse-error";
  case DiagnosticKind::UnknownTypeName:
    return "unknown-type-name";
  case DiagnosticKind::MissingTypeSpecifier:
    return "missing-type-specifier";
  case DiagnosticKind::Redefinition:
    return "redefinition";
  case DiagnosticKind::PreviousDefinition:
    return "previous-definition";
  case DiagnosticKind::UndeclaredIdentifier:
    return "undeclared-identifier";
  case DiagnosticKind::StalePrecompiledHeader:
    return "stale-precompiled-header";
  case DiagnosticKind::Other:
    break;
  }
  return "other";
}

json pointJson(const SourcePoint &p) {
  return {{"file", p.file}, {"line", p.line}, {"column", p.column}};
}

// A diagnostic's fields without schema and event: the shape of notes and of a compile error's
// "diagnostics" too.
json diagnosticFields(const Diagnostic &d) {
  json out = {{"severity", severityName(d.severity)},
              {"kind", diagnosticKindName(d.kind)},
              {"file", d.where.file},
              {"line", d.where.line},
              {"column", d.where.column},
              {"message", d.message}};
  if (!d.option.empty())
    out["option"] = d.option;
  out["sourceLine"] = d.sourceLine;
  out["includedFrom"] = json::array();
  for (auto &p : d.includedFrom)
    out["includedFrom"].push_back(pointJson(p));
  if (!d.ranges.empty()) {
    out["ranges"] = json::array();
    for (auto &r : d.ranges)
      out["ranges"].push_back({{"from", pointJson(r.from)}, {"to", pointJson(r.to)}});
  }
  if (!d.fixIts.empty()) {
    out["fixIts"] = json::array();
    for (auto &fix : d.fixIts)
      out["fixIts"].push_back(
          {{"from", pointJson(fix.from)}, {"to", pointJson(fix.to)}, {"replacement", fix.replacement}});
  }
  out["notes"] = json::array();
  for (auto &n : d.notes)
    out["notes"].push_back(diagnosticFields(n));
  return out;
}

json fieldsJson(const std::vector<RecordField> &fields) {
  json out = json::array();
  for (auto &f : fields)
    out.push_back({{"name", f.name}, {"type", f.type}, {"offsetBits", f.offsetBits}});
  return out;
}

// A layout change's subjects. `typeFile`: where the type is defined (a failure's own "file" is
// the file being reloaded).
json layoutJson(const LayoutChange &c) {
  return {{"type", c.type},
          {"typeFile", c.file},
          {"sizeBefore", c.sizeBefore},
          {"sizeAfter", c.sizeAfter},
          {"before", fieldsJson(c.before)},
          {"after", fieldsJson(c.after)},
          {"users", c.users}};
}

const char *causeName(failure::Crash::Cause cause) {
  switch (cause) {
  case failure::Crash::Cause::Exception:
    return "exception";
  case failure::Crash::Cause::Timeout:
    return "timeout";
  case failure::Crash::Cause::Signal:
    break;
  }
  return "signal";
}

const char *continuationName(failure::Crash::Continuation continuation) {
  switch (continuation) {
  case failure::Crash::Continuation::ReturnedToCaller:
    return "returned-to-caller";
  case failure::Crash::Continuation::Restarted:
    return "restarted";
  case failure::Crash::Continuation::Died:
    break;
  }
  return "died";
}

json backtraceJson(const std::vector<StackFrame> &frames) {
  json list = json::array();
  for (auto &f : frames)
    list.push_back({{"function", f.function},
                    {"file", f.file},
                    {"line", f.line},
                    {"address", f.address},
                    {"hot", f.hot},
                    {"version", f.version}});
  return list;
}

// Every subject of a failure kind, in camelCase.
json failureFields(const Failure &f) {
  return std::visit(
      Overloaded{
          [](const failure::CompileError &c) {
            json list = json::array();
            for (auto &d : c.diagnostics)
              list.push_back(diagnosticFields(d));
            return json{{"file", c.file}, {"diagnostics", list}};
          },
          [](const failure::UndefinedSymbol &u) {
            return json{{"file", u.file}, {"name", u.name}, {"users", u.users}};
          },
          [](const failure::SignatureChange &s) {
            return json{{"file", s.file},     {"function", s.function}, {"before", s.before},
                        {"after", s.after},   {"callers", s.callers}};
          },
          [](const failure::LayoutChangeRefused &r) {
            json out = layoutJson(r.change);
            out["file"] = r.file;
            out["holder"] = r.holder;
            out["holderLocation"] = r.holderLocation;
            return out;
          },
          [](const failure::GlobalTypeChange &g) {
            return json{{"file", g.file},     {"global", g.global}, {"location", g.location},
                        {"before", g.before}, {"after", g.after}};
          },
          [](const failure::VirtualTableChange &v) {
            return json{{"file", v.file}, {"type", v.type}};
          },
          [](const failure::DuplicateDefinition &d) {
            return json{{"name", d.name}, {"files", d.files}};
          },
          [](const failure::FileUnreadable &u) {
            return json{{"path", u.path}, {"reason", u.reason}};
          },
          [](const failure::NotInProgram &n) { return json{{"path", n.path}}; },
          [](const failure::LinkError &l) {
            return json{{"files", l.files}, {"detail", l.detail}};
          },
          [](const failure::Crash &c) {
            return json{{"cause", causeName(c.cause)},
                        {"signal", c.signal},
                        {"signalName", c.signalName},
                        {"exceptionType", c.exceptionType},
                        {"what", c.what},
                        {"timeoutMs", c.timeoutMs},
                        {"during", c.during},
                        {"function", c.function},
                        {"file", c.where.file},
                        {"line", c.where.line},
                        {"column", c.where.column},
                        {"backtrace", backtraceJson(c.backtrace)},
                        {"continuation", continuationName(c.continuation)},
                        {"returnedTo", c.returnedTo},
                        {"rolledBack", c.rolledBack},
                        {"rollbackSkipped", c.rollbackSkipped}};
          },
          [](const failure::LibraryUnavailable &l) {
            return json{{"library", l.library}, {"reason", l.reason}};
          },
          [](const failure::UnknownFunction &u) { return json{{"name", u.name}}; },
          [](const failure::NoEarlierVersion &n) { return json{{"function", n.function}}; },
          [](const failure::NoMain &) { return json::object(); },
          [](const failure::EngineShutDown &) { return json::object(); },
          [](const failure::PatchCannotApply &p) {
            return json{{"file", p.file}, {"changes", p.changes}};
          },
          [](const failure::SetupError &s) {
            return json{{"subject", s.subject}, {"problem", s.problem}};
          },
          [](const failure::InternalError &i) { return json{{"detail", i.detail}}; },
      },
      f);
}

json noticeFields(const Notice &n) {
  return std::visit(
      Overloaded{
          [](const notice::RemovedFunctionKept &r) { return json{{"function", r.function}}; },
          [](const notice::InitializerChangedValueKept &i) { return json{{"global", i.global}}; },
          [](const notice::MainRunsOldBody &) { return json::object(); },
          [](const notice::InitializerThrew &t) { return json{{"what", t.what}}; },
          [](const notice::LibrariesCannotCallBack &l) { return json{{"reason", l.reason}}; },
          [](const notice::CompileDatabaseMiss &m) {
            return json{{"file", m.file}, {"reason", m.reason}};
          },
          [](const notice::FlagDropped &d) {
            return json{{"flag", d.flag}, {"reason", d.reason}, {"from", d.from}};
          },
          [](const notice::LayoutChanged &l) {
            return json{{"type", l.type}, {"sizeBefore", l.sizeBefore}, {"sizeAfter", l.sizeAfter}};
          },
      },
      n);
}

// {"schema":1,"event":event} followed by `fields`, in that order (a reader of the raw line sees
// what it is first).
std::string eventLine(const char *event, const json &fields) {
  json out = jsonEvent(event);
  for (auto &[key, value] : fields.items())
    out[key] = value;
  return jsonLine(out);
}

json reloadFields(const ReloadReport &r) {
  json compiled = json::array();
  for (std::size_t i = 0; i < r.compiled.size(); ++i)
    compiled.push_back({{"name", r.compiled[i]},
                        {"at", i < r.compiledAt.size() ? r.compiledAt[i] : std::string()}});
  json layouts = json::array();
  for (auto &c : r.changedLayouts)
    layouts.push_back(layoutJson(c));
  return {{"ok", r.ok},
          {"version", r.version},
          {"files", r.files},
          {"compiled", compiled},
          {"unchanged", r.unchanged},
          {"removed", r.removed},
          {"addedGlobals", r.addedGlobals},
          {"replacedGlobals", r.replacedGlobals},
          {"changedLayouts", layouts},
          {"timesMs",
           {{"parse", jsonMs(r.times.parseMs)},
            {"analyze", jsonMs(r.times.analyzeMs)},
            {"compile", jsonMs(r.times.compileMs)},
            {"redirect", jsonMs(r.times.redirectMs)},
            {"total", jsonMs(r.times.totalMs)}}},
          {"previousVersionRuns", r.previousVersionRuns}};
}

} // namespace

double jsonMs(double ms) {
  return std::round(ms * 1000) / 1000;
}

std::string jsonDiagnostic(const Diagnostic &d) {
  return eventLine("diagnostic", diagnosticFields(d));
}

std::string jsonFailure(const Failure &f) {
  json fields = {{"kind", kindName(f)}};
  json subjects = failureFields(f);  // named: items() does not keep a temporary alive
  for (auto &[key, value] : subjects.items())
    fields[key] = value;
  return eventLine("failure", fields);
}

std::string jsonNotice(const Notice &n) {
  json fields = {{"kind", kindName(n)}};
  json subjects = noticeFields(n);
  for (auto &[key, value] : subjects.items())
    fields[key] = value;
  return eventLine("notice", fields);
}

std::vector<std::string> jsonReload(const ReloadReport &report) {
  std::vector<std::string> lines;
  for (auto &w : warningsNotCarried(report))
    lines.push_back(jsonDiagnostic(w));
  for (auto &f : report.failures)
    if (auto *compile = std::get_if<failure::CompileError>(&f))
      for (auto &d : compile->diagnostics)
        lines.push_back(jsonDiagnostic(d));
  for (auto &f : report.failures)
    lines.push_back(jsonFailure(f));
  for (auto &n : report.notices)
    lines.push_back(jsonNotice(n));
  lines.push_back(eventLine("reload", reloadFields(report)));
  return lines;
}

Json jsonEvent(const char *event) {
  Json out = Json::object();
  out["schema"] = kJsonSchema;
  out["event"] = event;
  return out;
}

std::string jsonLine(const Json &event) {
  return event.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace hotcc::render
