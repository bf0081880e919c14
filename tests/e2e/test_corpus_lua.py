"""Lua 5.5.1, unmodified, under `hotcc run`: the makefile's own flags, a script's output equal to
the normally built interpreter's, and Lua's own test suite file by file as it passes in the normal
build — C modules loaded with require (they call back into the interpreter's API), and main.lua,
which runs the interpreter again through argv[0]."""
import time

from hotcc_e2e import Session, check, sanitized
from lua_corpus import LUA_FLAGS, LuaCopy, comparable, difference, run, without_readline

# heavy.lua is not part of the suite (all.lua does not run it); all.lua runs the others in one
# process, which the file-by-file runs below cover.
NOT_RUN = {"all.lua", "heavy.lua"}
# Non-portable parts of the suite, as on a Linux build: C modules (attrib.lua), the stand-alone
# interpreter run again through argv[0] (main.lua), the rest of the platform checks.
NON_PORTABLE = ["attrib.lua", "gc.lua", "main.lua", "math.lua", "strings.lua"]

SCRIPT = r"""
local t = {}
for i = 1, 20 do t[#t + 1] = string.format("%d:%x:%s", i * i, i * 255, string.rep("ab", i % 3)) end
print(table.concat(t, ","))
print(math.abs(-7), math.floor(3.7), 7 // 2, 7 % -3, 2^0.5, math.maxinteger)
print(string.upper("hello"), ("%5.2f"):format(math.pi), utf8.char(228, 8364))
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
print(co(1), co(10))
print(pcall(error, {code = 42}), select("#", table.unpack({1, 2, nil, 4}, 1, 4)))
print(load("return 1 + ...")(41), #tostring(print) > 0)
"""


def body(s):
    s.deadline = time.monotonic() + 1500  # the suite runs ~35 programs, main.lua many more
    lua = LuaCopy(s)
    reference = lua.build_reference()
    sources = lua.sources()
    script = s.write("script.lua", SCRIPT)

    # 1. The makefile's compile flags exactly as make passes them (gcc-only warnings, -O2 and
    #    all) and its link flags: no extra flag, no edit.
    flags = lua.makefile_compile_flags()
    check("-Wlogical-op" in flags and "-DLUA_USE_LINUX" in flags, f"unexpected flags {flags}")
    expected = run([reference, script], s.dir, 60)
    got = run([s.hotcc, "run", *flags, *sources, "-Wl,-E", "-ldl", "-lm", "--", script], s.dir,
              120)
    check(got.returncode == 0 and got.stdout == expected.stdout,
          f"the script's output differs from the normal build's:\n--- normal:\n{expected.stdout}"
          f"\n--- hotcc (exit {got.returncode}):\n{got.stdout}\n{got.stderr}")
    check("ignoring -Wlogical-op" in got.stderr, f"no note about gcc-only flags:\n{got.stderr}")

    # 2. Lua's own tests, file by file, as the makefile's test run does them (-e "_port=true
    #    _soft=true"), then the non-portable ones as on Linux (-e "_soft=true").
    if sanitized(s.hotcc):
        # GNU readline cannot be loaded under a sanitized hotcc: see NO_READLINE.
        without_readline(lua.testes)
        print("sanitized hotcc: Lua runs without GNU readline", flush=True)
    files = sorted(p.name for p in lua.testes.glob("*.lua") if p.name not in NOT_RUN)
    check(len(files) >= 30, f"Lua's test suite looks incomplete: {files}")
    runs = [(f, "_port=true _soft=true") for f in files] + [(f, "_soft=true") for f in NON_PORTABLE]
    failures = []
    for name, setting in runs:
        normal = run(["sh", "-c", f'ulimit -S -s 1100; exec "$0" -e "{setting}" {name}',
                      reference], lua.testes, 300)
        hot = run([s.hotcc, "run", *LUA_FLAGS, *sources, "--", "-e", setting, name], lua.testes,
                  600)
        print(f"{name} ({setting}): normal {normal.returncode}, hotcc {hot.returncode}", flush=True)
        if normal.returncode != 0:
            failures.append(f"{name} ({setting}): fails in the normal build too (exit "
                            f"{normal.returncode}): the test set-up is wrong\n{normal.stdout[-1500:]}"
                            f"\n{normal.stderr[-1500:]}")
        elif hot.returncode != 0 or ("OK" in normal.stdout and "OK" not in hot.stdout):
            failures.append(f"{name} ({setting}): normal build exit {normal.returncode}, hotcc "
                            f"exit {hot.returncode}\n{hot.stdout[-1500:]}\n{hot.stderr[-1500:]}")
        elif comparable(hot.stdout) != comparable(normal.stdout) and name not in (
                "constructs.lua", "sort.lua", "math.lua"):  # print random choices / timings
            failures.append(f"{name} ({setting}): output differs from the normal build's\n" +
                            difference(comparable(normal.stdout), comparable(hot.stdout)))
    check(not failures, "\n\n".join(failures))


if __name__ == "__main__":
    Session.main(body)
