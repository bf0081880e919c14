// The program tools/bench/browser edits: a frame loop (emscripten_set_main_loop) that draws bars
// whose height comes from level(), and prints level() every 30 frames. The bench rewrites the
// constant in level() before each save, so each patch carries one function; the rest of the file
// is there so emcc's anchor build compiles a file of ordinary size, as a user's edit would.
#include <hotcc_web.h>

#include <emscripten.h>

#include <cmath>
#include <cstdio>

constexpr int kBars = 32;
double heights[kBars];
long frames = 0;

// The bench edits the number below (one edit a round).
int level() { return 0; }

unsigned colour(int i, double t) {
  int green = 96 + int(80 * std::sin(t + i * 0.2));
  return 0x30u << 16 | unsigned(green) << 8 | 0xe0u;
}

void ease(double &height, double target) { height += (target - height) * 0.1; }

void frame() {
  int width = hotcc_canvas_width(), height = hotcc_canvas_height();
  double t = frames / 60.0;
  double target = 20 + (level() % 100) * (height - 40) / 100.0;
  hotcc_canvas_clear(0x101018);
  double barWidth = double(width) / kBars;
  for (int i = 0; i < kBars; ++i) {
    ease(heights[i], target * (0.6 + 0.4 * std::sin(t + i * 0.3)));
    hotcc_canvas_rect(i * barWidth + 1, height - heights[i], barWidth - 2, heights[i], colour(i, t));
  }
  char text[64];
  std::snprintf(text, sizeof text, "level %d, frame %ld", level(), frames);
  hotcc_canvas_text(10, 20, text, 0xe0e0e0);
  if (++frames % 30 == 0)
    std::printf("frame %ld, level %d\n", frames, level());
}

int main() {
  std::printf("bars: %d\n", kBars);
  emscripten_set_main_loop(frame, 0, 1);
}
