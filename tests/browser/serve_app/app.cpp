// The browser e2e test's program: a frame loop that counts frames (state the test checks is kept
// across patches) and prints the value of one function every 10 frames.
#include <hotcc_web.h>

#include <emscripten.h>

#include <cstdio>

long frames = 0;

int value() { return 1; }

void frame() {
  ++frames;
  hotcc_canvas_clear(0x202030);
  hotcc_canvas_circle(50 + (frames % 500), 100, 20 + 4 * value(), 0x40c0ff);
  if (frames % 10 == 0)
    std::printf("value %d frame %ld\n", value(), frames);
}

int main() {
  std::printf("started\n");
  emscripten_set_main_loop(frame, 0, 1);
}
