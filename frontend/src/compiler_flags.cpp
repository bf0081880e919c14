#include "hotcc/frontend/compiler_flags.hpp"

#include <clang/Basic/DiagnosticIDs.h>
#include <clang/Driver/Types.h>
#include <clang/Options/Options.h>
#include <llvm/Option/Arg.h>
#include <llvm/Option/ArgList.h>
#include <llvm/Option/Option.h>
#include <llvm/Support/Path.h>

#include <algorithm>

namespace hotcc::frontend {

namespace {

namespace opts = clang::options;

// Why a flag Clang knows has no place in an in-process compile; empty: it belongs to the compile.
std::string inProcessObjection(const llvm::opt::Option &option) {
  using namespace opts;
  switch (option.getID()) {
  case OPT_c:
  case OPT_S:
  case OPT_E:
  case OPT_o:
  case OPT_fsyntax_only:
  case OPT_pipe:
  case OPT_save_temps:
  case OPT_save_temps_EQ:
    return "hotcc compiles in memory and runs the code; there is no output file";
  case OPT_x:
    return "hotcc picks the language from each file's extension";
  case OPT_fPIC:
  case OPT_fpic:
  case OPT_fPIE:
  case OPT_fpie:
  case OPT_fno_pic:
  case OPT_fno_PIC:
  case OPT_fno_pie:
  case OPT_fno_PIE:
  case OPT_shared:
  case OPT_static:
  case OPT_pie:
  case OPT_no_pie:
    return "hot code is always position-independent, linked into this process";
  case OPT_rdynamic:
    return "libraries the program loads always see its exported functions and data";
  case OPT_pg:
  case OPT_coverage:
    return "profiling needs a runtime that is not loaded in hotcc's process";
  default:
    break;
  }
  if (option.matches(OPT_M_Group) || option.getID() == OPT_MD || option.getID() == OPT_MMD)
    return "dependency files are for build systems; hotcc follows includes itself";
  auto name = option.getName();
  if (name.starts_with("flto") || name.starts_with("fno-lto"))
    return "the JIT compiles each file's module itself; there is no link-time optimization";
  if (name.starts_with("fsanitize") || name.starts_with("fno-sanitize"))
    return "sanitizers need their runtime in the process, which hotcc does not load";
  if (name.starts_with("fprofile") || name.starts_with("fno-profile") ||
      name.starts_with("fcoverage") || name.starts_with("ftest-coverage"))
    return "profiling needs a runtime that is not loaded in hotcc's process";
  if (option.hasFlag(opts::Ignored) || option.matches(OPT_clang_ignored_gcc_optimization_f_Group) ||
      option.matches(OPT_clang_ignored_f_Group) || option.matches(OPT_clang_ignored_m_Group) ||
      option.matches(OPT_clang_ignored_legacy_options_Group))
    return "Clang accepts it for gcc compatibility and ignores it";
  if (option.hasFlag(opts::Unsupported))
    return "Clang does not support it";
  if (option.hasFlag(opts::LinkerInput) || option.hasFlag(opts::LinkOption) ||
      option.matches(OPT_Link_Group))
    return "a linker flag; hotcc links hot code in-process";
  return "";
}

// -Wfoo / -Wno-foo / -Werror=foo name a warning group Clang may not have (gcc's -Wlogical-op):
// Clang would warn about it on every compile.
bool knownWarningOption(llvm::StringRef value) {
  value.consume_front("no-");
  if (value.consume_front("error=") || value.consume_front("fatal-errors="))
    ;
  if (value.empty() || value == "error" || value == "everything" || value == "fatal-errors" ||
      value == "system-headers" || value == "all" || value == "extra")
    return true;
  return clang::DiagnosticIDs::getGroupForWarningOption(value).has_value();
}

const CallerOption *callerOption(const std::vector<CallerOption> &options,
                                 llvm::StringRef spelling) {
  for (auto &option : options)
    if (option.spelling == spelling)
      return &option;
  return nullptr;
}

// A caller's option given with its value joined: "--std=c99", "--port=8080", "-pBUILD".
bool joinedCallerOption(const std::vector<CallerOption> &options, llvm::StringRef arg) {
  for (auto &option : options) {
    if (!option.takesValue || !arg.starts_with(option.spelling))
      continue;
    llvm::StringRef after = arg.drop_front(option.spelling.size());
    if (option.spelling.starts_with("--") ? after.starts_with("=") : !after.empty())
      return true;
  }
  return false;
}

// Single-letter flags of the caller's given together or repeated: "-vv", "-wv".
bool combinedCallerFlags(const std::vector<CallerOption> &options, llvm::StringRef arg) {
  if (arg.size() < 3 || arg[1] == '-')
    return false;
  for (char letter : arg.drop_front()) {
    const auto *own = callerOption(options, std::string("-") + letter);
    if (!own || own->takesValue)
      return false;
  }
  return true;
}

} // namespace

bool isSourceFile(const std::string &path) {
  auto extension = llvm::sys::path::extension(path);
  if (extension.empty())
    return false;
  auto type = clang::driver::types::lookupTypeForExtension(extension.drop_front());
  return type != clang::driver::types::TY_INVALID && clang::driver::types::isSrcFile(type) &&
         !clang::driver::types::onlyPrecompileType(type);
}

SortedFlags sortCompilerFlags(const std::vector<std::string> &args,
                              const std::vector<CallerOption> &callerOptions) {
  SortedFlags out;
  const auto &table = clang::getDriverOptTable();
  std::vector<const char *> argv;
  for (auto &arg : args)
    argv.push_back(arg.c_str());
  llvm::opt::InputArgList list(argv.data(), argv.data() + argv.size());
  auto spanText = [&](unsigned from, unsigned to) {
    std::string text;
    for (unsigned i = from; i < to && i < args.size(); ++i)
      text += (text.empty() ? "" : " ") + args[i];
    return text;
  };

  unsigned index = 0;
  while (index < args.size()) {
    llvm::StringRef arg = args[index];
    if (arg == "--") {
      out.rest.insert(out.rest.end(), args.begin() + index, args.end());
      break;
    }
    if (const auto *own = callerOption(callerOptions, arg)) {
      unsigned take = own->takesValue ? 2 : 1;
      for (unsigned i = 0; i < take && index < args.size(); ++i)
        out.rest.push_back(args[index++]);
      continue;
    }
    if (!arg.starts_with("-") || arg == "-" || combinedCallerFlags(callerOptions, arg)) {
      out.rest.push_back(args[index++]);
      continue;
    }
    const unsigned start = index;
    auto parsed = table.ParseOneArg(list, index,
                                    llvm::opt::Visibility(opts::ClangOption));
    if (index == start)
      ++index;  // never loop on an argument the table did not consume
    const bool known = parsed && parsed->getOption().getID() != opts::OPT_UNKNOWN &&
                       parsed->getOption().getID() != opts::OPT_INPUT;
    if (known && callerOption(callerOptions, parsed->getOption().getPrefixedName().str())) {
      // -I, -D, -O and friends with their value joined or separate: the caller's.
      out.rest.insert(out.rest.end(), args.begin() + start, args.begin() + index);
      continue;
    }
    if (!known) {
      index = start + 1;
      if (joinedCallerOption(callerOptions, arg) || arg.starts_with("--"))
        out.rest.push_back(args[start]);  // the caller's, or its parser reports it
      else
        out.dropped.push_back({args[start], "Clang does not know this flag (a gcc-only flag?)"});
      continue;
    }
    const auto &option = parsed->getOption().getUnaliasedOption();
    const std::string text = spanText(start, index);
    if (option.getID() == opts::OPT_l) {
      out.libraries.push_back(parsed->getValue());
      continue;
    }
    if (option.getID() == opts::OPT_L) {
      out.libraryDirs.push_back(parsed->getValue());
      continue;
    }
    if (option.getID() == opts::OPT_W_Joined && !knownWarningOption(parsed->getValue())) {
      out.dropped.push_back({text, "Clang has no such warning (a gcc-only warning?)"});
      continue;
    }
    if (option.getID() == opts::OPT_pthread) {
      out.compile.push_back(text);  // defines _REENTRANT; threads are in the C library already
      continue;
    }
    if (auto objection = inProcessObjection(option); !objection.empty()) {
      out.dropped.push_back({text, objection});
      continue;
    }
    out.compile.insert(out.compile.end(), args.begin() + start, args.begin() + index);
  }
  return out;
}

} // namespace hotcc::frontend
