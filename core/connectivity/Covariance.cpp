#include "connectivity/Covariance.hpp"

#include "common/Error.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>

namespace nm::connectivity {

ShrunkCovariance ledoitWolf(const Eigen::MatrixXd& samples) {
    const Eigen::Index n = samples.rows(), p = samples.cols();
    if (n < 2) throw InputError("Ledoit-Wolf: need at least 2 samples");
    const Eigen::MatrixXd X = samples.rowwise() - samples.colwise().mean();
    const Eigen::MatrixXd emp = X.transpose() * X / double(n);
    const Eigen::MatrixXd X2 = X.array().square().matrix();
    const Eigen::VectorXd trace = X2.colwise().sum().transpose() / double(n);
    const double mu = trace.sum() / double(p);
    const double betaSum = (X2.transpose() * X2).sum();
    const double deltaSum = (X.transpose() * X).array().square().sum() / (double(n) * double(n));
    double beta = (betaSum / double(n) - deltaSum) / (double(p) * double(n));
    double delta = (deltaSum - 2.0 * mu * trace.sum() + double(p) * mu * mu) / double(p);
    beta = std::min(beta, delta);
    ShrunkCovariance out;
    out.shrinkage = beta == 0.0 ? 0.0 : beta / delta;
    out.covariance = (1.0 - out.shrinkage) * emp;
    out.covariance.diagonal().array() += out.shrinkage * mu;
    return out;
}

Eigen::MatrixXd correlationFromCovariance(const Eigen::MatrixXd& c) {
    const Eigen::VectorXd sd = c.diagonal().cwiseSqrt();
    Eigen::MatrixXd r = c;
    for (Eigen::Index i = 0; i < c.rows(); ++i)
        for (Eigen::Index j = 0; j < c.cols(); ++j) r(i, j) = (sd[i] > 0 && sd[j] > 0) ? c(i, j) / (sd[i] * sd[j]) : 0.0;
    return r;
}

Eigen::MatrixXd partialCorrelationFromCovariance(const Eigen::MatrixXd& c) {
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(c);
    if (ldlt.info() != Eigen::Success) throw Error("partial correlation: the covariance is not invertible");
    const Eigen::MatrixXd P = ldlt.solve(Eigen::MatrixXd::Identity(c.rows(), c.cols()));
    Eigen::MatrixXd r(c.rows(), c.cols());
    for (Eigen::Index i = 0; i < c.rows(); ++i)
        for (Eigen::Index j = 0; j < c.cols(); ++j) r(i, j) = i == j ? 1.0 : -P(i, j) / std::sqrt(P(i, i) * P(j, j));
    return r;
}

Eigen::MatrixXd partialCorrelationFromPrecision(const Eigen::MatrixXd& theta) {
    const Eigen::VectorXd d = theta.diagonal().cwiseSqrt().cwiseInverse();
    Eigen::MatrixXd pc = -(d.asDiagonal() * theta * d.asDiagonal());
    pc.diagonal().setZero();
    return pc;
}

} // namespace nm::connectivity
