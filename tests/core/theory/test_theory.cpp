// core/theory: the analytical models of modularity against their papers' limits and against
// simulation — random-graph modularity (Guimerà 2004; Reichardt & Bornholdt 2006) against Leiden on
// sampled G(n, m) graphs, the resolution limit on Fortunato & Barthélemy's ring of cliques, the
// planted partition sampler's degrees, and the Kesten–Stigum bound against the Bethe Hessian's
// recovery, with the gap shrinking as n grows.
#include "graph/Communities.hpp"
#include "theory/Detectability.hpp"
#include "theory/Modularity.hpp"
#include "theory/Spatial.hpp"

#include "common/Error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace nm;

namespace {
/// Distances between n points drawn uniformly in the unit cube.
graph::Matrix randomCube(Eigen::Index n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    Eigen::MatrixXd xyz(n, 3);
    for (Eigen::Index i = 0; i < xyz.size(); ++i) xyz.data()[i] = u(rng);
    return graph::euclideanDistances(xyz);
}
} // namespace

TEST_CASE("random graphs are modular by chance, as Guimerà and Reichardt–Bornholdt predict", "[theory]") {
    // Leiden is a heuristic: its Q is a lower bound of the maximum, within a few % at these sizes.
    for (double k : {10.0, 20.0}) {
        const Eigen::Index n = 2000;
        const auto m = Eigen::Index(k * double(n) / 2);
        graph::CommunityOptions o;
        o.runs = 3;
        const double q = graph::communities(n, theory::erdosRenyi(n, m, 3), o).q;
        const double p = k / double(n - 1);
        INFO("k " << k << ": Leiden " << q);
        CHECK(q == Approx(theory::modularityErReichardtBornholdt(double(n), p)).epsilon(0.12));  // 0.280 vs 0.306; 0.202 vs 0.216
        CHECK(q == Approx(theory::modularityErGuimera(double(n), p)).epsilon(0.16));             // vs 0.327; 0.206
    }
    // The (np)^{-1/2} order (McDiarmid & Skerman 2020): Q √k is about constant.
    const double n = 1e6;
    CHECK(theory::modularityErReichardtBornholdt(n, 4 / n) * 2 == Approx(theory::modularityErReichardtBornholdt(n, 16 / n) * 4).epsilon(1e-4));
    // A complete graph has no modularity; the configuration form of a regular graph is ER's.
    CHECK(theory::modularityErReichardtBornholdt(100, 1.0) == 0.0);
    CHECK(theory::modularityConfigurationModel(std::vector<double>(100, 9.0)) == Approx(0.97 / 3));
    CHECK_THROWS_AS(theory::modularityErGuimera(100, 0.0), InputError);
}

TEST_CASE("the resolution limit: a ring of cliques merges once it is long enough", "[theory]") {
    // Fortunato & Barthélemy's example: a ring of K5 cliques joined by single edges. Each clique has
    // total degree d = 22; merging neighbours raises Q when d² < 2m · 1, i.e. with more than 22 cliques.
    auto ring = [](int cliques) {
        theory::EdgeList e;
        for (int c = 0; c < cliques; ++c) {
            const int o = 5 * c;
            for (int i = 0; i < 5; ++i)
                for (int j = i + 1; j < 5; ++j) e.emplace_back(o + i, o + j);
            e.emplace_back(o + 4, (o + 5) % (5 * cliques));
        }
        return e;
    };
    for (int cliques : {10, 20, 30, 40}) {
        const auto e = ring(cliques);
        const double m = double(e.size());
        // The merge gain equals the difference of Q between the two partitions, exactly.
        std::vector<int> separate(std::size_t(5 * cliques)), merged(std::size_t(5 * cliques));
        for (int i = 0; i < 5 * cliques; ++i) {
            separate[std::size_t(i)] = i / 5 + 1;
            merged[std::size_t(i)] = i / 5 < 2 ? 1 : i / 5;  // the first two cliques together
        }
        const double gain = graph::modularityOfEdges(5 * cliques, e, merged) - graph::modularityOfEdges(5 * cliques, e, separate);
        CHECK(gain == Approx(theory::mergeGain(22, 22, 1, m)).margin(1e-12));
        CHECK((gain > 0) == (22.0 < theory::resolutionLimitDegree(m)));
        graph::CommunityOptions o;
        o.runs = 5;
        const auto part = graph::communities(5 * cliques, e, o);
        const int modules = *std::max_element(part.module.begin(), part.module.end());
        INFO(cliques << " cliques: " << modules << " modules");
        if (cliques <= 20) CHECK(modules == cliques);  // below the limit every clique is a module
        else CHECK(modules < cliques);                  // beyond it modularity merges cliques
    }
}

