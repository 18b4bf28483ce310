#include "decompose/Reconstruction.hpp"

namespace nm::decompose {

LeastSquaresProjector::LeastSquaresProjector(const RowMatrixF& maps) : maps_(maps) {
    Eigen::MatrixXd G = (maps * maps.transpose()).cast<double>();
    mapEnergy_ = G.diagonal();
    // A tiny ridge keeps the system positive definite when maps are zero or collinear; it
    // changes the codes by O(1e-10) relative.
    const double scale = std::max(1e-30, G.trace() / double(std::max<Eigen::Index>(1, G.rows())));
    G.diagonal().array() += 1e-10 * scale;
    for (Eigen::Index j = 0; j < G.rows(); ++j)
        if (mapEnergy_[j] == 0.0) G(j, j) = scale;
    gram_.compute(G);
    codeEnergy_ = Eigen::VectorXd::Zero(maps.rows());
}

Eigen::MatrixXd LeastSquaresProjector::codes(const RowMatrixF& X) const {
    const Eigen::MatrixXd B = (maps_ * X.transpose()).cast<double>();  // k × T
    return gram_.solve(B).transpose();
}

void LeastSquaresProjector::accumulate(const RowMatrixF& X) {
    const Eigen::MatrixXd B = (maps_ * X.transpose()).cast<double>();
    const Eigen::MatrixXd C = gram_.solve(B);
    // ||x − Dᵀc||² = ||x||² − bᵀc at the least-squares optimum (b = Dx, c = G⁻¹b).
    double energy = 0.0;
    for (Eigen::Index r = 0; r < X.rows(); ++r) energy += X.row(r).cast<double>().squaredNorm();
    total_ += energy;
    explained_ += (B.array() * C.array()).sum();
    codeEnergy_ += C.rowwise().squaredNorm();
}

Eigen::VectorXd LeastSquaresProjector::componentVariance() const {
    if (total_ <= 0) return Eigen::VectorXd::Zero(codeEnergy_.size());
    return codeEnergy_.cwiseProduct(mapEnergy_) / total_;
}

} // namespace nm::decompose
