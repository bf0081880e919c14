// A canvas of particles for `hotcc serve`: run
//
//     tools/hotcc serve tools/examples/web/particles.cpp
//
// open the printed URL, then edit colour(), speed() or draw() below and save. The page runs the
// new code on its next frame; the particles keep their positions, and the frame counter keeps
// counting.
#include <hotcc_web.h>

#include <emscripten.h>

#include <cmath>
#include <cstdio>

struct Particle {
  double x, y, vx, vy;
};

constexpr int kCount = 120;
Particle particles[kCount];
long frames = 0;

// The colour of particle i at time t (0xRRGGBB). Try 0x40c0ff, or mix in sin(t).
unsigned colour(int i, double t) {
  int red = 128 + int(127 * std::sin(t + i * 0.05));
  return unsigned(red) << 16 | 0x60 << 8 | 0xd0;
}

// How fast the particles move. Try 2.5.
double speed() { return 1.0; }

void step(Particle &p, int width, int height) {
  p.x += p.vx * speed();
  p.y += p.vy * speed();
  if (p.x < 0 || p.x > width) p.vx = -p.vx;
  if (p.y < 0 || p.y > height) p.vy = -p.vy;
}

void draw(const Particle &p, int i, double t) { hotcc_canvas_circle(p.x, p.y, 4, colour(i, t)); }

void frame() {
  int width = hotcc_canvas_width(), height = hotcc_canvas_height();
  double t = frames / 60.0;
  hotcc_canvas_clear(0x101018);
  for (int i = 0; i < kCount; ++i) {
    step(particles[i], width, height);
    draw(particles[i], i, t);
  }
  hotcc_canvas_text(10, 20, "edit particles.cpp and save", 0xe0e0e0);
  if (++frames % 60 == 0)
    std::printf("frame %ld, speed %.1f\n", frames, speed());
}

int main() {
  for (int i = 0; i < kCount; ++i)
    particles[i] = {std::fmod(i * 37.0, 640), std::fmod(i * 91.0, 480), std::cos(i) * 2,
                    std::sin(i) * 2};
  std::printf("particles: %d\n", kCount);
  emscripten_set_main_loop(frame, 0, 1);
}
