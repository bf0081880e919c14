// The wasm backend: compile and link steps (what the objects and side modules declare), the main
// object's slots, patches and their manifests, the patch cache, refusals, and lld run many times
// in one process.
#include "temp_source.hpp"

#include "hotcc/frontend/outcome_error.hpp"
#include "hotcc/wasm/build_state.hpp"
#include "hotcc/wasm/patch_manifest.hpp"
#include "hotcc/wasm/wasm_binary.hpp"
#include "hotcc/wasm/wasm_builder.hpp"
#include "hotcc/wasm/wasm_linker.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using hotcc::test::TempSource;
using namespace hotcc::wasm;
namespace failure = hotcc::failure;
using hotcc::Failure;

namespace {

template <class T> T must(llvm::Expected<T> value);

std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

WasmSummary summaryOf(const std::string &path);

std::unique_ptr<WasmBuilder> makeBuilder(const TempSource &src, WasmTarget target = WasmTarget::Emscripten) {
  WasmOptions options;
  options.target = target;
  options.cacheDir = (src.dir() / "cache").string();
  return must(WasmBuilder::create(options));
}

// A failure in a test's own message: its kind and main subject.
std::string describe(const Failure &f) {
  std::string out = hotcc::kindName(f);
  if (auto *link = std::get_if<failure::LinkError>(&f))
    out += ": " + link->detail;
  if (auto *setup = std::get_if<failure::SetupError>(&f))
    out += ": " + setup->subject + ": " + setup->problem;
  if (auto *compile = std::get_if<failure::CompileError>(&f))
    for (auto &d : compile->diagnostics)
      out += "\n  " + d.where.file + ":" + std::to_string(d.where.line) + ": " + d.message;
  return out;
}

// The value, or the test fails saying what the failure was.
template <class T> T must(llvm::Expected<T> value) {
  if (!value)
    FAIL(describe(hotcc::frontend::toFailure(value.takeError())));
  return std::move(*value);
}

// The failure an error carries; the test fails when there was none.
Failure failureOf(llvm::Error error) {
  if (!error)
    FAIL("expected a failure, and it succeeded");
  return hotcc::frontend::toFailure(std::move(error));
}
template <class T> Failure failureOf(llvm::Expected<T> value) {
  return failureOf(value.takeError());
}

// The failure as the kind expected; the test fails when it is another.
template <class Kind> Kind as(const Failure &f) {
  auto *kind = std::get_if<Kind>(&f);
  if (!kind)
    FAIL("a " << describe(f) << " failure, not the kind expected");
  return *kind;
}

bool anyContains(const std::vector<std::string> &items, const std::string &part) {
  return std::any_of(items.begin(), items.end(),
                     [&](auto &item) { return item.find(part) != std::string::npos; });
}

WasmSummary summaryOf(const std::string &path) {
  return must(readWasm(readBytes(path)));
}

long residentKiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

const char *kApp = R"(
int counter = 0;
static int calls = 0;
int helper(int x) { return x * 2; }
extern "C" int f(int x) { ++counter; ++calls; return helper(x) + 1; }
extern "C" int get_calls() { return calls; }
)";

} // namespace

TEST_CASE("a plain side module declares what it defines and what it needs", "[wasm]") {
  TempSource src("plain.cpp", R"(
extern int shared_total;
extern "C" int host_log(const char *);
extern "C" int add_to_total(int x) { shared_total += x; host_log("added"); return shared_total; }
)");
  auto builder = makeBuilder(src);
  auto out = (src.dir() / "plain.wasm").string();
  must(builder->buildPlainSideModule({src.path()}, out));
  auto summary = summaryOf(out);
  CHECK(summary.isSideModule());  // dylink.0 first
  CHECK(summary.exportsName("add_to_total"));
  CHECK(summary.importsName("GOT.mem", "_Z12shared_total") == false);  // C++ name of the variable:
  CHECK(summary.importsName("GOT.mem", "shared_total"));                // `extern int` at global scope
  CHECK(summary.importsName("env", "host_log"));
  CHECK(summary.importsName("env", "memory"));
}

