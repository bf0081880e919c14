struct Point { int x, y; };
int counter = 0;
template <typename T> T twice(T v) { return v + v; }
int helper(int x) { return twice(x) + 1; }
int score(int n) { Point p{n, helper(n)}; return p.x + p.y; }
