"""State survives reloads: a global int, a static local inside the very function being edited, a
thread_local, and C++ objects with constructors (std::vector, std::string, a class that prints
when constructed). Their constructors must not run again on reload."""
import re

from hotcc_e2e import Session, check, status_re, write_in_place, RELOAD_FAILED

PROGRAM = r'''#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

struct Loud {
  Loud() { std::puts("constructed"); }
  int uses = 0;
};

Loud loud;
std::vector<int> history;
std::string label = "start";
int globalCount = 0;
thread_local int perThread = 0;

void step() {
  static int calls = 0;
  ++calls;
  ++globalCount;
  ++perThread;
  ++loud.uses;
  history.push_back(calls);
  std::printf("step g=%d s=%d t=%d l=%d h=%zu label=%s version=1\n", globalCount, calls,
              perThread, loud.uses, history.size(), label.c_str());
}

int main() {
  for (;;) {
    step();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}
'''
STEP_RE = re.compile(r"^step g=(\d+) s=(\d+) t=(\d+) l=(\d+) h=(\d+) label=(\w+) version=(\d+)$")


def steps(p):
    return [STEP_RE.match(l).groups() for l in p.stdout() if STEP_RE.match(l)]


def check_steps(p):
    """Every counter equals the step number (1, 2, 3, ...: nothing reset or re-created), and
    versions only go up. Returns the version of the last step."""
    version = 1
    for i, (*counters, label, v) in enumerate(steps(p)):
        check(counters == [str(i + 1)] * 5 and label == "start",
              f"state lost: step {i + 1} printed g,s,t,l,h = {counters}, label={label}\n{p.dump()}")
        check(int(v) >= version, f"step {i + 1} went back to version {v}\n{p.dump()}")
        version = int(v)
    return version


def body(s):
    path = s.write("state.cpp", PROGRAM)
    p = s.watch("state.cpp")
    p.wait_for(lambda: len(steps(p)) >= 2, "2 steps")

    for version in (2, 3, 4):
        seen = len(p.stderr())
        write_in_place(path, PROGRAM.replace("version=1", f"version={version}"))
        p.wait_stderr(status_re("1 compiled (step)", removed=0), f"the reload to version {version}",
                      start=seen)
        p.wait_for(lambda: [x[-1] for x in steps(p)[-2:]] == [str(version)] * 2,
                   f"2 steps printed by version {version}")
        check(check_steps(p) == version, "steps after a reload")

    check(p.alive() and RELOAD_FAILED not in p.stderr(), "hotcc failed or exited")
    constructed = p.stdout().count("constructed")
    check(constructed == 1, f"Loud's constructor ran {constructed} times, expected once\n{p.dump()}")


if __name__ == "__main__":
    Session.main(body)
