/* A dependency of libhotcc_test_first.so. The test program defines hotcc_test_shadowed too, and
   the program's definition is the one every caller gets, as it would be for malloc. */
int hotcc_test_shadowed(void) { return 2; }
