/* A library hot code searches before the process (SessionExtension::loadLibraryFirst), as `hotcc
   test` does its framework adapter. It depends on libhotcc_test_dependency.so, whose definition
   of hotcc_test_shadowed the program replaces with its own. */
int hotcc_test_shadowed(void);

int hotcc_test_first_own(void) { return 1; }
int hotcc_test_first_calls_shadowed(void) { return hotcc_test_shadowed(); }
