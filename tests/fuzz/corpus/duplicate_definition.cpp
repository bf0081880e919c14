int helper(int x) { return x; }
int helper(int x) { return x + 1; }
int score(int n) { return helper(n); }