TEST_CASE("the main object reaches hot functions through an exported slot table", "[wasm]") {
  TempSource src("app.cpp", kApp);
  auto builder = makeBuilder(src);
  auto object = (src.dir() / "app.o").string();
  auto main = must(builder->buildMain({src.path()}, object));
  CHECK(main.slots == 3);  // helper, f, get_calls
  auto summary = summaryOf(object);
  CHECK_FALSE(summary.isSideModule());
  CHECK(summary.customSections.count("linking"));  // a relocatable object for emcc to link
  auto state = must(BuildState::load(main.statePath));
  REQUIRE(state.units.size() == 1);
  auto &unit = state.units.begin()->second;
  CHECK(unit.slots.count("f"));
  CHECK(unit.slots.count("_Z6helperi"));
  CHECK(unit.globals.count("counter"));
  // The static is promoted to a name emscripten can turn into a JavaScript variable.
  bool promoted = false;
  for (auto &[name, global] : unit.globals)
    promoted |= name.find("calls$hc$") != std::string::npos;
  CHECK(promoted);
}

TEST_CASE("a patch carries only the changed functions, imports the main module's data, and "
          "names itself in its manifest", "[wasm]") {
  TempSource src("app.cpp", kApp);
  auto builder = makeBuilder(src);
  must(builder->buildMain({src.path()}, (src.dir() / "app.o").string()));

  std::string edited = kApp;
  edited.replace(edited.find("helper(x) + 1"), 13, "helper(x) + 100");
  src.write(edited);
  auto out = (src.dir() / "p1.wasm").string();
  auto patch = must(builder->buildPatch({src.path()}, out));
  CHECK_FALSE(patch.cacheHit);
  REQUIRE(patch.manifest.fills.size() == 1);
  auto &fill = patch.manifest.fills.front();
  CHECK(fill.slot == "f");
  CHECK(fill.exportName == "f$hcp$" + patch.manifest.id);

  auto summary = summaryOf(out);
  CHECK(summary.isSideModule());
  CHECK(summary.exportsName(fill.exportName));
  CHECK_FALSE(summary.exportsName("f"));
  CHECK_FALSE(summary.exportsName("counter"));      // never redefined
  CHECK(summary.importsName("GOT.mem", "counter"));  // the main module's storage
  REQUIRE(summary.customSections.count(kManifestSection));
  auto manifest = must(PatchManifest::parse(summary.customSections.at(kManifestSection)));
  CHECK(manifest == patch.manifest);

  SECTION("the next patch is diffed against the state the last one left") {
    edited.replace(edited.find("x * 2"), 5, "x * 3");
    src.write(edited);
    auto next = must(builder->buildPatch({src.path()}, (src.dir() / "p2.wasm").string()));
    REQUIRE(next.manifest.fills.size() == 1);
    CHECK(next.manifest.fills.front().slot == "_Z6helperi");
    CHECK(next.manifest.id != patch.manifest.id);
  }
  SECTION("the same sources again give the same patch, from the cache") {
    auto again = must(builder->buildPatch({src.path()}, (src.dir() / "again.wasm").string()));
    CHECK(again.cacheHit);
    CHECK(again.manifest == patch.manifest);
    CHECK(readBytes((src.dir() / "again.wasm").string()) == readBytes(out));
  }
  SECTION("without the cache too") {
    WasmOptions options;
    options.cacheDir = (src.dir() / "cache").string();
    options.useCache = false;
    auto uncached = must(WasmBuilder::create(options));
    auto again = must(uncached->buildPatch({src.path()}, (src.dir() / "again.wasm").string()));
    CHECK_FALSE(again.cacheHit);
    CHECK(again.manifest == patch.manifest);
    CHECK(readBytes((src.dir() / "again.wasm").string()) == readBytes(out));
  }
}

TEST_CASE("new storage in a patch is defined there and initialized once", "[wasm]") {
  TempSource src("app.cpp", kApp);
  auto builder = makeBuilder(src);
  must(builder->buildMain({src.path()}, (src.dir() / "app.o").string()));
  std::string edited = kApp;
  edited.replace(edited.find("helper(x) + 1"), 13, "helper(x) + fresh_total");
  auto afterHelper = edited.find("extern \"C\" int f(");
  edited.insert(afterHelper, "int fresh_total = helper(21);  // dynamic initialization\n");
  src.write(edited);
  auto out = (src.dir() / "p.wasm").string();
  must(builder->buildPatch({src.path()}, out));
  auto summary = summaryOf(out);
  CHECK(summary.exportsName("fresh_total"));         // later patches import it from here
  CHECK(summary.exportsName("__wasm_call_ctors"));   // its initializer runs when loaded
  CHECK(summary.importsName("GOT.mem", "counter"));
}

