#pragma once
// Least-squares reconstruction of data by a fixed dictionary of maps: the codes of each volume
// minimise ||x − Dᵀc||², and the explained variance is 1 − residual / total (R², DiFuMo's
// held-out criterion). Statistics accumulate over subjects so a cohort streams through.
#include "decompose/OnlineDictionaryLearner.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>

namespace nm::decompose {

class LeastSquaresProjector {
public:
    /// `maps`: k × p, kept by reference (must outlive the projector). Zero maps are allowed.
    explicit LeastSquaresProjector(const RowMatrixF& maps);
    /// Codes of the volumes of X (T × p): T × k.
    [[nodiscard]] Eigen::MatrixXd codes(const RowMatrixF& X) const;
    /// Adds X (T × p) to the explained-variance statistics.
    void accumulate(const RowMatrixF& X);
    [[nodiscard]] double explainedVariance() const { return total_ > 0 ? explained_ / total_ : 0.0; }
    /// Each map's share: ||c_j||² ||d_j||² / total (overlapping maps may sum above the total R²).
    [[nodiscard]] Eigen::VectorXd componentVariance() const;
    [[nodiscard]] double totalEnergy() const { return total_; }

private:
    const RowMatrixF& maps_;
    Eigen::LLT<Eigen::MatrixXd> gram_;
    Eigen::VectorXd mapEnergy_, codeEnergy_;
    double total_ = 0.0, explained_ = 0.0;
};

} // namespace nm::decompose
