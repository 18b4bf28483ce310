#include "connectivity/GraphicalLasso.hpp"

#include "common/Error.hpp"
#include "common/FloatEnvironment.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <cstdio>
#include <cstdlib>
#include <cstdio>
#include <cstdlib>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace nm::connectivity {
namespace {

double softThreshold(double x, double t) { return x > t ? x - t : (x < -t ? x + t : 0.0); }

/// log det of a symmetric matrix, +∞ sentinel (NaN) when it is not positive definite.
double logDet(const Eigen::MatrixXd& m) {
    const Eigen::LLT<Eigen::MatrixXd> llt(m);
    if (llt.info() != Eigen::Success) return std::numeric_limits<double>::quiet_NaN();
    const Eigen::MatrixXd& L = llt.matrixLLT();
    double s = 0.0;
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        if (!(L(i, i) > 0)) return std::numeric_limits<double>::quiet_NaN();
        s += std::log(L(i, i));
    }
    return 2.0 * s;
}

double offDiagonalL1(const Eigen::MatrixXd& m) { return m.cwiseAbs().sum() - m.diagonal().cwiseAbs().sum(); }

/// tr(AB) for symmetric A, B.
double traceProduct(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return a.cwiseProduct(b).sum(); }

void checkAlpha(double alpha, const std::string& what) {
    if (!(alpha >= 0.0) || !std::isfinite(alpha))
        throw InputError(what + ": the penalty alpha must be a finite number ≥ 0 (got " + std::to_string(alpha) + ")");
}

/// The precision from the dual variable W and the lasso coefficients (Friedman et al. 2008, §2):
/// θ_jj = 1 / (w_jj − w₁₂ᵀβ), θ₁₂ = −β θ_jj; symmetrised.
Eigen::MatrixXd precisionFromCoefficients(const Eigen::MatrixXd& W, const Eigen::MatrixXd& B) {
    const Eigen::Index p = W.rows();
    Eigen::MatrixXd theta(p, p);
    for (Eigen::Index j = 0; j < p; ++j) {
        const double quad = W.col(j).dot(B.col(j)) - W(j, j) * B(j, j);
        const double tjj = 1.0 / (W(j, j) - quad);
        theta.col(j) = -tjj * B.col(j);
        theta(j, j) = tjj;
    }
    Eigen::MatrixXd sym = 0.5 * (theta + theta.transpose());
    return sym;
}

/// Σ = Σ₀ + U diag(c) Uᵀ: the inverse of a precision matrix being changed column by column, with
/// the rank-one corrections of the last columns deferred and applied at once as one matrix product
/// (per column, a memory-bound rank-2 update of every subject's p × p inverse becomes, every 32
/// columns, one compute-bound product). Columns and the diagonal are read through the corrections.
class LazyInverse {
public:
    static constexpr Eigen::Index kRank = 64;
    void reset(Eigen::MatrixXd sigma) {
        base_ = std::move(sigma);
        u_.resize(base_.rows(), kRank);
        c_.resize(kRank);
        used_ = 0;
        diag_ = base_.diagonal();
    }
    void column(Eigen::Index m, Eigen::VectorXd& out) const {
        out = base_.col(m);
        if (used_ > 0) out.noalias() += u_.leftCols(used_) * c_.head(used_).cwiseProduct(u_.row(m).head(used_).transpose());
    }
    void columns(const std::vector<Eigen::Index>& idx, Eigen::MatrixXd& out) const {
        const auto n = Eigen::Index(idx.size());
        out.resize(base_.rows(), n);
        for (Eigen::Index i = 0; i < n; ++i) out.col(i) = base_.col(idx[std::size_t(i)]);
        if (used_ > 0 && n > 0) {
            Eigen::MatrixXd coef(used_, n);
            for (Eigen::Index i = 0; i < n; ++i) coef.col(i) = c_.head(used_).cwiseProduct(u_.row(idx[std::size_t(i)]).head(used_).transpose());
            out.noalias() += u_.leftCols(used_) * coef;
        }
    }
    [[nodiscard]] const Eigen::VectorXd& diagonal() const { return diag_; }
    void addRankOne(const Eigen::VectorXd& u, double coef) {
        if (used_ == kRank) flush();
        u_.col(used_) = u;
        c_[used_] = coef;
        ++used_;
        diag_.array() += coef * u.array().square();
    }
    void flush() {
        if (used_ == 0) return;
        const Eigen::MatrixXd v = u_.leftCols(used_) * c_.head(used_).asDiagonal();
        base_.noalias() += v * u_.leftCols(used_).transpose();
        used_ = 0;
        diag_ = base_.diagonal();
    }
    const Eigen::MatrixXd& flushed() {
        flush();
        return base_;
    }

private:
    Eigen::MatrixXd base_, u_;
    Eigen::VectorXd c_, diag_;
    Eigen::Index used_ = 0;
};

} // namespace

