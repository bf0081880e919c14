/* A shared library the REPL tests load with %lib: nothing else in the test process links it. */
int hotcc_plugin_answer(void) {
  return 41;
}
