#pragma once
// L1-penalised logistic regression along a path of penalties, by coordinate descent on the
// penalised iteratively reweighted least-squares problem (Friedman, Hastie & Tibshirani 2010,
// "Regularization paths for generalized linear models via coordinate descent", glmnet), with warm
// starts, active-set cycling and the sequential strong rule (Tibshirani et al. 2012) checked by
// the KKT conditions. The objective, per penalty λ:
//     (1/W) Σ_i w_i [−y_i η_i + log(1 + e^{η_i})] + λ Σ_j f_j |β_j|,   η = β₀ + Xβ, W = Σ_i w_i,
// with an unpenalised intercept, sample weights w and penalty factors f (stability selection
// randomises them). scikit-learn's LogisticRegression(penalty="l1", C) with sample weights w is
// the same problem with λ = 1 / (C W) and f = 1 (bench/stability_vs_sklearn.sh compares them).
#include <Eigen/Core>

#include <vector>

namespace nm::semantics {

struct L1LogisticOptions {
    double tolerance = 1e-7;     ///< on the weighted change of the linear predictor per sweep
    int maxOuter = 100;          ///< IRLS steps per penalty
    int maxSweeps = 2000;        ///< coordinate sweeps per IRLS step
};

struct L1LogisticPath {
    std::vector<double> lambdas;
    Eigen::MatrixXd coefficients;   ///< p × L (one column per λ)
    Eigen::VectorXd intercepts;     ///< L
    std::vector<double> objectives; ///< at the solution of each λ
    int sweeps = 0;                 ///< total coordinate sweeps (cost measure)
};

/// λ above which every coefficient is zero: max_j |x_jᵀ W (y − ȳ_w)| / (W f_j).
double l1LogisticLambdaMax(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& weights,
                           const Eigen::VectorXd& penaltyFactors);

/// `X` n × p (columns should be standardised by the caller), `y` in {0, 1}, `weights` n (> 0) or
/// empty (ones), `penaltyFactors` p (> 0) or empty (ones), `lambdas` decreasing. Throws
/// std::invalid_argument on inconsistent sizes or a single-class y.
L1LogisticPath fitL1LogisticPath(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<double>& lambdas,
                                 const Eigen::VectorXd& weights = {}, const Eigen::VectorXd& penaltyFactors = {},
                                 const L1LogisticOptions& options = {});

} // namespace nm::semantics
