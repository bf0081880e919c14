#include "reload_plan.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_set>

namespace hotcc::jit {

std::vector<std::string> liveCallers(const LiveState &live, const std::string &linkName) {
  std::vector<std::string> callers;
  for (const auto &[name, fn] : live.hot)
    if (name != linkName && std::binary_search(fn.info.references.begin(),
                                               fn.info.references.end(), linkName))
      callers.push_back(fn.info.displayName);
  if (live.lookedUpByHost.count(linkName))
    callers.push_back("the host program (a pointer it looked up)");
  std::sort(callers.begin(), callers.end());
  callers.erase(std::unique(callers.begin(), callers.end()), callers.end());
  return callers;
}

// A live global's storage was made for its old type: a changed layout of a record it holds, a
// changed virtual table, or a changed type is refused.
static void checkGlobalLayout(const frontend::GlobalInfo &now, const frontend::GlobalInfo &was,
                              const std::string &unitPath, ReloadPlan &plan) {
  if (now.layoutHash == was.layoutHash)
    return;
  bool named = false;
  for (const auto &after : now.layouts) {
    auto before = std::find_if(was.layouts.begin(), was.layouts.end(),
                               [&](const auto &l) { return l.name == after.name; });
    if (before == was.layouts.end() || *before == after)
      continue;
    named = true;
    // The record's own refusal (live code uses it) gains the global as its holder.
    auto same = std::find_if(plan.refusals.begin(), plan.refusals.end(), [&](auto &refusal) {
      auto *layout = std::get_if<failure::LayoutChangeRefused>(&refusal);
      return layout && layout->change.type == after.name && layout->holder.empty();
    });
    if (same != plan.refusals.end()) {
      auto &layout = std::get<failure::LayoutChangeRefused>(*same);
      layout.holder = was.displayName;
      layout.holderLocation = was.location;
      continue;
    }
    plan.refusals.push_back(failure::LayoutChangeRefused{
        unitPath, toLayoutChange({*before, after, {}}), was.displayName, was.location});
  }
  const std::string vtablePrefix = "vtable for ";
  if (named)
    return;  // the record layouts say it all
  if (was.displayName.rfind(vtablePrefix, 0) == 0) {
    // Objects made before the edit point at the old table: a call through a slot it lacks, or
    // that moved, would jump anywhere.
    plan.refusals.push_back(
        failure::VirtualTableChange{unitPath, was.displayName.substr(vtablePrefix.size())});
    return;
  }
  plan.refusals.push_back(failure::GlobalTypeChange{unitPath, was.displayName, was.location,
                                                    was.typeSpelling, now.typeSpelling});
}

LayoutChange toLayoutChange(const RecordChange &change) {
  auto fields = [](const frontend::TypeLayout &layout) {
    std::vector<RecordField> out;
    for (const auto &f : layout.fields)
      out.push_back({f.name, f.type, f.offsetBits});
    return out;
  };
  return {change.after.name,       change.after.file,    change.before.sizeBytes,
          change.after.sizeBytes,  fields(change.before), fields(change.after),
          change.users};
}

// Live functions whose body used the layout of the record `key`.
static std::vector<std::string> recordUsers(const LiveState &live, const std::string &key) {
  std::vector<std::string> users;
  for (const auto &[name, fn] : live.hot)
    if (std::find(fn.info.records.begin(), fn.info.records.end(), key) != fn.info.records.end())
      users.push_back(fn.info.displayName);
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return users;
}

// A record whose layout changed while live code used the old one. Objects made before the change
// may live anywhere on the heap, where nothing can find and convert them: new code would read
// them with the new layout. Refused unless the host accepts the change for this type.
static void checkRecordLayouts(const frontend::CompiledUnit &unit, const std::string &unitPath,
                               const LiveState &live, const LayoutPolicy &policy,
                               ReloadPlan &plan) {
  for (const auto &[key, layout] : unit.records) {
    auto was = live.records.find(key);
    if (was == live.records.end() || was->second == layout)
      continue;
    auto users = recordUsers(live, key);
    if (users.empty())
      continue;
    if (policy.accepts(layout.name)) {
      plan.changedRecords.push_back({was->second, layout, users});
      continue;
    }
    plan.refusals.push_back(
        failure::LayoutChangeRefused{unitPath, toLayoutChange({was->second, layout, users}), {}, {}});
  }
}

// Whether every live caller of `linkName` is compiled again by this unit, so none can call it
// with the old signature (when nothing runs during the reload).
static bool everyCallerRecompiled(const LiveState &live, const std::string &linkName,
                                  const frontend::CompiledUnit &unit,
                                  const std::unordered_set<std::string_view> &skipped) {
  if (live.lookedUpByHost.count(linkName))
    return false;
  for (const auto &[name, fn] : live.hot)
    if (name != linkName && !fn.removed &&
        std::binary_search(fn.info.references.begin(), fn.info.references.end(), linkName) &&
        (!unit.functions.count(name) || skipped.count(name)))
      return false;
  return true;
}

bool keepsFirstDefinition(const LiveState &live, const std::string &linkName,
                          const frontend::FunctionInfo &fn, const std::string &unitPath) {
  auto it = live.hot.find(linkName);
  if (it == live.hot.end())
    return false;
  const auto &was = it->second;
  return fn.odr && was.info.odr && !was.unit.empty() && was.unit != unitPath && !was.removed;
}

// Hot functions of this unit that its new compile no longer defines (a walk of every live
// function: made only when the compile parsed every body).
template <typename MayChangeSignature>
static void findRemovals(
    const frontend::CompiledUnit &unit, const std::string &unitPath, const LiveState &live,
    const std::map<std::string, std::vector<const frontend::FunctionInfo *>> &newByDisplayName,
    MayChangeSignature &mayChangeSignature, ReloadPlan &plan) {
  for (const auto &[name, fn] : live.hot) {
    if (fn.unit != unitPath || unit.functions.count(name) || fn.removed)
      continue;
    // An inline function a file no longer uses is simply not emitted there: not a removal, but
    // the file gives it up; the next file that defines it owns its body (keepsFirstDefinition).
    if (fn.info.odr) {
      plan.released.push_back(name);
      continue;
    }
    // A function whose mangled name changed because its parameters did: same qualified name.
    auto replacement = newByDisplayName.find(fn.info.displayName);
    if (replacement != newByDisplayName.end() && !mayChangeSignature(name)) {
      auto callers = liveCallers(live, name);
      if (!callers.empty()) {
        plan.refusals.push_back(failure::SignatureChange{unitPath, fn.info.displayName,
                                                         fn.info.signature,
                                                         replacement->second.front()->signature,
                                                         std::move(callers)});
        continue;
      }
    }
    plan.removed.push_back(name);
  }
}

// A hot function of the new compile: new, changed, unchanged, or a change to refuse.
template <typename MayChangeSignature>
static void planHotFunction(
    const std::string &name, const frontend::FunctionInfo &fn, const std::string &unitPath,
    const LiveState &live, MayChangeSignature &mayChangeSignature,
    std::map<std::string, std::vector<const frontend::FunctionInfo *>> &newByDisplayName,
    ReloadPlan &plan) {
  auto it = live.hot.find(name);
  if (it == live.hot.end()) {
    plan.compile.push_back(name);
    newByDisplayName[fn.displayName].push_back(&fn);
    return;
  }
  const auto &was = it->second;
  // Inline functions and templates from a shared header are defined by every file using them:
  // one stub serves all, with the body of the file that defined it first.
  // A function cut from one file (removed there) may be pasted into another.
  if (was.unit != unitPath && !was.unit.empty() && !was.removed && !(fn.odr && was.info.odr)) {
    plan.refusals.push_back(failure::DuplicateDefinition{fn.displayName, {was.unit, unitPath}});
    return;
  }
  if (keepsFirstDefinition(live, name, fn, unitPath)) {
    ++plan.unchanged;
    return;
  }
  if (was.info.signature != fn.signature && !fn.signature.empty() && !mayChangeSignature(name)) {
    auto callers = liveCallers(live, name);
    if (!callers.empty()) {
      plan.refusals.push_back(failure::SignatureChange{unitPath, fn.displayName,
                                                       was.info.signature, fn.signature,
                                                       std::move(callers)});
      return;
    }
  }
  if (was.info.hash == fn.hash)
    ++plan.unchanged;
  else
    plan.compile.push_back(name);
}

void recordDataOwners(LiveState &live, const frontend::CompiledUnit &unit,
                      const std::string &unitPath) {
  std::erase_if(live.dataOwners, [&](const auto &owned) {
    return owned.second == unitPath && !unit.globals.count(owned.first);
  });
  for (const auto &[name, global] : unit.globals)
    if (global.kind == frontend::GlobalKind::Data && global.strong)
      live.dataOwners.emplace(name, unitPath);
}

ReloadPlan planReload(const frontend::CompiledUnit &unit, const std::string &unitPath,
                      const LiveState &live, bool quiescent, const LayoutPolicy &layouts) {
  ReloadPlan plan;
  if (!quiescent)
    checkRecordLayouts(unit, unitPath, live, layouts, plan);
  // Only a quiescent engine asks (a REPL): built then, not on every reload of a big file.
  std::optional<std::unordered_set<std::string_view>> skipped;
  auto mayChangeSignature = [&](const std::string &linkName) {
    if (!quiescent)
      return false;
    if (!skipped)
      skipped.emplace(unit.skippedFunctions.begin(), unit.skippedFunctions.end());
    return everyCallerRecompiled(live, linkName, unit, *skipped);
  };
  std::map<std::string, std::vector<const frontend::FunctionInfo *>> newByDisplayName;

  for (const auto &[name, fn] : unit.functions) {
    switch (fn.kind) {
    case frontend::FunctionKind::Hot:
      planHotFunction(name, fn, unitPath, live, mayChangeSignature, newByDisplayName, plan);
      break;
    case frontend::FunctionKind::Library:
      if (!live.library.count(name))
        plan.newLibrary.insert(name);
      break;
    case frontend::FunctionKind::Helper:
      break;
    }
  }

  // Skipped bodies are those of the compile the engine accepted last: all live.
  plan.unchanged += unit.skippedFunctions.size();
  // A compile that skipped unchanged bodies also skipped the lambdas and local classes inside
  // them; a function cannot have been deleted without changing the file's skeleton, which would
  // have made the compile a full one.
  if (unit.skippedFunctions.empty())
    findRemovals(unit, unitPath, live, newByDisplayName, mayChangeSignature, plan);

  for (const auto &[name, global] : unit.globals) {
    if (global.kind != frontend::GlobalKind::Data)
      continue;
    // Two files defining one global: a normal link says "multiple definition".
    if (auto owner = live.dataOwners.find(name);
        global.strong && owner != live.dataOwners.end() && owner->second != unitPath) {
      plan.refusals.push_back(failure::DuplicateDefinition{global.displayName,
                                                           {owner->second, unitPath}});
      continue;
    }
    auto it = live.data.find(name);
    if (it == live.data.end()) {
      plan.newData.insert(name);
      continue;
    }
    checkGlobalLayout(global, it->second, unitPath, plan);
    if (global.user && global.initializerHash != it->second.initializerHash)
      plan.notices.push_back(notice::InitializerChangedValueKept{global.displayName});
  }
  return plan;
}

} // namespace hotcc::jit
