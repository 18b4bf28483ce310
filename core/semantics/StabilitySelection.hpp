#pragma once
// Stability selection (Meinshausen & Bühlmann 2010, JRSS-B) of the components that predict a
// concept: the randomised L1 logistic regression is fitted on many subsamples of half the subjects
// (stratified by study: half of each study's subjects), with the penalty of every feature divided
// by a random weight in [weakness, 1], along a short path of penalties Λ; a feature's selection
// frequency π is the largest, over Λ, fraction of subsamples in which its coefficient is non-zero.
// Error control (their Theorem 1): with q̄ the mean number of features selected over Λ per
// subsample, the expected number of false selections at threshold π_thr is at most
// q̄² / ((2 π_thr − 1) p).
#include "semantics/SparseLogistic.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace nm::semantics {

struct StabilityOptions {
    int subsamples = 100;
    double weakness = 0.5;                    ///< randomised penalty weights in [weakness, 1]
    /// Λ: when > 0, chosen so that the bound E[V] ≤ this value holds — the smallest λ of Λ is the one
    /// at which the full-data path selects q = √(E[V] (2 π_thr − 1) p) features, Λ spans λ_max/2 to
    /// it (5 values, geometric), and after the fits its smallest values are dropped until the
    /// realised q̄ meets the bound. Otherwise `lambdaFractions` of λ_max.
    double targetFalseSelections = 1.0;
    std::vector<double> lambdaFractions{0.5, 0.35, 0.25, 0.18, 0.12};  ///< Λ relative to λ_max of all samples
    double threshold = 0.7;
    bool balanced = true;                     ///< class weights n / (2 n_class), as scikit-learn's "balanced"
    std::uint64_t seed = 0;
    L1LogisticOptions solver;
};

struct StabilityResult {
    Eigen::VectorXd frequency;                ///< p: π
    Eigen::VectorXd coefficient;              ///< p: mean coefficient where selected at the λ giving π
    double meanSelected = 0.0;                ///< q̄
    double expectedFalseSelections = 0.0;     ///< the bound at options.threshold
    int fits = 0, sweeps = 0;
    int penalties = 0;                        ///< the values of Λ used (a target may cut its smallest)
};

/// `X` samples × p (standardised columns), `y` in {0, 1}; `subject` and `study` per sample
/// (subsampling units and strata). Deterministic in the seed.
StabilityResult stabilitySelection(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<int>& subject,
                                   const std::vector<int>& study, const StabilityOptions& options);

/// Meinshausen–Bühlmann bound: q̄² / ((2 π_thr − 1) p); +∞ for π_thr ≤ 0.5.
double expectedFalseSelections(double meanSelected, double threshold, int features);

} // namespace nm::semantics
