struct Shape { virtual ~Shape() = default; virtual int area() const = 0; };
struct Square : Shape { int side; explicit Square(int s) : side(s) {} int area() const override { return side * side; } };
int score(int n) { Square s(n); const Shape &shape = s; return shape.area() + 3; }
