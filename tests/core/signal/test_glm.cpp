#include "common/Error.hpp"
#include "signal/Glm.hpp"
#include "signal/Hrf.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace nm::signal;

TEST_CASE("the canonical HRF peaks near 5 s and has an undershoot", "[signal][hrf]") {
    const Eigen::VectorXd h = canonicalHrf(0.1, 32.0);
    Eigen::Index peak;
    h.maxCoeff(&peak);
    CHECK(peak * 0.1 == Approx(5.0).margin(0.3));  // spm_hrf: mode of gamma(6,1) = 5 s
    CHECK(h.minCoeff() < 0.0);                     // post-stimulus undershoot
    CHECK(h.sum() == Approx(1.0));
    // A long block reaches a plateau of 1.
    const Eigen::VectorXd r = convolvedRegressor({{0.0, 200.0, 1.0}}, 100, 2.0);
    CHECK(r[60] == Approx(1.0).margin(1e-3));
    CHECK(r[0] < 0.05);
}

TEST_CASE("GLM t statistics are calibrated under AR(1) noise and detect effects", "[signal][glm]") {
    const int n = 200, voxels = 2000;
    std::vector<Event> ev;
    for (int b = 0; b < 10; ++b) ev.push_back({10.0 + 40.0 * b, 20.0, 1.0});
    Eigen::MatrixXd X(n, 1);
    X.col(0) = convolvedRegressor(ev, n, 2.0);
    const Eigen::MatrixXd drift = cosineDrift(n, 2.0, 128.0);
    Eigen::MatrixXd design(n, 1 + drift.cols());
    design << X, drift;
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal;
    Eigen::MatrixXf Y(n, voxels);
    const double rho = 0.4;
    for (int v = 0; v < voxels; ++v) {
        double e = normal(rng);
        for (int t = 0; t < n; ++t) {
            if (t > 0) e = rho * e + std::sqrt(1 - rho * rho) * normal(rng);
            Y(t, v) = float(100.0 + (v < 100 ? 1.0 : 0.0) * X(t, 0) + e);
        }
    }
    const GlmFit fit = fitGlm(design, Y);
    // With only the task and a constant, the residual AR(1) estimate is close to the truth; the
    // high-pass cosines remove low frequencies and lower it (as in every high-passed analysis).
    Eigen::MatrixXd small(n, 2);
    small << X, Eigen::VectorXd::Ones(n);
    CHECK(fitGlm(small, Y).autocorrelation.tail(voxels - 100).mean() == Approx(rho).margin(0.03));
    CHECK(fit.autocorrelation.tail(voxels - 100).mean() < rho);
    Eigen::VectorXd c = Eigen::VectorXd::Zero(design.cols());
    c[0] = 1.0;
    const Eigen::VectorXd t = tContrast(fit, c);
    CHECK(t.head(100).mean() > 5.0);
    // Under the null, |t| > 3.29 (p < 0.001 two-sided) in about 0.1 % of voxels.
    int fp = 0;
    for (int v = 100; v < voxels; ++v) fp += std::abs(t[v]) > 3.29;
    CHECK(fp <= 8);
    // Without prewhitening the same data give too many false positives (why AR(1) matters).
    const GlmFit ols = fitGlm(design, Y, {false});
    const Eigen::VectorXd tols = tContrast(ols, c);
    int fpOls = 0;
    for (int v = 100; v < voxels; ++v) fpOls += std::abs(tols[v]) > 3.29;
    CHECK(fpOls > fp);
    CHECK_THROWS_AS(fitGlm(Eigen::MatrixXd::Ones(n, 2), Y), nm::InputError);  // collinear
}