void checkCovariance(const Eigen::MatrixXd& S, const std::string& what) {
    if (S.rows() == 0 || S.rows() != S.cols())
        throw InputError(what + ": expected a square covariance matrix, got " + std::to_string(S.rows()) + " × " + std::to_string(S.cols()));
    for (Eigen::Index j = 0; j < S.cols(); ++j)
        for (Eigen::Index i = 0; i < S.rows(); ++i)
            if (!std::isfinite(S(i, j)))
                throw InputError(what + ": entry (" + std::to_string(i + 1) + ", " + std::to_string(j + 1) + ") is not a finite number");
    const double scale = S.cwiseAbs().maxCoeff();
    const double asym = (S - S.transpose()).cwiseAbs().maxCoeff();
    if (asym > 1e-8 * std::max(scale, 1e-300)) {
        Eigen::Index i = 0, j = 0;
        (S - S.transpose()).cwiseAbs().maxCoeff(&i, &j);
        throw InputError(what + ": not symmetric (entries (" + std::to_string(i + 1) + ", " + std::to_string(j + 1) + ") and (" +
                         std::to_string(j + 1) + ", " + std::to_string(i + 1) + ") differ by " + std::to_string(asym) + ")");
    }
    for (Eigen::Index i = 0; i < S.rows(); ++i)
        if (!(S(i, i) > 0.0))
            throw InputError(what + ": variance " + std::to_string(i + 1) + " (diagonal entry) is " + std::to_string(S(i, i)) +
                             "; a covariance needs positive variances (a constant signal?)");
}

std::int64_t offDiagonalNonZeros(const Eigen::MatrixXd& m) {
    std::int64_t n = 0;
    for (Eigen::Index j = 0; j < m.cols(); ++j)
        for (Eigen::Index i = 0; i < j; ++i) n += (m(i, j) != 0.0 || m(j, i) != 0.0);
    return n;
}

double graphicalLassoAlphaMax(const Eigen::MatrixXd& S) {
    double a = 0.0;
    for (Eigen::Index j = 0; j < S.cols(); ++j)
        for (Eigen::Index i = 0; i < S.rows(); ++i)
            if (i != j) a = std::max(a, std::abs(S(i, j)));
    return a;
}

double graphicalLassoObjective(const Eigen::MatrixXd& S, const Eigen::MatrixXd& precision, double alpha) {
    const double ld = logDet(precision);
    if (std::isnan(ld)) return std::numeric_limits<double>::infinity();
    return traceProduct(S, precision) - ld + alpha * offDiagonalL1(precision);
}

double graphicalLassoDualityGap(const Eigen::MatrixXd& S, const Eigen::MatrixXd& precision, double alpha) {
    return traceProduct(S, precision) - double(S.rows()) + alpha * offDiagonalL1(precision);
}

double gaussianLogLikelihood(const Eigen::MatrixXd& S, const Eigen::MatrixXd& precision) {
    const double ld = logDet(precision);
    if (std::isnan(ld)) return -std::numeric_limits<double>::infinity();
    return 0.5 * (ld - traceProduct(S, precision) - double(S.rows()) * std::log(2.0 * std::numbers::pi));
}

Eigen::MatrixXd empiricalCovariance(const Eigen::MatrixXd& samples, bool standardize) {
    if (samples.rows() < 2) throw InputError("covariance: need at least 2 samples, got " + std::to_string(samples.rows()));
    Eigen::MatrixXd X = samples.rowwise() - samples.colwise().mean();
    if (standardize) {
        const Eigen::RowVectorXd sd = (X.colwise().squaredNorm() / double(X.rows())).cwiseSqrt();
        for (Eigen::Index j = 0; j < X.cols(); ++j) {
            if (!(sd[j] > 0)) throw InputError("covariance: signal " + std::to_string(j + 1) + " is constant and cannot be standardised");
            X.col(j) /= sd[j];
        }
    }
    Eigen::MatrixXd C = X.transpose() * X / double(X.rows());
    return 0.5 * (C + C.transpose()).eval();
}

std::vector<double> alphaGrid(double alphaMax, int count, double lowFraction) {
    if (count < 1) throw InputError("alpha grid: need at least one value");
    if (!std::isfinite(alphaMax) || alphaMax < 0) throw InputError("alpha grid: alpha max must be a finite number ≥ 0");
    std::vector<double> a;
    // No off-diagonal covariance (one signal, or uncorrelated ones): every α gives the diagonal.
    if (count == 1 || alphaMax == 0.0) return {alphaMax};
    for (int i = 0; i < count; ++i)
        a.push_back(alphaMax * std::pow(lowFraction, double(i) / double(count - 1)));
    return a;
}

// --- Graphical lasso ---------------------------------------------------------------------------

