int missing_fn(int);
int helper(int x) { return x * 2; }
int score(int n) { return missing_fn(n); }
