/* hotcc C API: embed the native hot-reload engine in a C or C++ host.
 *
 * Function pointers returned by hotcc_lookup stay valid for the engine's whole life: they are the
 * addresses of stubs, and a reload only changes where a stub jumps. Every call that can fail returns
 * 0 on success and nonzero on failure; hotcc_last_error then says why (clang's diagnostics included).
 * The implementation lives in the jit library (libhotcc_jit); this header includes nothing of LLVM. */
#ifndef HOTCC_H
#define HOTCC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hotcc_engine hotcc_engine;

typedef struct hotcc_reload_info {
  int ok;                      /* 1 when the reload went live */
  uint64_t version;            /* the engine's version counter after it */
  int compiled;                /* functions with a new body */
  int unchanged;               /* functions whose body did not change */
  int removed;                 /* functions gone from the source (last body stays callable) */
  const char *const *compiled_names; /* `compiled` qualified names, valid during the callback */
  double total_ms;
  const char *error;           /* the message when !ok, else "" */
} hotcc_reload_info;

typedef void (*hotcc_reload_callback)(const hotcc_reload_info *info, void *user_data);

/* Compiler flags as on a command line: "-I", "dir", "-DNAME=1", "-std=c++20", "-O2", "-lNAME",
   "-LDIR", ... NULL when the engine cannot start (a -l library missing): hotcc_create_error says why. */
hotcc_engine *hotcc_create(const char *const *flags, int flag_count);
void hotcc_destroy(hotcc_engine *engine);

int hotcc_add_file(hotcc_engine *engine, const char *path);
/* Recompiles one file (or every file including it, for a header); 0 when it went live. */
int hotcc_reload_file(hotcc_engine *engine, const char *path);
/* Recompiles every file that changed on disk since it was last compiled. */
int hotcc_reload(hotcc_engine *engine);

/* Stable address of a hot function (by symbol or qualified name), or of a global; NULL if unknown. */
void *hotcc_lookup(hotcc_engine *engine, const char *name);
int hotcc_rollback(hotcc_engine *engine, const char *name);
void hotcc_on_reload(hotcc_engine *engine, hotcc_reload_callback callback, void *user_data);
uint64_t hotcc_version(const hotcc_engine *engine);
/* Versions a function has had (0 when unknown). */
int hotcc_history_size(hotcc_engine *engine, const char *name);
const char *hotcc_last_error(const hotcc_engine *engine);
/* Why the last hotcc_create on this thread returned NULL ("" when it did not). */
const char *hotcc_create_error(void);

#ifdef __cplusplus
}
#endif

#endif /* HOTCC_H */
