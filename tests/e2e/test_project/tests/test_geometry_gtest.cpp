// GoogleTest tests of the geometry library, written the ordinary way (nothing hotcc-specific):
// the normal build links them with GTest::gtest_main; `hotcc test` runs this file unmodified.
//
// Two tests fail on purpose (names ending in FailsOnPurpose) so the end-to-end tests can compare
// how the normal binary and hotcc report failures. One test is DISABLED_ and must not run. The
// end-to-end tests and tools/bench/test-loop edit this file by exact text: keep the lines they
// look for (see tests/e2e/test_test_gtest.py) when changing it.
#include <gtest/gtest.h>

#include "geometry.h"

#include <stdexcept>
#include <string>
#include <vector>

using namespace geo;

TEST(RectTest, AreaAndPerimeter) {
  Rect r{2, 3};
  EXPECT_EQ(area(r), 6);
  EXPECT_EQ(perimeter(r), 10);
  r.width = 0;
  EXPECT_EQ(area(r), 0);
}

TEST(CircleTest, AreaAndCircumference) {
  Circle unit{1};
  EXPECT_NEAR(area(unit), 3.14159265, 1e-8);
  EXPECT_NEAR(perimeter(unit), 6.28318531, 1e-8);
  EXPECT_DOUBLE_EQ(area(Circle{2}), 4 * area(unit));
}

TEST(TriangleTest, HeronsFormula) {
  for (double k : {1.0, 2.0, 10.0}) {
    Triangle t{3 * k, 4 * k, 5 * k};
    EXPECT_NEAR(area(t), 6 * k * k, 1e-9) << "scale " << k;
  }
}

TEST(TriangleTest, RejectsImpossibleSides) {
  EXPECT_THROW(area(Triangle{1, 2, 10}), std::invalid_argument);
  EXPECT_THROW(area(Triangle{0, 1, 1}), std::invalid_argument);
  EXPECT_NO_THROW(area(Triangle{1, 1, 1}));
}

// A fixture: every TEST_F below starts from a fresh unit square.
class PolygonTest : public ::testing::Test {
protected:
  void SetUp() override { square = Polygon({{0, 0}, {1, 0}, {1, 1}, {0, 1}}); }
  Polygon square;
};

TEST_F(PolygonTest, UnitSquare) {
  ASSERT_EQ(square.size(), 4u);
  EXPECT_NEAR(square.area(), 1.0, 1e-12);
  EXPECT_NEAR(square.perimeter(), 4.0, 1e-12);
  ASSERT_TRUE(square.isConvex());
}

TEST_F(PolygonTest, DentMakesItConcave) {
  square.add({0.5, 0.25});
  ASSERT_EQ(square.size(), 5u);
  EXPECT_FALSE(square.isConvex());
}

TEST_F(PolygonTest, TooFewPointsHaveNoCentroid) {
  Polygon segment({{0, 0}, {1, 1}});
  EXPECT_THROW(segment.centroid(), std::logic_error);
  EXPECT_EQ(segment.area(), 0);
}

TEST_F(PolygonTest, CentroidFailsOnPurpose) {
  Point c = square.centroid();
  EXPECT_NEAR(c.x, 0.75, 1e-9);
  ASSERT_TRUE(square.size() == 5);
}

TEST(FormatTest, DescribesShapes) {
  EXPECT_EQ(describe(Rect{2, 3}), "Rect 2x3");
  EXPECT_EQ(describe(Circle{1.5}), "Circle r=1.5");
  Polygon tri({{0, 0}, {4, 0}, {4, 3}});
  EXPECT_EQ(tri.toString(), "Polygon[(0, 0), (4, 0), (4, 3)]");
}

TEST(RectTest, SquareAreaFailsOnPurpose) {
  Rect sq{2, 2};
  EXPECT_EQ(area(sq), 5);
}

TEST(StressTest, DISABLED_MillionSidedPolygon) {
  Polygon p = regularPolygon(1000000, 1.0);
  EXPECT_NEAR(p.area(), area(Circle{1}), 1e-6);
}
