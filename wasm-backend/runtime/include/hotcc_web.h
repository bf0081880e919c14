/* Drawing on the page's <canvas id="canvas"> from C or C++, for programs `hotcc serve` runs in a
 * browser. The main module implements these with the canvas 2D API; hot code (and patches) call
 * them like any function. Colours are 0xRRGGBB. Plain C, no LLVM. */
#ifndef HOTCC_WEB_H
#define HOTCC_WEB_H

#ifdef __cplusplus
extern "C" {
#endif

int hotcc_canvas_width(void);
int hotcc_canvas_height(void);
void hotcc_canvas_clear(unsigned rgb);
void hotcc_canvas_rect(double x, double y, double width, double height, unsigned rgb);
void hotcc_canvas_circle(double x, double y, double radius, unsigned rgb);
void hotcc_canvas_text(double x, double y, const char *text, unsigned rgb);

#ifdef __cplusplus
}
#endif

#endif
