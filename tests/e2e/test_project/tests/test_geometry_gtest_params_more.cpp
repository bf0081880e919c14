// More regular polygons for the TEST_Ps of test_geometry_gtest_params.cpp: a suite whose tests
// are written in one file and instantiated in another. Includes GoogleTest only through the
// fixture's header. tests/e2e/test_test_gtest_params.py edits this file by exact text.
#include "regular_polygon_test.h"

INSTANTIATE_TEST_SUITE_P(Odd, RegularPolygonTest, ::testing::Values(5, 7));

TEST(MoreTest, PentagonIsConvex) { EXPECT_TRUE(geo::regularPolygon(5, 2.0).isConvex()); }
