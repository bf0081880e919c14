"""`hotcc run --json`: every outcome is one JSON object per line on stdout — a reload event per
save, a diagnostic with file/line/column for a syntax error, a failure with its kind and subjects
for each refusal — while the program's own output goes to stderr and keeps going."""
import json

from hotcc_e2e import (Session, TICK_RE, check, counter_source, with_score, write_in_place)


def events(p):
    """Every stdout line parsed; each must be a schema-1 JSON object with an event name."""
    parsed = []
    for line in p.stdout():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            raise AssertionError(f"stdout holds a line that is not JSON: {line!r}\n{p.dump()}")
        check(event.get("schema") == 1 and "event" in event, f"not a schema-1 event: {line}")
        parsed.append(event)
    return parsed


def ticks_on_stderr(p):
    return [tuple(map(int, m.groups())) for m in map(TICK_RE.match, p.stderr()) if m]


def wait_event(p, what, predicate, start=0):
    """Waits for an event (index >= start) that satisfies predicate; returns (index, event)."""
    def find():
        for i, event in enumerate(events(p)[start:], start):
            if predicate(event):
                return (i, event)
    return p.wait_for(find, what)


def save(p, path, text, what, predicate):
    seen = len(events(p))
    write_in_place(path, text)
    return wait_event(p, what, predicate, start=seen)


def reload_event(ok):
    return lambda e: e["event"] == "reload" and e["ok"] == ok


def watch_session(s):
    src = counter_source(delay_ms=100)
    path = s.write("counter.cpp", src)
    p = s.start("run", "--watch", "--json", "counter.cpp")
    p.wait_for(lambda: len(ticks_on_stderr(p)) >= 2, "2 ticks of the program on stderr")
    _, first = wait_event(p, "the first load's reload event", reload_event(True))
    check(first["files"][0].endswith("counter.cpp"), f"first load: {first}")

    # A good save: one reload event naming what was compiled.
    _, good = save(p, path, with_score(src, "10 * n"), "the reload event of a good save",
                   reload_event(True))
    check([c["name"] for c in good["compiled"]] == ["score"], f"compiled: {good}")
    check(good["version"] > first["version"], f"the version counts reloads: {good}")
    check(set(good["timesMs"]) >= {"parse", "compile", "total"}, f"timesMs: {good}")
    p.wait_for(lambda: ticks_on_stderr(p)[-1][2] == 10 * ticks_on_stderr(p)[-1][1],
               "ticks computed by the new score()")

    # A syntax error: a diagnostic with where it is, and a failed reload.
    bad = with_score(src, "10 * n").replace("return 10 * n;", "return 10 * n")
    line = bad.splitlines().index("int score(int n) { return 10 * n }") + 1
    seen = len(events(p))
    write_in_place(path, bad)
    _, diagnostic = wait_event(p, "the diagnostic of a syntax error",
                               lambda e: e["event"] == "diagnostic" and e["severity"] == "error",
                               start=seen)
    check(diagnostic["file"].endswith("counter.cpp"), f"file: {diagnostic}")
    check(diagnostic["line"] == line and diagnostic["column"] == 33, f"line/column: {diagnostic}")
    check(diagnostic["kind"] == "parse-error", f"kind: {diagnostic}")
    check(diagnostic["sourceLine"] == "int score(int n) { return 10 * n }", f"{diagnostic}")
    wait_event(p, "the failed reload", reload_event(False), start=seen)

    # A refused signature change: the kind and its subjects.
    changed = src.replace("int score(int n) { return 3 * n + 1; }",
                          "int score(int n, int k) { return k * n; }")
    changed = changed.replace("score(ticks))", "score(ticks, 2))")
    _, refusal = save(p, path, changed, "the refusal of a signature change",
                      lambda e: e["event"] == "failure" and e["kind"] == "signature-change")
    check(refusal["function"] == "score" and refusal["before"] == "int (int)" and
          refusal["after"] == "int (int, int)" and "tick" in refusal["callers"],
          f"signature-change subjects: {refusal}")

    # An undefined symbol: its name and users.
    missing = with_score(src, "helper(n)").replace("int score(int n)", "int helper(int);\nint score(int n)")
    _, undefined = save(p, path, missing, "the undefined-symbol failure",
                        lambda e: e["event"] == "failure" and e["kind"] == "undefined-symbol")
    check(undefined["name"] == "helper(int)" and undefined["users"] == ["score"], f"{undefined}")

    check(p.alive(), "hotcc exited during the bad saves")
    count = len(ticks_on_stderr(p))
    p.wait_for(lambda: len(ticks_on_stderr(p)) >= count + 2, "the program keeps ticking")
    p.stop()


LAYOUT_V1 = r'''#include <cstdio>
#include <thread>
struct Player { int hp; float x; };
Player player{100, 1.5f};
int hp() { return player.hp; }
int main() {
  for (int i = 0; i < 100000; ++i) {
    std::printf("hp %d\n", hp());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}
'''


def layout_refusal(s):
    path = s.write("player.cpp", LAYOUT_V1)
    p = s.start("run", "--watch", "--json", "player.cpp")
    p.wait_for(lambda: any(l.startswith("hp 100") for l in p.stderr()), "the program's output")
    wait_event(p, "the first load", reload_event(True))
    changed = LAYOUT_V1.replace("struct Player { int hp; float x; };",
                                "struct Player { int hp; int armor; float x; };")
    changed = changed.replace("Player player{100, 1.5f};", "Player player{100, 5, 1.5f};")
    _, refusal = save(p, path, changed, "the layout-change refusal",
                      lambda e: e["event"] == "failure" and e["kind"] == "layout-change")
    check(refusal["type"] == "struct Player" and refusal["holder"] == "player",
          f"layout-change subjects: {refusal}")
    check([f["name"] for f in refusal["after"]] == ["hp", "armor", "x"], f"fields: {refusal}")
    check([f["name"] for f in refusal["before"]] == ["hp", "x"], f"fields: {refusal}")
    p.stop()


def run_once(s):
    s.write("once.cpp", '#include <cstdio>\nint main() { std::puts("hello"); return 3; }\n')
    r = s.run("run", "--json", "once.cpp")
    check(r.returncode == 3, f"the exit status is the program's\n{r.dump}")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    check([e["event"] for e in lines] == ["reload", "exit"], f"events\n{r.dump}")
    check(lines[-1]["code"] == 3, f"exit event\n{r.dump}")
    check("hello" in r.stderr.splitlines(), f"the program's output goes to stderr\n{r.dump}")

    s.write("broken.cpp", "int main() { return 0 }\n")
    r = s.run("run", "--json", "broken.cpp")
    check(r.returncode == 1, f"a compile error exits 1\n{r.dump}")
    kinds = [(e["event"], e.get("kind")) for e in map(json.loads, r.stdout.splitlines())]
    check(("diagnostic", "parse-error") in kinds and ("failure", "compile-error") in kinds,
          f"events of a compile error\n{r.dump}")
    check(r.stderr.strip() == "", f"nothing for people on stderr with --json\n{r.dump}")


def body(s):
    run_once(s)
    watch_session(s)
    layout_refusal(s)


if __name__ == "__main__":
    Session.main(body)