TEST_CASE("changes a running main module cannot take are refused before anything is written",
          "[wasm]") {
  TempSource src("app.cpp", kApp);
  auto builder = makeBuilder(src);
  auto out = (src.dir() / "p.wasm").string();

  SECTION("no main build yet") {
    auto setup = as<failure::SetupError>(failureOf(builder->buildPatch({src.path()}, out)));
    CHECK(setup.subject == src.path());  // the files patched, which no main build has
  }
  must(builder->buildMain({src.path()}, (src.dir() / "app.o").string()));
  SECTION("a hot function's type") {
    std::string edited = kApp;
    edited.replace(edited.find("int f(int x)"), 12, "long f(int x)");
    src.write(edited);
    auto refused = as<failure::PatchCannotApply>(failureOf(builder->buildPatch({src.path()}, out)));
    CHECK(std::filesystem::path(refused.file).filename() == "app.cpp");
    REQUIRE(refused.changes.size() == 1);
    CHECK(refused.changes[0].starts_with("signature of 'f'"));
  }
  SECTION("a global's type") {
    std::string edited = kApp;
    edited.replace(edited.find("int counter = 0;"), 16, "long long counter = 0;");
    src.write(edited);
    auto refused = as<failure::PatchCannotApply>(failureOf(builder->buildPatch({src.path()}, out)));
    REQUIRE(refused.changes.size() == 1);
    CHECK(refused.changes[0].starts_with("type or layout of 'counter'"));
  }
  SECTION("a variadic function (it has no slot)") {
    TempSource v("v.cpp", "int sum(int n, ...) { return n; }\nint use() { return sum(1, 2); }\n");
    auto vb = makeBuilder(v);
    must(vb->buildMain({v.path()}, (v.dir() / "v.o").string()));
    v.write("int sum(int n, ...) { return n + 1; }\nint use() { return sum(1, 2); }\n");
    auto refused = as<failure::PatchCannotApply>(
        failureOf(vb->buildPatch({v.path()}, (v.dir() / "p.wasm").string())));
    CHECK(std::filesystem::path(refused.file).filename() == "v.cpp");
    CHECK(anyContains(refused.changes, "variadic 'sum"));
  }
  SECTION("EM_ASM in a changed body (the page could not load its JavaScript)") {
    TempSource e("e.cpp", "#include <emscripten.h>\nint seven() { return EM_ASM_INT({ return 7; }); }\n");
    auto eb = makeBuilder(e);
    must(eb->buildMain({e.path()}, (e.dir() / "e.o").string()));
    e.write("#include <emscripten.h>\nint seven() { return EM_ASM_INT({ return 8; }); }\n");
    auto refused = as<failure::PatchCannotApply>(
        failureOf(eb->buildPatch({e.path()}, (e.dir() / "p.wasm").string())));
    CHECK(anyContains(refused.changes, "EM_ASM in 'seven"));
  }
  SECTION("a header edit is a new patch, with a new id") {
    auto header = (src.dir() / "app.h").string();
    std::ofstream(header) << "inline int bias() { return 1; }\n";
    src.write(std::string("#include \"app.h\"\n") + kApp);
    auto builder2 = makeBuilder(src);
    std::string edited = std::string("#include \"app.h\"\n") + kApp;
    edited.replace(edited.find("helper(x) + 1"), 13, "helper(x) + bias()");
    src.write(edited);
    must(builder2->buildMain({src.path()}, (src.dir() / "h.o").string()));
    std::ofstream(header) << "inline int bias() { return 2; }\n";
    auto first = must(builder2->buildPatch({src.path()}, (src.dir() / "h1.wasm").string()));
    std::ofstream(header) << "inline int bias() { return 3; }\n";
    auto second = must(builder2->buildPatch({src.path()}, (src.dir() / "h2.wasm").string()));
    CHECK(first.manifest.fills.size() == 1);
    CHECK(second.manifest.fills.size() == 1);
    CHECK(first.manifest.id != second.manifest.id);
    CHECK(second.manifest.after == first.manifest.id);
  }
  SECTION("a syntax error: clang's diagnostics, nothing written") {
    std::string text = std::string(kApp) + "int broken( {\n";
    src.write(text);
    auto error = as<failure::CompileError>(failureOf(builder->buildPatch({src.path()}, out)));
    REQUIRE_FALSE(error.diagnostics.empty());
    auto &first = error.diagnostics.front();
    CHECK(first.severity == hotcc::Severity::Error);
    CHECK(first.kind == hotcc::DiagnosticKind::ParseError);
    CHECK(std::filesystem::path(first.where.file).filename() == "app.cpp");
    CHECK(first.where.line == std::count(text.begin(), text.end(), '\n'));  // the last line
    CHECK(first.where.column == 14);  // after "int broken( {"
    CHECK(first.sourceLine == "int broken( {");
  }
  SECTION("a file the main module does not have (one state file for both builds)") {
    WasmOptions options;
    options.cacheDir = (src.dir() / "cache").string();
    options.statePath = (src.dir() / "state.json").string();
    auto shared = must(WasmBuilder::create(options));
    must(shared->buildMain({src.path()}, (src.dir() / "s.o").string()));
    auto other = (src.dir() / "other.cpp").string();
    std::ofstream(other) << "int other() { return 1; }\n";
    auto missing = as<failure::NotInProgram>(failureOf(shared->buildPatch({src.path(), other}, out)));
    CHECK(std::filesystem::path(missing.path).filename() == "other.cpp");
  }
  CHECK_FALSE(std::ifstream(out).good());
}

