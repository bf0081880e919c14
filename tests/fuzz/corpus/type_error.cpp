struct Point { int x, y; };
int score(int n) { Point p = n; return p.x; }
