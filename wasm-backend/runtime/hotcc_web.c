/* The canvas helpers of hotcc_web.h, for an emscripten MAIN_MODULE. They live in the main module
 * (EM_JS code cannot be in a patch: hotcc links patches itself, and emscripten's side-module
 * loader of Debian's 3.1.6 does not run a side module's EM_JS), so a patch just calls them. */
#include <emscripten.h>

#include "hotcc_web.h"

#define HOTCC_EXPORT __attribute__((used, visibility("default")))

EM_JS(void *, hotcc_canvas_context, (void), {
  if (!Module.hotccCanvas2d) {
    var canvas = Module.canvas || document.getElementById('canvas');
    Module.hotccCanvas2d = canvas ? canvas.getContext('2d') : null;
  }
  return Module.hotccCanvas2d ? 1 : 0;
});

EM_JS(void, hotcc_canvas_fill_style, (unsigned rgb), {
  Module.hotccCanvas2d.fillStyle = '#' + (rgb & 0xffffff).toString(16).padStart(6, '0');
});

EM_JS(int, hotcc_canvas_dimension, (int which), {
  var c = Module.hotccCanvas2d.canvas;
  return which ? c.height : c.width;
});

EM_JS(void, hotcc_canvas_fill_rect, (double x, double y, double w, double h), {
  Module.hotccCanvas2d.fillRect(x, y, w, h);
});

EM_JS(void, hotcc_canvas_fill_circle, (double x, double y, double r), {
  var g = Module.hotccCanvas2d;
  g.beginPath();
  g.arc(x, y, Math.max(r, 0), 0, 2 * Math.PI);
  g.fill();
});

EM_JS(void, hotcc_canvas_fill_text, (double x, double y, const char *text), {
  var g = Module.hotccCanvas2d;
  g.font = '14px monospace';
  g.fillText(UTF8ToString(text), x, y);
});

HOTCC_EXPORT int hotcc_canvas_width(void) {
  return hotcc_canvas_context() ? hotcc_canvas_dimension(0) : 0;
}

HOTCC_EXPORT int hotcc_canvas_height(void) {
  return hotcc_canvas_context() ? hotcc_canvas_dimension(1) : 0;
}

HOTCC_EXPORT void hotcc_canvas_clear(unsigned rgb) {
  if (!hotcc_canvas_context())
    return;
  hotcc_canvas_fill_style(rgb);
  hotcc_canvas_fill_rect(0, 0, hotcc_canvas_dimension(0), hotcc_canvas_dimension(1));
}

HOTCC_EXPORT void hotcc_canvas_rect(double x, double y, double width, double height, unsigned rgb) {
  if (!hotcc_canvas_context())
    return;
  hotcc_canvas_fill_style(rgb);
  hotcc_canvas_fill_rect(x, y, width, height);
}

HOTCC_EXPORT void hotcc_canvas_circle(double x, double y, double radius, unsigned rgb) {
  if (!hotcc_canvas_context())
    return;
  hotcc_canvas_fill_style(rgb);
  hotcc_canvas_fill_circle(x, y, radius);
}

HOTCC_EXPORT void hotcc_canvas_text(double x, double y, const char *text, unsigned rgb) {
  if (!hotcc_canvas_context())
    return;
  hotcc_canvas_fill_style(rgb);
  hotcc_canvas_fill_text(x, y, text);
}
