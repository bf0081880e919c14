// Catch2 v2 tests of the geometry library, written the ordinary way (nothing hotcc-specific):
// the normal build links them with catch_main.cpp; `hotcc test` runs this file unmodified.
//
// Two test cases fail on purpose (tagged [fails]) so the end-to-end tests can compare how the
// normal binary and hotcc report failures. One test case is hidden ([.]) and must not run unless
// selected by name or tag. The end-to-end tests and tools/bench/test-loop edit this file by exact
// text: keep the lines they look for (see tests/e2e/test_test_catch2.py) when changing it.
#include <catch2/catch.hpp>

#include "geometry.h"

#include <stdexcept>
#include <string>
#include <vector>

using namespace geo;

TEST_CASE("rectangle area and perimeter", "[area][rect]") {
  Rect r{2, 3};

  SECTION("area is width times height") {
    REQUIRE( area(r) == 6 );
  }
  SECTION("perimeter goes all the way round") {
    CHECK( perimeter(r) == 10 );
  }
  SECTION("a zero-width rectangle is flat") {
    r.width = 0;
    CHECK( area(r) == 0 );
    CHECK( perimeter(r) == 6 );
  }
}

TEST_CASE("circle area and circumference", "[area][circle]") {
  Circle unit{1};
  CHECK( area(unit) == Approx(3.14159265) );
  CHECK( perimeter(unit) == Approx(6.28318531) );
  CHECK( area(Circle{2}) == Approx(4 * area(unit)) );
}

TEST_CASE("triangle area by Heron's formula scales with the square", "[area][triangle]") {
  double k = GENERATE(1.0, 2.0, 10.0);
  Triangle t{3 * k, 4 * k, 5 * k};
  CHECK( area(t) == Approx(6 * k * k) );
  CHECK( perimeter(t) == Approx(12 * k) );
}

TEST_CASE("impossible triangles are rejected", "[triangle][errors]") {
  REQUIRE_THROWS_AS( area(Triangle{1, 2, 10}), std::invalid_argument );
  REQUIRE_THROWS_AS( area(Triangle{0, 1, 1}), std::invalid_argument );
  REQUIRE_NOTHROW( area(Triangle{1, 1, 1}) );
}

// A fixture: every TEST_CASE_METHOD below starts from a fresh unit square.
struct UnitSquare {
  Polygon square{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}};
};

TEST_CASE_METHOD(UnitSquare, "a unit square as a polygon", "[polygon]") {
  REQUIRE( square.size() == 4 );
  CHECK( square.area() == Approx(1) );
  CHECK( square.perimeter() == Approx(4) );
  CHECK( square.isConvex() );
  Point c = square.centroid();
  CHECK( c.x == Approx(0.5) );
  CHECK( c.y == Approx(0.5) );
}

TEST_CASE_METHOD(UnitSquare, "a polygon grows point by point", "[polygon]") {
  SECTION("a dent makes it concave") {
    square.add({0.5, 0.25});
    REQUIRE( square.size() == 5 );
    CHECK_FALSE( square.isConvex() );
  }
  SECTION("too few points have no centroid") {
    Polygon segment{{{0, 0}, {1, 1}}};
    CHECK_THROWS_AS( segment.centroid(), std::logic_error );
    CHECK( segment.area() == 0 );
  }
}

TEST_CASE("regular polygons approach their circle", "[polygon][slow]") {
  int sides = GENERATE(range(3, 40));
  Polygon p = regularPolygon(sides, 1.0);
  CHECK( p.size() == static_cast<std::size_t>(sides) );
  CHECK( p.area() < area(Circle{1}) );
  CHECK( p.isConvex() );
}

TEST_CASE("shapes describe themselves", "[format]") {
  CHECK( describe(Rect{2, 3}) == "Rect 2x3" );
  CHECK( describe(Circle{1.5}) == "Circle r=1.5" );
  Polygon tri{{{0, 0}, {4, 0}, {4, 3}}};
  CHECK( tri.toString() == "Polygon[(0, 0), (4, 0), (4, 3)]" );
  CHECK_THAT( tri.toString(), Catch::Matchers::StartsWith("Polygon[") );
}

TEST_CASE("a square's area (fails on purpose)", "[square][fails]") {
  Rect sq{2, 2};
  REQUIRE( area(sq) == 5 );
}

TEST_CASE("a 3-4-5 triangle's perimeter and name (fails on purpose)", "[triangle][fails]") {
  Triangle t{3, 4, 5};
  CHECK( perimeter(t) == 13 );
  CHECK( describe(t) == "Triangle 3-4-5" );
  CHECK( area(t) == 6 );
}

TEST_CASE("a million-sided polygon is nearly a circle", "[.][stress]") {
  Polygon p = regularPolygon(1000000, 1.0);
  CHECK( p.area() == Approx(area(Circle{1})).epsilon(1e-6) );
}
