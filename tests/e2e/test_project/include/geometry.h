// A small geometry library: the "code under test" of hotcc's `hotcc test` end-to-end tests and of
// tools/bench/test-loop. Deliberately ordinary C++ (overloads, a class holding a std::vector,
// exceptions, std::string formatting) so that the same sources build as a normal shared library
// with CMake and load under hotcc via --link (the .so) or --source (src/geometry.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace geo {

struct Point {
  double x = 0;
  double y = 0;
};

double distance(Point a, Point b);

struct Rect {
  double width = 0;
  double height = 0;
};

struct Circle {
  double radius = 0;
};

// A triangle given by its three side lengths.
struct Triangle {
  double a = 0;
  double b = 0;
  double c = 0;
};

double area(const Rect &r);
double area(const Circle &c);
// Heron's formula; throws std::invalid_argument when the sides cannot form a triangle.
double area(const Triangle &t);

double perimeter(const Rect &r);
double perimeter(const Circle &c);
double perimeter(const Triangle &t);

// "Rect 2x3", "Circle r=1.5", "Triangle(3, 4, 5)"
std::string describe(const Rect &r);
std::string describe(const Circle &c);
std::string describe(const Triangle &t);

// A simple polygon given by its vertices in order (either orientation).
class Polygon {
public:
  Polygon() = default;
  explicit Polygon(std::vector<Point> points);

  void add(Point p);
  std::size_t size() const { return points_.size(); }
  const std::vector<Point> &points() const { return points_; }

  double area() const;       // shoelace formula, always >= 0
  double perimeter() const;  // closed outline
  bool isConvex() const;     // false for fewer than 3 points
  // Centroid of the enclosed area; throws std::logic_error for fewer than 3 points or zero area.
  Point centroid() const;
  // "Polygon[(0, 0), (1, 0), (1, 1)]"
  std::string toString() const;

private:
  std::vector<Point> points_;
};

// A regular polygon with `sides` vertices on a circle of `radius` around the origin;
// throws std::invalid_argument when sides < 3.
Polygon regularPolygon(int sides, double radius);

} // namespace geo
