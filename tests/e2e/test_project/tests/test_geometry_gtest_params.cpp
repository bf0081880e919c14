// Value-parameterized and typed GoogleTest tests of the geometry library, written the ordinary way
// (GoogleTest's samples 7 and 8 and its typed-test sample in spirit); the normal build links them
// with GTest::gtest_main, `hotcc test` runs this file unmodified.
//
// Some instances fail on purpose (the polygon with 4 sides, a flipped big rectangle, the word
// "hexagon", the typed test whose name says so) so the end-to-end tests compare how both report
// failures. A global environment counts its set-ups. The normal build links it with
// test_geometry_gtest_params_more.cpp. tests/e2e/test_test_gtest_params.py
// edits this file by exact text: keep the lines it looks for when changing it.
#include <gtest/gtest.h>

#include "geometry.h"
#include "regular_polygon_test.h"

#include <string>
#include <tuple>
#include <vector>

using namespace geo;

int environmentSetUps = 0;

class CountingEnvironment : public ::testing::Environment {
public:
  void SetUp() override { ++environmentSetUps; }
};
::testing::Environment *const countingEnvironment =
    ::testing::AddGlobalTestEnvironment(new CountingEnvironment);

// --- value-parameterized: a regular polygon per number of sides ---------------------------------
// The fixture, RegularPolygonTest, is in regular_polygon_test.h: test_geometry_gtest_params_more.cpp
// instantiates these tests again (GoogleTest's "abstract tests").

TEST_P(RegularPolygonTest, HasThatManyVertices) {
  EXPECT_EQ(polygon().size(), static_cast<std::size_t>(GetParam()));
}

TEST_P(RegularPolygonTest, IsConvex) { EXPECT_TRUE(polygon().isConvex()); }

TEST_P(RegularPolygonTest, SquareIsNotOnPurpose) {
  EXPECT_NE(GetParam(), 4) << "four sides make a square";
}

INSTANTIATE_TEST_SUITE_P(Few, RegularPolygonTest, ::testing::Values(3, 4, 6));
INSTANTIATE_TEST_SUITE_P(Many, RegularPolygonTest, ::testing::Range(10, 40, 10));

// Combine, with GoogleTest's default names ("Combined/ScaledRectTest.AreaScales/0", ...).
class ScaledRectTest : public ::testing::TestWithParam<std::tuple<double, bool>> {};

TEST_P(ScaledRectTest, AreaScales) {
  auto [scale, flipped] = GetParam();
  Rect r{2 * scale, 3 * scale};
  EXPECT_DOUBLE_EQ(area(r), 6 * scale * scale);
  EXPECT_FALSE(flipped && scale > 2) << "a flipped big rectangle fails on purpose";
}

INSTANTIATE_TEST_SUITE_P(Combined, ScaledRectTest,
                         ::testing::Combine(::testing::Values(1.0, 3.0), ::testing::Bool()));

// ValuesIn with a custom name generator ("Words/DescriptionTest.IsShort/hexagon").
const std::vector<std::string> kWords = {"square", "circle", "hexagon"};

class DescriptionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DescriptionTest, IsShort) { EXPECT_LE(GetParam().size(), 6u); }

INSTANTIATE_TEST_SUITE_P(Words, DescriptionTest, ::testing::ValuesIn(kWords),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           return info.param;
                         });

// --- typed: the same checks for every shape ------------------------------------------------------

template <typename Shape> Shape unitShape();
template <> Rect unitShape<Rect>() { return Rect{1, 1}; }
template <> Circle unitShape<Circle>() { return Circle{1}; }
template <> Triangle unitShape<Triangle>() { return Triangle{1, 1, 1}; }

template <typename Shape> class ShapeTest : public ::testing::Test {};

using Shapes = ::testing::Types<Rect, Circle, Triangle>;
TYPED_TEST_SUITE(ShapeTest, Shapes);

TYPED_TEST(ShapeTest, HasPositiveArea) { EXPECT_GT(area(unitShape<TypeParam>()), 0); }

TYPED_TEST(ShapeTest, AreaBelowOneOnPurpose) { EXPECT_LT(area(unitShape<TypeParam>()), 1.0); }

// --- type-parameterized: written once, instantiated for a list of shapes -------------------------

template <typename Shape> class DescribedShapeTest : public ::testing::Test {};

TYPED_TEST_SUITE_P(DescribedShapeTest);

TYPED_TEST_P(DescribedShapeTest, DescriptionIsNotEmpty) {
  EXPECT_FALSE(describe(unitShape<TypeParam>()).empty());
}

TYPED_TEST_P(DescribedShapeTest, PerimeterIsPositive) {
  EXPECT_GT(perimeter(unitShape<TypeParam>()), 0);
}

REGISTER_TYPED_TEST_SUITE_P(DescribedShapeTest, DescriptionIsNotEmpty, PerimeterIsPositive);

using RoundAndSquare = ::testing::Types<Circle, Rect>;
INSTANTIATE_TYPED_TEST_SUITE_P(Basic, DescribedShapeTest, RoundAndSquare);

TEST(EnvironmentTest, SetUpBeforeTheTests) { EXPECT_GE(environmentSetUps, 1); }
