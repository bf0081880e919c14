/* hotcc's runtime for an emscripten MAIN_MODULE: the slot tables through which the app's hot code
 * calls its functions, applying patches (side modules built by `hotcc wasm`), and the helpers
 * patches may call. Link hotcc_wasm_runtime.c into the main module; compile the hot code with
 * `hotcc wasm --main`. Plain C, no LLVM. */
#ifndef HOTCC_WASM_H
#define HOTCC_WASM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- slots: called by the code `hotcc wasm --main` generates, not by hand ---- */

/* A unit of hot code announces its slot table (the descriptor names each slot and its type). */
void hotcc_wasm_register_unit(const char *descriptor, void **slots, unsigned count);

/* ---- patches ---- */

/* Checks the patch at `path` (in the emscripten file system), loads it and points the slots it
 * fills at its functions. Returns the number of slots written, or -1 with the reason in
 * hotcc_wasm_last_error(); on failure no slot changes and the running code is untouched. */
int hotcc_wasm_apply_patch(const char *path);

/* Checks without loading: 0 when hotcc_wasm_apply_patch would try to load it, else -1. */
int hotcc_wasm_check_patch(const char *path);

const char *hotcc_wasm_last_error(void);
const char *hotcc_wasm_last_patch(void);  /* id of the last patch applied, "" when none */
unsigned hotcc_wasm_patches_applied(void);
unsigned hotcc_wasm_slot_count(void);     /* over every registered unit */

/* ---- helpers a patch may call (the main module exports them) ---- */

/* Zeroed memory from the main module's heap (emscripten's malloc; Boehm-GC-compatible callers
 * pair it with hotcc_rt_free). */
void *hotcc_rt_alloc(size_t size);
void hotcc_rt_free(void *pointer);
/* A line on the console (console.log in a page, stdout in node). */
void hotcc_rt_log(const char *message);

/* Boxed values, for patches that hand dynamically typed values to the host. */
typedef enum { HOTCC_BOX_INT = 1, HOTCC_BOX_DOUBLE = 2, HOTCC_BOX_STRING = 3 } hotcc_box_tag;
typedef struct hotcc_box {
  hotcc_box_tag tag;
  union {
    int64_t i;
    double d;
    const char *s; /* owned by the box */
  } as;
} hotcc_box;
hotcc_box *hotcc_box_int(int64_t value);
hotcc_box *hotcc_box_double(double value);
hotcc_box *hotcc_box_string(const char *text); /* copies */
int64_t hotcc_unbox_int(const hotcc_box *box);  /* doubles are truncated; strings give 0 */
double hotcc_unbox_double(const hotcc_box *box);
void hotcc_box_free(hotcc_box *box);

#ifdef __cplusplus
}
#endif

#endif