GraphicalLassoResult graphicalLasso(const Eigen::MatrixXd& S, const GraphicalLassoOptions& o, const GraphicalLassoResult* warm) {
    checkCovariance(S, o.what);
    checkAlpha(o.alpha, o.what);
    const Eigen::Index p = S.rows();
    GraphicalLassoResult r;
    r.alpha = o.alpha;
    if (o.alpha == 0.0 || p == 1) {
        const Eigen::LLT<Eigen::MatrixXd> llt(S);
        if (llt.info() != Eigen::Success)
            throw InputError(o.what + ": the covariance is singular (fewer samples than signals?); the unpenalised inverse does not "
                                      "exist — use alpha > 0");
        r.covariance = S;
        r.precision = llt.solve(Eigen::MatrixXd::Identity(p, p));
        r.coefficients = Eigen::MatrixXd::Zero(p, p);
        for (Eigen::Index j = 0; j < p; ++j) {
            r.coefficients.col(j) = -r.precision.col(j) / r.precision(j, j);
            r.coefficients(j, j) = 0.0;
        }
        r.objective = graphicalLassoObjective(S, r.precision, 0.0);
        r.dualityGap = graphicalLassoDualityGap(S, r.precision, 0.0);
        r.converged = true;
        r.edges = offDiagonalNonZeros(r.precision);
        return r;
    }
    Eigen::MatrixXd W, B;
    if (warm && warm->covariance.rows() == p && warm->coefficients.rows() == p) {
        W = warm->covariance;
        B = warm->coefficients;
    } else {
        // scikit-learn's start: off-diagonal covariances shrunk by 5 %, which makes W positive definite.
        W = 0.95 * S;
        B = Eigen::MatrixXd::Zero(p, p);
    }
    W.diagonal() = S.diagonal();
    Eigen::VectorXd beta(p), g(p);
    const FlushDenormals flushDenormals;
    std::vector<Eigen::Index> active;
    active.reserve(std::size_t(p));
    // Inexact inner solves while W still moves: the lasso of a column is solved to a tenth of the
    // previous sweep's largest change of W (at most 1e-3), down to innerTolerance.
    double tolIn = std::max(o.innerTolerance, 1e-3);
    for (int it = 0; it < o.maxIterations; ++it) {
        double sweepChange = 0.0;
        for (Eigen::Index j = 0; j < p; ++j) {
            beta = B.col(j);
            beta[j] = 0.0;
            g.setZero();
            for (Eigen::Index m = 0; m < p; ++m)
                if (beta[m] != 0.0) g.noalias() += beta[m] * W.col(m);
            const double* s = S.col(j).data();
            // One coordinate: β_m ← soft(s_m − (W₁₁β)_m + w_mm β_m, α) / w_mm; keep g = W₁₁β.
            auto update = [&](Eigen::Index m) {
                const double wmm = W(m, m);
                const double bnew = softThreshold(s[m] - g[m] + wmm * beta[m], o.alpha) / wmm;
                const double d = bnew - beta[m];
                if (d != 0.0) {
                    g.noalias() += d * W.col(m);
                    beta[m] = bnew;
                }
                return std::abs(d);
            };
            for (int outer = 0; outer < 200; ++outer) {
                double maxd = 0.0;
                for (Eigen::Index m = 0; m < p; ++m)
                    if (m != j) maxd = std::max(maxd, update(m));
                if (maxd <= tolIn) break;
                active.clear();
                for (Eigen::Index m = 0; m < p; ++m)
                    if (m != j && beta[m] != 0.0) active.push_back(m);
                for (int inner = 0; inner < 1000; ++inner) {
                    double d = 0.0;
                    for (const Eigen::Index m : active) d = std::max(d, update(m));
                    if (d <= tolIn) break;
                }
            }
            // w₁₂ = W₁₁β: the new column and row of W (its diagonal stays s_jj).
            for (Eigen::Index m = 0; m < p; ++m)
                if (m != j) {
                    sweepChange = std::max(sweepChange, std::abs(W(m, j) - g[m]));
                    W(m, j) = g[m];
                }
            W.row(j) = W.col(j).transpose();
            B.col(j) = beta;
        }
        tolIn = std::max(o.innerTolerance, std::min(tolIn, 0.1 * sweepChange));
        r.iterations = it + 1;
        r.precision = precisionFromCoefficients(W, B);
        // The gap between the primal objective at Θ and the dual objective log det W + p at the
        // feasible W (|w_ij − s_ij| ≤ α, w_ii = s_ii): a certificate of optimality. scikit-learn's
        // formula omits −log det Θ − log det W, which vanishes only when Θ = W⁻¹; with Θ built
        // from the lasso coefficients its formula is ≈ 0 after every sweep.
        // Inexact inner solves can leave |w_ij − s_ij| slightly above α: the dual point is W clipped
        // to the box, which keeps the bound valid.
        Eigen::MatrixXd Wf = S + (W - S).cwiseMax(-o.alpha).cwiseMin(o.alpha);
        Wf.diagonal() = S.diagonal();
        const double ldw = logDet(Wf), ldt = logDet(r.precision);
        r.dualityGap = (std::isnan(ldw) || std::isnan(ldt))
                           ? std::numeric_limits<double>::infinity()
                           : graphicalLassoDualityGap(S, r.precision, o.alpha) - ldt - ldw;
        r.gapHistory.push_back(r.dualityGap);
        if (!W.allFinite())
            throw Error(o.what + ": the graphical lasso diverged (non-finite covariance) at alpha " + std::to_string(o.alpha) +
                        "; the covariance is badly conditioned — increase alpha");
        if (r.dualityGap < o.tolerance) {
            r.converged = true;
            break;
        }
    }
    r.covariance = std::move(W);
    r.coefficients = std::move(B);
    r.objective = graphicalLassoObjective(S, r.precision, o.alpha);
    r.edges = offDiagonalNonZeros(r.precision);
    return r;
}

std::vector<GraphicalLassoResult> graphicalLassoPath(const Eigen::MatrixXd& S, std::vector<double> alphas,
                                                     const GraphicalLassoOptions& options) {
    std::sort(alphas.begin(), alphas.end(), std::greater<>());
    std::vector<GraphicalLassoResult> out;
    for (const double a : alphas) {
        GraphicalLassoOptions o = options;
        o.alpha = a;
        out.push_back(graphicalLasso(S, o, out.empty() ? nullptr : &out.back()));
    }
    return out;
}

