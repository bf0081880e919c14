// The geometry library's implementation (see include/geometry.h).
#include "geometry.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace geo {

namespace {

constexpr double kPi = 3.14159265358979323846;

// "%g" keeps integral values short ("2", not "2.000000"), which is what describe() wants.
std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// z component of (b - a) x (c - b): its sign says which way the outline turns at b.
double turn(Point a, Point b, Point c) {
  return (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
}

} // namespace

double distance(Point a, Point b) { return std::hypot(b.x - a.x, b.y - a.y); }

double area(const Rect &r) { return r.width * r.height; }

double area(const Circle &c) { return kPi * c.radius * c.radius; }

double area(const Triangle &t) {
  if (t.a <= 0 || t.b <= 0 || t.c <= 0 || t.a + t.b <= t.c || t.a + t.c <= t.b ||
      t.b + t.c <= t.a)
    throw std::invalid_argument("sides " + describe(t) + " do not form a triangle");
  double s = perimeter(t) / 2;
  return std::sqrt(s * (s - t.a) * (s - t.b) * (s - t.c));
}

double perimeter(const Rect &r) { return 2 * (r.width + r.height); }

double perimeter(const Circle &c) { return 2 * kPi * c.radius; }

double perimeter(const Triangle &t) { return t.a + t.b + t.c; }

std::string describe(const Rect &r) { return "Rect " + number(r.width) + "x" + number(r.height); }

std::string describe(const Circle &c) { return "Circle r=" + number(c.radius); }

std::string describe(const Triangle &t) {
  return "Triangle(" + number(t.a) + ", " + number(t.b) + ", " + number(t.c) + ")";
}

Polygon::Polygon(std::vector<Point> points) : points_(std::move(points)) {}

void Polygon::add(Point p) { points_.push_back(p); }

double Polygon::area() const {
  double twice = 0;
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const Point &p = points_[i];
    const Point &q = points_[(i + 1) % points_.size()];
    twice += p.x * q.y - q.x * p.y;
  }
  return std::fabs(twice) / 2;
}

double Polygon::perimeter() const {
  if (points_.size() < 2)
    return 0;
  double total = 0;
  for (std::size_t i = 0; i < points_.size(); ++i)
    total += distance(points_[i], points_[(i + 1) % points_.size()]);
  return total;
}

bool Polygon::isConvex() const {
  std::size_t n = points_.size();
  if (n < 3)
    return false;
  int sign = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double z = turn(points_[i], points_[(i + 1) % n], points_[(i + 2) % n]);
    if (z == 0)
      continue;
    int s = z > 0 ? 1 : -1;
    if (sign != 0 && s != sign)
      return false;
    sign = s;
  }
  return sign != 0;
}

Point Polygon::centroid() const {
  if (points_.size() < 3)
    throw std::logic_error("centroid of a polygon with " + std::to_string(points_.size()) +
                           " points");
  double twiceArea = 0, cx = 0, cy = 0;
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const Point &p = points_[i];
    const Point &q = points_[(i + 1) % points_.size()];
    double cross = p.x * q.y - q.x * p.y;
    twiceArea += cross;
    cx += (p.x + q.x) * cross;
    cy += (p.y + q.y) * cross;
  }
  if (twiceArea == 0)
    throw std::logic_error("centroid of a polygon with zero area");
  return {cx / (3 * twiceArea), cy / (3 * twiceArea)};
}

std::string Polygon::toString() const {
  std::string text = "Polygon[";
  for (std::size_t i = 0; i < points_.size(); ++i) {
    if (i)
      text += ", ";
    text += "(" + number(points_[i].x) + ", " + number(points_[i].y) + ")";
  }
  return text + "]";
}

Polygon regularPolygon(int sides, double radius) {
  if (sides < 3)
    throw std::invalid_argument("a polygon needs at least 3 sides, not " + std::to_string(sides));
  std::vector<Point> points;
  points.reserve(sides);
  for (int i = 0; i < sides; ++i) {
    double angle = 2 * kPi * i / sides;
    points.push_back({radius * std::cos(angle), radius * std::sin(angle)});
  }
  return Polygon(std::move(points));
}

} // namespace geo
