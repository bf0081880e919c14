"""Lua 5.5.1 from ../shared/corpus (code nobody on this project wrote), for end-to-end tests.

The corpus is read-only: everything that builds or is edited works on a copy in the test's temp
dir. `LuaCopy` copies it, builds the normal interpreter with its own makefile (the reference), and
gives the arguments to run the same sources under `hotcc run`.
"""
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from hotcc_e2e import REPO, TestFailure, check

CORPUS = REPO.parent / "shared" / "corpus" / "lua-5.5.1"

# What the makefile gives every compile that matters to the code; the issue's "Lua's 33 C files
# with its makefile's flags (jump table on)".
LUA_FLAGS = ["-std=c99", "-DLUA_USE_LINUX"]


def require_corpus():
    check(CORPUS.is_dir(), f"the Lua corpus is missing: {CORPUS} (tests read ../shared/corpus)")


class LuaCopy:
    def __init__(self, session):
        require_corpus()
        self.dir = session.path("lua")
        shutil.copytree(CORPUS, self.dir)
        for path in [self.dir, *self.dir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.testes = self.dir / "testes"

    def sources(self):
        """The interpreter's C files, as the makefile builds them (onelua.c is the one-file
        build of the same code)."""
        return sorted(str(p) for p in self.dir.glob("*.c") if p.name != "onelua.c")

    def build_reference(self):
        """`make` (the makefile's gcc -O2 build) and the test suite's C modules; returns the
        path of the normally built interpreter."""
        for where in (self.dir, self.testes / "libs"):
            r = subprocess.run(["make", "-s", "-j2"], cwd=where, capture_output=True, text=True)
            check(r.returncode == 0, f"make in {where} failed:\n{r.stdout}\n{r.stderr}")
        return self.dir / "lua"

    def makefile_compile_flags(self):
        """The flags `make` passes to the compiler for lapi.o, without -c/-o/the file: the
        makefile's CFLAGS exactly as a user would copy them."""
        r = subprocess.run(["make", "-n", "-B", "lapi.o"], cwd=self.dir, capture_output=True,
                           text=True)
        line = next((l for l in r.stdout.splitlines() if "lapi.c" in l), None)
        check(line is not None, f"make -n printed no compile of lapi.c:\n{r.stdout}")
        words = line.split()[1:]  # without the compiler
        flags = []
        skip = False
        for w in words:
            if skip:
                skip = False
            elif w == "-o":
                skip = True
            elif w not in ("-c", "lapi.c"):
                flags.append(w)
        return flags


# GNU readline, which Lua's interpreter loads with dlopen in interactive mode (`lua -i`, main.lua
# runs it a dozen times), cannot run under a sanitized hotcc: libLLVM links libedit, whose
# readline names would bind readline's own references (it crashes) but for RTLD_DEEPBIND, which
# ASan refuses (hotcc leaves it out in a sanitized build). Lua runs without readline when it
# cannot load it, and its suite passes so; a sanitized hotcc runs the suite that way: the
# variable names a library that does not exist, and main.lua's check that `-E` ignores that
# variable (and so loads libreadline.so) is off.
NO_READLINE = "/nonexistent/no-readline-under-asan.so"
READLINE_CHECK = 'if release >= "5.5.1" then\n  print"testing readline library name"\n'


def without_readline(testes):
    """Lua runs without GNU readline from now on (this process's children), and main.lua's
    READLINE_CHECK is off in this copy."""
    os.environ["LUA_READLINELIB"] = NO_READLINE
    main = testes / "main.lua"
    text = main.read_text()
    check(READLINE_CHECK in text, f"main.lua no longer has its readline check: {READLINE_CHECK!r}")
    off = READLINE_CHECK.replace("if release", "if false and release")
    main.write_text(text.replace(READLINE_CHECK, off, 1))


def default_signals():
    """Lua's main.lua stops interpreters it started with SIGINT: a test started by a shell as a
    background job inherits SIGINT ignored, which would leave them running forever."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def run(cmd, cwd, timeout):
    try:
        r = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, preexec_fn=default_signals)
    except subprocess.TimeoutExpired as e:
        raise TestFailure(f"{' '.join(map(str, cmd))} did not finish within {timeout} s; stdout "
                          f"tail: {(e.stdout or b'')[-2000:]!r}")
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r


def comparable(text):
    """Lua's test output without what differs between any two runs: times, memory figures,
    random seeds, temporary file names, and the interpreter's own path."""
    out = []
    for line in text.splitlines():
        if re.search(r"time|memory|seed|msec|random|\bpid\b|\d\d:\d\d:\d\d", line):
            continue
        line = re.sub(r"\S*/lua\b", "lua", line)
        line = re.sub(r"lua_\w{6}", "lua_TEMP", line)
        out.append(line)
    return out


def difference(a, b):
    import difflib
    return "\n".join(list(difflib.unified_diff(a, b, "normal build", "hotcc", lineterm=""))[:40])
