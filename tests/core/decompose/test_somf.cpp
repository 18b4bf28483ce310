#include "common/Error.hpp"
#include "decompose/BallProjection.hpp"
#include "decompose/Initialization.hpp"
#include "decompose/OnlineDictionaryLearner.hpp"
#include "validate/Matching.hpp"

#include <Eigen/Cholesky>
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

using namespace nm;
using namespace nm::decompose;

namespace {
/// Projection onto the L1 ball by sorting (Duchi et al. 2008): the reference.
std::vector<float> sortedProjection(std::vector<float> x, double r, bool positive) {
    std::vector<double> a;
    for (auto& v : x) {
        if (positive && v < 0) v = 0;
        a.push_back(std::abs(v));
    }
    if (std::accumulate(a.begin(), a.end(), 0.0) <= r) return x;
    std::vector<double> s = a;
    std::sort(s.rbegin(), s.rend());
    double cum = 0, theta = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        cum += s[i];
        const double t = (cum - r) / double(i + 1);
        if (i + 1 == s.size() || s[i + 1] <= t) {
            theta = t;
            break;
        }
    }
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(std::copysign(std::max(0.0, a[i] - theta), double(x[i])));
    return x;
}
} // namespace

TEST_CASE("L1 and elastic-net ball projections are exact", "[decompose][projection]") {
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<float> x(1 + rng() % 500);
        for (auto& v : x) v = normal(rng);
        const double r = 0.5 + (rng() % 100) / 10.0;
        for (bool positive : {false, true}) {
            auto ours = x;
            projectL1Ball(ours.data(), ours.size(), r, positive);
            const auto ref = sortedProjection(x, r, positive);
            for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(ours[i] == Approx(ref[i]).margin(1e-5));
            double l1 = 0;
            for (float v : ours) {
                l1 += std::abs(v);
                if (positive) REQUIRE(v >= 0.0f);
            }
            REQUIRE(l1 <= r + 1e-3);
        }
        // Elastic net: feasible, on the boundary, and better (closer) than scaled points.
        auto en = x;
        const double gamma = 0.5;
        projectElasticNetBall(en.data(), en.size(), r, gamma, false);
        double cost = 0, dist = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            cost += std::abs(en[i]) + 0.5 * gamma * double(en[i]) * en[i];
            dist += double(en[i] - x[i]) * (en[i] - x[i]);
        }
        double xcost = 0;
        for (float v : x) xcost += std::abs(v) + 0.5 * gamma * double(v) * v;
        if (xcost > r) {
            REQUIRE(cost == Approx(r).epsilon(1e-3));
            // Any other feasible point on the ray towards 0 is not closer.
            for (double s : {0.9, 0.5}) {
                double d2 = 0, c2 = 0;
                for (float v : en) {
                    const double y = s * v;
                    c2 += std::abs(y) + 0.5 * gamma * y * y;
                }
                for (std::size_t i = 0; i < x.size(); ++i) d2 += (s * en[i] - x[i]) * (s * en[i] - x[i]);
                if (c2 <= r) REQUIRE(d2 >= dist - 1e-6);
            }
        }
    }
}

TEST_CASE("the Hungarian algorithm finds the optimal assignment", "[validate][matching]") {
    Eigen::MatrixXd s(3, 4);
    s << 1, 9, 2, 3,  //
        8, 7, 1, 1,   //
        2, 8, 9, 1;
    const auto a = validate::maximumAssignment(s);
    CHECK(a == std::vector<int>{1, 0, 2});  // 9 + 8 + 9 = 26, the best total
    // Brute force on random 6×6 problems.
    std::mt19937 rng(3);
    for (int trial = 0; trial < 20; ++trial) {
        Eigen::MatrixXd m = Eigen::MatrixXd::NullaryExpr(6, 6, [&] { return double(rng() % 100); });
        std::vector<int> perm(6);
        std::iota(perm.begin(), perm.end(), 0);
        double best = -1;
        do {
            double t = 0;
            for (int i = 0; i < 6; ++i) t += m(i, perm[std::size_t(i)]);
            best = std::max(best, t);
        } while (std::next_permutation(perm.begin(), perm.end()));
        const auto h = validate::maximumAssignment(m);
        double t = 0;
        for (int i = 0; i < 6; ++i) t += m(i, h[std::size_t(i)]);
        CHECK(t == best);
    }
}

namespace {
/// k sparse positive blobs on a 1-D "brain" of p voxels, and n samples X = C D + noise.
void synthetic(int k, int p, int n, std::uint64_t seed, RowMatrixF& truth, RowMatrixF& X) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    truth = RowMatrixF::Zero(k, p);
    for (int j = 0; j < k; ++j) {
        const double centre = (j + 0.5) * p / k, width = 0.25 * p / k;
        for (int i = 0; i < p; ++i) truth(j, i) = float(std::exp(-0.5 * std::pow((i - centre) / width, 2)));
    }
    X.resize(n, p);
    for (int s = 0; s < n; ++s) {
        Eigen::RowVectorXf c(k);
        for (int j = 0; j < k; ++j) c[j] = normal(rng);
        X.row(s) = c * truth;
        for (int i = 0; i < p; ++i) X(s, i) += 0.3f * normal(rng);
    }
}
} // namespace

