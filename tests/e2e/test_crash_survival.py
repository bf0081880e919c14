"""Under --watch a crash in hot code never takes the program down. Saves whose score() segfaults,
then throws, then aborts: each is reported, its reload is rolled back (the ticks go back to the old
formula), the tick counter keeps counting and the next good save goes live. A crash in a function
no reload touched is survived the same way, the function left in place. --json: a failure event of
kind "crash" with the backtrace."""
import json

from hotcc_e2e import Session, check, counter_source, status_re, with_score, write_in_place

BAD_EDITS = [
    ("*(volatile int *)(n - n) + n", "main crashed: SIGSEGV in score (counter.cpp:"),
    ("throw std::runtime_error(\"bad score\"), n", "main threw std::runtime_error in score"),
    ("std::abort(), n", "main crashed: SIGABRT in score (counter.cpp:"),
]
ROLLED_BACK = "rolled back score"


def check_counting(p, formulas):
    """Ticks 1, 2, 3, ... without a gap; each score fits one of `formulas` or is 0 (a crashed
    call returned 0)."""
    for i, (tick, n, score) in enumerate(p.ticks()):
        check(tick == i + 1 and n == tick, f"the tick counter did not go on at line {i + 1}\n"
              + p.dump())
        check(score == 0 or any(f(n) == score for f in formulas),
              f"tick {tick}: unexpected score {score}\n" + p.dump())


def crash_and_roll_back(s):
    src = "#include <stdexcept>\n" + counter_source(delay_ms=100)
    path = s.write("counter.cpp", src)
    p = s.watch("counter.cpp")
    p.wait_ticks(2)
    old = lambda n: 3 * n + 1
    for bad, headline in BAD_EDITS:
        seen = len(p.stderr())
        write_in_place(path, with_score(src, bad))
        at = p.wait_stderr(headline, f"the report of '{bad}'", start=seen)
        report = "\n".join(p.stderr()[at:at + 12])
        check(any(ROLLED_BACK in line for line in p.stderr()[at:]),
              f"the crash of '{bad}' should say score was rolled back:\n{report}")
        check("  #0 " in report or "  #" in report, f"a backtrace should follow:\n{report}")
        count = len(p.ticks())
        p.wait_ticks(count + 3, f"3 more ticks after '{bad}' crashed")
        check(all(score == old(n) for _, n, score in p.ticks()[-2:]),
              f"after '{bad}' score should be back to 3n+1\n" + p.dump())
    seen = len(p.stderr())
    write_in_place(path, with_score(src, "10 * n"))
    p.wait_stderr(status_re("1 compiled (score)"), "the good save's status line", start=seen)
    p.wait_formula(lambda n: 10 * n, what="ticks computed by the good save")
    check_counting(p, [old, lambda n: 10 * n])
    zeros = [t for t in p.ticks() if t[2] == 0]
    check(len(zeros) == len(BAD_EDITS), f"each crash should cost one tick (score 0):\n{p.dump()}")
    p.stop()


def crash_in_untouched_code(s):
    src = with_score(counter_source(delay_ms=100), "n == 4 ? *(volatile int *)(n - n) : 3 * n + 1")
    path = s.write("untouched.cpp", src)
    p = s.watch("untouched.cpp")
    at = p.wait_stderr("main crashed: SIGSEGV in score (untouched.cpp:", "the crash at tick 4")
    check(any("score stays as it is" in line for line in p.stderr()[at:]),
          "a crash in code no reload touched leaves the function in place:\n" + p.dump())
    p.wait_ticks(7, "ticks after the crash")
    check(p.ticks()[3] == (4, 4, 0), "the crashed call returned 0:\n" + p.dump())
    seen = len(p.stderr())
    write_in_place(path, with_score(src, "10 * n"))
    p.wait_stderr(status_re("1 compiled (score)"), "the good save after the crash", start=seen)
    p.wait_formula(lambda n: 10 * n, what="ticks of the good save")
    check_counting(p, [lambda n: 3 * n + 1, lambda n: 10 * n])
    p.stop()


def crash_as_json(s):
    src = with_score(counter_source(delay_ms=50), "n == 2 ? *(volatile int *)(n - n) : n")
    s.write("json.cpp", src)
    p = s.start("run", "--watch", "--json", "json.cpp")

    def crash_event():
        for line in p.stdout():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "failure" and event.get("kind") == "crash":
                return event
    event = p.wait_for(crash_event, "a failure event of kind crash")
    check(event["function"] == "score" and event["signalName"] == "SIGSEGV",
          f"the crash event names score and SIGSEGV: {event}")
    check(event["continuation"] == "returned-to-caller" and event["returnedTo"] == "tick",
          f"the crashed call returned to tick: {event}")
    names = [f["function"] for f in event["backtrace"] if f["hot"]]
    check(names[:3] == ["score", "tick", "main"], f"the backtrace's hot frames: {names}")
    p.stop()


def body(s):
    crash_and_roll_back(s)
    crash_in_untouched_code(s)
    crash_as_json(s)


if __name__ == "__main__":
    Session.main(body)