TEST_CASE("manifests round-trip and bad ones are refused with the reason", "[wasm]") {
  PatchManifest manifest;
  manifest.id = "0123456789abcdef";
  manifest.target = "wasm32-unknown-emscripten";
  manifest.units = {{"74bcf9c7", "3ffcb446c392e6fe"}, {"00aa11bb", "ffffffffffffffff"}};
  manifest.fills = {{"74bcf9c7", "f", "1379dc8d18421380", "c5864d1299ed287d", "f$hcp$0123456789abcdef"},
                    {"00aa11bb", "_Z6helperi", "0000000000000001", "0000000000000002",
                     "_Z6helperi$hcp$0123456789abcdef"}};
  CHECK(must(PatchManifest::parse(manifest.serialize())) == manifest);

  // The problem is free text for people; the kind, the subject and the line are the facts.
  auto bad = [](const std::string &text) {
    auto setup = as<failure::SetupError>(failureOf(PatchManifest::parse(text)));
    CHECK(setup.subject == "patch manifest");
    return setup.problem;
  };
  CHECK_THAT(bad(""), Catch::StartsWith("line 1: ") && Catch::Contains("empty manifest"));
  CHECK_THAT(bad("hotcc-patch 9\nid x\n"), Catch::StartsWith("line 1: ") && Catch::Contains("version 9"));
  CHECK_THAT(bad("hotcc-patch 1\nid x\nfill u f 0000000000000000 0000000000000000 f$hcp$x\n"),
             Catch::Contains("no 'unit' record"));
  CHECK_THAT(bad("hotcc-patch 1\nid x\nunit u b\nfill u f zz 00 e\n"),
             Catch::StartsWith("line 4: ") && Catch::Contains("16 hex digits"));
}

TEST_CASE("reading wasm binaries: custom sections appended, garbage refused", "[wasm]") {
  auto garbage = as<failure::SetupError>(failureOf(readWasm("hello world")));
  CHECK(garbage.subject == "WebAssembly binary");
  CHECK_THAT(garbage.problem, Catch::Contains("not a WebAssembly binary"));
  std::string empty("\0asm\1\0\0\0", 8);
  auto withSection = withCustomSection(empty, "note", "payload");
  CHECK(must(readWasm(withSection)).customSections.at("note") == "payload");
  CHECK_THAT(as<failure::SetupError>(failureOf(readWasm(withSection.substr(0, withSection.size() - 3))))
                 .problem,
             Catch::Contains("truncated"));
}

