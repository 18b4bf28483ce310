// End to end: `align` recovers a known swirl of a sphere's features (surface) and a known shift
// (mirror) of a volume's features, writes the plan, the matches and the transported map; bad input is named.
#include "align/AlignIo.hpp"
#include "align/Deformation.hpp"
#include "anatomy/MeshGeometry.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "io/Table.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using nm::test::run;
using nm::test::shellQuote;
constexpr auto q = [](const std::filesystem::path& p) { return shellQuote(p); };
using namespace nm;

namespace {
std::string cli() { return nm::test::cliCommand(); }

/// Smooth asymmetric features of a sphere of radius r (three per vertex).
Eigen::MatrixXf sphereFeatures(const Mesh& sphere, float r) {
    Eigen::MatrixXf f(sphere.vertexCount(), 3);
    for (Eigen::Index i = 0; i < f.rows(); ++i) {
        const Eigen::Vector3f x = sphere.vertices.row(i).transpose() / r;
        f.row(i) << std::sin(3.0f * x.x()) + x.y(), x.z() * x.z() + 0.5f * x.x() * x.y() + 0.4f * x.z(),
            std::cos(2.0f * x.y() + x.z());
    }
    return f;
}

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    return v[v.size() / 2];
}

/// A sphere's features and their known swirl, written as sphere.surf.gii, source.func.gii and
/// target.func.gii in `dir`.
struct Swirled {
    Mesh sphere;
    align::KnownDeformation known;
};
Swirled writeSwirledSphere(const std::filesystem::path& dir, int level, float radius, double angle) {
    Swirled s{anatomy::icosphere(level, radius), {}};
    const Eigen::MatrixXf f = sphereFeatures(s.sphere, radius);
    align::SphereSwirl swirl;
    swirl.centre = Eigen::Vector3d(1, 0.3, 0.2).normalized();
    swirl.angle = angle;
    swirl.sigma = 1.0;
    s.known = align::deformFeatures(s.sphere, f, swirl);
    io::writeGiftiSurface(dir / "sphere.surf.gii", s.sphere);
    io::writeGiftiData(dir / "source.func.gii", f);
    io::writeGiftiData(dir / "target.func.gii", s.known.targetFeatures);
    return s;
}

/// The matches recover the swirl (median error < ¼ of the identity's, which is > minIdentityMm)
/// and the transported source features are close to the target's.
void checkRecovered(const Swirled& s, const std::filesystem::path& matches, const std::filesystem::path& moved,
                    double minIdentityMm) {
    const Eigen::Index n = s.sphere.vertexCount();
    const auto table = io::readTable(matches);
    REQUIRE(table.rowCount() == std::size_t(n));
    CHECK(table.columns() == std::vector<std::string>{"source_vertex", "target_vertex", "mass"});
    std::vector<std::int32_t> best, identity(static_cast<std::size_t>(n));
    std::iota(identity.begin(), identity.end(), 0);
    for (std::size_t i = 0; i < table.rowCount(); ++i) best.push_back(std::stoi(table.cell(i, 1)));
    const Eigen::VectorXd errBest = align::vertexDistances(s.sphere, best, s.known.truth);
    const Eigen::VectorXd errIdentity = align::vertexDistances(s.sphere, identity, s.known.truth);
    const double mBest = median({errBest.data(), errBest.data() + errBest.size()});
    const double mIdentity = median({errIdentity.data(), errIdentity.data() + errIdentity.size()});
    INFO("median error FUGW " << mBest << " mm, identity " << mIdentity << " mm");
    CHECK(mIdentity > minIdentityMm);  // the swirl moves most vertices by more than an edge
    CHECK(mBest < 0.25 * mIdentity);
    const Eigen::MatrixXf m = io::readGiftiData(moved, n);
    for (int k = 0; k < 3; ++k) {
        const Eigen::VectorXf a = m.col(k).array() - m.col(k).mean();
        const Eigen::VectorXf b = s.known.targetFeatures.col(k).array() - s.known.targetFeatures.col(k).mean();
        CHECK(a.dot(b) / (a.norm() * b.norm()) > 0.95);
    }
}
} // namespace

