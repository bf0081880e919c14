/* The seam between `hotcc test` (the host, in libhotcc) and a test framework adapter (a shared
 * library hotcc builds once per framework version from runtime/test_adapters/<framework>.cpp and
 * the user's own framework headers). Plain C so the two sides need not share a C++ ABI beyond the
 * framework's own.
 *
 * Test files are JIT-compiled by the engine. Their registration calls (Catch::AutoReg's
 * constructor, testing::internal::MakeAndRegisterTestInfo) are bound to the adapter's `overrides`
 * instead of the framework's, so the adapter knows which file each test came from and can replace
 * a file's tests when it is compiled again — the frameworks' own registries only ever grow. */
#ifndef HOTCC_TEST_ADAPTER_ABI_H
#define HOTCC_TEST_ADAPTER_ABI_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOTCC_TEST_ABI_VERSION 2

/* What the host offers an adapter during one run. */
typedef struct hotcc_test_host {
  void *context;
  /* Runs fn(arg); returns 0 when it returned. A crash (signal) or the per-test timeout makes it
   * return nonzero with the reason ("crashed: SIGSEGV (segmentation fault)", "timed out after
   * 500 ms") written to `reason`. Exceptions from fn pass through untouched. */
  int (*guard)(void *context, void (*fn)(void *), void *arg, char *reason, size_t reason_size);
  /* Restarts the timeout of the innermost guard (for frameworks whose whole run is one guard). */
  void (*restart_timeout)(void *context);
  void (*case_started)(void *context, const char *name, const char *file, int line);
  /* One failed check of the current test case. `text` may span lines. */
  void (*failure)(void *context, const char *file, int line, const char *text);
  /* assertions: how many ran, or -1 when the framework does not count them. */
  void (*case_ended)(void *context, int passed, long assertions);
} hotcc_test_host;

typedef struct hotcc_test_symbol {
  const char *name;  /* link name a test file refers to */
  void *address;     /* what it must be bound to */
} hotcc_test_symbol;

typedef struct hotcc_test_adapter {
  int abi_version;
  const char *framework; /* e.g. "Catch2 2.13.10" */
  const hotcc_test_symbol *overrides;
  size_t override_count;
  /* Registrations from now on belong to `file`, pending until end_file. */
  void (*begin_file)(const char *file);
  /* keep != 0: the pending registrations replace the file's tests; else they are dropped and the
   * file keeps the tests it had (a failed compile). */
  void (*end_file)(const char *file, int keep);
  /* How many tests `file` has registered. */
  size_t (*test_count)(const char *file);
  /* Source line of the file's i-th test (for "N test cases recompiled"). */
  int (*test_line)(const char *file, size_t index);
  /* Runs the tests of `files` (every file when file_count is 0) that `args` select, the way the
   * framework's own main would (args[0] is a program name). Returns 0, or -1 with `error` set
   * when the arguments are bad. */
  int (*run)(int argc, const char *const *args, const char *const *files, size_t file_count,
             const hotcc_test_host *host, char *error, size_t error_size);
  /* Tests some frameworks make from several files at once (GoogleTest's value-parameterized suite
   * with its TEST_Ps in one file and an instantiation in another). How many files share such
   * tests with `file` (as of their last loads), up to `max` of them written to `files`; the host
   * then loads `file` and those again, as a group. NULL when the framework has none. */
  size_t (*companions)(const char *file, const char **files, size_t max);
  /* Between begin_group and end_group the files loaded (begin_file/end_file each) are one group:
   * the tests they make together are made, and recorded as theirs, by end_group. */
  void (*begin_group)(void);
  void (*end_group)(void);
  /* The host's session of `file` ended, and the file's code may be freed next: its tests, and what
   * its code handed the framework (environments, listeners, translators), are dropped. */
  void (*drop_file)(const char *file);
} hotcc_test_adapter;

/* Every adapter exports this. */
typedef const hotcc_test_adapter *(*hotcc_test_adapter_entry)(void);
#define HOTCC_TEST_ADAPTER_ENTRY "hotcc_test_adapter_v1"

#ifdef __cplusplus
}
#endif
#endif
