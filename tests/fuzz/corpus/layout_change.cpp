struct Point { int x, y, z; };
int counter = 0;
int score(int n) { Point p{n, n, n}; return p.x + p.y + p.z; }
