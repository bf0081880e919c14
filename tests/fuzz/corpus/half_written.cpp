int helper(int x) { return x * 2; }
int score(int n) { return hel