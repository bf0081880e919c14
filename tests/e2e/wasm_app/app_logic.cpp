// The hot code of the e2e test's app: compiled by `hotcc wasm --main` into the MAIN_MODULE, then
// edited on disk and patched while the app runs.
#include <hotcc_wasm.h>

int counter = 0;        // main-module state every patch must keep
static int calls = 0;   // a static: promoted, exported, imported by patches

int helper(int x) { return x * 2; }

extern "C" int f(int x) {
  ++counter;
  ++calls;
  return helper(x) + 1;
}

extern "C" int get_counter() { return counter; }
extern "C" int get_calls() { return calls; }