Eigen::MatrixXd weightedMeanCovariance(const std::vector<Eigen::MatrixXd>& m, const std::vector<double>& w) {
    if (m.empty()) throw InputError("mean covariance: no covariance matrices");
    Eigen::MatrixXd s = Eigen::MatrixXd::Zero(m.front().rows(), m.front().cols());
    double total = 0.0;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const double wi = w.empty() ? 1.0 : w[i];
        s += wi * m[i];
        total += wi;
    }
    return s / total;
}

namespace {

Eigen::VectorXd normalisedWeights(const std::vector<double>& samples, std::size_t n, const std::string& what) {
    Eigen::VectorXd w = Eigen::VectorXd::Ones(Eigen::Index(n));
    if (!samples.empty()) {
        if (samples.size() != n)
            throw InputError(what + ": " + std::to_string(samples.size()) + " sample counts for " + std::to_string(n) + " covariances");
        for (std::size_t i = 0; i < n; ++i) {
            if (!(samples[i] > 0)) throw InputError(what + ": the sample count of covariance " + std::to_string(i + 1) + " must be positive");
            w[Eigen::Index(i)] = samples[i];
        }
    }
    return w / w.sum();
}

void finishCrossValidation(CrossValidation& cv) {
    cv.meanScore = cv.scores.colwise().mean().transpose();
    Eigen::Index best = 0;
    for (Eigen::Index a = 0; a < cv.meanScore.size(); ++a)
        if (std::isfinite(cv.meanScore[a]) && (!std::isfinite(cv.meanScore[best]) || cv.meanScore[a] > cv.meanScore[best])) best = a;
    cv.bestIndex = int(best);
    cv.bestAlpha = cv.alphas[std::size_t(best)];
}

} // namespace

std::vector<CovarianceFold> foldsOverSubjects(const std::vector<Eigen::MatrixXd>& covariances, const std::vector<double>& samples, int folds) {
    const int n = int(covariances.size());
    if (n < 2) throw InputError("cross-validation over subjects needs at least 2 covariance matrices, got " + std::to_string(n));
    folds = std::clamp(folds, 2, n);
    std::vector<CovarianceFold> out(static_cast<std::size_t>(folds));
    for (int s = 0; s < n; ++s)
        for (int f = 0; f < folds; ++f) {
            auto& fold = out[std::size_t(f)];
            const double w = samples.empty() ? 1.0 : samples[std::size_t(s)];
            if (s % folds == f) {
                fold.test.push_back(covariances[std::size_t(s)]);
                fold.testSamples.push_back(w);
            } else {
                fold.train.push_back(covariances[std::size_t(s)]);
                fold.trainSamples.push_back(w);
            }
        }
    return out;
}

std::vector<CovarianceFold> foldsOverSamples(const std::vector<Eigen::MatrixXd>& series, int folds, bool standardize) {
    if (series.empty()) throw InputError("cross-validation: no time series");
    if (folds < 2) throw InputError("cross-validation: need at least 2 folds");
    std::vector<CovarianceFold> out(static_cast<std::size_t>(folds));
    for (std::size_t k = 0; k < series.size(); ++k) {
        const Eigen::Index n = series[k].rows();
        if (n < 4 * folds)
            throw InputError("cross-validation: subject " + std::to_string(k + 1) + " has " + std::to_string(n) + " samples, fewer than 4 per fold for " +
                             std::to_string(folds) + " folds");
        for (int f = 0; f < folds; ++f) {
            const Eigen::Index b0 = n * f / folds, b1 = n * (f + 1) / folds;
            Eigen::MatrixXd train(n - (b1 - b0), series[k].cols());
            train.topRows(b0) = series[k].topRows(b0);
            train.bottomRows(n - b1) = series[k].bottomRows(n - b1);
            auto& fold = out[std::size_t(f)];
            fold.train.push_back(empiricalCovariance(train, standardize));
            fold.trainSamples.push_back(double(train.rows()));
            fold.test.push_back(empiricalCovariance(series[k].middleRows(b0, b1 - b0), standardize));
            fold.testSamples.push_back(double(b1 - b0));
        }
    }
    return out;
}

