int hotcc_test_answer(void) { return 42; }
