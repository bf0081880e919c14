#include <array>
constexpr int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static_assert(fib(10) == 55);
int score(int n) { auto add = [k = fib(4)](int x) { return x + k; }; return add(n) + 2; }
