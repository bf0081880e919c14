extern "C" int hot_answer(void) { return 42; }
int score(int n) { return hot_answer() - 35 + n - 2; }