TEST_CASE("SOMF recovers sparse positive maps from subsampled minibatches", "[decompose][somf]") {
    RowMatrixF truth, X;
    synthetic(10, 2000, 3000, 7, truth, X);
    SomfOptions o;
    o.components = 10;
    o.reduction = 4;
    o.alpha = 0.05;  // little noise: a light ridge
    o.seed = 3;
    OnlineDictionaryLearner learner(X.cols(), o);
    // Start from a clustering of the voxels of the first 300 volumes.
    learner.initialize(clusterInitialization(X.topRows(300), 10, 1));
    for (int epoch = 0; epoch < 3; ++epoch)
        for (Eigen::Index s = 0; s + 50 <= X.rows(); s += 50) learner.partialFit(X.middleRows(s, 50));
    const auto match = validate::matchMaps(learner.maps(), truth);
    INFO("mean correlation with the truth: " << match.meanCorrelation);
    CHECK(match.meanCorrelation > 0.9);
    CHECK(learner.maps().minCoeff() >= 0.0f);
    for (Eigen::Index j = 0; j < 10; ++j) CHECK(learner.maps().row(j).cwiseAbs().sum() <= 1.0 + 1e-3);
}

TEST_CASE("SOMF state round-trips: a resumed learner continues identically", "[decompose][somf]") {
    RowMatrixF truth, X;
    synthetic(6, 500, 400, 9, truth, X);
    SomfOptions o;
    o.components = 6;
    o.seed = 5;
    OnlineDictionaryLearner a(X.cols(), o), b(X.cols(), o);
    RowMatrixF init = X.topRows(6).cwiseAbs();
    a.initialize(init);
    for (int s = 0; s < 200; s += 20) a.partialFit(X.middleRows(s, 20));
    b.deserialize(a.serialize());
    for (int s = 200; s < 400; s += 20) {
        a.partialFit(X.middleRows(s, 20));
        b.partialFit(X.middleRows(s, 20));
    }
    CHECK(a.maps() == b.maps());
    CHECK(a.iterations() == 20);
    OnlineDictionaryLearner c(X.cols() + 1, o);
    CHECK_THROWS_AS(c.deserialize(a.serialize()), Error);
}

namespace {
/// One SOMF iteration written the plain dense way (full codes, full statistics, atom-by-atom
/// sweep), from the state before it and the subset and atom order the learner drew.
RowMatrixF referenceStep(const OnlineDictionaryLearner& before, const RowMatrixF& X, const std::vector<std::int32_t>& subset,
                         const std::vector<std::int32_t>& order) {
    const SomfOptions& o = before.options();
    RowMatrixF D = before.maps();
    const Eigen::Index k = D.rows(), b = X.rows();
    Eigen::MatrixXd G = D.cast<double>() * D.cast<double>().transpose();
    G.diagonal().array() += o.alpha * G.trace() / double(k) + 1e-12;
    const Eigen::MatrixXd codes = G.llt().solve(D.cast<double>() * X.cast<double>().transpose());
    const double w = std::pow(double(before.iterations() + 1), -o.beta);
    const Eigen::MatrixXd A = (1 - w) * before.statisticA() + (w / double(b)) * codes * codes.transpose();
    const Eigen::MatrixXd B = (1 - w) * before.statisticB().cast<double>() + (w / double(b)) * codes * X.cast<double>();
    std::vector<bool> sampled(static_cast<std::size_t>(D.cols()), false);
    for (auto i : subset) sampled[std::size_t(i)] = true;
    for (auto j : order) {
        if (A(j, j) <= 1e-12) continue;
        std::vector<float> u;
        double outside = 0;
        for (Eigen::Index i = 0; i < D.cols(); ++i) {
            if (!sampled[std::size_t(i)]) {
                outside += std::abs(D(j, i)) + 0.5 * o.gamma * D(j, i) * D(j, i);
                continue;
            }
            const double grad = B(j, i) - A.row(j).dot(D.col(i).cast<double>());
            u.push_back(float(D(j, i) + grad / A(j, j)));
        }
        projectElasticNetBall(u.data(), u.size(), o.radius - outside, o.gamma, o.positive);
        for (std::size_t c = 0; c < subset.size(); ++c) D(j, subset[c]) = u[c];
    }
    return D;
}
} // namespace

TEST_CASE("SOMF's sparse blocked iteration equals the plain dense algorithm", "[decompose][somf]") {
    // k = 150 spans three blocks of the sweep; several iterations exercise the incremental Gram.
    RowMatrixF truth, X;
    synthetic(150, 1200, 240, 11, truth, X);
    for (double gamma : {0.0, 0.5}) {
        SomfOptions o;
        o.components = 150;
        o.reduction = 3;
        o.gamma = gamma;
        o.seed = 2;
        OnlineDictionaryLearner learner(X.cols(), o);
        learner.initialize(X.topRows(150).cwiseAbs());
        for (int s = 0; s + 40 <= X.rows(); s += 40) {
            const OnlineDictionaryLearner before = learner;
            const RowMatrixF batch = X.middleRows(s, 40);
            learner.partialFit(batch);
            const RowMatrixF expected = referenceStep(before, batch, learner.lastSubset(), learner.lastOrder());
            const float scale = expected.cwiseAbs().maxCoeff();
            INFO("gamma " << gamma << ", iteration " << learner.iterations());
            CHECK(learner.lastSubset().size() == 400);
            CHECK((learner.maps() - expected).cwiseAbs().maxCoeff() <= 2e-4f * scale);
            CHECK((learner.maps().array() != before.maps().array()).count() > 0);
        }
    }
}
