// Colour maps, PNG files, surface scenes and off-screen figures (the CLI's and the GUI's renderer).
#include "ColorMap.hpp"
#include "Figure.hpp"
#include "SurfaceScene.hpp"
#include "anatomy/MeshGeometry.hpp"
#include "common/Error.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <vtkActor.h>
#include <vtkProperty.h>

using namespace nm;
using namespace nm::render;

namespace {
// Two small "hemispheres": spheres offset in x, with a sulc ramp along y.
anatomy::SurfaceSpace toySpace() {
    anatomy::SurfaceSpace s;
    s.id = "toy";
    for (auto h : {Hemisphere::Left, Hemisphere::Right}) {
        auto& hs = s.hemisphere(h);
        Mesh m = anatomy::icosphere(4, 30.0);
        m.vertices.col(0).array() += h == Hemisphere::Left ? -35.0f : 35.0f;
        m.vertices.col(1) *= 2.0f;  // elongated like a hemisphere
        hs.white = hs.pial = hs.midthickness = hs.inflated = hs.sphere = m;
        hs.sulc = m.vertices.col(1) / 60.0f;
        hs.curv = hs.sulc;
        hs.thickness = Eigen::VectorXf::Constant(m.vertexCount(), 2.5f);
    }
    return s;
}

double colourFraction(const Image& img, std::array<unsigned char, 3> target, int tolerance) {
    std::size_t n = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            const auto p = img.pixel(x, y);
            if (std::abs(p[0] - target[0]) <= tolerance && std::abs(p[1] - target[1]) <= tolerance &&
                std::abs(p[2] - target[2]) <= tolerance)
                ++n;
        }
    return double(n) / double(img.width * img.height);
}
} // namespace

TEST_CASE("colour maps match matplotlib and nilearn", "[render][colormap]") {
    const auto hot = ColorMap::named("hot");
    CHECK(hot.at(0.25)[0] == Approx(0.70047).margin(0.01));  // matplotlib cm.hot(0.25)
    CHECK(hot.at(0.5)[1] == Approx(0.35931).margin(0.01));
    CHECK(hot.at(0.9)[2] == Approx(0.61397).margin(0.01));
    const auto viridis = ColorMap::named("viridis");
    CHECK(viridis.at(0.5)[0] == Approx(0.127568).margin(0.003));
    CHECK(viridis.at(0.5)[1] == Approx(0.566949).margin(0.003));
    CHECK(viridis.at(1.0)[2] == Approx(0.143936).margin(1e-5));
    // nilearn's cold_hot: black at 0, hot above, its blue/cyan rotation below.
    const auto ch = ColorMap::named("cold_hot");
    CHECK(ch.diverging());
    CHECK(ch.at(0.5)[0] == Approx(0.0416).margin(1e-3));
    CHECK(ch.at(1.0) == Rgb{1.0f, 1.0f, 1.0f});
    CHECK(ch.at(0.25)[2] == Approx(hot.at(0.5)[0]));
    CHECK(ch.at(0.25)[0] == Approx(hot.at(0.5)[2]));
    CHECK(ColorMap::named("hot_r").at(0.0) == hot.at(1.0));
    CHECK(labelColor(0)[0] == Approx(0.121569f));  // tab20's first colour
    CHECK_THROWS_WITH(ColorMap::named("jet"), Catch::Contains("viridis"));
}

TEST_CASE("PNG files keep their pixels and DPI", "[render][png]") {
    test::TempDir dir;
    Image img;
    img.width = 7;
    img.height = 5;
    img.rgb.resize(7 * 5 * 3);
    for (std::size_t i = 0; i < img.rgb.size(); ++i) img.rgb[i] = static_cast<unsigned char>(i * 7);
    writePng(dir / "x.png", img, 300);
    double dpi = 0;
    const Image back = readPng(dir / "x.png", &dpi);
    CHECK(back.width == 7);
    CHECK(back.rgb == img.rgb);
    CHECK(dpi == Approx(300).margin(0.1));
    CHECK_THROWS_AS(readPng(dir / "missing.png"), InputError);
}

TEST_CASE("scene colours: shading, thresholds, opacity and labels", "[render][scene]") {
    const auto space = toySpace();
    OverlayLayer l;
    l.name = "z";
    l.colormap = "hot";
    l.left = space.left.white.vertices.col(2) / 30.0f;  // −1 … 1 along z
    l.threshold = 0.5;
    l.vmin = 0.5;
    l.vmax = 1.0;
    l.sign = OverlayLayer::Sign::Positive;
    SurfaceScene scene(space, {}, {l});
    const auto colors = scene.vertexColors(Hemisphere::Left);
    const auto& v = space.left.white.vertices;
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
        const auto c = colors[std::size_t(i)];
        const float z = v(i, 2) / 30.0f;
        if (z < 0.45f) CHECK((c[0] == c[1] && c[1] == c[2]));  // background grey: not drawn
        if (z > 0.8f) CHECK(c[0] > 200);  // hot above 60 % of its range is full red
    }
    CHECK(scene.range(0).vmin == 0.5);
    // Half-transparent label layer over the background.
    OverlayLayer lab;
    lab.name = "labels";
    lab.categorical = true;
    lab.left = Eigen::VectorXf::Constant(v.rows(), 3.0f);
    lab.labelColors[3] = {0.0f, 0.0f, 1.0f};
    lab.opacity = 0.5;
    scene.setLayers({lab});
    const auto half = scene.vertexColors(Hemisphere::Left)[0];
    CHECK(half[2] > half[0]);
    CHECK(half[2] > 128);
    CHECK(half[2] < 250);
    OverlayLayer wrong;
    wrong.name = "short";
    wrong.left = Eigen::VectorXf::Ones(5);
    CHECK_THROWS_WITH(scene.setLayers({wrong}), Catch::Contains("short") && Catch::Contains("5 values"));
}

