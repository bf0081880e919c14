/* The C API from a plain C host: create, add a file, look up a stable pointer, reload, roll back,
 * hear about reloads, read the version. Exits nonzero on the first failed check. */
#include "hotcc/hotcc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;
#define CHECK(cond)                                                                              \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      fprintf(stderr, "test_c_api.c:%d: CHECK(%s) failed\n", __LINE__, #cond);                   \
      ++failures;                                                                                \
    }                                                                                            \
  } while (0)

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
}

static int reloads_seen = 0;
static int last_compiled = -1;
static void on_reload(const hotcc_reload_info *info, void *user) {
  (void)user;
  reloads_seen++;
  last_compiled = info->compiled;
}

int main(void) {
  char dir[] = "/tmp/hotcc-capi-XXXXXX";
  if (!mkdtemp(dir))
    return 2;
  char path[256];
  snprintf(path, sizeof path, "%s/plugin.c", dir);
  write_file(path, "int answer(void) { return 41; }\nint unchanged(void) { return 7; }\n");

  const char *flags[] = {"-O0", "-DUNUSED=1"};
  hotcc_engine *engine = hotcc_create(flags, 2);
  CHECK(engine != NULL);
  if (!engine)
    return 1;
  hotcc_on_reload(engine, on_reload, NULL);

  CHECK(hotcc_add_file(engine, path) == 0);
  int (*answer)(void) = (int (*)(void))hotcc_lookup(engine, "answer");
  CHECK(answer != NULL);
  CHECK(answer && answer() == 41);
  uint64_t v1 = hotcc_version(engine);

  write_file(path, "int answer(void) { return 42; }\nint unchanged(void) { return 7; }\n");
  CHECK(hotcc_reload_file(engine, path) == 0);
  CHECK(answer() == 42);
  CHECK(hotcc_lookup(engine, "answer") == (void *)answer);
  CHECK(hotcc_version(engine) == v1 + 1);
  CHECK(last_compiled == 1);
  CHECK(hotcc_history_size(engine, "answer") == 2);

  write_file(path, "int answer(void) { return 43 }\n");
  CHECK(hotcc_reload_file(engine, path) != 0);
  CHECK(strstr(hotcc_last_error(engine), "error: expected ';'") != NULL);
  CHECK(answer() == 42);

  CHECK(hotcc_rollback(engine, "answer") == 0);
  CHECK(answer() == 41);
  CHECK(hotcc_rollback(engine, "nonexistent") != 0);
  CHECK(hotcc_lookup(engine, "nonexistent") == NULL);
  CHECK(reloads_seen >= 3);

  hotcc_destroy(engine);

  /* A creation that fails says why. */
  const char *badFlags[] = {"-lno_such_library_xyz"};
  CHECK(hotcc_create(badFlags, 1) == NULL);
  CHECK(strstr(hotcc_create_error(), "-lno_such_library_xyz") != NULL);
  unlink(path);
  rmdir(dir);
  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  else
    printf("test_c_api: all checks passed\n");
  return failures ? 1 : 0;
}
