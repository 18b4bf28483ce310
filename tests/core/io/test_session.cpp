#include "common/Error.hpp"
#include "io/Session.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

TEST_CASE("sessions round-trip with relative layer paths", "[io][session]") {
    test::TempDir dir;
    io::Session s;
    s.space = "fsaverage5";
    s.surface = "pial";
    s.showRight = false;
    s.shading = "curv";
    s.background = {0.1, 0.2, 0.3};
    s.figure.title = "Figure 2";
    s.figure.views = {"lateral", "dorsal"};
    io::CameraState cam;
    cam.position = {1, 2, 3};
    cam.focalPoint = {4, 5, 6};
    cam.viewUp = {0, 0, 1};
    cam.viewAngle = 25;
    s.camera = cam;
    io::SessionLayer layer;
    layer.file = (dir / "maps" / "a.nii.gz").string();
    layer.opacity = 0.5;
    layer.colormap = "viridis";
    layer.vmax = 4.5;
    layer.threshold = 1.5;
    layer.sign = "positive";
    layer.labels = false;
    layer.map = 2;
    s.layers.push_back(layer);
    io::writeSession(dir / "s.nmsession.json", s);

    std::ifstream in(dir / "s.nmsession.json");
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK_THAT(text, Catch::Contains("\"maps/a.nii.gz\""));

    const auto r = io::readSession(dir / "s.nmsession.json");
    CHECK(r.space == "fsaverage5");
    CHECK(r.surface == "pial");
    CHECK(r.showLeft);
    CHECK_FALSE(r.showRight);
    CHECK(r.shading == "curv");
    CHECK(r.figure.title == "Figure 2");
    CHECK(r.figure.views == std::vector<std::string>{"lateral", "dorsal"});
    CHECK(r.background == s.background);
    REQUIRE(r.camera);
    CHECK(r.camera->position == cam.position);
    CHECK(r.camera->viewAngle == 25);
    REQUIRE(r.layers.size() == 1);
    CHECK(std::filesystem::path(r.layers[0].file) == std::filesystem::path(layer.file).lexically_normal());
    CHECK(r.layers[0].opacity == 0.5);
    CHECK(r.layers[0].colormap == "viridis");
    CHECK(r.layers[0].vmax == 4.5);
    CHECK_FALSE(r.layers[0].vmin.has_value());
    CHECK(r.layers[0].threshold == 1.5);
    CHECK(r.layers[0].sign == "positive");
    CHECK(r.layers[0].labels == false);
    CHECK(r.layers[0].map == 2);
}

TEST_CASE("malformed sessions name the file and the field", "[io][session]") {
    test::TempDir dir;
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return dir / name;
    };
    CHECK_THROWS_WITH(io::readSession(write("a.json", "{oops")), Catch::Contains("a.json") && Catch::Contains("JSON"));
    CHECK_THROWS_WITH(io::readSession(write("b.json", R"({"format":"other"})")), Catch::Contains("format"));
    CHECK_THROWS_WITH(io::readSession(write("c.json", R"({"format":"neuromosaic-session","version":99})")),
                      Catch::Contains("version"));
    CHECK_THROWS_WITH(io::readSession(write("d.json", R"({"format":"neuromosaic-session","version":1,"camera":{"position":[1,2]}})")),
                      Catch::Contains("camera.position") && Catch::Contains("3 numbers"));
    CHECK_THROWS_WITH(io::readSession(write("e.json", R"({"format":"neuromosaic-session","version":1,"layers":[{"file":"x","opacity":2}]})")),
                      Catch::Contains("layers[0].opacity"));
    CHECK_THROWS_WITH(io::readSession(write("f.json", R"({"format":"neuromosaic-session","version":2,"surface":"flat"})")),
                      Catch::Contains("surface") && Catch::Contains("flat"));
    CHECK_THROWS_WITH(io::readSession(write("g.json", R"({"format":"neuromosaic-session","version":2,"layers":[{"file":"x","sign":"up"}]})")),
                      Catch::Contains("layers[0].sign"));
    CHECK_THROWS_AS(io::readSession(dir / "none.json"), InputError);
}
