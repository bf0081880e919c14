// The fixture of the RegularPolygonTest suite: its TEST_Ps are in test_geometry_gtest_params.cpp,
// instantiated there and in test_geometry_gtest_params_more.cpp.
#pragma once
#include <gtest/gtest.h>

#include "geometry.h"

class RegularPolygonTest : public ::testing::TestWithParam<int> {
protected:
  geo::Polygon polygon() const { return geo::regularPolygon(GetParam(), 1.0); }
};
