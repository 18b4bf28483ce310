#pragma once
// Internal helpers shared by the dense and the sparse FUGW solvers.
#include "align/Fugw.hpp"
#include "common/FloatEnvironment.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>

namespace nm::align::detail {

/// Σ p log(p / q), 0 log 0 = 0 (fugw's "unnormalised KL").
double unnormalisedKl(const Eigen::VectorXd& p, const Eigen::VectorXd& q);
/// KL(μ⊗ν | α⊗β) from the unnormalised KLs and the masses (fugw's compute_quad_kl).
double quadKl(double uklMu, double uklNu, double mMu, double mNu, double mAlpha, double mBeta);

/// ε of BCD iteration `it` under ε-scaling: max(eps, epsStart · epsDecay^it) (eps when off).
inline double scheduledEps(const FugwOptions& o, int it) {
    return o.epsStart > 0 ? std::max(o.eps, o.epsStart * std::pow(o.epsDecay, it)) : o.eps;
}

using nm::FlushDenormals;

} // namespace nm::align::detail