TEST_CASE("planted partitions: the sampler's degrees and the Kesten–Stigum bound", "[theory]") {
    const auto [cIn, cOut] = theory::plantedDegrees(5.0, 0.25, 2);
    CHECK(cIn == Approx(8.0));
    CHECK(cOut == Approx(2.0));
    const auto g = theory::plantedPartition(20000, 2, cIn, cOut, 5);
    const double meanDegree = 2.0 * double(g.edges.size()) / 20000.0;
    CHECK(meanDegree == Approx(5.0).margin(0.1));  // sd of the mean ≈ 0.02
    double inside = 0;
    for (const auto& [i, j] : g.edges) inside += g.group[std::size_t(i)] == g.group[std::size_t(j)];
    CHECK(inside / double(g.edges.size()) == Approx(0.8).margin(0.01));
    // λ = (8 − 2) / (2 √5) = 1.342; at the bound ε* = (√5 − 1) / (√5 + 1).
    CHECK(theory::kestenStigumRatio(8, 2, 2) == Approx(6.0 / (2 * std::sqrt(5.0))));
    const double eps = theory::kestenStigumEpsilon(5.0, 2);
    const auto [ci, co] = theory::plantedDegrees(5.0, eps, 2);
    CHECK(theory::kestenStigumRatio(ci, co, 2) == Approx(1.0));
    CHECK(theory::overlap({1, 1, 2, 2}, {2, 2, 1, 1}, 2) == 1.0);  // labels are arbitrary
    CHECK(theory::overlap({1, 1, 2, 2}, {1, 2, 1, 2}, 2) == 0.0);  // chance
}

TEST_CASE("a power law fitted to finite-size gaps", "[theory]") {
    const auto p = theory::fitPowerLaw({100, 400, 1600}, {3.0 / 10, 3.0 / 20, 3.0 / 40});  // 3 n^(−1/2)
    CHECK(p.exponent == Approx(0.5));
    CHECK(p.prefactor == Approx(3.0));
    CHECK(p.sizes == 3);
    const auto q = theory::fitPowerLaw({100, 400}, {0.2, std::nan("")});  // one usable size: no fit
    CHECK(std::isnan(q.exponent));
}

TEST_CASE("detectability: the Bethe Hessian recovers planted modules from the Kesten–Stigum bound on", "[theory]") {
    theory::DetectabilityOptions d;
    d.sizes = {1000, 4000};
    d.ratios = {0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 2.0};
    d.repetitions = 3;
    d.leiden = false;
    const auto r = theory::detectabilitySweep(d);
    auto at = [&](Eigen::Index n, double lambda) {
        for (const auto& p : r.points)
            if (p.n == n && std::abs(p.ratio - lambda) < 1e-9) return p.overlapSpectral;
        return -1.0;
    };
    CHECK(at(4000, 0.6) < 0.1);   // below the bound: no trace of the planted groups
    CHECK(at(4000, 2.0) > 0.85);  // well above it: recovered
    REQUIRE(r.onsets.size() == 6);  // per size: the overlap's onset, the negative eigenvalues' ½ and 90 % steps
    CHECK(r.onsets[1].method == "bethe hessian (negative eigenvalues)");
    CHECK(r.onsets[2].method == "bethe hessian (90 % informative)");
    const double gap1000 = std::abs(r.onsets[0].ratio - 1.0), gap4000 = std::abs(r.onsets[3].ratio - 1.0);
    REQUIRE(r.finiteSize.size() == 2);
    for (const auto& f : r.finiteSize) {  // the 90 % step lies above the bound and within 0.5 of it
        CHECK(f.gap > 0);
        CHECK(f.gap < 0.5);
    }
    INFO("onsets " << r.onsets[0].ratio << " (n 1000), " << r.onsets[2].ratio << " (n 4000)");
    // q negative eigenvalues (two detectable groups): none of the graphs far below the bound, all far above.
    for (const auto& p : r.points) {
        if (p.ratio >= 2.0) CHECK(p.informative == 1.0);
        if (p.ratio <= 0.8 && p.n == 1000) CHECK(p.informative <= 0.34);
    }
    // Recovery (overlap 0.2) starts at the predicted transition, within 0.1 (here 0.95 and 1.02;
    // `theory detectability --sizes 1000,4000,16000`: 0.953, 1.020, 1.030).
    CHECK(gap1000 < 0.1);
    CHECK(gap4000 < 0.1);
}

