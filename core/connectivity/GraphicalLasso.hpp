#pragma once
// Sparse Gaussian graphical models between component time courses (see README.md):
//  - the graphical lasso (Friedman, Hastie & Tibshirani 2008), the off-diagonal ℓ1 penalty of
//    scikit-learn's GraphicalLasso: min_Θ tr(SΘ) − log det Θ + α Σ_{i≠j} |Θ_ij|;
//  - the group-sparse covariance (Varoquaux, Gramfort, Poline & Thirion 2010; the estimator
//    behind nilearn's GroupSparseCovariance): one support for all subjects,
//    min_{Θ_k} Σ_k n_k (tr(S_k Θ_k) − log det Θ_k) + α Σ_{i≠j} ‖(Θ_k,ij)_k‖₂, Σ_k n_k = 1;
//  - cross-validated α for both (held-out Gaussian log-likelihood).
// Float64 throughout. Bad input (not square or symmetric, NaN, a non-positive variance, α < 0, a
// singular covariance with α = 0) throws nm::InputError naming `what`.
#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nm::connectivity {

/// Checks a covariance (or correlation) matrix: square, finite, symmetric to 1e-8 of its largest
/// entry, positive diagonal. Throws nm::InputError naming `what`.
void checkCovariance(const Eigen::MatrixXd& S, const std::string& what);

/// Off-diagonal entries (i < j) with |Θ_ij| > 0.
std::int64_t offDiagonalNonZeros(const Eigen::MatrixXd& precision);

// --- Graphical lasso ---------------------------------------------------------------------------

struct GraphicalLassoOptions {
    double alpha = 0.1;
    int maxIterations = 100;       ///< sweeps over the columns
    double tolerance = 1e-4;       ///< stop when the duality gap (primal − dual objective) is below this
    double innerTolerance = 1e-7;  ///< per-column lasso: stop when no coefficient moves more than this
    std::string what = "covariance";
};

struct GraphicalLassoResult {
    double alpha = 0.0;
    Eigen::MatrixXd precision;     ///< Θ, symmetric positive definite
    Eigen::MatrixXd covariance;    ///< W, the dual variable (= Θ⁻¹ at the optimum)
    Eigen::MatrixXd coefficients;  ///< column j: the lasso coefficients β of column j (warm starts)
    double objective = 0.0;        ///< tr(SΘ) − log det Θ + α Σ_{i≠j}|Θ_ij|
    double dualityGap = 0.0;       ///< objective(Θ) − (log det W + p) ≥ 0: primal minus dual objective
    int iterations = 0;
    bool converged = false;
    std::int64_t edges = 0;        ///< non-zero off-diagonal pairs
    std::vector<double> gapHistory;
};

/// Largest off-diagonal |S_ij|: at α ≥ this value Θ is diagonal.
double graphicalLassoAlphaMax(const Eigen::MatrixXd& S);
double graphicalLassoObjective(const Eigen::MatrixXd& S, const Eigen::MatrixXd& precision, double alpha);
/// scikit-learn's gap formula tr(SΘ) − p + α Σ_{i≠j}|Θ_ij| (the true gap when W = Θ⁻¹).
double graphicalLassoDualityGap(const Eigen::MatrixXd& S, const Eigen::MatrixXd& precision, double alpha);

/// Friedman et al. 2008, Algorithm 1, without the diagonal penalty: block coordinate descent over
/// the columns of W, each a lasso solved by coordinate descent (active set, the product W₁₁β kept
/// up to date, so a column costs O(p · non-zeros) instead of scikit-learn's O(p²) per pass).
/// `warm`: a previous result (same p) to start from, e.g. the previous α of a path.
GraphicalLassoResult graphicalLasso(const Eigen::MatrixXd& S, const GraphicalLassoOptions& options,
                                    const GraphicalLassoResult* warm = nullptr);

/// Decreasing α with warm starts; results in the order of `alphas` (which are sorted decreasingly).
std::vector<GraphicalLassoResult> graphicalLassoPath(const Eigen::MatrixXd& S, std::vector<double> alphas,
                                                     const GraphicalLassoOptions& options);

/// Gaussian log-likelihood per sample of data with covariance S under precision Θ:
/// ½ (log det Θ − tr(SΘ) − p log 2π) (scikit-learn's log_likelihood).
double gaussianLogLikelihood(const Eigen::MatrixXd& S, const Eigen::MatrixXd& precision);

/// `count` values log-spaced from `lowFraction`·αmax to αmax, decreasing.
std::vector<double> alphaGrid(double alphaMax, int count = 10, double lowFraction = 0.01);

/// One train/test split: the training covariance(s) and the held-out covariance(s).
struct CovarianceFold {
    std::vector<Eigen::MatrixXd> train, test;
    std::vector<double> trainSamples, testSamples;
};

struct CrossValidation {
    std::vector<double> alphas;          ///< decreasing
    Eigen::MatrixXd scores;              ///< folds × alphas: held-out log-likelihood per sample
    Eigen::VectorXd meanScore;           ///< per α
    double bestAlpha = 0.0;
    int bestIndex = 0;
};

