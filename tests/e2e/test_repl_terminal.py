"""`hotcc repl` in a real terminal: prompts, values, a redefinition reaching an earlier caller,
multi-line input, history recall with the Up key, tab completion, and Ctrl-C / a crash in user
code leaving the session usable."""
import time

from hotcc_e2e import Session, check
from hotcc_repl_e2e import Terminal


def body(s):
    t = Terminal(s)
    try:
        t.wait_for("hotcc>", "the first prompt")
        t.type("int twice(int x) { return 2 * x; }")
        t.type("int apply(int x) { return twice(x) + 1; }")
        t.type("apply(5)")
        t.wait_for("(int) 11")
        t.type("int twice(int x) { return 3 * x; }")
        t.wait_for("hotcc>", count=5)
        # History: Up recalls the redefinition, Up again "apply(5)".
        t.key("Up")
        t.key("Up")
        t.wait_for("hotcc> apply(5)", count=2)
        t.key("Enter")
        t.wait_for("(int) 16", "the new twice seen by apply")

        t.type("int three() {")
        t.wait_for("...>", "the continuation prompt")
        t.type("  return 3; }")
        t.type("three()")
        t.wait_for("(int) 3")

        # Tab completion of a name the session defined.
        t.type("app", enter=False)
        t.key("Tab")
        t.wait_for("hotcc> apply", "apply completed from 'app'")
        t.type("(1) * 10")
        t.wait_for("(int) 40")

        t.type("volatile bool spin = true;")
        t.type("while (spin) {}")
        t.wait_for("while (spin) {}")
        time.sleep(0.5)
        t.key("C-c")
        t.wait_for("SIGINT", "the interrupted loop reported")
        t.type("*(volatile int *)0 = 1;")
        t.wait_for("SIGSEGV", "the crash reported")
        t.type("apply(2)")
        t.wait_for("(int) 7", "the session still working after Ctrl-C and a crash")

        t.key("C-d")
        t.wait_for("[hotcc exited]", "hotcc leaving on Ctrl-D")
    finally:
        screen = t.screen()
        t.close()
    errors = [line for line in screen.splitlines() if "error" in line]
    check(len(errors) == 2 and "SIGINT" in errors[0] and "SIGSEGV" in errors[1],
          "the only errors are the two reports\n" + screen)


if __name__ == "__main__":
    Session.main(body)
