"""hotcc wasm --json: every outcome as one JSON object per line on stdout (schema 1). A main build
yields a "main-object" event; a good patch a "patch" event naming the function it carries; a syntax
error a "diagnostic" event with the right file, line and column and exit status 1; a change a patch
cannot carry a "failure" of kind "patch-cannot-apply" with the file and one entry per change.
stdout holds nothing but events; nothing is written when the build fails."""
import json

from hotcc_e2e import Session, check, write_in_place

APP = """int counter = 0;
int helper(int x) { return x * 2; }
extern "C" int f(int x) { ++counter; return helper(x) + 1; }
"""


def events(r):
    """The JSON events on stdout; every non-empty line must be one."""
    out = []
    for line in r.stdout.splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            check(False, f"stdout line is not JSON: {line!r}\n" + r.dump)
        check(isinstance(event, dict) and event.get("schema") == 1 and "event" in event,
              f"not a schema-1 event: {line!r}\n" + r.dump)
        out.append(event)
    return out


def only(r, name):
    """The one event called `name` in r's output."""
    found = [e for e in events(r) if e["event"] == name]
    check(len(found) == 1, f"expected one {name!r} event, got {len(found)}\n" + r.dump)
    return found[0]


def body(s):
    app = s.write("app.cpp", APP)
    cache = ["--cache-dir", "cache", "--json"]

    r = s.run("wasm", "--main", "app.cpp", "-o", "app.o", *cache)
    check(r.returncode == 0, "hotcc wasm --main --json failed\n" + r.dump)
    main = only(r, "main-object")
    check(main["output"] == "app.o" and main["slots"] == 2, "main-object event\n" + r.dump)
    check("f" in main["slotNames"], "main-object names its slots\n" + r.dump)
    check(main["bytes"] > 0 and s.path("app.o").exists(), "the object was written\n" + r.dump)

    # A good patch: one "patch" event carrying f, nothing else on stdout.
    write_in_place(app, APP.replace("helper(x) + 1", "helper(x) + 100"))
    r = s.run("wasm", "app.cpp", "-o", "p1.wasm", *cache)
    check(r.returncode == 0, "a good patch failed\n" + r.dump)
    check(all(e["event"] in ("patch", "diagnostic") for e in events(r)),
          "unexpected events for a good patch\n" + r.dump)
    patch = only(r, "patch")
    check(patch["output"] == "p1.wasm" and patch["bytes"] == s.path("p1.wasm").stat().st_size,
          "patch event: output and size\n" + r.dump)
    check(patch["changed"] == ["f"], "the patch carries f\n" + r.dump)
    check([fill["slot"] for fill in patch["fills"]] == ["f"], "the patch fills f's slot\n" + r.dump)
    check(len(patch["id"]) == 16 and patch["after"] == "main" and patch["cacheHit"] is False,
          "patch event: id, after, cacheHit\n" + r.dump)
    check(set(patch["timesMs"]) == {"compile", "link", "total"}, "patch timings\n" + r.dump)

    # The same sources again: the same patch, from the cache.
    r = s.run("wasm", "app.cpp", "-o", "p1-again.wasm", *cache)
    again = only(r, "patch")
    check(again["cacheHit"] is True and again["id"] == patch["id"], "cached patch\n" + r.dump)

    # A syntax error: a diagnostic with file, line and column, then the failure; exit status 1.
    broken = APP + "int broken( {\n"
    write_in_place(app, broken)
    r = s.run("wasm", "app.cpp", "-o", "p2.wasm", *cache)
    check(r.returncode == 1, "a syntax error should exit with status 1\n" + r.dump)
    diagnostics = [e for e in events(r) if e["event"] == "diagnostic"]
    check(diagnostics, "no diagnostic event for a syntax error\n" + r.dump)
    first = diagnostics[0]
    check(first["file"].endswith("app.cpp"), f"diagnostic file {first['file']!r}\n" + r.dump)
    check(first["severity"] == "error" and first["kind"] == "parse-error",
          "the diagnostic is a parse error\n" + r.dump)
    check(first["line"] == broken.count("\n") and first["column"] == 14,
          f"diagnostic at {first['line']}:{first['column']}, expected "
          f"{broken.count(chr(10))}:14\n" + r.dump)
    check(first["sourceLine"] == "int broken( {", "the diagnostic's source line\n" + r.dump)
    failure = only(r, "failure")
    check(failure["kind"] == "compile-error" and failure["file"].endswith("app.cpp"),
          "a compile-error failure follows the diagnostics\n" + r.dump)
    check(not s.path("p2.wasm").exists(), "a failed build left a file behind")

    # Changes a patch cannot carry: one failure, each change named.
    write_in_place(app, APP.replace('extern "C" int f(int x)', 'extern "C" long f(int x)')
                   .replace("int counter = 0;", "long long counter = 0;"))
    r = s.run("wasm", "app.cpp", "-o", "p3.wasm", *cache)
    check(r.returncode == 1, "a refused patch should exit with status 1\n" + r.dump)
    refused = only(r, "failure")
    check(refused["kind"] == "patch-cannot-apply", "kind of the refusal\n" + r.dump)
    check(refused["file"].endswith("app.cpp"), "the refusal names the file\n" + r.dump)
    changes = refused["changes"]
    check(len(changes) == 2, f"expected two changes, got {changes!r}\n" + r.dump)
    check(any("'f'" in c for c in changes) and any("'counter'" in c for c in changes),
          f"the changes name f and counter: {changes!r}\n" + r.dump)
    check(not s.path("p3.wasm").exists(), "a refused patch left a file behind")

    # Without --json the same refusal is text on stderr, and stdout stays empty.
    r = s.run("wasm", "app.cpp", "-o", "p3.wasm", "--cache-dir", "cache")
    check(r.returncode == 1 and "a patch cannot apply this change" in r.stderr
          and r.stdout == "", "the refusal as text\n" + r.dump)

    # A usage error is an event too, with its own exit status.
    r = s.run("wasm", "--main", "--plain", "app.cpp", "-o", "x.o", *cache)
    check(r.returncode == 2 and only(r, "failure")["kind"] == "setup-error",
          "--main with --plain\n" + r.dump)


if __name__ == "__main__":
    Session.main(body)
