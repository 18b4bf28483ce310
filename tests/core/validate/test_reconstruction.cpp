#include "decompose/Reconstruction.hpp"
#include "validate/Reconstruction.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace nm;

TEST_CASE("least-squares explained variance equals 1 - residual/total", "[validate][reconstruction]") {
    std::mt19937 rng(1);
    std::normal_distribution<float> n;
    decompose::RowMatrixF D(5, 40), X(30, 40);
    for (Eigen::Index i = 0; i < D.size(); ++i) D.data()[i] = n(rng);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = n(rng);
    decompose::LeastSquaresProjector p(D);
    p.accumulate(X.topRows(12));
    p.accumulate(X.bottomRows(18));  // streamed in two parts
    // Reference: the projection onto the row space of D, computed directly.
    const Eigen::MatrixXd Dd = D.cast<double>(), Xd = X.cast<double>();
    const Eigen::MatrixXd C = (Dd * Dd.transpose()).ldlt().solve(Dd * Xd.transpose());
    const double residual = (Xd - C.transpose() * Dd).squaredNorm();
    CHECK(p.explainedVariance() == Approx(1.0 - residual / Xd.squaredNorm()).epsilon(1e-6));
    CHECK(p.codes(X).isApprox(C.transpose(), 1e-4));
    // Data inside the span of the maps is explained fully.
    decompose::LeastSquaresProjector q(D);
    q.accumulate(decompose::RowMatrixF(X.leftCols(5) * D));
    CHECK(q.explainedVariance() == Approx(1.0).epsilon(1e-5));
}

TEST_CASE("recovery matches permuted maps and reports their correlation", "[validate][reconstruction]") {
    std::mt19937 rng(2);
    std::normal_distribution<float> n;
    Eigen::MatrixXf truth(6, 200);
    for (Eigen::Index i = 0; i < truth.size(); ++i) truth.data()[i] = std::abs(n(rng));
    Eigen::MatrixXf learned(8, 200);  // 6 permuted copies + 2 unrelated maps
    const int perm[6] = {3, 0, 5, 1, 4, 2};
    for (int j = 0; j < 6; ++j) learned.row(perm[j]) = 2.0f * truth.row(j);  // scale does not matter
    for (int j = 6; j < 8; ++j)
        for (Eigen::Index i = 0; i < 200; ++i) learned(j, i) = n(rng);
    const auto r = validate::recovery(learned, truth);
    CHECK(r.meanCorrelation == Approx(1.0));
    CHECK(r.fractionAbove05 == Approx(1.0));
    CHECK(r.truthComponents == 6);
    // Noise lowers the correlation to its expected value.
    Eigen::MatrixXf noisy = truth;
    for (Eigen::Index i = 0; i < noisy.size(); ++i) noisy.data()[i] += 3.0f * n(rng);
    const auto s = validate::recovery(noisy, truth);
    CHECK(s.meanCorrelation < 0.5);
    CHECK(s.meanCorrelation > 0.0);
}
