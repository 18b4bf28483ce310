#include "common/Error.hpp"
#include "io/Table.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace nm;

TEST_CASE("TSV with quotes, n/a and CRLF", "[io][table]") {
    const std::string text = "onset\tduration\ttrial_type\r\n1.5\t2\t\"face, happy\"\r\n3\tn/a\t\"say \"\"hi\"\"\"\r\n\r\n";
    const auto t = io::parseTable(text, {}, "events.tsv");
    REQUIRE(t.rowCount() == 2);
    CHECK(t.columns() == std::vector<std::string>{"onset", "duration", "trial_type"});
    CHECK(t.cell(0, "trial_type") == "face, happy");
    CHECK(t.cell(1, "trial_type") == "say \"hi\"");
    const auto d = t.numbers("duration");
    CHECK(d[0] == 2.0);
    CHECK(std::isnan(d[1]));
    CHECK_THROWS_WITH(t.numbers("trial_type"), Catch::Contains("events.tsv") && Catch::Contains("row 1") && Catch::Contains("trial_type"));
    CHECK_THROWS_WITH(t.columnIndex("response"), Catch::Contains("column 'response'") && Catch::Contains("onset, duration, trial_type"));
}

TEST_CASE("CSV matrices without header, and malformed tables", "[io][table]") {
    const auto m = io::parseTable("1,2,3\n4,5,6\n", {',', false, '\0'}, "m.csv").matrix();
    CHECK(m.rows() == 2);
    CHECK(m(1, 2) == 6);
    const auto spaces = io::parseTable("  1 2   3\n4\t5 6  \n", {' ', false, '\0'}, "w.txt").matrix();
    CHECK(spaces(1, 0) == 4);
    CHECK_THROWS_WITH(io::parseTable("a,b\n1,2,3\n", {}, "bad.csv"), Catch::Contains("bad.csv") && Catch::Contains("row 1") && Catch::Contains("3 fields"));
    CHECK_THROWS_WITH(io::parseTable("a,b\n\"1,2\n", {}, "q.csv"), Catch::Contains("unterminated"));
}

TEST_CASE("tables round-trip through files, gzip included", "[io][table]") {
    test::TempDir dir;
    io::Table t({"name", "value"}, {{"a\tb", "1"}, {"quote\"d", "n/a"}});
    io::writeTable(dir / "t.tsv", t);
    const auto r = io::readTable(dir / "t.tsv");
    CHECK(r.cell(0, "name") == "a\tb");
    CHECK(r.cell(1, "name") == "quote\"d");
    CHECK(std::isnan(r.numbers("value")[1]));
}

TEST_CASE("the Neurosynth coordinates table reads (gzip TSV)", "[io][table][data]") {
    auto data = test::sharedData();
    if (!data) NM_SKIP("../shared/data not found");
    const auto f = *data / "literature/neurosynth_v7/data-neurosynth_version-7_coordinates.tsv.gz";
    if (!std::filesystem::exists(f)) NM_SKIP(f.string() << " missing");
    const auto t = io::readTable(f);
    CHECK(t.rowCount() == 507891);  // README: 507,891 peak coordinates
    const auto x = t.numbers("x");
    CHECK(x[0] == 38.0);
}
