#include "common/Error.hpp"
#include "signal/FirstLevel.hpp"

#include <catch2/catch.hpp>

using namespace nm;

TEST_CASE("contrasts parse conditions with signs and weights", "[signal][glm]") {
    auto c = signal::parseContrast("LH - RH");
    REQUIRE(c.size() == 2);
    CHECK(c[0].condition == "LH");
    CHECK(c[0].weight == 1.0);
    CHECK(c[1].condition == "RH");
    CHECK(c[1].weight == -1.0);
    c = signal::parseContrast("0.5*face perception + 0.5*place perception - visual perception");
    REQUIRE(c.size() == 3);
    CHECK(c[0].condition == "face perception");
    CHECK(c[0].weight == 0.5);
    CHECK(c[2].weight == -1.0);
    c = signal::parseContrast("-left-hand");  // a hyphen inside a name is part of it
    REQUIRE(c.size() == 1);
    CHECK(c[0].condition == "left-hand");
    CHECK(c[0].weight == -1.0);
    CHECK_THROWS_AS(signal::parseContrast(""), InputError);
    CHECK_THROWS_AS(signal::parseContrast("A - "), InputError);
    CHECK_THROWS_AS(signal::parseContrast("x*A"), InputError);
}
