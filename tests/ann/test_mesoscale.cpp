// core/ann mesoscale measures on weight matrices with a known answer: planted modules on the
// seRNN grid, random weights, and the density of the seRNN repository's null networks.
#include "ann/Mesoscale.hpp"
#include "ann/SeRnn.hpp"
#include "graph/Metrics.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace nm::ann;

namespace {
/// Strong weights inside the four blocks of 25 consecutive units, weak random weights elsewhere.
Eigen::MatrixXd plantedModules(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> weak(0.0, 0.05), strong(0.0, 1.0);
    Eigen::MatrixXd W(100, 100);
    for (int j = 0; j < 100; ++j)
        for (int i = 0; i < 100; ++i) W(i, j) = (i / 25 == j / 25) ? strong(rng) : weak(rng);
    return W;
}
Eigen::MatrixXd gaussian(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g;
    Eigen::MatrixXd W(100, 100);
    for (int j = 0; j < 100; ++j)
        for (int i = 0; i < 100; ++i) W(i, j) = g(rng);
    return W;
}
} // namespace

TEST_CASE("binarisation keeps the top decile of |W| and symmetrises by union", "[ann][mesoscale]") {
    const Eigen::MatrixXd W = gaussian(4);
    const Eigen::MatrixXd A = binarizeTop(W);
    CHECK(A.isApprox(A.transpose()));
    CHECK(A.diagonal().isZero());
    // 1000 directed entries above the 90th percentile; their union has between 500 and 1000 pairs.
    const double d = nm::graph::density(A, false);
    CHECK(d > 0.1 - 1e-9);
    CHECK(d < 0.2);
}

TEST_CASE("planted modules are found and stand far above degree-preserving nulls", "[ann][mesoscale]") {
    const Eigen::MatrixXd D = gridDistances({5, 5, 4});
    MesoscaleOptions o;
    o.nulls = 50;
    const MesoscaleMeasures m = mesoscale(plantedModules(8), D, o);
    CHECK(m.modules == 4);
    CHECK(m.modulesWeighted == 4);
    CHECK(m.qBinary > 0.6);  // 4 equal disconnected-ish modules: Q → 0.75
    CHECK(m.qZ > 10);
    CHECK(m.qNullFractionBelow == 1.0);
    CHECK(m.sigma > 1.5);
    // 25 consecutive units lie in (nearly) one or two y-slabs of the grid: strong weights are short.
    CHECK(m.weightDistanceCorrelation < -0.15);
    CHECK(m.repositoryNullDensity == Approx(0.18 * 0.99 + 0.3 * 0.01).margin(0.005));
}

TEST_CASE("random weights have no modules beyond their nulls", "[ann][mesoscale]") {
    const Eigen::MatrixXd W = gaussian(12);
    MesoscaleOptions o;
    o.nulls = 50;
    const MesoscaleMeasures m = mesoscale(W, gridDistances({5, 5, 4}), o);
    CHECK(std::abs(m.qZ) < 3.5);
    CHECK(m.sigma == Approx(1.0).margin(0.15));
    CHECK(std::abs(m.weightDistanceCorrelation) < 0.05);
}
