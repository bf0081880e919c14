"""`hotcc repl` reading a script from stdin: no prompts, values and errors as interactively,
multi-line inputs, exit status 0 when every input worked and 1 when one failed."""
from hotcc_e2e import Session, check
from hotcc_repl_e2e import run_script

GOOD = """#include <vector>
#include <string>
std::vector<int> v{3, 1, 2};
int twice(int x) { return 2 * x; }
int apply(int x) { return twice(x) + 1; }
apply(5)
int twice(int x) { return 3 * x; }
apply(5)
v.size()
std::string greet(std::string who) {
  return "hi " + who;
}
greet("you")
printf("printed %d\\n", 7);
"""


def body(s):
    r = run_script(s, GOOD)
    check(r.returncode == 0, "a script whose inputs all work exits 0\n" + r.dump)
    expected = ["(int) 11", "(int) 16", "(unsigned long) 3", '(std::string) "hi you"',
                "printed 7"]
    check(r.stdout.split("\n")[:5] == expected, "values in order, no prompt\n" + r.dump)
    check("hotcc>" not in r.stdout and r.stderr == "", "no prompt, nothing on stderr\n" + r.dump)

    bad = run_script(s, "int ok() { return 1; }\nint broken() { return nope; }\nok()\n")
    check(bad.returncode == 1, "a failed input makes the exit status 1\n" + bad.dump)
    check("input_2:1:" in bad.stderr and "nope" in bad.stderr,
          "the error names the input and the identifier\n" + bad.dump)
    check(bad.stdout == "(int) 1\n", "later inputs still run\n" + bad.dump)

    quit = run_script(s, "1 + 1\n%quit\n2 + 2\n")
    check(quit.stdout == "(int) 2\n" and quit.returncode == 0, "%quit stops reading\n" + quit.dump)


if __name__ == "__main__":
    Session.main(body)
