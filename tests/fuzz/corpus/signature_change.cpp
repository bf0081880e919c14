int helper(int x, int k) { return x * k; }
int score(int n) { return helper(n, 2) + 1; }
