#include "anatomy/Overlay.hpp"
#include "common/Error.hpp"
#include "io/FreeSurfer.hpp"
#include "io/Gifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;
using namespace nm::anatomy;

TEST_CASE("hemispheres are recognised from file names", "[anatomy][overlay]") {
    CHECK(hemisphereFromName("lh.sulc") == Hemisphere::Left);
    CHECK(hemisphereFromName("rh.aparc.annot") == Hemisphere::Right);
    CHECK(hemisphereFromName("thick_left.gii.gz") == Hemisphere::Left);
    CHECK(hemisphereFromName("sub-01_hemi-R_bold.func.gii") == Hemisphere::Right);
    CHECK_FALSE(hemisphereFromName("zstat1.nii.gz").has_value());
    CHECK_FALSE(hemisphereFromName("left_and_right.gii").has_value());
}

TEST_CASE("overlays from fsaverage5 surface files", "[anatomy][overlay][data]") {
    auto data = test::sharedData();
    if (!data) NM_SKIP("../shared/data not found");
    const auto dir = *data / "surfaces/fsaverage5";
    const SurfaceSpace space = loadSurfaceDirectory(dir, "fsaverage5");
    const auto left = loadSurfaceOverlay(dir / "thick_left.gii.gz", space);
    CHECK(left.left.rows() == 10242);
    CHECK(left.right.cols() == 0);
    CHECK_FALSE(left.categorical);
    CHECK(left.left.col(0).mean() == Approx(2.2742).margin(1e-3));

    // A FreeSurfer curv file and an annotation written from fsaverage data.
    test::TempDir tmp;
    io::writeFreeSurferCurv(tmp / "rh.sulc", space.right.sulc);
    const auto curv = loadSurfaceOverlay(tmp / "rh.sulc", space);
    CHECK(curv.right.col(0) == space.right.sulc);
    io::Annotation a;
    a.labels = (space.left.sulc.array() > 0).cast<int>();
    a.table = {{"gyri", {200, 200, 200, 0}, 0}, {"sulci", {30, 60, 200, 0}, 0}};
    io::writeFreeSurferAnnot(tmp / "lh.sulci.annot", a);
    const auto annot = loadSurfaceOverlay(tmp / "lh.sulci.annot", space);
    CHECK(annot.categorical);
    CHECK(annot.labelNames.at(2) == "sulci");
    CHECK(annot.labelColors.at(2)[2] == Approx(200 / 255.0f));

    // Wrong vertex count, unknown hemisphere, unknown type: errors naming the file.
    io::writeGiftiData(tmp / "lh.short.func.gii", Eigen::MatrixXf::Ones(100, 1));
    CHECK_THROWS_WITH(loadSurfaceOverlay(tmp / "lh.short.func.gii", space),
                      Catch::Contains("lh.short.func.gii") && Catch::Contains("100 vertices") && Catch::Contains("10242"));
    io::writeGiftiData(tmp / "values.func.gii", Eigen::MatrixXf::Ones(10242, 1));
    CHECK_THROWS_WITH(loadSurfaceOverlay(tmp / "values.func.gii", space), Catch::Contains("hemisphere"));
    OverlayOptions o;
    o.hemisphere = Hemisphere::Right;
    CHECK(loadSurfaceOverlay(tmp / "values.func.gii", space, o).right.rows() == 10242);
    { std::ofstream(tmp / "notes.txt") << "text"; }
    CHECK_THROWS_WITH(loadSurfaceOverlay(tmp / "notes.txt", space), Catch::Contains("not a supported overlay"));
}

TEST_CASE("atlases are detected as labels, intensity images are not", "[anatomy][overlay][template]") {
    auto aal = test::mricronFile("aal.nii.gz");
    auto ch2 = test::mricronFile("ch2bet.nii.gz");
    if (!aal || !ch2) NM_SKIP("mricron-data is not installed");
    const SurfaceSpace space = loadTemplateSurfaces();
    const auto atlas = loadSurfaceOverlay(*aal, space);
    CHECK(atlas.categorical);
    CHECK(atlas.source == "volume");
    for (Eigen::Index v = 0; v < atlas.left.rows(); v += 101) CHECK(atlas.left(v, 0) == std::round(atlas.left(v, 0)));
    const auto t1 = loadSurfaceOverlay(*ch2, space);
    CHECK_FALSE(t1.categorical);
    // Grey-matter intensity in the ribbon: between the CSF and white-matter means (53 and 109).
    const double mean = t1.left.col(0).mean();
    CHECK(mean > 60.0);
    CHECK(mean < 105.0);
}

TEST_CASE("winner-take-all labels of component maps", "[anatomy][overlay]") {
    Eigen::MatrixXf maps(5, 3);
    maps << 0.9f, 0.1f, 0.0f,   // component 1
        0.2f, 0.5f, 0.4f,       // component 2
        0.0f, 0.0f, 0.0f,       // nothing loads
        0.05f, 0.0f, 0.01f,     // below 10 % of component 1's peak
        0.0f, 0.3f, 0.8f;       // component 3
    Eigen::VectorXf w;
    const Eigen::VectorXf l = nm::anatomy::winnerTakeAll(maps, 0.1f, &w);
    CHECK(l[0] == 1);
    CHECK(l[1] == 2);
    CHECK(l[2] == 0);
    CHECK(l[3] == 0);
    CHECK(l[4] == 3);
    CHECK(w[4] == Approx(0.8f));
    // Peaks from elsewhere (the volume): component 1 peaks at 10, so 0.9 is below 10 % of it;
    // component 2 at 1, so its 0.3 at vertex 4 still loses to component 3's 0.8.
    const Eigen::RowVectorXf peaks = (Eigen::RowVectorXf(3) << 10.0f, 1.0f, 1.0f).finished();
    const Eigen::VectorXf lp = nm::anatomy::winnerTakeAll(maps, 0.1f, &w, &peaks);
    CHECK(lp[0] == 0);
    CHECK(w[0] == 0);
    CHECK(lp[1] == 2);
    CHECK(lp[4] == 3);
    const Eigen::RowVectorXf twoPeaks = Eigen::RowVectorXf::Ones(2);
    CHECK_THROWS_AS(nm::anatomy::winnerTakeAll(maps, 0.1f, &w, &twoPeaks), nm::InputError);
}
