// Catch2's own main() for the normal build (geometry_catch). hotcc test does not use this file:
// it runs the test files with its own Catch2 runner.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
