#pragma once
// Covariance estimators between component time courses.
#include <Eigen/Core>

namespace nm::connectivity {

struct ShrunkCovariance {
    Eigen::MatrixXd covariance;
    double shrinkage = 0.0;
};

/// Ledoit & Wolf (2004) shrinkage towards μI, with scikit-learn's estimator of the optimal
/// intensity (sklearn.covariance.ledoit_wolf, assume_centered=False). `samples` is n × p.
ShrunkCovariance ledoitWolf(const Eigen::MatrixXd& samples);

/// Correlation from a covariance.
Eigen::MatrixXd correlationFromCovariance(const Eigen::MatrixXd& covariance);
/// Partial correlation from a covariance: −P_ij / √(P_ii P_jj), P = Σ⁻¹ (diagonal 1).
Eigen::MatrixXd partialCorrelationFromCovariance(const Eigen::MatrixXd& covariance);

/// Partial correlation from a precision Θ: −Θ_ij / √(Θ_ii Θ_jj), zero diagonal.
Eigen::MatrixXd partialCorrelationFromPrecision(const Eigen::MatrixXd& precision);

} // namespace nm::connectivity