CrossValidation crossValidateGraphicalLasso(const std::vector<CovarianceFold>& folds, std::vector<double> alphas,
                                            const GraphicalLassoOptions& options, bool refine) {
    if (folds.empty()) throw InputError(options.what + ": cross-validation needs folds");
    std::vector<Eigen::MatrixXd> trainMean, testMean;
    for (const auto& f : folds) {
        if (f.train.empty() || f.test.empty()) throw InputError(options.what + ": a cross-validation fold has no training or no test data");
        trainMean.push_back(weightedMeanCovariance(f.train, f.trainSamples));
        testMean.push_back(weightedMeanCovariance(f.test, f.testSamples));
        checkCovariance(trainMean.back(), options.what);
    }
    if (alphas.empty()) {
        double amax = 0.0;
        for (const auto& m : trainMean) amax = std::max(amax, graphicalLassoAlphaMax(m));
        alphas = alphaGrid(amax, 8, 0.01);
    }
    auto evaluate = [&](std::vector<double> grid) {
        std::sort(grid.begin(), grid.end(), std::greater<>());
        CrossValidation cv;
        cv.alphas = grid;
        cv.scores = Eigen::MatrixXd::Constant(Eigen::Index(folds.size()), Eigen::Index(grid.size()), -std::numeric_limits<double>::infinity());
        std::vector<std::string> errors(folds.size());
#pragma omp parallel for schedule(dynamic, 1)
        for (std::size_t f = 0; f < folds.size(); ++f) {
            try {
                const auto path = graphicalLassoPath(trainMean[f], grid, options);
                for (std::size_t a = 0; a < grid.size(); ++a)
                    cv.scores(Eigen::Index(f), Eigen::Index(a)) = gaussianLogLikelihood(testMean[f], path[a].precision);
            } catch (const std::exception& e) {
                errors[f] = e.what();
            }
        }
        for (const auto& e : errors)
            if (!e.empty()) throw Error(e);
        finishCrossValidation(cv);
        return cv;
    };
    CrossValidation cv = evaluate(alphas);
    if (refine && cv.alphas.size() >= 3 && cv.alphas.back() > 0.0) {
        // scikit-learn's refinement: a finer grid between the neighbours of the best α.
        const std::size_t b = std::size_t(cv.bestIndex);
        const double hi = cv.alphas[b == 0 ? 0 : b - 1];
        const double lo = cv.alphas[std::min(b + 1, cv.alphas.size() - 1)];
        std::vector<double> fine;
        for (int i = 0; i < 6; ++i) fine.push_back(hi * std::pow(lo / hi, double(i) / 5.0));
        CrossValidation refined = evaluate(fine);
        // Merge both grids so the report shows every α that was tried.
        std::vector<std::pair<double, Eigen::VectorXd>> all;
        for (std::size_t a = 0; a < cv.alphas.size(); ++a) all.emplace_back(cv.alphas[a], cv.scores.col(Eigen::Index(a)));
        for (std::size_t a = 0; a < refined.alphas.size(); ++a) {
            bool dup = false;
            for (const auto& x : all) dup = dup || std::abs(x.first - refined.alphas[a]) <= 1e-12 * x.first;
            if (!dup) all.emplace_back(refined.alphas[a], refined.scores.col(Eigen::Index(a)));
        }
        std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
        cv.alphas.clear();
        cv.scores.resize(Eigen::Index(folds.size()), Eigen::Index(all.size()));
        for (std::size_t a = 0; a < all.size(); ++a) {
            cv.alphas.push_back(all[a].first);
            cv.scores.col(Eigen::Index(a)) = all[a].second;
        }
        finishCrossValidation(cv);
    }
    return cv;
}

// --- Group-sparse covariance -------------------------------------------------------------------

Eigen::MatrixXd GroupSparseResult::groupNorm() const {
    const Eigen::Index p = precisions.empty() ? 0 : precisions.front().rows();
    Eigen::MatrixXd n = Eigen::MatrixXd::Zero(p, p);
    for (const auto& t : precisions) n += t.cwiseAbs2();
    n = n.cwiseSqrt();
    n.diagonal().setZero();
    return n;
}

Eigen::MatrixXd GroupSparseResult::meanPartialCorrelation() const {
    const Eigen::Index p = precisions.empty() ? 0 : precisions.front().rows();
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(p, p);
    for (std::size_t k = 0; k < precisions.size(); ++k) {
        const Eigen::VectorXd d = precisions[k].diagonal().cwiseSqrt().cwiseInverse();
        Eigen::MatrixXd pc = -(d.asDiagonal() * precisions[k] * d.asDiagonal());
        pc.diagonal().setOnes();
        m += weights[Eigen::Index(k)] * pc;
    }
    return m;
}

double groupSparseAlphaMax(const std::vector<Eigen::MatrixXd>& covs, const std::vector<double>& samples) {
    const Eigen::VectorXd w = normalisedWeights(samples, covs.size(), "group-sparse covariance");
    const Eigen::Index p = covs.front().rows();
    Eigen::MatrixXd n2 = Eigen::MatrixXd::Zero(p, p);
    for (std::size_t k = 0; k < covs.size(); ++k) n2 += (w[Eigen::Index(k)] * covs[k]).cwiseAbs2();
    n2.diagonal().setZero();
    return std::sqrt(n2.maxCoeff());
}