TEST_CASE("lld links 100 times in one process without failing or growing", "[wasm][lld]") {
  TempSource src("one.cpp", "extern \"C\" int one() { return 1; }\n");
  auto builder = makeBuilder(src);
  auto first = (src.dir() / "first.wasm").string();
  must(builder->buildPlainSideModule({src.path()}, first));
  // The object again, for raw links: rebuild it as a main object (relocatable, no state needed).
  auto object = (src.dir() / "one.o").string();
  must(builder->buildMain({src.path()}, object));
  [[maybe_unused]] long before = 0;  // read only outside ASan (below)
  for (int i = 0; i < 100; ++i) {
    auto out = (src.dir() / ("out" + std::to_string(i % 3) + ".wasm")).string();
    if (auto error = linkSideModule({object}, out))
      FAIL("link " << i << ": " << describe(hotcc::frontend::toFailure(std::move(error))));
    if (i == 9)
      before = residentKiB();  // after lld's one-time allocations
  }
  auto summary = summaryOf((src.dir() / "out0.wasm").string());
  CHECK(summary.isSideModule());
  CHECK(summary.exportsName("one"));
#if !defined(__SANITIZE_ADDRESS__) && !__has_feature(address_sanitizer)
  CHECK(residentKiB() - before < 4096);  // 90 links: no more than 4 MiB, i.e. nothing kept per link
#endif  // under ASan, freed memory waits in its quarantine (256 MB): RSS grows without a leak

  SECTION("a link error is reported, and the next link still works") {
    auto link = as<failure::LinkError>(
        failureOf(linkSideModule({(src.dir() / "missing.o").string()}, first)));
    CHECK_THAT(link.detail, Catch::Contains("missing.o"));  // wasm-ld's words
    if (auto error = linkSideModule({object}, first))
      FAIL("the next link: " << describe(hotcc::frontend::toFailure(std::move(error))));
  }
}

TEST_CASE("wasm32-wasi side modules use WASI's headers", "[wasm][wasi]") {
  TempSource src("w.c", "#include <string.h>\nint length(const char *s) { return (int)strlen(s); }\n");
  auto builder = makeBuilder(src, WasmTarget::Wasi);
  CHECK(builder->target().triple == "wasm32-wasi");
  auto out = (src.dir() / "w.wasm").string();
  must(builder->buildPlainSideModule({src.path()}, out));
  auto summary = summaryOf(out);
  CHECK(summary.isSideModule());
  CHECK(summary.exportsName("length"));
  CHECK(summary.importsName("env", "strlen"));
}

TEST_CASE("a sysroot that is not one is refused by name", "[wasm]") {
  WasmOptions options;
  options.cacheDir = "/tmp";
  options.sysroot = "/nonexistent";
  auto setup = as<failure::SetupError>(failureOf(WasmBuilder::create(options)));
  CHECK(setup.subject == "--sysroot /nonexistent");
}

TEST_CASE("a patch reaches another file's hot functions through that file's slots", "[wasm]") {
  TempSource a("a.cpp", "int b_value(int);\nextern \"C\" int f(int x) { return b_value(x) + 1; }\n");
  auto b = (a.dir() / "b.cpp").string();
  std::ofstream(b) << "static int scale = 10;\nint b_value(int x) { return x * scale; }\n";
  auto builder = makeBuilder(a);
  auto main = must(builder->buildMain({a.path(), b}, (a.dir() / "hot.o").string()));
  CHECK(main.slots == 2);
  CHECK_FALSE(summaryOf((a.dir() / "hot.o").string()).isSideModule());  // one relocatable object

  a.write("int b_value(int);\nextern \"C\" int f(int x) { return b_value(x) + 2; }\n");
  auto out = (a.dir() / "p.wasm").string();
  auto patch = must(builder->buildPatch({a.path(), b}, out));
  REQUIRE(patch.manifest.fills.size() == 1);
  CHECK(patch.manifest.units.size() == 2);
  auto summary = summaryOf(out);
  // MAIN_MODULE=2 does not export b_value's stub: the patch must not call it by name.
  CHECK_FALSE(summary.importsName("env", "_Z7b_valuei"));
  bool throughSlots = false;
  for (auto &import : summary.imports)
    throughSlots |= import.module == "GOT.mem" && import.name.starts_with("__hotcc_slots_");
  CHECK(throughSlots);
}