/// Graphical lasso on the sample-weighted mean of each fold's training covariances, scored on the
/// weighted mean of its held-out ones; folds run in parallel. One refinement of the grid around the
/// best α (as scikit-learn's GraphicalLassoCV does) when `refine`.
CrossValidation crossValidateGraphicalLasso(const std::vector<CovarianceFold>& folds, std::vector<double> alphas,
                                            const GraphicalLassoOptions& options, bool refine = true);

/// Folds over subjects: subject s is held out in fold s mod `folds` (folds ≤ subjects).
std::vector<CovarianceFold> foldsOverSubjects(const std::vector<Eigen::MatrixXd>& covariances,
                                              const std::vector<double>& samples, int folds);
/// Folds over samples: each subject's time series (n_k × p) cut into `folds` contiguous blocks;
/// fold f holds out block f of every subject. Covariances of the standardised blocks when
/// `standardize` (correlations, as the group estimator needs).
std::vector<CovarianceFold> foldsOverSamples(const std::vector<Eigen::MatrixXd>& series, int folds, bool standardize);

/// Sample-weighted mean of covariances (`samples` empty: equal weights).
Eigen::MatrixXd weightedMeanCovariance(const std::vector<Eigen::MatrixXd>& covariances, const std::vector<double>& samples);

/// Empirical covariance (1/n, centred) of n × p samples; of the z-scored columns when `standardize`.
Eigen::MatrixXd empiricalCovariance(const Eigen::MatrixXd& samples, bool standardize);

// --- Group-sparse covariance -------------------------------------------------------------------

struct GroupSparseOptions {
    double alpha = 0.1;
    int maxIterations = 50;        ///< sweeps over the columns
    double tolerance = 1e-4;       ///< stop when the duality gap is below this fraction of |objective| …
    double changeTolerance = 1e-4; ///< … or when no precision entry moved more than this in a sweep
    /// Coordinate-descent passes per column (the first over all coordinates, then over the support).
    /// One, as nilearn: on the demo atlas's 256 components it reaches a given objective 3.5× sooner
    /// than four and 10× sooner than twenty.
    int innerPasses = 1;
    int threads = 0;               ///< OpenMP threads over subjects (0: the default)
    std::string what = "covariances";
    /// Called after each sweep with (sweep, duality gap); return false to stop.
    std::function<bool(int, double)> progress;
};

struct GroupSparseResult {
    double alpha = 0.0;
    std::vector<Eigen::MatrixXd> precisions;   ///< Θ_k
    std::vector<Eigen::MatrixXd> covariances;  ///< Θ_k⁻¹
    Eigen::VectorXd weights;                   ///< n_k / Σ n
    double objective = 0.0;
    double dualityGap = 0.0;
    double maxChange = 0.0;                    ///< of the last sweep
    int iterations = 0;
    bool converged = false;
    std::int64_t edges = 0;                    ///< pairs (i < j) in the shared support
    std::vector<double> gapHistory;
    /// The shared support's strength: ‖(Θ_k,ij)_k‖₂ (p × p, zero diagonal).
    [[nodiscard]] Eigen::MatrixXd groupNorm() const;
    /// Weighted mean of the subjects' partial correlations.
    [[nodiscard]] Eigen::MatrixXd meanPartialCorrelation() const;
};

/// Smallest α giving diagonal precisions: max_{i≠j} ‖(n_k S_k,ij)_k‖₂ (weights normalised).
double groupSparseAlphaMax(const std::vector<Eigen::MatrixXd>& covariances, const std::vector<double>& samples);
/// The objective and nilearn's duality-gap bound (group_sparse_scores) of given precisions.
struct GroupSparseScores {
    double logLikelihood = 0.0, objective = 0.0, dualityGap = 0.0;
};
GroupSparseScores groupSparseScores(const std::vector<Eigen::MatrixXd>& covariances, const Eigen::VectorXd& weights,
                                    const std::vector<Eigen::MatrixXd>& precisions, double alpha,
                                    const std::vector<Eigen::MatrixXd>* inverses = nullptr);

/// Varoquaux et al. 2010 (after Honorio & Samaras 2010): block coordinate descent over the columns;
/// per column a group lasso over subjects solved by coordinate descent, each coordinate in closed
/// form up to a scalar Newton solve. Θ_k⁻¹ is kept exactly (one rank-2 update per column and
/// subject instead of nilearn's two Sherman–Morrison updates and copies), so the product with the
/// column costs O(p · non-zeros). Inputs should have unit variance (correlations); others are
/// accepted. Subjects run in parallel.
GroupSparseResult groupSparseCovariance(const std::vector<Eigen::MatrixXd>& covariances, const std::vector<double>& samples,
                                        const GroupSparseOptions& options, const GroupSparseResult* warm = nullptr);

/// Cross-validated α: the fold's training covariances fitted along the grid (warm starts), scored
/// by the weighted held-out log-likelihood Σ_k n_k ℓ(S_k,test, Θ_k). The grid stops early once the
/// mean score has fallen for two successive α below its best (the skipped α are not reported).
CrossValidation crossValidateGroupSparse(const std::vector<CovarianceFold>& folds, std::vector<double> alphas,
                                         const GroupSparseOptions& options);

} // namespace nm::connectivity
