// The e2e app's host side: calls f through its slot (f's stub lives in the hot object).
#include <hotcc_wasm.h>

extern "C" int f(int);
extern "C" int get_counter();
extern "C" int get_calls();

extern "C" int call_f(int x) { return f(x); }
extern "C" int counter_value() { return get_counter(); }
extern "C" int calls_value() { return get_calls(); }

int main() { return 0; }
