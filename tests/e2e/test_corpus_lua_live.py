"""Live edits in a real interpreter: Lua runs a loop under `hotcc run --watch` while its C sources
are edited — math_abs in lmathlib.c, str_upper in lstrlib.c, luaV_mod in lvm.c each go live while
the loop's counter keeps counting; a broken save keeps it running; a changed struct in lobject.h
(its layout is what every live object on the heap has) is refused, not a crash."""
import re
import time

from hotcc_e2e import RELOAD_FAILED, Session, check, status_re, write_in_place
from lua_corpus import LUA_FLAGS, LuaCopy

# Every step runs through pcall, so each is a fresh call into the interpreter's C code (a frame
# that is already running keeps the body it entered).
LOOP = r"""
local i = 0
local function step()
  i = i + 1
  print(string.format("tick %d abs=%d upper=%s mod=%d", i, math.abs(-5), string.upper("abc"), i % 7))
  io.stdout:flush()
end
while true do
  assert(pcall(step))
  os.execute("sleep 0.05")
end
"""
TICK = re.compile(r"^tick (\d+) abs=(-?\d+) upper=(\w+) mod=(-?\d+)$")


def edit(path, old, new):
    text = path.read_text()
    check(old in text, f"{path.name} no longer contains {old!r}; update the test")
    write_in_place(path, text.replace(old, new, 1))
    return text


def body(s):
    s.deadline = time.monotonic() + 240
    lua = LuaCopy(s)
    loop = s.write("loop.lua", LOOP)
    p = s.watch(*LUA_FLAGS, *lua.sources(), "--", loop)

    def ticks():
        return [m.groups() for m in map(TICK.match, p.stdout()) if m]

    def wait_tick(predicate, what):
        """Waits for 3 ticks in a row that satisfy predicate(abs, upper, mod, n)."""
        def ok():
            t = ticks()
            return len(t) >= 3 and all(predicate(int(a), u, int(m), int(n)) for n, a, u, m in t[-3:])
        p.wait_for(ok, what, timeout=60)

    def counter_kept_counting():
        numbers = [int(n) for n, *_ in ticks()]
        check(numbers == list(range(1, len(numbers) + 1)),
              f"the loop's counter did not keep counting: {numbers[:5]}...{numbers[-5:]}")

    wait_tick(lambda a, u, m, n: a == 5 and u == "ABC" and m == n % 7, "the loop running")

    # 1. math_abs in lmathlib.c
    lmathlib = lua.dir / "lmathlib.c"
    edit(lmathlib, "if (n < 0) n = (lua_Integer)(0u - (lua_Unsigned)n);",
         "if (n < 0) n = (lua_Integer)(0u - (lua_Unsigned)n) + 1000;")
    p.wait_stderr(status_re(compiled="1 compiled (math_abs)"), "lmathlib.c reloaded")
    wait_tick(lambda a, u, m, n: a == 1005, "math.abs(-5) returning 1005")

    # 2. str_upper in lstrlib.c; then a broken save, which changes nothing
    lstrlib = lua.dir / "lstrlib.c"
    good = edit(lstrlib, "p[i] = cast_char(toupper(cast_uchar(s[i])));",
                "p[i] = cast_char(tolower(cast_uchar(s[i])));")
    p.wait_stderr(status_re(compiled="1 compiled (str_upper)"), "lstrlib.c reloaded")
    wait_tick(lambda a, u, m, n: u == "abc", "string.upper returning lower case")
    seen = len(p.stderr())
    edit(lstrlib, "luaL_pushresultsize(&b, l);", "luaL_pushresultsize(&b, l)")
    failed = p.wait_stderr(RELOAD_FAILED, "the broken save reported", start=seen)
    report = "\n".join(p.stderr()[seen:failed])
    check(re.search(r"lstrlib\.c:\d+:\d+: error: expected ';'", report), f"no clang error:\n{report}")
    count = len(ticks())
    p.wait_for(lambda: len(ticks()) >= count + 3, "ticks after the broken save")
    wait_tick(lambda a, u, m, n: u == "abc" and a == 1005, "the previous code still running")
    write_in_place(lstrlib, good)  # back to the original str_upper
    wait_tick(lambda a, u, m, n: u == "ABC", "string.upper upper-casing again")

    # 3. luaV_mod in lvm.c, the interpreter's core
    lvm = lua.dir / "lvm.c"
    edit(lvm, "lua_Integer r = m % n;", "lua_Integer r = m % n + 100;")
    p.wait_stderr(status_re(compiled="1 compiled (luaV_mod)"), "lvm.c reloaded")
    wait_tick(lambda a, u, m, n: m == n % 7 + 100, "i % 7 computed by the new luaV_mod")

    # 4. a field added to struct Table: every live table has the old layout
    lobject = lua.dir / "lobject.h"
    seen = len(p.stderr())
    original = edit(lobject, "typedef struct Table {\n  CommonHeader;",
                    "typedef struct Table {\n  CommonHeader;\n  int added_by_test;")
    failed = p.wait_stderr(RELOAD_FAILED, "the layout change refused", start=seen)
    report = "\n".join(p.stderr()[seen:failed])
    check("the layout of 'struct Table'" in report and "fields added: added_by_test" in report,
          f"the refusal does not name the type and the field:\n{report}")
    count = len(ticks())
    p.wait_for(lambda: len(ticks()) >= count + 3, "ticks after the refused layout change")
    write_in_place(lobject, original)
    check(p.alive(), "hotcc exited")
    counter_kept_counting()


if __name__ == "__main__":
    Session.main(body)
