#include "connectivity/Covariance.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>

using namespace nm::connectivity;

TEST_CASE("Ledoit-Wolf matches scikit-learn", "[connectivity]") {
    std::mt19937_64 rng(2);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd x(400, 12);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (Eigen::Index j = 0; j < x.cols(); ++j) x(i, j) = normal(rng) + (j > 0 ? 0.5 * x(i, j - 1) : 0.0);
    const auto lw = ledoitWolf(x);
    CHECK(lw.shrinkage > 0.0);
    CHECK(lw.shrinkage < 1.0);
    const Eigen::MatrixXd r = correlationFromCovariance(lw.covariance);
    CHECK(r.diagonal().isOnes(1e-12));
    const Eigen::MatrixXd pc = partialCorrelationFromCovariance(lw.covariance);
    CHECK(pc(0, 1) > std::abs(pc(0, 6)));  // neighbours in the chain, not distant variables, are partially correlated
    if (std::system("/usr/bin/python3 -c 'import sklearn' 2>/dev/null") != 0) NM_SKIP("python3-sklearn not installed");
    nm::test::TempDir dir;
    {
        std::ofstream out(dir / "x.txt");
        out.precision(17);
        out << x << '\n';
    }
    const auto py = nm::test::run("/usr/bin/python3 -c \"import numpy as np; from sklearn.covariance import ledoit_wolf; "
                                  "c, s = ledoit_wolf(np.loadtxt('" + (dir / "x.txt").string() +
                                  "')); print(repr(s)); print(' '.join(repr(v) for v in c.ravel()))\"");
    REQUIRE(py.exitCode == 0);
    std::istringstream in(py.out);
    double s;
    in >> s;
    CHECK(lw.shrinkage == Approx(s).epsilon(1e-10));
    for (Eigen::Index i = 0; i < 12; ++i)
        for (Eigen::Index j = 0; j < 12; ++j) {
            double v;
            in >> v;
            CHECK(lw.covariance(i, j) == Approx(v).epsilon(1e-9));
        }
}
