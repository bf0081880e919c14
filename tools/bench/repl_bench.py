"""hotcc repl vs clang-repl-22 on the same scripted sessions, in one run.

Each session is piped into both tools (non-interactive mode, stdin not a terminal); the figure is
the wall time of the whole process, start-up included: what a user waits for. hotcc runs with a
warm PCH cache (one untimed run first fills it), and once more with an empty cache to show the
cold cost. Prints a Markdown table of medians and hotcc's time as a fraction of clang-repl's.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

STARTUP = "1+1\n"

STD = """#include <vector>
#include <string>
#include <map>
#include <iostream>
#include <algorithm>
std::vector<std::string> words{"pear", "apple", "fig", "kiwi", "plum"};
std::sort(words.begin(), words.end());
std::map<std::string, int> lengths;
for (auto &w : words) lengths[w] = w.size();
for (auto &[w, n] : lengths) std::cout << w << "=" << n << "\\n";
"""

JSON = """#include <iostream>
#include <nlohmann/json.hpp>
nlohmann::json j = {{"name", "hotcc"}, {"ok", true}, {"list", {1, 2, 3}}};
j["extra"] = 4.5;
std::cout << j.dump() << std::endl;
"""


def definitions(n=50):
    lines = []
    for i in range(n):
        lines.append(f"int f{i}(int x) {{ return x * {i} + {i % 7}; }}")
        lines.append(f"f{i}({i})")
    return "\n".join(lines) + "\n"


SESSIONS = [
    ("start-up + `1+1`", STARTUP),
    ("<vector> <string> <map> <iostream> <algorithm>: sort, print", STD),
    ("<nlohmann/json.hpp>: build and dump a value", JSON),
    ("50 definitions + 50 evaluations", definitions()),
]


def run(cmd, script, env=None):
    started = time.monotonic()
    r = subprocess.run(cmd, input=script.encode(), capture_output=True, env=env)
    elapsed = time.monotonic() - started
    return elapsed, r


def median_time(cmd, script, rounds, env=None, check=None):
    times = []
    for _ in range(rounds):
        elapsed, r = run(cmd, script, env)
        if check:
            check(r)
        times.append(elapsed)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hotcc", required=True)
    parser.add_argument("--clang-repl", default="clang-repl-22")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which(args.clang_repl):
        sys.exit(f"{args.clang_repl} not found (Debian package clang-tools-22)")

    warm_cache = tempfile.mkdtemp(prefix="hotcc-bench-cache-")
    env = dict(os.environ, XDG_STATE_HOME=warm_cache)

    def hotcc_ok(r):
        if r.returncode != 0:
            sys.exit("hotcc repl failed on a benchmark session:\n" + r.stderr.decode())

    rows = []
    for name, script in SESSIONS:
        hotcc = [args.hotcc, "repl", "--cache-dir", warm_cache]
        cold_dir = tempfile.mkdtemp(prefix="hotcc-bench-cold-")
        cold, r = run([args.hotcc, "repl", "--cache-dir", cold_dir], script, env)
        hotcc_ok(r)
        shutil.rmtree(cold_dir, ignore_errors=True)
        run(hotcc, script, env)  # fills the warm cache
        warm = median_time(hotcc, script, args.rounds, env, hotcc_ok)
        clang = median_time([args.clang_repl], script, args.rounds)
        rows.append((name, clang, warm, cold))
        print(f"measured: {name}", file=sys.stderr)

    print(f"\nmedian of {args.rounds} runs, wall time of the whole process (start-up included)\n")
    print("| session | clang-repl-22 | hotcc repl (warm cache) | hotcc / clang-repl | hotcc (cold cache) |")
    print("|---|---:|---:|---:|---:|")
    for name, clang, warm, cold in rows:
        print(f"| {name} | {clang * 1000:.0f} ms | {warm * 1000:.0f} ms | {warm / clang:.2f} | "
              f"{cold * 1000:.0f} ms |")
    shutil.rmtree(warm_cache, ignore_errors=True)


if __name__ == "__main__":
    main()
