// Failures and notices for people: "hotcc: error: ..." with the subjects of each kind, in the
// wording users know from earlier versions. Refusals of one file share a "refusing to reload"
// header, missing names of one file a "cannot link" header.
#include "hotcc/overloaded.hpp"
#include "text_parts.hpp"

#include <filesystem>

namespace hotcc::render {
namespace text {

namespace {


enum class Group { Alone, Refusal, Link };

Group groupOf(const Failure &f) {
  return std::visit(Overloaded{
                        [](const failure::SignatureChange &) { return Group::Refusal; },
                        [](const failure::LayoutChangeRefused &) { return Group::Refusal; },
                        [](const failure::GlobalTypeChange &) { return Group::Refusal; },
                        [](const failure::VirtualTableChange &) { return Group::Refusal; },
                        [](const failure::DuplicateDefinition &) { return Group::Refusal; },
                        [](const failure::UndefinedSymbol &) { return Group::Link; },
                        [](const auto &) { return Group::Alone; },
                    },
                    f);
}

// The file a group's header names: the one being reloaded (for a duplicate definition, the
// file that brought the second one, which comes last).
std::string groupFile(const Failure &f) {
  return std::visit(Overloaded{
                        [](const failure::DuplicateDefinition &d) {
                          return d.files.empty() ? std::string() : d.files.back();
                        },
                        [](const failure::CompileError &) { return std::string(); },
                        [](const auto &kind) -> std::string {
                          if constexpr (requires { kind.file; })
                            return kind.file;
                          else
                            return {};
                        },
                    },
                    f);
}

// "a and b", "a, b and c".
std::string andList(const std::vector<std::string> &items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

std::string fieldList(const std::vector<RecordField> &fields, std::uint64_t size) {
  std::string out = "{ ";
  for (auto &f : fields)
    out += f.type + (f.type.empty() ? "" : " ") + f.name + " @" +
           std::to_string(f.offsetBits / 8) + "; ";
  return out + "} " + std::to_string(size) + " bytes";
}

const RecordField *findField(const std::vector<RecordField> &fields, const std::string &name) {
  for (auto &f : fields)
    if (f.name == name)
      return &f;
  return nullptr;
}

// The fields before and after, then which were added, removed or changed (indented four).
std::string layoutDetails(const LayoutChange &c) {
  std::vector<std::string> added, removed, changed;
  for (auto &f : c.after) {
    auto *old = findField(c.before, f.name);
    if (!old)
      added.push_back(f.name);
    else if (old->type != f.type)
      changed.push_back(f.name + " (" + old->type + " -> " + f.type + ")");
    else if (old->offsetBits != f.offsetBits)
      changed.push_back(f.name + " (moved from offset " + std::to_string(old->offsetBits / 8) +
                        " to " + std::to_string(f.offsetBits / 8) + ")");
  }
  for (auto &f : c.before)
    if (!findField(c.after, f.name))
      removed.push_back(f.name);
  std::string out = "    was: " + fieldList(c.before, c.sizeBefore) + "\n" +
                    "    now: " + fieldList(c.after, c.sizeAfter) + "\n";
  if (!added.empty())
    out += "    fields added: " + joinNames(added, 20) + "\n";
  if (!removed.empty())
    out += "    fields removed: " + joinNames(removed, 20) + "\n";
  if (!changed.empty())
    out += "    fields changed: " + joinNames(changed, 20) + "\n";
  return out;
}

std::string layoutRefusal(const failure::LayoutChangeRefused &r) {
  const LayoutChange &c = r.change;
  if (!r.holder.empty())
    return "the layout of '" + c.type + "' changed while the live global '" + r.holder + "'" +
           (r.holderLocation.empty() ? "" : " (" + r.holderLocation + ")") + " holds it\n" +
           layoutDetails(c);
  return "the layout of '" + c.type + "'" + (c.file.empty() ? "" : " (" + c.file + ")") +
         " changed while live code uses it (" + joinNames(c.users) + ")\n" + layoutDetails(c) +
         "    objects made before the change (on the heap too) would be read with the new "
         "layout; to apply it anyway, accept it (hotcc run --accept-layout-changes, "
         "Engine::acceptLayoutChange) and convert old objects in a layout-change hook\n";
}

// One refusal or missing name under its group's header: "  " + text, continuation lines as
// the text indents them.
std::string groupLine(const Failure &f) {
  std::string text = std::visit(
      Overloaded{
          [](const failure::SignatureChange &s) {
            return "the signature of '" + s.function + "' changed from '" + s.before + "' to '" +
                   s.after + "' while live code calls it (" + joinNames(s.callers) + ")\n";
          },
          [](const failure::LayoutChangeRefused &r) { return layoutRefusal(r); },
          [](const failure::GlobalTypeChange &g) {
            if (g.before.empty() || g.after.empty())
              return "'" + g.global + "' changed shape; code made before the change still uses "
                     "it\n";
            return "the type of the live global '" + g.global + "' changed from '" + g.before +
                   "' to '" + g.after + "'\n";
          },
          [](const failure::VirtualTableChange &v) {
            return "the virtual functions of '" + v.type + "' changed (one was added, removed or "
                   "reordered) while objects made before the change may still use the old "
                   "virtual table\n";
          },
          [](const failure::DuplicateDefinition &d) {
            return "'" + d.name + "' is defined in " +
                   (d.files.size() == 2 ? "both " : "") + andList(d.files) + "\n";
          },
          [](const failure::UndefinedSymbol &u) {
            return "undefined symbol '" + u.name + "'" +
                   (u.users.empty() ? "" : ", used by " + joinNames(u.users)) + "\n";
          },
          [](const auto &) { return std::string(); },
      },
      f);
  return "  " + text;
}

// A headline, then `detail` indented by two when it has several lines.
std::string withDetail(const Style &style, const std::string &subject, const std::string &detail) {
  if (detail.find('\n') == std::string::npos)
    return headline(style, Severity::Error, subject + (detail.empty() ? "" : ": " + detail));
  std::string out = headline(style, Severity::Error, subject + ":");
  std::size_t start = 0;
  while (start < detail.size()) {
    auto end = detail.find('\n', start);
    if (end == std::string::npos)
      end = detail.size();
    if (end > start)
      out += "  " + detail.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string aloneText(const Failure &f, const Style &style, bool previousVersionRuns) {
  auto error = [&](const std::string &message) {
    return headline(style, Severity::Error, message);
  };
  return std::visit(
      Overloaded{
          [&](const failure::CompileError &c) {
            if (!c.diagnostics.empty())
              return diagnosticsText(c.diagnostics, style);
            return error(c.file.empty() ? "compilation failed" : c.file + ": compilation failed");
          },
          [&](const failure::FileUnreadable &u) {
            return error("cannot read " + u.path + (u.reason.empty() ? "" : ": " + u.reason));
          },
          [&](const failure::NotInProgram &n) {
            return error(n.path + " is not part of the running program");
          },
          [&](const failure::LinkError &l) {
            std::vector<std::string> names;
            for (auto &file : l.files)
              names.push_back(fileName(file));
            return withDetail(style, names.empty() ? "cannot link" : "cannot link " + andList(names),
                              l.detail) +
                   (previousVersionRuns ? "  the running code keeps its current version\n" : "");
          },
          [&](const failure::Crash &c) { return crashText(c, style); },
          [&](const failure::LibraryUnavailable &l) {
            return error("cannot load " + l.library + (l.reason.empty() ? "" : ": " + l.reason));
          },
          [&](const failure::UnknownFunction &u) {
            return error("no hot function named '" + u.name + "'");
          },
          [&](const failure::NoEarlierVersion &n) {
            return error("'" + n.function + "' has no earlier version to roll back to");
          },
          [&](const failure::NoMain &) { return error("no main() in the program's files"); },
          [&](const failure::EngineShutDown &) { return error("the engine has shut down"); },
          [&](const failure::PatchCannotApply &p) {
            std::string out = error(p.file + ": a patch cannot apply this change:");
            for (auto &change : p.changes)
              out += "  " + change + "\n";
            return out + "  rebuild the main module (hotcc wasm --main ...) to take it\n";
          },
          [&](const failure::SetupError &s) { return withDetail(style, s.subject, s.problem); },
          [&](const failure::InternalError &i) {
            // The first line as the headline, the rest (an IR dump, say) as it is.
            auto newline = i.detail.find('\n');
            std::string out = headline(style, Severity::Error, i.detail.substr(0, newline),
                                       "internal error");
            if (newline != std::string::npos && newline + 1 < i.detail.size())
              out += i.detail.substr(newline + 1) + (i.detail.back() == '\n' ? "" : "\n");
            return out;
          },
          // Grouped kinds alone (render::failure of one refusal): a group of one.
          [&](const auto &) { return std::string(); },
      },
      f);
}

} // namespace

bool sameGroup(const Failure &a, const Failure &b) {
  auto group = groupOf(a);
  return group != Group::Alone && group == groupOf(b) && groupFile(a) == groupFile(b);
}

std::string failuresText(const std::vector<const Failure *> &run, const Style &style,
                         bool previousVersionRuns) {
  if (run.empty())
    return {};
  auto group = groupOf(*run.front());
  if (group == Group::Alone) {
    std::string out;
    for (auto *f : run)
      out += aloneText(*f, style, previousVersionRuns);
    return out;
  }
  std::string file = fileName(groupFile(*run.front()));
  std::string out;
  if (group == Group::Refusal) {
    out = headline(style, Severity::Error,
                   file.empty() ? "refusing to reload:" : "refusing to reload " + file + ":");
    for (auto *f : run)
      out += groupLine(*f);
    if (previousVersionRuns)
      out += "  the running code keeps its current version; restart the program to apply this "
             "change\n";
    return out;
  }
  out = headline(style, Severity::Error, file.empty() ? "cannot link:" : "cannot link " + file + ":");
  for (auto *f : run)
    out += groupLine(*f);
  if (previousVersionRuns)
    out += "  the running code keeps its current version\n";
  return out;
}

std::string noticeText(const Notice &n, const Style &style) {
  std::string message = std::visit(
      Overloaded{
          [](const notice::RemovedFunctionKept &r) {
            return "'" + r.function + "' was removed from the source; its last version stays "
                   "callable";
          },
          [](const notice::InitializerChangedValueKept &i) {
            return "'" + i.global + "': initializer changed; the live value is kept";
          },
          [](const notice::MainRunsOldBody &) {
            return std::string("main() is running its old body; the new one takes effect the "
                               "next time main is called (move loop bodies into functions)");
          },
          [](const notice::InitializerThrew &t) {
            return t.what.empty() ? std::string("a global initializer threw an exception")
                                  : "a global initializer threw: " + t.what;
          },
          [](const notice::LibrariesCannotCallBack &l) {
            return "libraries loaded with -l cannot call the program's functions" +
                   (l.reason.empty() ? std::string() : ": " + l.reason);
          },
          [](const notice::CompileDatabaseMiss &m) {
            return m.file + (m.reason.empty() ? " is not in compile_commands.json" : ": " + m.reason) +
                   "; compiling it with the command-line flags only";
          },
          [](const notice::FlagDropped &d) {
            return "ignoring " + d.flag + " from " +
                   std::filesystem::path(d.from).filename().string() + ": " + d.reason;
          },
          [](const notice::LayoutChanged &l) {
            return "the layout of '" + l.type + "' changed (" + std::to_string(l.sizeBefore) +
                   " -> " + std::to_string(l.sizeAfter) +
                   " bytes); objects made before keep the old layout";
          },
      },
      n);
  return headline(style, Severity::Note, message);
}

} // namespace text

std::string failure(const Failure &f, const Style &style) {
  return text::rewritten(text::failuresText({&f}, style, false));
}

std::string notice(const Notice &n, const Style &style) {
  return text::rewritten(text::noticeText(n, style));
}

} // namespace hotcc::render
