// The engine's interface for session clients — a REPL, a test runner, a notebook kernel: programs
// that feed the engine code piece by piece, between which no hot code runs, and that need
// per-file flags, completion, precompiled headers and fresh storage for redefinitions. A host that
// embeds the engine for its own code does not need any of it.
#pragma once
#include "hotcc/engine.hpp"

#include <string>
#include <variant>
#include <vector>

namespace hotcc {

// Flags for one file beyond the engine's (a REPL session's PCH and search paths).
struct FileConfig {
  std::vector<std::string> extraArgs;
  bool usePreamble = true;
  // The new flags only add headers (a REPL's bigger PCH): bodies compiled before stay as they
  // were compiled, and later compiles may still skip them.
  bool onlyAddsHeaders = false;
};

// Which live globals a reload gives new storage (initialized afresh; code compiled from now on
// uses it). Storage is otherwise kept: that is what makes state survive a reload.
namespace fresh_storage {
struct None {};
// A redefinition (a REPL input defining a variable again): the globals the new compile defines in
// these files (presumed names, as #line sets them) that already have storage. Chosen after the
// compile, which is then repeated in full so every body refers to the new storage.
struct ForRedefinitionsIn {
  std::vector<std::string> files;
};
// Registrations that must run again (a test framework's registration objects, which no function
// body refers to): live globals defined in `files` whose link name contains one of
// `nameFragments` (none when it is empty). Chosen before one compile that may still skip
// unchanged bodies.
struct ForRegistrationsIn {
  std::vector<std::string> files;
  std::vector<std::string> nameFragments;
};
} // namespace fresh_storage
using FreshStorage = std::variant<fresh_storage::None, fresh_storage::ForRedefinitionsIn,
                                  fresh_storage::ForRegistrationsIn>;

enum class BodyReuse {
  SkipUnchanged,  // bodies unchanged since the last accepted compile are not parsed again
  ParseAll,       // every body is parsed (a session that changed what bodies mean)
};

struct SessionReload {
  FreshStorage freshStorage;
  BodyReuse bodies = BodyReuse::SkipUnchanged;
};

struct PrecompiledHeaderFile {
  std::string path;
  bool built = false;  // false: found in the cache
};

class SessionExtension {
public:
  // No hot code runs while a reload happens (between REPL inputs, between test runs): a
  // function's signature may then change when every live caller is compiled again in the same
  // reload, and a record's layout may change unless a live global holds it.
  void setQuiescent(bool quiescent);

  // Sets per-file flags; the next compile of the file is a full one (unless only headers are
  // added, see FileConfig).
  void configureFile(const std::string &path, FileConfig config);

  // reloadFile with a choice of fresh storage and of body reuse.
  ReloadReport reloadFile(const std::string &path, const SessionReload &how);

  // Names Clang would complete at (line, column) of `text`, compiled with `settingsOf`'s flags.
  std::vector<std::string> complete(const std::string &text, unsigned line, unsigned column,
                                    const std::string &settingsOf);

  // The cached PCH of `headerText` built with the engine's flags plus `extraArgs`: from
  // `cacheDir` when there, else built and stored there (always built when `rebuild`).
  Result<PrecompiledHeaderFile> precompiledHeader(const std::string &headerText,
                                                  const std::string &cacheDir,
                                                  const std::vector<std::string> &extraArgs,
                                                  bool rebuild);

  // Loads a shared library whose exports hot code finds before the process's own (a test
  // framework hotcc built, in a host that links another copy of it).
  Status loadLibraryFirst(const std::string &path);
  // From now on hot code that refers to `linkName` calls `address` (a test adapter's registration
  // hook in place of the framework's). Bind before adding the files that use it.
  Status bindSymbol(const std::string &linkName, void *address);

private:
  friend class Engine;
  explicit SessionExtension(Engine &engine) : engine_(engine) {}
  Engine &engine_;
};

} // namespace hotcc
