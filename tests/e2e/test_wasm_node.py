"""hotcc wasm end to end, in node: an emscripten MAIN_MODULE (Debian's emscripten 3.1.6) whose hot
code came from `hotcc wasm --main` runs in node; the test edits app_logic.cpp on disk, builds
patches with `hotcc wasm`, applies them to the running app and checks that the same call through
f's slot returns the new value while main-module state (a global, a static) keeps counting across
three patches; bad patches are rejected with their reason and f keeps working."""
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

from hotcc_e2e import REPO, Session, TestFailure, check, write_in_place

APP = Path(__file__).resolve().parent / "wasm_app"
RUNTIME = REPO / "wasm-backend" / "runtime"
CALL_RE = re.compile(r"^f\((\d+)\) = (-?\d+) counter (\d+) calls (\d+)$")


class Host:
    """node host.js app.js, driven line by line."""

    def __init__(self, session, cwd):
        self.p = subprocess.Popen(["node", str(APP / "host.js"), "app.js"], cwd=cwd,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self._pump, daemon=True).start()
        self.session = session
        self.expect(lambda l: l == "ready", "the app to start")

    def _pump(self):
        for line in iter(self.p.stdout.readline, ""):
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def expect(self, match, what, start=0, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for line in self.lines[start:]:
                    if match(line):
                        return line
            if self.p.poll() is not None:
                break
            time.sleep(0.01)
        raise TestFailure(f"no line for {what}; node printed:\n" + "\n".join(self.lines[-30:]))

    def send(self, command, match, what):
        with self.lock:
            start = len(self.lines)
        self.p.stdin.write(command + "\n")
        self.p.stdin.flush()
        return self.expect(match, what, start)

    def call(self, x):
        m = CALL_RE.match(self.send(f"call {x}", CALL_RE.match, f"the result of f({x})"))
        return int(m.group(2)), int(m.group(3)), int(m.group(4))

    def apply(self, path):
        return self.send(f"apply {path}", lambda l: l.startswith(("applied", "rejected")),
                         f"applying {path}")

    def printed(self, text):
        with self.lock:
            return any(text in line for line in self.lines)

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()


def body(s):
    for tool in ("em++", "node"):
        check(shutil.which(tool), f"{tool} is not installed (tools/bootstrap.sh installs it)")
    src = APP / "app_logic.cpp"
    text = src.read_text()
    app = s.write("app_logic.cpp", text)
    cache = ["--cache-dir", "cache"]

    r = s.run("wasm", "--main", "app_logic.cpp", "-o", "app_logic.o", *cache)
    check(r.returncode == 0, "hotcc wasm --main failed\n" + r.dump)
    check("hot functions behind slots" in r.stdout, "--main says nothing about slots\n" + r.dump)

    # The MAIN_MODULE, built once by Debian's emscripten.
    link = subprocess.run(
        ["em++", "-O1", "-sMAIN_MODULE=2", "-sWASM_BIGINT", "-sMODULARIZE", "-sEXPORT_NAME=createApp",
         "-sEXPORTED_RUNTIME_METHODS=FS,cwrap",
         "-sEXPORTED_FUNCTIONS=_main,_call_f,_counter_value,_calls_value",
         f"-I{RUNTIME / 'include'}", str(APP / "host_main.cpp"), "app_logic.o",
         str(RUNTIME / "hotcc_wasm_runtime.c"), "-o", "app.js"],
        cwd=s.dir, capture_output=True, text=True, timeout=120)
    check(link.returncode == 0, "em++ could not link the main module:\n" + link.stderr)

    host = Host(s, s.dir)
    try:
        check(host.call(5) == (11, 1, 1), "f(5) before any patch")
        check(host.call(5) == (11, 2, 2), "f(5) a second time")

        def patch(name, old, new, expect_changed):
            nonlocal text
            check(old in text, f"test bug: {old!r} not in the source")
            text = text.replace(old, new)
            write_in_place(app, text)
            r = s.run("wasm", "app_logic.cpp", "-o", name, *cache)
            check(r.returncode == 0, f"hotcc wasm {name} failed\n" + r.dump)
            check(expect_changed in r.stdout, f"{name}: expected {expect_changed!r}\n" + r.dump)
            applied = host.apply(s.path(name))
            check(applied.startswith("applied"), f"{name} was not applied: {applied}")

        # Patch 1: f's body. The same call through the slot returns the new value; state kept.
        patch("patch-1.wasm", "return helper(x) + 1;", "return helper(x) + 100;", "1 function (f)")
        check(host.call(5) == (110, 3, 3), "f(5) after patch 1")
        # Patch 2: only helper; f (patched before) calls it through its slot.
        patch("patch-2.wasm", "return x * 2;", "return x * 3;", "1 function (helper)")
        check(host.call(5) == (115, 4, 4), "f(5) after patch 2")
        # Patch 3: f uses new storage (initialized when the patch loads) and a helper the main
        # module's runtime exports.
        text = text.replace('extern "C" int f(int x) {',
                            'int bonus = helper(1000);\n\nextern "C" int f(int x) {')
        patch("patch-3.wasm", "return helper(x) + 100;",
              'hotcc_rt_log("patched f");\n  return helper(x) + 100 + bonus;', "1 function (f)")
        good = host.call(5)
        check(good == (3115, 5, 5), f"f(5) after patch 3 is {good}, expected (3115, 5, 5): "
              "bonus = helper(1000) = 3000 with patch 2's helper")
        check(host.printed("patched f"), "hotcc_rt_log from the patch did not reach the console")

        # Bad patches: each rejected with its reason; f keeps working and state keeps counting.
        s.write("garbage.wasm", "this is not wasm\n")
        r = s.run("wasm", "--plain", "app_logic.cpp", "-o", "plain.wasm", *cache)
        check(r.returncode == 0, "--plain build\n" + r.dump)
        tampered = bytearray(s.path("patch-2.wasm").read_bytes())
        at = tampered.rindex(b"hotcc-patch 1")
        fill = tampered.index(b"_Z6helperi", at)
        tampered[fill:fill + 10] = b"_Z6helperj"
        s.path("tampered.wasm").write_bytes(bytes(tampered))
        # Damaged copies of a good patch (the bad-input table's wasm rows): cut short, or one
        # field of its manifest changed. Each is refused by the checked loader before any slot
        # changes. Equal-length edits keep the custom section's length right.
        patch3 = s.path("patch-3.wasm").read_bytes()
        s.path("truncated.wasm").write_bytes(patch3[:len(patch3) // 2])
        s.path("header-only.wasm").write_bytes(patch3[:6])
        manifest_at = patch3.rindex(b"hotcc-patch 1")

        def tamper(name, old, new, start=manifest_at):
            check(len(old) == len(new), "test bug: a tampering must keep the length")
            data = bytearray(patch3)
            at = data.index(old, start)
            data[at:at + len(old)] = new
            s.path(name).write_bytes(bytes(data))

        tamper("version.wasm", b"hotcc-patch 1", b"hotcc-patch 7")
        fill_at = patch3.index(b"\nfill ", manifest_at) + 1
        fill = patch3[fill_at:patch3.index(b"\n", fill_at)].split(b" ")
        signature = fill[3]
        tamper("signature.wasm", b" " + signature + b" ",
               b" " + signature[:-1] + (b"0" if signature[-1:] != b"0" else b"1") + b" ")
        unit_at = patch3.index(b"\nunit ", manifest_at) + 1
        build = patch3[unit_at:patch3.index(b"\n", unit_at)].split(b" ")[2]
        tamper("build.wasm", b" " + build + b"\n", b" " + b"0" * len(build) + b"\n")
        tamper("line.wasm", b"\nfill ", b"\nfilx ")
        other = s.write("other.cpp", "extern \"C\" int g(int x) { return x; }\n")
        check(s.run("wasm", "--main", "other.cpp", "-o", "other.o", *cache).returncode == 0,
              "other --main")
        write_in_place(other, "extern \"C\" int g(int x) { return -x; }\n")
        check(s.run("wasm", "other.cpp", "-o", "foreign.wasm", *cache).returncode == 0,
              "patch for another main module")
        # A patch calling a libc function the MAIN_MODULE=2 did not export: emscripten would load
        # it with a stub that throws when f runs; the runtime refuses it up front.
        write_in_place(app, text.replace("#include <hotcc_wasm.h>",
                                         "#include <hotcc_wasm.h>\nextern \"C\" int puts(const char *);")
                       .replace('hotcc_rt_log("patched f");', 'puts("patched f");'))
        r = s.run("wasm", "app_logic.cpp", "-o", "imports.wasm", *cache)
        check(r.returncode == 0, "imports.wasm build\n" + r.dump)
        for name, reason in [("imports.wasm", "the patch calls puts, which this main module does not export"),
                             ("patch-1.wasm", "apply the patches in the order they were built"),
                             ("garbage.wasm", "not a WebAssembly module"),
                             ("plain.wasm", "not a hotcc patch"),
                             ("tampered.wasm", "has no slot in this main module"),
                             ("foreign.wasm", "this main module does not have"),
                             ("truncated.wasm", "truncated WebAssembly module"),
                             ("header-only.wasm", "not a WebAssembly module"),
                             ("version.wasm", "manifest version 7"),
                             ("signature.wasm", "a different type than its slot"),
                             ("build.wasm", "the patch was built against build"),
                             ("line.wasm", "is not understood")]:
            result = host.apply(s.path(name))
            check(result.startswith("rejected") and reason in result,
                  f"{name}: expected a rejection mentioning {reason!r}, got {result!r}")
            value, counter, calls = host.call(5)
            check(value == 3115, f"f(5) after rejecting {name} is {value}")
            check(counter == good[1] + 1, f"counter after rejecting {name} is {counter}")
            good = (value, counter, calls)

        # A change the running module cannot take: refused by hotcc wasm, nothing written.
        write_in_place(app, text.replace('extern "C" int f(int x)', 'extern "C" long f(int x)'))
        r = s.run("wasm", "app_logic.cpp", "-o", "refused.wasm", *cache)
        check(r.returncode == 1 and "a patch cannot apply this change" in r.stderr
              and "signature of 'f'" in r.stderr,
              "a signature change should be refused\n" + r.dump)
        check(not s.path("refused.wasm").exists(), "a refused patch left a file behind")
        check(host.call(5)[0] == 3115, "f after the refused build")
    finally:
        host.stop()


if __name__ == "__main__":
    Session.main(body)
