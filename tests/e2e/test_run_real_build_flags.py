"""`hotcc run` takes a program the way its build does: any Clang flag (a makefile's CFLAGS, -l
libraries), a file's own #define over -D, argv[0] that runs the program again, and a clear error
for an argument that is not a source file."""
from hotcc_e2e import Session, check

# Re-executes itself through argv[0] once, as test suites and daemons do.
SELF_EXEC = r'''
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifndef GREETING
#define GREETING "hello"
#endif
int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    printf("child of %s: %s, unsigned char %d\n", argv[0], GREETING, (char)200 > 0);
    return 4;
  }
  fflush(stdout);
  execl(argv[0], argv[0], "child", (char *)0);
  perror("execl");
  return 1;
}
'''

DEFINES = r'''
#define LEVEL 1
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
int main(void) {
  int asserted = 0;
  assert((asserted = 1));
  printf("LEVEL=%d asserts=%d\n", LEVEL, asserted);
  return 0;
}
'''


def body(s):
    s.write("selfexec.c", SELF_EXEC)
    r = s.run("run", "-funsigned-char", "-Wall", "-Wlogical-op", "-DGREETING=\"hi\"", "-c",
              "-o", "selfexec.o", "-MD", "-lm", "selfexec.c")
    check(r.returncode == 4, f"the re-executed program's exit code is hotcc's (4)\n{r.dump}")
    lines = r.stdout.splitlines()
    check(len(lines) == 1 and lines[0].startswith("child of ") and
          lines[0].endswith("/selfexec: hi, unsigned char 1"),
          f"the program ran again through argv[0] with the same flags\n{r.dump}")
    check("ignoring -Wlogical-op" in r.stderr and "ignoring -c, -o selfexec.o" in r.stderr,
          f"dropped flags are noted once, with the reason\n{r.dump}")

    s.write("defines.c", DEFINES)
    r = s.run("run", "-DLEVEL=2", "-DNDEBUG", "defines.c")
    check(r.returncode == 0 and r.stdout.strip() == "LEVEL=1 asserts=1",
          f"the file's #define and #undef win over -D, as with a compiler\n{r.dump}")
    check("'LEVEL' macro redefined" in r.stderr, f"Clang's warning is shown\n{r.dump}")

    r = s.run("run", "defines.c", "script.lua")
    check(r.returncode == 2 and "script.lua: not a C or C++ source file" in r.stderr and
          "after '--'" in r.stderr, f"a non-source argument is named, exit 2\n{r.dump}")

    r = s.run("run", "-lno_such_library_xyz", "defines.c")
    check(r.returncode == 1 and "cannot load -lno_such_library_xyz: no libno_such_library_xyz.so" in r.stderr,
          f"an unknown -l library is an error naming it\n{r.dump}")


if __name__ == "__main__":
    Session.main(body)