GroupSparseScores groupSparseScores(const std::vector<Eigen::MatrixXd>& covs, const Eigen::VectorXd& w,
                                    const std::vector<Eigen::MatrixXd>& precisions, double alpha,
                                    const std::vector<Eigen::MatrixXd>* inverses) {
    const std::size_t K = covs.size();
    const Eigen::Index p = covs.front().rows();
    GroupSparseScores s;
    std::vector<double> ll(K), dual(K);
    std::vector<Eigen::MatrixXd> A(K);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t k = 0; k < K; ++k) {
        ll[k] = logDet(precisions[k]) - traceProduct(covs[k], precisions[k]);
        const Eigen::MatrixXd inv = inverses ? (*inverses)[k] : Eigen::MatrixXd(precisions[k].llt().solve(Eigen::MatrixXd::Identity(p, p)));
        A[k] = w[Eigen::Index(k)] * (inv - covs[k]);
    }
    Eigen::MatrixXd l2 = Eigen::MatrixXd::Zero(p, p), an = Eigen::MatrixXd::Zero(p, p);
    for (std::size_t k = 0; k < K; ++k) {
        s.logLikelihood += w[Eigen::Index(k)] * ll[k];
        l2 += precisions[k].cwiseAbs2();
        an += A[k].cwiseAbs2();
    }
    l2 = l2.cwiseSqrt();
    an = an.cwiseSqrt();
    s.objective = alpha * (l2.sum() - l2.diagonal().sum()) - s.logLikelihood;
    // Dual point (nilearn's group_sparse_scores): A projected on {‖A_ij‖₂ ≤ α}, zero diagonal;
    // dual objective Σ n_k (p + log det(S_k + A_k / n_k)).
    const Eigen::MatrixXd scale = an.unaryExpr([alpha](double x) { return x > alpha ? alpha / x : 1.0; });
    bool feasible = true;
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t k = 0; k < K; ++k) {
        Eigen::MatrixXd a = A[k].cwiseProduct(scale);
        a.diagonal().setZero();
        dual[k] = double(p) + logDet(covs[k] + a / w[Eigen::Index(k)]);
    }
    double d = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
        feasible = feasible && std::isfinite(dual[k]);
        d += w[Eigen::Index(k)] * dual[k];
    }
    if (!feasible) {
        // nilearn's fallback: a feasible (not tight) dual point that keeps the bound finite.
        Eigen::MatrixXd n2 = Eigen::MatrixXd::Zero(p, p);
        for (std::size_t k = 0; k < K; ++k) n2 += (w[Eigen::Index(k)] * covs[k]).cwiseAbs2();
        n2.diagonal().setZero();
        const double gamma = std::min(alpha / std::sqrt(n2.maxCoeff()), 0.05);
        d = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
            Eigen::MatrixXd b = (1.0 - gamma) * covs[k];
            b.diagonal().array() += gamma;
            d += w[Eigen::Index(k)] * (double(p) + logDet(b));
        }
    }
    s.dualityGap = s.objective - d;
    return s;
}