TEST_CASE("back faces are culled only on closed, outward-oriented surfaces", "[render][scene]") {
    auto space = toySpace();
    {
        SurfaceScene scene(space, {}, {});
        CHECK(scene.backFacesCulled(Hemisphere::Left));
        CHECK(scene.surfaceActor(Hemisphere::Left)->GetProperty()->GetBackfaceCulling());
    }
    // Inward-oriented left, open right (a cap cut off): both sides drawn.
    anatomy::flipOrientation(space.left.inflated);
    auto& right = space.right.inflated;
    right.triangles = Triangles(right.triangles.topRows(right.triangleCount() - 200));
    SceneOptions o;
    o.surface = "inflated";
    SurfaceScene scene(space, o, {});
    CHECK_FALSE(scene.backFacesCulled(Hemisphere::Left));
    CHECK_FALSE(scene.backFacesCulled(Hemisphere::Right));
    CHECK_FALSE(scene.surfaceActor(Hemisphere::Right)->GetProperty()->GetBackfaceCulling());
}

TEST_CASE("montage figures: panels, colour bar, title, scale", "[render][figure]") {
    const auto space = toySpace();
    OverlayLayer l;
    l.name = "y";
    l.colormap = "cold_hot";
    l.left = space.left.white.vertices.col(1) / 60.0f;
    l.right = space.right.white.vertices.col(1) / 60.0f;
    FigureSpec spec;
    spec.panelWidth = 200;
    spec.panelHeight = 150;
    spec.title = "Toy";
    const Image one = renderFigure(space, {}, {l}, spec);
    // 2 columns (hemispheres) × 2 rows (views) + title strip + colour-bar strip.
    CHECK(one.width == 400);
    CHECK(one.height == 300 + int(0.16 * 150) + int(0.30 * 150));
    spec.scale = 3;
    const Image three = renderFigure(space, {}, {l}, spec);
    CHECK(three.width == 3 * one.width);
    CHECK(three.height == 3 * one.height);
    // Both tails of the map appear: red-ish and blue-ish pixels.
    std::size_t red = 0, blue = 0;
    for (int y = 0; y < one.height; ++y)
        for (int x = 0; x < one.width; ++x) {
            const auto p = one.pixel(x, y);
            red += p[0] > 180 && p[2] < 80;
            blue += p[2] > 180 && p[0] < 80;
        }
    CHECK(red > 500);
    CHECK(blue > 500);
    CHECK(colourFraction(one, {255, 255, 255}, 0) > 0.3);  // white background around the shapes
    spec.montage = false;
    spec.scale = 1;
    const Image single = renderFigure(space, {}, {l}, spec);
    CHECK(single.width == 200);
}

TEST_CASE("render a real atlas on the template surfaces", "[render][figure][template]") {
    auto aal = test::mricronFile("aal.nii.gz");
    if (!aal) NM_SKIP("mricron-data is not installed");
    test::TempDir dir;
    const auto out = dir / "aal.png";
    const auto cli = test::shellQuote((test::binaryDir() / "neuromosaic-cli").string());
    const auto r = test::run(cli + " render --overlay " + test::shellQuote(aal->string()) +
                             " --borders --montage --title AAL --scale 2 --dpi 150 --out " + test::shellQuote(out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    double dpi = 0;
    const Image img = readPng(out, &dpi);
    CHECK(dpi == Approx(150).margin(0.1));
    CHECK(img.width == 2 * 2 * 560);
    // Many distinct parcel colours are visible.
    std::set<std::array<unsigned char, 3>> colours;
    for (int y = 0; y < img.height; y += 4)
        for (int x = 0; x < img.width; x += 4) colours.insert(img.pixel(x, y));
    CHECK(colours.size() > 200);
    CHECK(colourFraction(img, {255, 255, 255}, 0) > 0.15);
    CHECK(colourFraction(img, {255, 255, 255}, 0) < 0.8);
}

TEST_CASE("render reports bad input with exit code 2", "[render][cli]") {
    test::TempDir dir;
    const auto cli = test::shellQuote((test::binaryDir() / "neuromosaic-cli").string());
    auto r = test::run(cli + " render --overlay /nonexistent.nii.gz --out " + test::shellQuote((dir / "x.png").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("/nonexistent.nii.gz"));
    { std::ofstream(dir / "notes.txt") << "hello"; }
    r = test::run(cli + " render --overlay " + test::shellQuote((dir / "notes.txt").string()) + " --out " +
                  test::shellQuote((dir / "x.png").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("notes.txt") && Catch::Contains("not a supported overlay"));
    r = test::run(cli + " render --views sideways --out " + test::shellQuote((dir / "x.png").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("sideways"));
    r = test::run(cli + " render --space /nonexistent --out " + test::shellQuote((dir / "x.png").string()));
    CHECK(r.exitCode == 2);
}
