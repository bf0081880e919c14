"""Lua 5.5.1 (../shared/corpus, code nobody here wrote) built normally against run by hotcc.

Four sections, each against its anchor measured in the same run:

  files    Lua's 34 C files. Anchor: `make` with clang-22 -O0 (the makefile's flags, -j as many
           cores as there are) — a full build, then touch-one-file builds (the edited file
           recompiled, liblua.a archived, lua relinked). hotcc: `hotcc run` of the same files,
           first load (process start to Lua's first output line), then a one-function edit saved
           into the running interpreter (`--watch`), timed from the write to hotcc's status line.
           Edits: math_abs in lmathlib.c, luaV_mod in lvm.c (a new constant every round).
  onelua   onelua.c, every Lua file #included into one translation unit (30k lines, ~1,150
           functions). Anchor: `clang-22 -O0 onelua.c -lm` (a one-file program rebuilds in full).
           hotcc: first load and the same edits, with the reload's phases.
  synthetic  a generated C file of --functions functions (61k lines at the default 1,600): the
           same anchor and measures, one function edited per round.
  all.lua  Lua's test suite (`all.lua`, -e "_port=true _soft=true") run by the makefile's own
           gcc -O2 binary and by `hotcc run -O2`; the suite prints its own CPU time (os.clock),
           which leaves hotcc's compile out.

Prints Markdown tables with medians and ratios (anchor / hotcc). One run, this machine.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "lua-5.5.1"
LUA_FLAGS = ["-std=c99", "-DLUA_USE_LINUX"]
STATUS_RE = re.compile(r"^hotcc: reloaded (.*): (\d+) compiled.* — ([\d.]+) ms \(parse ([\d.]+), "
                       r"analyze ([\d.]+), compile ([\d.]+), redirect ([\d.]+)\)")
ANCHOR_CFLAGS = "-O0 -std=c99 -DLUA_USE_LINUX -fno-stack-protector -fno-common -w"

# Prints once, then sleeps in C (os.execute) so the interpreter is idle while hotcc compiles.
LOOP = """print("ready"); io.stdout:flush()
while true do os.execute("sleep 0.2") end
"""


def timed(cmd, cwd, env=None):
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = (time.perf_counter() - start) * 1000
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}")
    return elapsed, r


def median(values):
    return statistics.median(values) if values else float("nan")


def ms(v):
    return f"{v:.0f} ms" if v >= 100 else f"{v:.1f} ms"


class Watch:
    """A `hotcc run -v --watch` process; times from a save to the status line it prints."""

    def __init__(self, hotcc, args, cwd):
        self.lines = []
        self.cond = threading.Condition()
        self.started = time.perf_counter()
        self.p = subprocess.Popen([hotcc, "run", "-v", "--watch", *args], cwd=cwd,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.first_load_ms = (self.wait(lambda l: l == "ready", 300) - self.started) * 1000

    def _read(self):
        for line in self.p.stdout:
            with self.cond:
                self.lines.append((time.perf_counter(), line.rstrip("\n")))
                self.cond.notify_all()

    def wait(self, predicate, timeout, start=0):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if predicate(self.lines[i][1]):
                        self.seen = i + 1
                        return self.lines[i][0]
                if time.time() > deadline or self.p.poll() is not None:
                    sys.exit("hotcc did not print what was expected:\n" +
                             "\n".join(l for _, l in self.lines[-30:]))
                self.cond.wait(0.5)

    def reload(self, path, text):
        """Writes `text` to `path`; returns (ms from write to status line, phases)."""
        with self.cond:
            start_index = len(self.lines)
        start = time.perf_counter()
        path.write_text(text)
        done = self.wait(lambda l: l.startswith("hotcc: reloaded") or "error" in l, 120,
                         start_index)
        line = self.lines[self.seen - 1][1]
        m = STATUS_RE.match(line)
        if not m:
            sys.exit(f"reload failed: {line}")
        return (done - start) * 1000, [float(m.group(i)) for i in range(3, 8)]

    def stop(self):
        self.p.kill()
        self.p.wait()


class Edit:
    """A function body edited with a new constant every round."""

    def __init__(self, path, old, template):
        self.path, self.old, self.template = path, old, template
        self.original = path.read_text()
        if old not in self.original:
            sys.exit(f"{path.name} no longer contains {old!r}")

    def text(self, k):
        return self.original.replace(self.old, self.template.format(k=k), 1)

    def restore(self):
        self.path.write_text(self.original)


def first_load(args, run_args, directory):
    """`hotcc run` to completion of a program that exits at once: process start, compile, link,
    run; median of 3."""
    return median([timed([args.hotcc, "run", *run_args], directory)[0] for _ in range(3)])


def hotcc_rounds(watch, edit, rounds):
    times, phases = [], []
    for k in range(1001, 1001 + rounds):
        t, ph = watch.reload(edit.path, edit.text(k))
        times.append(t)
        phases.append(ph)
        time.sleep(0.3)
    edit.restore()
    watch.wait(lambda l: l.startswith("hotcc: reloaded"), 120, watch.seen)
    return median(times), [median([p[i] for p in phases]) for i in range(5)]


def anchor_rounds(edit, rounds, build):
    times = []
    for k in range(1, rounds + 1):
        edit.path.write_text(edit.text(k))
        times.append(build())
    edit.restore()
    return median(times)


def lua_edits(d):
    return [
        ("lmathlib.c: math_abs", Edit(d / "lmathlib.c", "lua_Integer n = lua_tointeger(L, 1);",
                                       "lua_Integer n = lua_tointeger(L, 1) + {k} - {k};")),
        ("lvm.c: luaV_mod", Edit(d / "lvm.c", "lua_Integer r = m % n;",
                                  "lua_Integer r = m % n + {k} - {k};")),
    ]


def section_files(args, work, rows):
    d = work / "files"
    shutil.copytree(CORPUS, d)
    make = ["make", "-s", f"-j{os.cpu_count()}", "CC=clang-22", f"CFLAGS={ANCHOR_CFLAGS}"]
    full, _ = timed(make, d)
    sources = sorted(str(p) for p in d.glob("*.c") if p.name != "onelua.c")
    edits = lua_edits(d)
    # The anchor's rounds first, with no hotcc running: the two never compete for the CPU, and
    # hotcc's rounds use constants it has not seen.
    anchors = [anchor_rounds(edit, args.rounds, lambda: timed(make, d)[0]) for _, edit in edits]
    hot_full = first_load(args, [*LUA_FLAGS, *sources, "--", "-e", "os.exit(0)"], d)
    rows.append(("files", "first load: full build vs hotcc", full, hot_full, None))
    watch = Watch(args.hotcc, [*LUA_FLAGS, *sources, "--", str(work / "loop.lua")], d)
    for (name, edit), anchor in zip(edits, anchors):
        hot, phases = hotcc_rounds(watch, edit, args.rounds)
        rows.append(("files", f"{name}: touch + make vs reload", anchor, hot, phases))
    watch.stop()


def section_one_tu(args, work, rows, label, directory, file, edits, anchor_cmd):
    full = median([timed(anchor_cmd, directory)[0] for _ in range(3)])
    anchors = [anchor_rounds(edit, args.rounds, lambda: timed(anchor_cmd, directory)[0])
               for _, edit in edits]
    lua = label == "onelua"
    hot_full = first_load(args, [*LUA_FLAGS, str(file), *(["--", "-e", "os.exit(0)"] if lua else
                                                         ["--", "exit"])], directory)
    rows.append((label, "first load: clang -O0 + link vs hotcc", full, hot_full, None))
    program_args = ["--", str(work / "loop.lua")] if lua else []
    watch = Watch(args.hotcc, [*LUA_FLAGS, str(file), *program_args], directory)
    for (name, edit), anchor in zip(edits, anchors):
        hot, phases = hotcc_rounds(watch, edit, args.rounds)
        rows.append((label, f"{name}: rebuild vs reload", anchor, hot, phases))
    watch.stop()


def synthetic_source(functions):
    """A C program of `functions` functions, ~38 lines each (61k lines at the default 1,600):
    loops, branches, a struct, calls to the previous function; main prints 'ready' and sleeps."""
    out = ["#include <stdio.h>", "#include <unistd.h>", "#include <string.h>",
           "struct acc { long sum; long count; double mean; char tag[8]; };"]
    for i in range(functions):
        prev = f"f{i - 1}(x / 2 + 1, a)" if i else "x"
        out.append(f"""long f{i}(long x, struct acc *a) {{
  long total = 0;
  for (long k = 0; k < (x & 7); ++k) {{
    if ((k ^ x) & 1)
      total += k * {i % 13 + 1};
    else
      total -= k / {i % 5 + 1};
  }}
  switch (x % 4) {{
  case 0: total += {i}; break;
  case 1: total ^= {i * 7}; break;
  case 2: total -= {i % 97}; break;
  default: total |= 1; break;
  }}
  a->sum += total;
  a->count += 1;
  a->mean = (double)a->sum / (double)a->count;
  if (a->count % {i % 17 + 3} == 0) {{
    memcpy(a->tag, "f{i % 1000}", 4);
  }}
  if (total > 1000000) {{
    total = total % 1000;
  }} else if (total < -1000000) {{
    total = -(-total % 1000);
  }}
  while (total > 100) {{
    total /= 3;
  }}
  for (int r = 0; r < 2; ++r) {{
    if (a->tag[r] == 'f')
      total += r;
    else
      total -= r;
  }}
  a->count ^= 0;
  /* {i}: marker */
  return total + ({prev} & 3);
}}
""")
    out.append("""int main(int argc, char **argv) {
  struct acc a = {0, 0, 0.0, ""};
  if (argc > 1)
    return 0;  /* "exit": timing the first load */
  printf("ready\\n");
  fflush(stdout);
  for (;;) {
    long v = f%d(12345, &a);
    (void)v;
    sleep(1);
  }
}
""" % (functions - 1))
    return "\n".join(out)


def section_all_lua(args, work, rows):
    d = work / "suite"
    shutil.copytree(CORPUS, d)
    timed(["make", "-s", f"-j{os.cpu_count()}"], d)  # the makefile's own: gcc -O2
    testes = d / "testes"
    setting = "_port=true _soft=true"
    cpu = lambda out: float(re.search(r"total time: ([\d.]+)s", out).group(1)) * 1000
    normal, hot = [], []
    sources = sorted(str(p) for p in d.glob("*.c") if p.name != "onelua.c")
    for _ in range(args.suite_rounds):
        _, r = timed(["sh", "-c", f'ulimit -S -s 1100; exec ../lua -e "{setting}" all.lua'],
                     testes)
        normal.append(cpu(r.stdout))
        _, r = timed([args.hotcc, "run", "-O2", *LUA_FLAGS, *sources, "--", "-e", setting,
                      "all.lua"], testes)
        hot.append(cpu(r.stdout))
    rows.append(("all.lua", "CPU time: gcc -O2 binary vs hotcc -O2", median(normal), median(hot),
                 None))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hotcc", required=True)
    parser.add_argument("--rounds", type=int, default=5, help="edits per measure (median)")
    parser.add_argument("--suite-rounds", type=int, default=3, help="all.lua runs per side")
    parser.add_argument("--functions", type=int, default=1600, help="size of the synthetic TU")
    parser.add_argument("--only", choices=["files", "onelua", "synthetic", "all.lua"],
                        action="append")
    args = parser.parse_args()
    args.hotcc = os.path.abspath(args.hotcc)
    if not CORPUS.is_dir():
        sys.exit(f"no Lua corpus at {CORPUS}")
    only = set(args.only or ["files", "onelua", "synthetic", "all.lua"])
    work = Path(tempfile.mkdtemp(prefix="hotcc-bench-lua-"))
    rows = []
    try:
        (work / "loop.lua").write_text(LOOP)
        if "files" in only:
            section_files(args, work, rows)
        if "onelua" in only:
            d = work / "onelua"
            shutil.copytree(CORPUS, d)
            anchor = ["clang-22", *ANCHOR_CFLAGS.split(), "onelua.c", "-lm", "-o", "lua1"]
            section_one_tu(args, work, rows, "onelua", d, d / "onelua.c", lua_edits(d), anchor)
        if "synthetic" in only:
            d = work / "synthetic"
            d.mkdir()
            src = d / "big.c"
            src.write_text(synthetic_source(args.functions))
            lines = src.read_text().count("\n")
            middle = args.functions // 2
            edits = [(f"big.c ({lines} lines): f{middle}",
                      Edit(src, f"/* {middle}: marker */", "total += {k}; total -= {k};"))]
            anchor = ["clang-22", "-O0", "-w", "big.c", "-o", "big"]
            section_one_tu(args, work, rows, "synthetic", d, src, edits, anchor)
        if "all.lua" in only:
            section_all_lua(args, work, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nLua 5.5.1, {args.rounds} edits per row (medians), {os.cpu_count()} cores\n")
    print("| program | measure | anchor | hotcc | ratio | hotcc phases: parse / analyze / "
          "compile / redirect |")
    print("|---|---|---:|---:|---:|---|")
    for program, measure, anchor, hot, phases in rows:
        ph = " / ".join(ms(p) for p in phases[1:]) if phases else ""
        share = f" (analyze {phases[2] / phases[0] * 100:.1f}%)" if phases else ""
        print(f"| {program} | {measure} | {ms(anchor)} | {ms(hot)} | {anchor / hot:.2f}× | "
              f"{ph}{share} |")


if __name__ == "__main__":
    main()