GroupSparseResult groupSparseCovariance(const std::vector<Eigen::MatrixXd>& covs, const std::vector<double>& samples,
                                        const GroupSparseOptions& o, const GroupSparseResult* warm) {
    if (covs.empty()) throw InputError(o.what + ": no covariance matrices");
    checkAlpha(o.alpha, o.what);
    const std::size_t K = covs.size();
    const Eigen::Index p = covs.front().rows();
    for (std::size_t k = 0; k < K; ++k) {
        checkCovariance(covs[k], o.what + " (subject " + std::to_string(k + 1) + ")");
        if (covs[k].rows() != p)
            throw InputError(o.what + ": subject " + std::to_string(k + 1) + " has " + std::to_string(covs[k].rows()) + " signals, subject 1 has " +
                             std::to_string(p));
    }
    GroupSparseResult r;
    r.alpha = o.alpha;
    r.weights = normalisedWeights(samples, K, o.what);
    const Eigen::VectorXd& w = r.weights;
#ifdef _OPENMP
    const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
#endif
    std::vector<Eigen::MatrixXd>& Om = r.precisions;
    std::vector<Eigen::MatrixXd>& Sg = r.covariances;
    if (warm && warm->precisions.size() == K && warm->precisions.front().rows() == p) {
        Om = warm->precisions;
    } else {
        Om.resize(K);
        for (std::size_t k = 0; k < K; ++k) Om[k] = covs[k].diagonal().cwiseInverse().asDiagonal();
    }
    Sg.resize(K);
    if (o.alpha == 0.0) {
        for (std::size_t k = 0; k < K; ++k) {
            const Eigen::LLT<Eigen::MatrixXd> llt(covs[k]);
            if (llt.info() != Eigen::Success)
                throw InputError(o.what + " (subject " + std::to_string(k + 1) + "): the covariance is singular; use alpha > 0");
            Om[k] = llt.solve(Eigen::MatrixXd::Identity(p, p));
            Sg[k] = covs[k];
        }
        const auto sc = groupSparseScores(covs, w, Om, 0.0, &Sg);
        r.objective = sc.objective;
        r.dualityGap = sc.dualityGap;
        r.converged = true;
        r.edges = offDiagonalNonZeros(r.groupNorm());
        return r;
    }
    const auto nk = static_cast<Eigen::Index>(K);
    Eigen::MatrixXd Y(p, nk), G(p, nk), Sig(p, nk), Dg(p, nk);
    Eigen::VectorXd c(nk), q(nk), delta(nk), sjj(nk);
    std::vector<double> changeOf(K);
    std::vector<Eigen::Index> support, active;
    std::vector<Eigen::Index> pos(static_cast<std::size_t>(p), -1);
    std::vector<LazyInverse> inv(K);
    std::vector<Eigen::MatrixXd> cache(K);
    std::vector<Eigen::VectorXd> scratch(K, Eigen::VectorXd(p));
    const double alpha2 = o.alpha * o.alpha;
    const FlushDenormals flushDenormals;
    for (int it = 0; it < o.maxIterations; ++it) {
        // Θ_k⁻¹ afresh each sweep: the rank-2 updates below keep it exact up to rounding.
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (std::size_t k = 0; k < K; ++k) {
            const Eigen::LLT<Eigen::MatrixXd> llt(Om[k]);
            if (llt.info() != Eigen::Success) {
                changeOf[k] = std::numeric_limits<double>::quiet_NaN();  // reported below, outside the parallel loop
                continue;
            }
            inv[k].reset(llt.solve(Eigen::MatrixXd::Identity(p, p)));
        }
        for (std::size_t k = 0; k < K; ++k)
            if (std::isnan(changeOf[k]))
                throw Error(o.what + ": the precision of subject " + std::to_string(k + 1) + " lost positive definiteness at alpha " +
                            std::to_string(o.alpha) + "; increase alpha or standardise the signals");
        std::fill(changeOf.begin(), changeOf.end(), 0.0);
        for (Eigen::Index j = 0; j < p; ++j) {
            // The column's shared support.
            support.clear();
            for (Eigen::Index m = 0; m < p; ++m) {
                if (m == j) continue;
                bool nz = false;
                for (std::size_t k = 0; k < K && !nz; ++k) nz = Om[k](m, j) != 0.0;
                if (nz) {
                    pos[std::size_t(m)] = Eigen::Index(support.size());
                    support.push_back(m);
                }
            }
            // Per subject: y = θ₁₂, σ = Σ's column j, Σ's columns on the support, and g = H y with
            // H = (Θ₁₁)⁻¹ = Σ₁₁ − σσᵀ/σ_jj.
#pragma omp parallel for schedule(static) num_threads(threads)
            for (std::size_t k = 0; k < K; ++k) {
                const auto kk = Eigen::Index(k);
                Y.col(kk) = Om[k].col(j);
                Y(j, kk) = 0.0;
                inv[k].column(j, scratch[k]);
                Sig.col(kk) = scratch[k];
                inv[k].columns(support, cache[k]);
                Dg.col(kk) = inv[k].diagonal();
                Eigen::VectorXd ys(Eigen::Index(support.size()));
                for (std::size_t i = 0; i < support.size(); ++i) ys[Eigen::Index(i)] = Y(support[i], kk);
                G.col(kk).noalias() = cache[k] * ys;
                const double sy = Sig.col(kk).dot(Y.col(kk));
                G.col(kk).noalias() -= (sy / Sig(j, kk)) * Sig.col(kk);
            }
            for (std::size_t k = 0; k < K; ++k) sjj[Eigen::Index(k)] = covs[k](j, j);
            // One coordinate m, all subjects: the group-lasso step in closed form up to γ, the root of
            // Σ_k c_k² / (1 + γ q_k)² = α² (Newton from γ = 0, as in nilearn).
            auto update = [&](Eigen::Index m) {
                for (std::size_t k = 0; k < K; ++k) {
                    const auto kk = Eigen::Index(k);
                    const double hmm = Dg(m, kk) - Sig(m, kk) * Sig(m, kk) / Sig(j, kk);
                    const double rest = G(m, kk) - hmm * Y(m, kk);
                    c[kk] = -w[kk] * (sjj[kk] * rest + covs[k](m, j));
                    q[kk] = w[kk] * sjj[kk] * hmm;
                }
                const double c2 = c.squaredNorm();
                double maxd = 0.0;
                if (c2 <= alpha2) {
                    for (std::size_t k = 0; k < K; ++k) delta[Eigen::Index(k)] = -Y(m, Eigen::Index(k));
                } else {
                    double gamma = 0.0;
                    for (int n = 0; n < 100; ++n) {
                        double f = -alpha2, fd = 0.0;
                        for (Eigen::Index k = 0; k < c.size(); ++k) {
                            const double a = 1.0 + gamma * q[k];
                            const double cc = c[k] * c[k];
                            f += cc / (a * a);
                            fd += 2.0 * cc * q[k] / (a * a * a);
                        }
                        if (fd <= 0.0) break;
                        const double step = f / fd;
                        gamma += step;
                        if (std::abs(step) < 1.5e-10 * std::max(1.0, gamma)) break;
                    }
                    for (Eigen::Index k = 0; k < c.size(); ++k) delta[k] = gamma * c[k] / (1.0 + gamma * q[k]) - Y(m, k);
                }
                for (std::size_t k = 0; k < K; ++k) {
                    const auto kk = Eigen::Index(k);
                    const double d = delta[kk];
                    if (d == 0.0) continue;
                    maxd = std::max(maxd, std::abs(d));
                    // g += δ H[:, m] = δ (Σ[:, m] − σ σ_m / σ_jj)
                    if (pos[std::size_t(m)] >= 0) {
                        G.col(kk).noalias() += d * cache[k].col(pos[std::size_t(m)]);
                    } else {
                        inv[k].column(m, scratch[k]);
                        G.col(kk).noalias() += d * scratch[k];
                    }
                    G.col(kk).noalias() -= (d * Sig(m, kk) / Sig(j, kk)) * Sig.col(kk);
                    Y(m, kk) += d;
                }
                return maxd;
            };
            for (int pass = 0; pass < std::max(1, o.innerPasses); ++pass) {
                double maxd = 0.0;
                if (pass == 0) {
                    for (Eigen::Index m = 0; m < p; ++m)
                        if (m != j) maxd = std::max(maxd, update(m));
                } else {
                    active.clear();
                    for (Eigen::Index m = 0; m < p; ++m)
                        if (m != j && Y.row(m).cwiseAbs().maxCoeff() > 0.0) active.push_back(m);
                    for (const Eigen::Index m : active) maxd = std::max(maxd, update(m));
                }
                if (maxd <= 1e-12) break;
            }
            for (const Eigen::Index m : support) pos[std::size_t(m)] = -1;
            // Write the column back; θ_jj = 1/s_jj + yᵀHy. Σ = Θ⁻¹ by the block inverse:
            // Σ₁₁ ← H + s_jj g gᵀ, σ₁₂ ← −s_jj g, σ_jj ← s_jj, i.e. on the whole matrix
            // Σ ← Σ − σσᵀ/σ_jj + s_jj h hᵀ with h = (g; −1 at j): two rank-1 terms, deferred.
#pragma omp parallel for schedule(static) num_threads(threads)
            for (std::size_t k = 0; k < K; ++k) {
                const auto kk = Eigen::Index(k);
                auto& T = Om[k];
                Eigen::VectorXd h = G.col(kk);
                h[j] = 0.0;
                const double tjj = 1.0 / sjj[kk] + Y.col(kk).dot(h);
                double ch = std::abs(T(j, j) - tjj);
                for (Eigen::Index m = 0; m < p; ++m)
                    if (m != j) ch = std::max(ch, std::abs(T(m, j) - Y(m, kk)));
                changeOf[k] = std::max(changeOf[k], ch);
                T.col(j) = Y.col(kk);
                T(j, j) = tjj;
                T.row(j) = T.col(j).transpose();
                h[j] = -1.0;
                inv[k].addRankOne(Sig.col(kk), -1.0 / Sig(j, kk));
                inv[k].addRankOne(h, sjj[kk]);
            }
        }
        r.iterations = it + 1;
        r.maxChange = *std::max_element(changeOf.begin(), changeOf.end());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (std::size_t k = 0; k < K; ++k) Sg[k] = inv[k].flushed();
        const auto sc = groupSparseScores(covs, w, Om, o.alpha, &Sg);
        r.objective = sc.objective;
        r.dualityGap = sc.dualityGap;
        r.gapHistory.push_back(sc.dualityGap);
        if (!std::isfinite(r.objective))
            throw Error(o.what + ": the group-sparse estimator diverged (non-finite objective) at alpha " + std::to_string(o.alpha) +
                        "; increase alpha or standardise the signals");
        const bool done = r.dualityGap <= o.tolerance * std::max(1.0, std::abs(r.objective)) || r.maxChange <= o.changeTolerance;
        if (done) r.converged = true;
        if (o.progress && !o.progress(it + 1, r.dualityGap)) break;
        if (done) break;
    }
    r.edges = offDiagonalNonZeros(r.groupNorm());
    return r;
}

