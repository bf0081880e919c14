"""Adding a field to a struct that a live global holds would make the running code read the old
object with the new layout: hotcc refuses, naming the type, the global and the added field, and
keeps the old code running. Reverting the struct (with a new function body) reloads fine."""
import re

from hotcc_e2e import Session, check, status_re, write_in_place, RELOAD_FAILED

PROGRAM = r'''#include <chrono>
#include <cstdio>
#include <thread>

struct Player {
  int hp;
  float x;
};

Player player{100, 1.5f};
static int frames = 0;

int value(const Player &p) { return p.hp + 1; }

void frame() {
  ++frames;
  player.x += 1.0f;
  std::printf("frame %d: hp=%d x=%.1f value=%d\n", frames, player.hp, player.x, value(player));
}

int main() {
  for (;;) {
    frame();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}
'''
FRAME_RE = re.compile(r"^frame (\d+): hp=(\d+) x=([\d.]+) value=(-?\d+)$")


def frames(p):
    return [FRAME_RE.match(l).groups() for l in p.stdout() if FRAME_RE.match(l)]


def check_frames(p, values):
    """Frames count 1, 2, 3...; x advances by 1 per frame (the global was never re-created);
    value goes through `values` in order."""
    phase = 0
    for i, (n, hp, x, value) in enumerate(frames(p)):
        check(int(n) == i + 1 and hp == "100" and float(x) == 2.5 + i,
              f"frame state was not kept: line {i + 1} is {(n, hp, x)}\n{p.dump()}")
        while phase < len(values) and values[phase] != int(value):
            phase += 1
        check(phase < len(values), f"frame {n}: unexpected value={value}\n{p.dump()}")
    return phase


def body(s):
    path = s.write("game.cpp", PROGRAM)
    p = s.watch("game.cpp")
    p.wait_for(lambda: len(frames(p)) >= 2, "2 frames")

    grown = PROGRAM.replace("  float x;\n", "  float x;\n  int mana;\n").replace(
        "return p.hp + 1;", "return p.hp + p.mana;")
    seen = len(p.stderr())
    write_in_place(path, grown)
    failed = p.wait_stderr(RELOAD_FAILED, "the refusal of the layout change", start=seen)
    report = "\n".join(p.stderr()[seen:failed])
    check("the layout of 'struct Player' changed while the live global 'player'" in report,
          f"the refusal should name struct Player and the global player:\n{report}")
    check(re.search(r"fields added: .*\bmana\b", report),
          f"the refusal should list the added field mana:\n{report}")

    count = len(frames(p))
    p.wait_for(lambda: len(frames(p)) >= count + 3, "3 more frames after the refusal")
    check(p.alive(), "hotcc exited after a refused reload")
    check(check_frames(p, [101]) == 0, "the old value() must keep running")

    # Back to the old layout, with a new body for value(): a normal reload.
    seen = len(p.stderr())
    write_in_place(path, PROGRAM.replace("return p.hp + 1;", "return p.hp * 2;"))
    p.wait_stderr(status_re("1 compiled (value)", removed=0), "the reload after the revert",
                  start=seen)
    p.wait_for(lambda: [f[3] for f in frames(p)[-3:]] == ["200"] * 3, "frames with value=200")
    check(check_frames(p, [101, 200]) == 1, "frames after the revert")


if __name__ == "__main__":
    Session.main(body)
