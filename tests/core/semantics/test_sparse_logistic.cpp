#include "semantics/SparseLogistic.hpp"
#include "semantics/StabilitySelection.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace nm;

namespace {
/// The deterministic problem whose scikit-learn solutions are quoted below.
void referenceProblem(Eigen::MatrixXd& X, Eigen::VectorXd& y) {
    const int n = 60, p = 8;
    X.resize(n, p);
    y.resize(n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < p; ++j) X(i, j) = std::sin(0.37 * (i + 1) * (j + 1)) + 0.1 * std::cos(double(i) * j);
    for (int i = 0; i < n; ++i) y[i] = X(i, 0) - 0.5 * X(i, 2) + 0.3 * std::sin(double(i)) > 0 ? 1.0 : 0.0;
}
} // namespace

TEST_CASE("L1 logistic path equals scikit-learn's LogisticRegression(penalty='l1')", "[semantics][logistic]") {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    referenceProblem(X, y);
    // sklearn 1.2.1, solver="saga", tol=1e-12, C = 1 / (lambda n):
    const Eigen::VectorXd ref05 = (Eigen::VectorXd(8) << 1.78852235, 0, -0.37625143, 0, -0.32712533, 0, 0, 0).finished();
    const Eigen::VectorXd ref01 = (Eigen::VectorXd(8) << 3.23455408, 0.02218697, -1.17686365, 0.11242467, -0.70465454, 0, 0, -0.1960835).finished();
    semantics::L1LogisticOptions o;
    o.tolerance = 1e-14;
    const auto path = semantics::fitL1LogisticPath(X, y, {0.05, 0.01}, {}, {}, o);
    CHECK((path.coefficients.col(0) - ref05).cwiseAbs().maxCoeff() < 1e-4);
    CHECK((path.coefficients.col(1) - ref01).cwiseAbs().maxCoeff() < 1e-4);
    CHECK(path.intercepts[0] == Approx(0.11933316).margin(1e-4));
    CHECK(path.intercepts[1] == Approx(0.05222912).margin(1e-4));
    // The zero pattern is exact, not merely small.
    CHECK((path.coefficients.col(0).array() == 0).count() == 5);
}

TEST_CASE("L1 logistic solutions satisfy the KKT conditions; above lambda_max all are zero", "[semantics][logistic]") {
    std::mt19937 rng(5);
    std::normal_distribution<double> nd;
    const int n = 200, p = 40;
    Eigen::MatrixXd X(n, p);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = nd(rng);
    Eigen::VectorXd y(n), w(n), f(p);
    for (int i = 0; i < n; ++i) {
        const double eta = 1.5 * X(i, 3) - 2.0 * X(i, 7) + 0.8 * X(i, 11);
        y[i] = std::uniform_real_distribution<double>(0, 1)(rng) < 1 / (1 + std::exp(-eta)) ? 1 : 0;
        w[i] = 0.5 + std::uniform_real_distribution<double>(0, 1)(rng);
    }
    for (int j = 0; j < p; ++j) f[j] = 1 + (j % 3);
    const double lmax = semantics::l1LogisticLambdaMax(X, y, w, f);
    semantics::L1LogisticOptions o;
    o.tolerance = 1e-13;
    const auto path = semantics::fitL1LogisticPath(X, y, {1.01 * lmax, 0.3 * lmax, 0.05 * lmax}, w, f, o);
    CHECK(path.coefficients.col(0).cwiseAbs().maxCoeff() == 0.0);
    const Eigen::VectorXd v = w / w.sum();
    for (int l = 1; l < 3; ++l) {
        const double lambda = path.lambdas[std::size_t(l)];
        Eigen::VectorXd eta = (X * path.coefficients.col(l)).array() + path.intercepts[l];
        const Eigen::VectorXd prob = 1.0 / (1.0 + (-eta.array()).exp());
        const Eigen::VectorXd grad = X.transpose() * (v.array() * (y - prob).array()).matrix();
        CHECK(std::abs(v.dot(y - prob)) < 1e-6);  // intercept: zero gradient
        for (int j = 0; j < p; ++j) {
            const double b = path.coefficients(j, l);
            if (b != 0) CHECK(grad[j] == Approx(lambda * f[j] * (b > 0 ? 1 : -1)).margin(1e-5));
            else CHECK(std::abs(grad[j]) <= lambda * f[j] + 1e-6);
        }
    }
    // The informative features are the first to enter.
    CHECK(path.coefficients(7, 1) < 0);
    CHECK(path.coefficients(3, 1) > 0);
    CHECK_THROWS(semantics::fitL1LogisticPath(X, Eigen::VectorXd::Zero(n), {0.1}));
}

TEST_CASE("stability selection keeps the informative features and controls the noise", "[semantics][stability]") {
    std::mt19937 rng(7);
    std::normal_distribution<double> nd;
    // 24 subjects in 3 studies, 6 samples each; 3 informative features out of 60.
    const int subjects = 24, per = 6, p = 60, n = subjects * per;
    Eigen::MatrixXd X(n, p);
    Eigen::VectorXd y(n);
    std::vector<int> subject(static_cast<std::size_t>(n)), study(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        subject[std::size_t(i)] = i / per;
        study[std::size_t(i)] = (i / per) % 3;
        y[i] = i % 3 == 0 ? 1 : 0;
        for (int j = 0; j < p; ++j) X(i, j) = nd(rng);
        X(i, 0) += 1.2 * y[i];
        X(i, 1) += 1.0 * y[i];
        X(i, 2) -= 1.1 * y[i];
    }
    semantics::StabilityOptions o;
    o.subsamples = 100;
    o.seed = 3;
    const auto r = semantics::stabilitySelection(X, y, subject, study, o);
    CHECK(r.fits == 100);
    CHECK(r.frequency[0] >= 0.9);
    CHECK(r.frequency[1] >= 0.9);
    CHECK(r.frequency[2] >= 0.9);
    CHECK(r.coefficient[0] > 0);
    CHECK(r.coefficient[2] < 0);
    double noise = 0;
    int selectedNoise = 0;
    for (int j = 3; j < p; ++j) {
        noise += r.frequency[j];
        selectedNoise += r.frequency[j] >= o.threshold;
    }
    CHECK(noise / (p - 3) < 0.15);
    // The Meinshausen-Buhlmann bound holds here (and the penalties were chosen for E[V] <= 1).
    CHECK(r.expectedFalseSelections <= 1.0 + 1e-9);
    CHECK(selectedNoise <= 1);
    CHECK(semantics::expectedFalseSelections(4, 0.7, 100) == Approx(16.0 / 40.0));
    // Deterministic in the seed.
    const auto again = semantics::stabilitySelection(X, y, subject, study, o);
    CHECK(again.frequency == r.frequency);
}