CrossValidation crossValidateGroupSparse(const std::vector<CovarianceFold>& folds, std::vector<double> alphas, const GroupSparseOptions& options) {
    if (folds.empty()) throw InputError(options.what + ": cross-validation needs folds");
    if (alphas.empty()) {
        double amax = 0.0;
        for (const auto& f : folds) amax = std::max(amax, groupSparseAlphaMax(f.train, f.trainSamples));
        alphas = alphaGrid(amax, 8, 0.01);
    }
    std::sort(alphas.begin(), alphas.end(), std::greater<>());
    std::vector<Eigen::VectorXd> testWeights;
    for (const auto& fold : folds) {
        if (fold.train.size() != fold.test.size())
            throw InputError(options.what + ": a group cross-validation fold needs the same subjects in training and test");
        testWeights.push_back(normalisedWeights(fold.testSamples, fold.test.size(), options.what));
    }
    // α from large to small, every fold warm-started from its previous α. The held-out likelihood
    // of these paths rises then falls: once it has fallen for two successive α below its best, the
    // denser (and slowest) fits are skipped.
    std::vector<GroupSparseResult> previous(folds.size());
    std::vector<Eigen::VectorXd> columns;
    double best = -std::numeric_limits<double>::infinity();
    int falls = 0;
    std::size_t a = 0;
    for (; a < alphas.size() && falls < 2; ++a) {
        Eigen::VectorXd col(Eigen::Index(folds.size()));
        for (std::size_t f = 0; f < folds.size(); ++f) {
            GroupSparseOptions o = options;
            o.alpha = alphas[a];
            o.progress = nullptr;
            GroupSparseResult res = groupSparseCovariance(folds[f].train, folds[f].trainSamples, o, a == 0 ? nullptr : &previous[f]);
            double score = 0.0;
            for (std::size_t k = 0; k < folds[f].test.size(); ++k)
                score += testWeights[f][Eigen::Index(k)] * gaussianLogLikelihood(folds[f].test[k], res.precisions[k]);
            col[Eigen::Index(f)] = score;
            previous[f] = std::move(res);
        }
        const double mean = col.mean();
        if (mean > best) {
            best = mean;
            falls = 0;
        } else {
            ++falls;
        }
        columns.push_back(col);
    }
    CrossValidation cv;
    cv.alphas.assign(alphas.begin(), alphas.begin() + std::ptrdiff_t(columns.size()));
    cv.scores.resize(Eigen::Index(folds.size()), Eigen::Index(columns.size()));
    for (std::size_t i = 0; i < columns.size(); ++i) cv.scores.col(Eigen::Index(i)) = columns[i];
    finishCrossValidation(cv);
    return cv;
}

} // namespace nm::connectivity
