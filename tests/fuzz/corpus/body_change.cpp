int helper(int x) { return x * 3; }
int score(int n) { return helper(n) + 1; }
