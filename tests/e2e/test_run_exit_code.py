"""`hotcc run FILE -- ARGS` (no --watch) runs main to completion: its output and its return value
become hotcc's, for C++ and for C."""
from hotcc_e2e import Session, check

CPP = r'''
#include <cstdio>
int main(int argc, char **argv) {
  std::printf("argc=%d\n", argc);
  for (int i = 1; i < argc; ++i) std::printf("arg %d: %s\n", i, argv[i]);
  return 3;
}
'''

C = r'''
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  printf("c argc=%d last=%s\n", argc, argv[argc - 1]);
  return (int)strlen(argv[argc - 1]);   /* "hello" -> 5 */
}
'''


def body(s):
    s.write("prog.cpp", CPP)
    r = s.run("run", "prog.cpp", "--", "a", "b")
    check(r.returncode == 3, f"expected exit code 3 (main's return)\n{r.dump}")
    check(r.stdout.splitlines() == ["argc=3", "arg 1: a", "arg 2: b"],
          f"program output does not match\n{r.dump}")

    # Arguments after `--` belong to the program even when they look like hotcc flags.
    r = s.run("run", "prog.cpp", "--", "-v", "--watch")
    check(r.returncode == 3 and r.stdout.splitlines() == ["argc=3", "arg 1: -v", "arg 2: --watch"],
          f"flags after -- must go to the program\n{r.dump}")

    s.write("prog.c", C)
    r = s.run("run", "prog.c", "--", "hello")
    check(r.returncode == 5, f"expected exit code 5 from the C program\n{r.dump}")
    check(r.stdout.splitlines() == ["c argc=2 last=hello"], f"C program output\n{r.dump}")


    # -D and -I take one value each: the files after them stay files.
    s.write("a.cpp", "int fa() { return BONUS; }\n")
    s.write("b.cpp", "int fa();\nint main() { return fa(); }\n")
    r = s.run("run", "-D", "BONUS=7", "-I", ".", "a.cpp", "b.cpp")
    check(r.returncode == 7, f"expected both files compiled with -D BONUS=7 (exit 7)\n{r.dump}")

    # A usage error is exit code 2, with a message.
    r = s.run("run", "-O9", "prog.cpp")
    check(r.returncode == 2 and "-O" in r.stderr, f"expected a usage error (exit 2)\n{r.dump}")


if __name__ == "__main__":
    Session.main(body)