TEST_CASE("align recovers a known swirl of a sphere's features", "[cli][align]") {
    test::TempDir dir;
    const Swirled sw = writeSwirledSphere(dir.path(), 3, 50.0f, 0.8);  // 642 vertices, edges ≈ 4.8 mm
    const Eigen::Index n = sw.sphere.vertexCount();
    const auto plan = dir / "plan.h5", matches = dir / "matches.tsv", moved = dir / "moved.func.gii";
    auto r = run(cli() + " align --mesh " + q(dir / "sphere.surf.gii") + " --source " + q(dir / "source.func.gii") +
                 " --target " + q(dir / "target.func.gii") + " --out " + q(plan) + " --matches " + q(matches) +
                 " --transport " + q(dir / "source.func.gii") + " --out-map " + q(moved) + " --progress none");
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(r.out.find("FUGW 642 → 642") != std::string::npos);

    const auto p = align::readPlan(plan);
    CHECK(p.plan.rows() == n);
    CHECK(p.metadata["solver"] == "sinkhorn");
    checkRecovered(sw, matches, moved, 5.0);
}

TEST_CASE("align's coarse-to-fine solver recovers a swirl with a sparse plan", "[cli][align]") {
    test::TempDir dir;
    const Swirled sw = writeSwirledSphere(dir.path(), 4, 80.0f, 0.5);  // 2,562 vertices, edges ≈ 3.8 mm
    const Eigen::Index n = sw.sphere.vertexCount();
    const std::string base = cli() + " align --mesh " + q(dir / "sphere.surf.gii") + " --source " +
                             q(dir / "source.func.gii") + " --target " + q(dir / "target.func.gii") + " --progress none";
    // above --max-dense the coarse-to-fine solver is chosen by itself
    auto r = run(base + " --max-dense 1000 --coarse-samples 300 --out " + q(dir / "plan.h5") + " --matches " +
                 q(dir / "m.tsv") + " --transport " + q(dir / "source.func.gii") + " --out-map " + q(dir / "moved.func.gii"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(r.out.find("coarse-to-fine") != std::string::npos);
    const auto p = align::readPlan(dir / "plan.h5");
    REQUIRE(p.sparse);
    CHECK(p.sparsePlan.rows == n);
    CHECK(p.sparsePlan.cols == n);
    CHECK(p.sparsePlan.nonZeros() < n * n / 8);  // O(entries), not n²
    CHECK(p.metadata["coarse_to_fine"]["coarse_samples"] == 300);
    // mass ≈ 1 (unbalanced, ρ = 1: close to the weights)
    CHECK(double(p.sparsePlan.value.sum()) == Approx(1.0).margin(0.05));
    checkRecovered(sw, dir / "m.tsv", dir / "moved.func.gii", 8.0);
    // the sparse solver's limits are named
    r = run(base + " --coarse-to-fine --geometry geodesic --out " + q(dir / "p2.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--geometry lmds or auto") != std::string::npos);
    r = run(base + " --coarse-to-fine --solver mm --out " + q(dir / "p2.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("Sinkhorn with ε > 0") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "p2.h5"));
}

TEST_CASE("align works in a volume with Euclidean geometry", "[cli][align]") {
    test::TempDir dir;
    // a 12³ grid of 4 mm voxels, a ball mask, smooth asymmetric features mirrored in x: the mirror
    // is an isometry of the ball, so only the features tell it from the identity
    Volume mask;
    mask.geometry.dims = {12, 12, 12};
    mask.geometry.affine.topLeftCorner<3, 3>() *= 4.0;
    mask.data.assign(mask.voxelCount(), 0.0f);
    Volume src = mask, tgt = mask;
    src.frames = tgt.frames = 2;
    src.data.assign(mask.voxelCount() * 2, 0.0f);
    tgt.data = src.data;
    auto feature = [](double x, double y, double z, int k) {
        return k == 0 ? std::sin(0.5 * x) + 0.3 * y : std::cos(0.4 * y + 0.2 * z) + 0.1 * x * z;
    };
    for (int k = 0; k < 12; ++k)
        for (int j = 0; j < 12; ++j)
            for (int i = 0; i < 12; ++i) {
                const auto v = mask.geometry.index(i, j, k);
                if ((Eigen::Vector3d(i, j, k) - Eigen::Vector3d(5.5, 5.5, 5.5)).norm() < 4.5) mask.data[v] = 1;
                for (int t = 0; t < 2; ++t) {
                    src.data[v + mask.voxelCount() * std::size_t(t)] = float(feature(i, j, k, t));
                    tgt.data[v + mask.voxelCount() * std::size_t(t)] = float(feature(11 - i, j, k, t));
                }
            }
    io::writeNifti(dir / "mask.nii.gz", mask);
    io::writeNifti(dir / "source.nii.gz", src);
    io::writeNifti(dir / "target.nii.gz", tgt);
    auto r = run(cli() + " align --mask " + q(dir / "mask.nii.gz") + " --source " + q(dir / "source.nii.gz") + " --target " +
                 q(dir / "target.nii.gz") + " --alpha 0.3 --out " + q(dir / "plan.h5") + " --matches " +
                 q(dir / "m.tsv") + " --progress none");
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const auto vf = align::readVolumeFeatures({dir / "source.nii.gz"}, dir / "mask.nii.gz");
    const auto table = io::readTable(dir / "m.tsv");
    REQUIRE(table.rowCount() == vf.voxels.size());
    // every voxel goes to its mirror image x → 44 − x (mm)
    int interior = 0, right = 0;
    for (std::size_t a = 0; a < table.rowCount(); ++a) {
        const Eigen::RowVector3d from = vf.coordinatesMm.row(Eigen::Index(a));
        const Eigen::RowVector3d to = vf.coordinatesMm.row(std::stol(table.cell(a, 1)));
        ++interior;
        right += (to - Eigen::RowVector3d(44 - from.x(), from.y(), from.z())).norm() < 1e-6;
    }
    INFO(right << " of " << interior << " voxels matched to their mirror image");
    CHECK(right >= 0.95 * interior);
}

TEST_CASE("align names bad input", "[cli][align]") {
    test::TempDir dir;
    const Mesh sphere = anatomy::icosphere(1, 50.0);
    io::writeGiftiSurface(dir / "s.surf.gii", sphere);
    io::writeGiftiData(dir / "a.func.gii", Eigen::MatrixXf::Random(sphere.vertexCount(), 2));
    io::writeGiftiData(dir / "b.func.gii", Eigen::MatrixXf::Random(sphere.vertexCount(), 3));
    io::writeGiftiData(dir / "short.func.gii", Eigen::MatrixXf::Random(10, 1));
    const std::string base = cli() + " align --mesh " + q(dir / "s.surf.gii") + " --out " + q(dir / "p.h5") + " --progress none";
    auto r = run(base + " --source " + q(dir / "a.func.gii") + " --target " + q(dir / "b.func.gii"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("the source has 2 feature maps, the target 3") != std::string::npos);
    r = run(base + " --source " + q(dir / "a.func.gii") + " --target " + q(dir / "short.func.gii"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("short.func.gii") != std::string::npos);
    r = run(base + " --source " + q(dir / "a.func.gii") + " --target " + q(dir / "a.func.gii") + " --rho -1");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--rho") != std::string::npos);
    r = run(base + " --source " + q(dir / "a.func.gii") + " --target " + q(dir / "a.func.gii") + " --solver lbfgs");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("expected sinkhorn, mm or ibpp") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "p.h5"));
}
