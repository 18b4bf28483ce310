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

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    return v[v.size() / 2];
}
} // namespace

TEST_CASE("align recovers a known swirl of a sphere's features", "[cli][align]") {
    test::TempDir dir;
    const Mesh sphere = anatomy::icosphere(3, 50.0);  // 642 vertices, edges ≈ 4.8 mm
    const Eigen::Index n = sphere.vertexCount();
    Eigen::MatrixXf f(n, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Vector3f x = sphere.vertices.row(i).transpose() / 50.0f;
        f.row(i) << std::sin(3.0f * x.x()) + x.y(), x.z() * x.z() + 0.5f * x.x() * x.y() + 0.4f * x.z(),
            std::cos(2.0f * x.y() + x.z());
    }
    align::SphereSwirl swirl;
    swirl.centre = Eigen::Vector3d(1, 0.3, 0.2).normalized();
    swirl.angle = 0.8;
    swirl.sigma = 1.0;
    const auto known = align::deformFeatures(sphere, f, swirl);
    io::writeGiftiSurface(dir / "sphere.surf.gii", sphere);
    io::writeGiftiData(dir / "source.func.gii", f);
    io::writeGiftiData(dir / "target.func.gii", known.targetFeatures);
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
    const auto table = io::readTable(matches);
    REQUIRE(table.rowCount() == std::size_t(n));
    CHECK(table.columns() == std::vector<std::string>{"source_vertex", "target_vertex", "mass"});
    std::vector<std::int32_t> best, identity(static_cast<std::size_t>(n));
    std::iota(identity.begin(), identity.end(), 0);
    for (std::size_t i = 0; i < table.rowCount(); ++i) best.push_back(std::stoi(table.cell(i, 1)));
    const Eigen::VectorXd errBest = align::vertexDistances(sphere, best, known.truth);
    const Eigen::VectorXd errIdentity = align::vertexDistances(sphere, identity, known.truth);
    const double mBest = median({errBest.data(), errBest.data() + errBest.size()});
    const double mIdentity = median({errIdentity.data(), errIdentity.data() + errIdentity.size()});
    INFO("median error FUGW " << mBest << " mm, identity " << mIdentity << " mm");
    CHECK(mIdentity > 5.0);  // the swirl moves most vertices by more than an edge
    CHECK(mBest < 0.25 * mIdentity);
    // the transported source features are close to the target's
    const Eigen::MatrixXf m = io::readGiftiData(moved, n);
    for (int k = 0; k < 3; ++k) {
        const Eigen::VectorXf a = m.col(k).array() - m.col(k).mean();
        const Eigen::VectorXf b = known.targetFeatures.col(k).array() - known.targetFeatures.col(k).mean();
        CHECK(a.dot(b) / (a.norm() * b.norm()) > 0.95);
    }
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
