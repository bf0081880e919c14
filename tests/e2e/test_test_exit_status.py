"""`hotcc test`'s exit status says what happened, and hotcc never crashes on the way out.

1. Test files that hand the frameworks objects of their own — a GoogleTest global environment and
   event listener, TEST_P suites and typed tests; a Catch2 exception translator, TEMPLATE_TEST_CASE
   and TEST_CASE_METHOD — exit 0 when every test passes and 1 when one fails: exactly, so a
   crash while the process exits (the frameworks tear down after hotcc's JIT'd code is gone) is
   a failure here.
2. A run that ran no test is never a pass: a selection that matches nothing (Catch2's test spec,
   --gtest_filter) and files that define no test exit 1 and say which it was.
"""
import time

from hotcc_e2e import Session, check

TIMEOUT_S = 180.0  # a first run may build hotcc's Catch2 and GoogleTest libraries
BUDGET_S = 560.0

GTEST = """\
#include <gtest/gtest.h>
#include <string>

int setUps = 0, started = 0;
class Counting : public ::testing::Environment {
  void SetUp() override { ++setUps; }
};
::testing::Environment *const counting = ::testing::AddGlobalTestEnvironment(new Counting);
class Starts : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo &) override { ++started; }
};
static bool listening = (::testing::UnitTest::GetInstance()->listeners().Append(new Starts), true);

class Halves : public ::testing::TestWithParam<int> {};
TEST_P(Halves, AreSmaller) { EXPECT_LT(GetParam() / 2, GetParam()); }
INSTANTIATE_TEST_SUITE_P(Positive, Halves, ::testing::Values(1, 2, %s));

template <typename T> class Defaults : public ::testing::Test {};
using Types = ::testing::Types<int, std::string>;
TYPED_TEST_SUITE(Defaults, Types);
TYPED_TEST(Defaults, Compare) { EXPECT_EQ(TypeParam(), TypeParam()); }

TEST(Owned, EnvironmentAndListenerRan) {
  EXPECT_GE(setUps, 1);
  EXPECT_GE(started, 1);
}
"""

CATCH = """\
#include <catch2/catch.hpp>
#include <string>

struct Refused { int code; };
CATCH_TRANSLATE_EXCEPTION(Refused const &r) { return "refused " + std::to_string(r.code); }

TEMPLATE_TEST_CASE("default values compare equal", "[template]", int, std::string) {
  CHECK(TestType() == TestType());
}

struct Counter { int n = 1; };
TEST_CASE_METHOD(Counter, "a fixture starts at one") { CHECK(n == %s); }

TEST_CASE("a translated exception") {
  try { throw Refused{7}; } catch (Refused const &) {}
  SUCCEED();
}
"""

NO_TESTS = {"gtest": "#include <gtest/gtest.h>\nint unused;\n",
            "catch": "#include <catch2/catch.hpp>\nint unused;\n"}


def expect(s, what, args, status, stderr_line=None):
    r = s.run("test", *args, timeout=TIMEOUT_S)
    check(r.returncode == status, f"{what}: expected exit status {status}, got {r.returncode}"
                                  f"\n{r.dump}")
    if stderr_line:
        check(stderr_line in r.stderr.splitlines(),
              f"{what}: expected `{stderr_line}` on stderr\n{r.dump}")
    return r


def body(s):
    s.deadline = time.monotonic() + BUDGET_S

    # 1. Frameworks holding the files' objects: exit status 0 or 1, exactly.
    for name, template, passing, failing in (("gtest_owned.cpp", GTEST, "3", "0"),
                                             ("catch_owned.cpp", CATCH, "1", "2")):
        s.write(name, template % passing)
        r = expect(s, f"{name}, all passing", [name], 0)
        check(r.stdout.splitlines()[-1].endswith(" 0 failed"), f"{name}: all pass\n{r.dump}")
        s.write(name, template % failing)
        r = expect(s, f"{name}, one failing", [name], 1)
        check(r.stdout.splitlines()[-1].endswith(" 1 failed"), f"{name}: one fails\n{r.dump}")

    # 2. Nothing ran: never a pass.
    expect(s, "a Catch2 test spec matching nothing", ["catch_owned.cpp", "--", "[no-such-tag]"], 1,
           "hotcc: error: no test ran: the selection `[no-such-tag]` matched none of their "
           "4 test cases")
    expect(s, "a GoogleTest filter matching nothing",
           ["gtest_owned.cpp", "--", "--gtest_filter=NoSuch.*"], 1,
           "hotcc: error: no test ran: the selection `--gtest_filter=NoSuch.*` matched none of "
           "their 6 test cases")
    for framework, text in NO_TESTS.items():
        s.write(f"{framework}_none.cpp", text)
        r = expect(s, f"a {framework} file without tests", [f"{framework}_none.cpp"], 1,
                   "hotcc: error: no test ran: the test files define no test cases")
        check(f"{framework}_none.cpp: defines no test cases" in r.stdout.splitlines(),
              f"expected the file's line to say it defines no test cases\n{r.dump}")


if __name__ == "__main__":
    Session.main(body)
