#include "anatomy/MeshGeometry.hpp"
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"
#include "common/Error.hpp"
#include "io/Nifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace nm;
using namespace nm::anatomy;

namespace {
double correlation(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
    const Eigen::ArrayXd x = a.cast<double>().array() - a.cast<double>().mean();
    const Eigen::ArrayXd y = b.cast<double>().array() - b.cast<double>().mean();
    return (x * y).sum() / std::sqrt((x * x).sum() * (y * y).sum());
}
double invertedFraction(const Mesh& sphere) {
    std::size_t bad = 0;
    for (Eigen::Index t = 0; t < sphere.triangleCount(); ++t) {
        const Eigen::Vector3f a = sphere.vertices.row(sphere.triangles(t, 0)), b = sphere.vertices.row(sphere.triangles(t, 1)),
                              c = sphere.vertices.row(sphere.triangles(t, 2));
        bad += (b - a).cross(c - a).dot(a + b + c) < 0;
    }
    return double(bad) / double(sphere.triangleCount());
}
} // namespace

TEST_CASE("template surfaces from mricron-data look like a brain and are cached", "[anatomy][template]") {
    if (!test::mricronFile("ch2bet.nii.gz") || !test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    SurfaceBuildReport cold;
    const SurfaceSpace s = loadTemplateSurfaces({}, nullptr, &cold);
    INFO("build: " << cold.seconds << " s (from cache: " << cold.fromCache << ")");
    CHECK(cold.seconds < 60.0 * test::slowdown());  // issue target, cold build
    for (auto hemi : {Hemisphere::Left, Hemisphere::Right}) {
        const auto& h = s.hemisphere(hemi);
        INFO(toString(hemi));
        CHECK(h.vertexCount() >= 20000);
        CHECK(h.vertexCount() <= 80000);
        std::vector<int> labels;
        CHECK(meshComponents(h.white, labels) == 1);
        const double sign = hemi == Hemisphere::Left ? -1.0 : 1.0;
        CHECK((h.white.vertices.col(0).cast<double>().array() * sign > -0.5).all());  // split at the midline
        // A human hemisphere: ~65 mm wide, ~170 mm long, white surface area 700–1100 cm².
        const Eigen::RowVector3f extent = h.pial.vertices.colwise().maxCoeff() - h.pial.vertices.colwise().minCoeff();
        CHECK(extent.x() == Approx(68).margin(10));
        CHECK(extent.y() == Approx(170).margin(15));
        const double area = surfaceArea(h.white) / 100.0;
        CHECK(area > 700);
        CHECK(area < 1100);
        CHECK(h.thickness.mean() > 2.0f);   // cortical thickness, mm
        CHECK(h.thickness.mean() < 3.5f);
        CHECK(correlation(h.sulc, h.curv) > 0.3);  // fsaverage: 0.77; both positive in sulci
        CHECK(surfaceArea(h.inflated) == Approx(surfaceArea(h.white)).epsilon(0.01));
        const Eigen::VectorXf radius = h.sphere.vertices.rowwise().norm();
        CHECK(radius.minCoeff() == Approx(100.0f).epsilon(1e-4));
        CHECK(invertedFraction(h.sphere) < 0.02);
    }
    SurfaceBuildReport warm;
    const SurfaceSpace again = loadTemplateSurfaces({}, nullptr, &warm);
    CHECK(warm.fromCache);
    CHECK(warm.seconds < 1.0 * test::slowdown());  // issue target, cached load
    CHECK(again.left.pial.vertices == s.left.pial.vertices);
    CHECK(again.right.sulc == s.right.sulc);
}

TEST_CASE("fsaverage5 from nilearn's files as a surface space", "[anatomy][fsaverage][data]") {
    auto data = test::sharedData();
    if (!data) NM_SKIP("../shared/data not found");
    const SurfaceSpace s = loadSurfaceDirectory(*data / "surfaces/fsaverage5", "fsaverage5");
    CHECK(s.left.vertexCount() == 10242);
    CHECK(s.right.inflated.vertexCount() == 10242);
    CHECK(correlation(s.left.sulc, s.left.curv) == Approx(0.7714).margin(1e-3));  // numpy: np.corrcoef
    CHECK(s.left.thickness.mean() == Approx(2.2742).margin(1e-3));
    CHECK_THROWS_WITH(loadSurfaceDirectory(*data / "fmri"), Catch::Contains("white_left"));
}

TEST_CASE("the AAL atlas projects onto the template surfaces", "[anatomy][projection][template]") {
    auto aal = test::mricronFile("aal.nii.gz");
    if (!aal) NM_SKIP("mricron-data is not installed");
    const SurfaceSpace s = loadTemplateSurfaces();
    const Volume atlas = io::readNifti(*aal);
    ProjectionOptions o;
    o.interpolation = ProjectionOptions::Interpolation::Nearest;
    o.reduction = ProjectionOptions::Reduction::Max;
    const Eigen::MatrixXf left = VolumeToSurface(s.left, atlas.geometry, o).project(atlas);
    // Most of the cortex lands in a cerebral AAL region of the right side (odd labels = left).
    std::size_t labelled = 0, leftLabels = 0;
    for (Eigen::Index v = 0; v < left.rows(); ++v) {
        const int l = int(left(v, 0));
        if (l >= 1 && l <= 90) {
            ++labelled;
            leftLabels += l % 2 == 1;
        }
    }
    CHECK(double(labelled) / double(left.rows()) > 0.8);
    CHECK(double(leftLabels) / double(labelled) > 0.97);
}
