#define TWICE(x) ((x) + (x)
int score(int n) { return TWICE(n) + 3; }