TEST_CASE("the annealed spatial model predicts where the spatial rule's modularity rises", "[theory]") {
    // The inclusion probabilities sum to the edges; shorter pairs are likelier for η < 0.
    const Eigen::Index n = 200;
    const auto D = randomCube(n, 5);
    const auto P = theory::annealedSpatial(D, 5 * n, -2.0);
    CHECK(P.sum() / 2 == Approx(5.0 * double(n)).epsilon(1e-6));
    CHECK(P.maxCoeff() <= 1.0);
    // Nodes in the unit cube, mean degree 10: the predicted half-rise of Q against the simulated
    // growth (6 networks per η); n = 100 / 200 / 400 / 800 gave gaps 0.34 / 0.19 / 0.25 / 0.11.
    const auto r = theory::spatialDiagram(D, 5 * n, {-4, -3, -2.5, -2, -1.75, -1.5, -1.25, -1, -0.75, -0.5, 0}, 6, 1);
    INFO("predicted " << r.predictedHalfRise << ", simulated " << r.simulatedHalfRise);
    CHECK(std::abs(r.predictedHalfRise - r.simulatedHalfRise) < 0.35);
    for (const auto& p : r.points) CHECK(p.qPredicted == Approx(p.simulatedQ).margin(0.06));  // the whole curve, not only its midpoint
    CHECK(r.points.front().shortFraction > 0.95);  // η = −4: nearly every edge is short
    CHECK(r.points.back().shortFraction == Approx(0.5).margin(0.01));  // η = 0: half the pairs are shorter than the median
}

TEST_CASE("finite size: the simulated Kesten–Stigum transition closes in on λ = 1 as n grows", "[theory]") {
    // The λ from which 90 % of the graphs have q informative Bethe Hessian eigenvalues, q = 2, c = 6
    // (`theory phase-diagram --model sbm --sizes 250,1000,4000,16000 --repetitions 12`: gaps 0.45,
    // 0.28, 0.15, 0.09 — about 3.6 n^(−0.38)).
    theory::DetectabilityOptions d;
    d.sizes = {250, 4000};
    d.ratios = {0.9, 1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5, 1.7, 2.0};
    d.repetitions = 5;
    d.leiden = false;
    const auto r = theory::detectabilitySweep(d);
    REQUIRE(r.finiteSize.size() == 2);
    INFO("gaps " << r.finiteSize[0].gap << " (n 250), " << r.finiteSize[1].gap << " (n 4000)");
    CHECK(r.finiteSize[1].gap < r.finiteSize[0].gap);
    CHECK(r.finiteSize[1].gap < 0.25);
    CHECK(r.gapScaling.exponent > 0.1);
}

TEST_CASE("a network's modularity placed on the spatial diagram", "[theory]") {
    const auto D = randomCube(120, 3);
    const auto r = theory::spatialDiagram(D, 600, {-4, -3, -2, -1, 0}, 0, 1);  // prediction only
    // The η at which the predicted Q equals its value at η = −2 is −2 (a crossing at a grid point).
    CHECK(theory::etaReachingQ(r, r.points[2].qPredicted) == Approx(-2.0).margin(1e-9));
    CHECK(std::isnan(theory::etaReachingQ(r, 2.0)));  // no network of Q 2
}

TEST_CASE("the matching rule's phase diagram reduces to the spatial rule at γ = 0", "[theory]") {
    const Eigen::Index n = 200;
    const auto D = randomCube(n, 9);
    const auto r = theory::matchingDiagram(D, 5 * n, {-4, -3, -2, -1.5, -1, -0.5, 0}, {0.0, 0.4}, 4, 1, 0.4);
    REQUIRE(r.grid.size() == 14);
    REQUIRE(r.boundary.size() == 2);
    // γ = 0 is the spatial rule: the simulated boundary lies near the annealed prediction.
    CHECK(r.boundary[0].halfRise == Approx(r.spatialPrediction).margin(0.45));
    for (const auto& b : r.boundary) {
        CHECK(b.qMax > b.qMin + 0.1);  // local wiring makes the networks modular
        if (std::isfinite(b.etaAtOwnQ)) {
            CHECK(b.etaAtOwnQ >= -4);
            CHECK(b.etaAtOwnQ <= 0);
        }
    }
}
