// Dense FUGW: block-coordinate descent with Sinkhorn / MM / IBPP inner solvers (see Fugw.hpp).
#include "align/Fugw.hpp"
#include "align/FugwDetail.hpp"

#include "common/Error.hpp"
#include "jobs/Progress.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace nm::align {
namespace {

using Eigen::Index;
using Eigen::MatrixXf;
using Eigen::VectorXd;

int threadCount() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}
int threadId() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

using detail::FlushDenormals;

/// Row sums and column sums of a matrix in one pass (columns in parallel, per-thread row sums).
void marginals(const MatrixXf& p, VectorXd& rows, VectorXd& cols) {
    const Index n = p.rows(), m = p.cols();
    const int t = threadCount();
    Eigen::MatrixXd partial = Eigen::MatrixXd::Zero(n, t);
    cols.resize(m);
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < m; ++j) {
        auto acc = partial.col(threadId());
        double s = 0;
        const float* col = p.col(j).data();
        for (Index i = 0; i < n; ++i) {
            acc[i] += col[i];
            s += col[i];
        }
        cols[j] = s;
    }
    rows = partial.rowwise().sum();
}

/// Cache-blocked, parallel transpose (Eigen's is serial and strided).
MatrixXf transposed(const MatrixXf& c) {
    MatrixXf t(c.cols(), c.rows());
    constexpr Index b = 64;
#pragma omp parallel for schedule(static)
    for (Index j0 = 0; j0 < c.cols(); j0 += b)
        for (Index i0 = 0; i0 < c.rows(); i0 += b) {
            const Index jn = std::min(b, c.cols() - j0), in = std::min(b, c.rows() - i0);
            t.block(j0, i0, jn, in) = c.block(i0, j0, in, jn).transpose();
        }
    return t;
}

/// dst = src (parallel copy by columns).
void copyInto(MatrixXf& dst, const MatrixXf& src) {
    dst.resize(src.rows(), src.cols());
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < src.cols(); ++j) dst.col(j) = src.col(j);
}

void scaleInPlace(MatrixXf& m, float f) {
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < m.cols(); ++j) m.col(j) *= f;
}

double l1Distance(const MatrixXf& a, const MatrixXf& b) {
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (Index j = 0; j < a.cols(); ++j) s += double((a.col(j) - b.col(j)).cwiseAbs().sum());
    return s;
}

double plainSum(const MatrixXf& p) {
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (Index j = 0; j < p.cols(); ++j) s += p.col(j).cast<double>().sum();
    return s;
}


/// Σ_ij P_ij log(P_ij / (ws_i wt_j)).
double unnormalisedKlPlan(const MatrixXf& p, const VectorXd& ws, const VectorXd& wt) {
    const Eigen::VectorXf lws = ws.array().log().cast<float>();
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (Index j = 0; j < p.cols(); ++j) {
        const float lwt = float(std::log(wt[j]));
        const auto x = p.col(j).array();
        // no select(): Eigen 3.4 does not vectorise it (scalar logf); x = 0 gives 0 · log(tiny) = 0
        s += double((x * (x.max(1e-37f).log() - lws.array() - lwt)).sum());
    }
    return s;
}


bool isInf(double x) { return std::isinf(x); }
using detail::unnormalisedKl;

/// D P D' for two geometries (both dense or both low rank; mixed falls back to dense products).
MatrixXf crossProduct(const Geometry& ds, const MatrixXf& p, const Geometry& dt) {
    if (ds.lowRank() && dt.lowRank()) {
        const MatrixXf t = p * dt.factorU();                      // n × r
        const MatrixXf mid = ds.factorV().transpose() * t;        // r × r
        const MatrixXf w = ds.factorU() * mid;                    // n × r
        return w * dt.factorV().transpose();                      // n × m
    }
    const MatrixXf left = ds.lowRank() ? ds.toDense() : MatrixXf();
    const MatrixXf right = dt.lowRank() ? dt.toDense() : MatrixXf();
    const MatrixXf& l = ds.lowRank() ? left : ds.matrix();
    const MatrixXf& r = dt.lowRank() ? right : dt.matrix();
    if (p.rows() <= p.cols()) return (l * p) * r;
    return l * (p * r);
}

/// Σ_ij (Ds Q Dt)_ij P_ij without forming Ds Q Dt when both geometries are low rank.
double crossInner(const Geometry& ds, const MatrixXf& q, const Geometry& dt, const MatrixXf& p) {
    if (ds.lowRank() && dt.lowRank()) {
        const MatrixXf t = q * dt.factorU();
        const MatrixXf mid = ds.factorV().transpose() * t;
        const MatrixXf w = ds.factorU() * mid;   // n × r; X = w Vtᵀ
        const MatrixXf pv = p * dt.factorV();    // n × r
        return w.cwiseProduct(pv).cast<double>().sum();
    }
    const MatrixXf x = crossProduct(ds, q, dt);
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (Index j = 0; j < p.cols(); ++j) s += double(x.col(j).dot(p.col(j)));
    return s;
}

struct Problem {
    const MatrixXf& cost;
    const Geometry& ds;
    const Geometry& dt;
    const FugwOptions& o;
    const VectorXd& ws;
    const VectorXd& wt;
};

/// The local biconvex cost of one block given the other (fugw's `local_biconvex_cost`):
/// (1−α) C/2 + α (Ds²P1 ⊕ Dt²Pᵀ1 − 2 Ds P Dt) + [KL: ρs KLu(P1|ws) + ρt KLu(Pᵀ1|wt) + ε KLu(P|ws wt)].
MatrixXf localCost(const Problem& pr, const MatrixXf& p) {
    const double alpha = pr.o.alpha;
    VectorXd p1, p2;
    marginals(p, p1, p2);
    MatrixXf out;
    Eigen::VectorXf a, b;
    if (alpha != 0) {
        out = crossProduct(pr.ds, p, pr.dt);
        a = pr.ds.applySquared(p1).cast<float>();
        b = pr.dt.applySquared(p2).cast<float>();
    } else {
        out.setZero(p.rows(), p.cols());
    }
    double constant = 0;
    if (pr.o.divergence == Divergence::KL) {
        if (!isInf(pr.o.rhoSource) && pr.o.rhoSource != 0) constant += pr.o.rhoSource * unnormalisedKl(p1, pr.ws);
        if (!isInf(pr.o.rhoTarget) && pr.o.rhoTarget != 0) constant += pr.o.rhoTarget * unnormalisedKl(p2, pr.wt);
        if (pr.o.eps != 0) constant += pr.o.eps * unnormalisedKlPlan(p, pr.ws, pr.wt);
    }
    const float wF = float((1 - alpha) / 2), wG = float(alpha), c0 = float(constant);
    const bool useFeatures = alpha != 1 && pr.cost.size() > 0;
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < out.cols(); ++j) {
        auto col = out.col(j).array();
        if (alpha != 0) col = wG * (a.array() + b[j] - 2.0f * col);
        if (useFeatures) col += wF * pr.cost.col(j).array();
        col += c0;
    }
    return out;
}

void requireFinite(const MatrixXf& p, const char* what) {
    if (!p.allFinite())
        throw Error(std::string("FUGW: the ") + what +
                    " contains NaN or infinity (the parameters give a degenerate kernel: increase ρ or ε, "
                    "or use the Sinkhorn solver)");
}

} // namespace

namespace detail {
double unnormalisedKl(const VectorXd& p, const VectorXd& q) {
    double s = 0;
    for (Index i = 0; i < p.size(); ++i)
        if (p[i] > 0 && q[i] > 0) s += p[i] * std::log(p[i] / q[i]);
    return s;
}
double quadKl(double uklMu, double uklNu, double mMu, double mNu, double mAlpha, double mBeta) {
    auto kl = [](double ukl, double massP, double massQ) { return ukl - massP + massQ; };
    return mNu * kl(uklMu, mMu, mAlpha) + mMu * kl(uklNu, mNu, mBeta) + (mMu - mAlpha) * (mNu - mBeta);
}
} // namespace detail
using detail::quadKl;
using detail::unnormalisedKl;

// ---------------------------------------------------------------------------------------------
// Geometry

Geometry Geometry::fromMatrix(Eigen::MatrixXf kernel) {
    if (kernel.rows() != kernel.cols()) throw InputError("geometry: the kernel must be square");
    if (!kernel.allFinite() || (kernel.array() < 0).any())
        throw InputError("geometry: the kernel must be finite and non-negative");
    Geometry g;
    g.n_ = kernel.rows();
    const float mx = kernel.size() ? kernel.maxCoeff() : 0.0f;
    g.scale_ = mx > 0 ? double(mx) : 1.0;
    if (mx > 0) kernel /= mx;
    g.dense_ = std::move(kernel);
    return g;
}

Geometry Geometry::fromEmbedding(const Eigen::MatrixXd& points, double scale) {
    if (!points.allFinite()) throw InputError("geometry: the embedding contains NaN or infinity");
    const Index n = points.rows(), d = points.cols();
    Geometry g;
    g.n_ = n;
    const VectorXd norms = points.rowwise().squaredNorm();
    if (scale <= 0) {
        // the exact maximum of ‖x_i − x_k‖² over all pairs, O(n² d) without storing anything
        double mx = 0;
#pragma omp parallel for reduction(max : mx) schedule(dynamic, 64)
        for (Index i = 0; i < n; ++i)
            for (Index k = i + 1; k < n; ++k) mx = std::max(mx, (points.row(i) - points.row(k)).squaredNorm());
        scale = mx > 0 ? mx : 1.0;
    }
    g.scale_ = scale;
    // D = [‖x‖², 1, −2x] [1, ‖y‖², y]ᵀ / scale
    g.u_.resize(n, d + 2);
    g.v_.resize(n, d + 2);
    g.u_.col(0) = (norms / scale).cast<float>();
    g.u_.col(1).setConstant(float(1.0 / scale));
    g.u_.rightCols(d) = (-2.0 / scale * points).cast<float>();
    g.v_.col(0).setOnes();
    g.v_.col(1) = norms.cast<float>();
    g.v_.rightCols(d) = points.cast<float>();
    // rescale columns so both factors have comparable magnitudes (float accuracy)
    for (Index r = 0; r < d + 2; ++r) {
        const double nu = g.u_.col(r).norm(), nv = g.v_.col(r).norm();
        if (nu > 0 && nv > 0) {
            const float f = float(std::sqrt(nv / nu));
            g.u_.col(r) *= f;
            g.v_.col(r) /= f;
        }
    }
    const Index r = d + 2;
    g.u2_.resize(n, r * r);
    g.v2_.resize(n, r * r);
    for (Index a = 0; a < r; ++a)
        for (Index b = 0; b < r; ++b) {
            g.u2_.col(a * r + b) = g.u_.col(a).cwiseProduct(g.u_.col(b));
            g.v2_.col(a * r + b) = g.v_.col(a).cwiseProduct(g.v_.col(b));
        }
    return g;
}

float Geometry::entry(Index i, Index k) const {
    if (!lowRank()) return dense_(i, k);
    return std::max(0.0f, u_.row(i).dot(v_.row(k)));
}

VectorXd Geometry::applySquared(const VectorXd& x) const {
    if (!lowRank()) {
        VectorXd out(n_);
        const Eigen::VectorXf xf = x.cast<float>();
#pragma omp parallel for schedule(static)
        for (Index k = 0; k < n_; ++k) out[k] = double(dense_.col(k).cwiseAbs2().dot(xf));  // symmetric
        return out;
    }
    const VectorXd t = v2_.cast<double>().transpose() * x;
    return u2_.cast<double>() * t;
}

MatrixXf Geometry::toDense() const {
    if (!lowRank()) return dense_;
    MatrixXf d = u_ * v_.transpose();
    return d.cwiseMax(0.0f);
}

Geometry Geometry::subset(const std::vector<Index>& rows) const {
    Geometry g;
    g.n_ = Index(rows.size());
    g.scale_ = scale_;
    if (!lowRank()) {
        g.dense_.resize(g.n_, g.n_);
        for (Index b = 0; b < g.n_; ++b)
            for (Index a = 0; a < g.n_; ++a) g.dense_(a, b) = dense_(rows[a], rows[b]);
        return g;
    }
    auto pick = [&](const MatrixXf& m) {
        MatrixXf out(g.n_, m.cols());
        for (Index a = 0; a < g.n_; ++a) out.row(a) = m.row(rows[a]);
        return out;
    };
    g.u_ = pick(u_);
    g.v_ = pick(v_);
    g.u2_ = pick(u2_);
    g.v2_ = pick(v2_);
    return g;
}

std::string toString(InnerSolver s) {
    switch (s) {
    case InnerSolver::Sinkhorn: return "sinkhorn";
    case InnerSolver::MM: return "mm";
    case InnerSolver::IBPP: return "ibpp";
    }
    return "mm";
}

InnerSolver innerSolverFromString(const std::string& s) {
    if (s == "sinkhorn") return InnerSolver::Sinkhorn;
    if (s == "mm") return InnerSolver::MM;
    if (s == "ibpp") return InnerSolver::IBPP;
    throw InputError("--solver: '" + s + "' is not a solver (expected sinkhorn, mm or ibpp)");
}

// ---------------------------------------------------------------------------------------------
// Features

MatrixXf normaliseFeatures(const MatrixXf& features) {
    MatrixXf out = features;
    for (Index c = 0; c < out.cols(); ++c) {
        auto col = out.col(c);
        col.array() -= col.mean();
        const float norm = col.norm();
        if (norm > 0) col /= norm;
    }
    return out;
}

MatrixXf featureCost(const MatrixXf& source, const MatrixXf& target, bool normalise) {
    if (source.cols() != target.cols())
        throw InputError("features: the source has " + std::to_string(source.cols()) + " features, the target " +
                         std::to_string(target.cols()) + " (expected the same number)");
    if (!source.allFinite() || !target.allFinite()) throw InputError("features: NaN or infinite values");
    const Eigen::VectorXf ns = source.rowwise().squaredNorm(), nt = target.rowwise().squaredNorm();
    MatrixXf c = source * target.transpose();
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < c.cols(); ++j)
        c.col(j) = (ns.array() + nt[j] - 2.0f * c.col(j).array()).max(0.0f).matrix();
    if (normalise && c.size()) {
        const float mx = c.maxCoeff();
        if (mx > 0) c /= mx;
    }
    return c;
}

// ---------------------------------------------------------------------------------------------
// Inner solvers

int sinkhornUnbalanced(const MatrixXf& c, const VectorXd& ws, const VectorXd& wt, double rhoS, double rhoT,
                       double eps, int iterations, double tol, Duals& duals, MatrixXf& plan) {
    const FlushDenormals flush;
    // Log-domain updates (Séjourné et al. 2019, as fugw):
    //   v_j = −τt LSE_i(u_i + log ws_i − c_ij/ε),  u_i = −τs LSE_j(v_j + log wt_j − c_ij/ε).
    // Both are column log-sum-exps: the rows use a transposed copy of the cost, so each pass reads
    // contiguous memory and the exponentials vectorise (Eigen's packet exp). Scaling-domain
    // variants underflow in float for the small ε of FUGW (1e-4) and fall back to this anyway.
    const Index n = c.rows(), m = c.cols();
    if (eps <= 0) throw InputError("Sinkhorn needs ε > 0 (use the MM or IBPP solver for ε = 0)");
    if (duals.u.size() != n) duals.u = VectorXd::Zero(n);
    if (duals.v.size() != m) duals.v = VectorXd::Zero(m);
    const double tauS = isInf(rhoS) ? 1.0 : rhoS / (rhoS + eps);
    const double tauT = isInf(rhoT) ? 1.0 : rhoT / (rhoT + eps);
    const Eigen::ArrayXf lws = ws.array().log().cast<float>(), lwt = wt.array().log().cast<float>();
    const float inv = float(1.0 / eps);
    const MatrixXf ct = transposed(c);
    VectorXd& u = duals.u;
    VectorXd& v = duals.v;
    // out_j = −τ LSE_i(a_i − x_ij/ε) over the columns of x
    auto columnLse = [inv](const MatrixXf& x, const Eigen::ArrayXf& a, double tau, VectorXd& out) {
#pragma omp parallel
        {
            Eigen::ArrayXf z(x.rows());
#pragma omp for schedule(static)
            for (Index j = 0; j < x.cols(); ++j) {
                z = a - x.col(j).array() * inv;
                const float mx = z.maxCoeff();
                out[j] = -tau * (double(mx) + std::log(double((z - mx).exp().sum())));
            }
        }
    };
    int it = 0;
    for (; it < iterations; ++it) {
        const VectorXd uPrev = u, vPrev = v;
        if (rhoT == 0)
            v.setZero();
        else
            columnLse(c, u.array().cast<float>() + lws, tauT, v);
        if (rhoS == 0)
            u.setZero();
        else
            columnLse(ct, v.array().cast<float>() + lwt, tauS, u);
        const double change = std::max((u - uPrev).cwiseAbs().maxCoeff(), (v - vPrev).cwiseAbs().maxCoeff());
        if (!std::isfinite(change)) throw Error("Sinkhorn: the duals diverged (NaN); increase ε");
        if (change < tol) {
            ++it;
            break;
        }
    }
    plan.resize(n, m);
    const Eigen::ArrayXf a = (u.array().cast<float>() + lws);
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < m; ++j) plan.col(j) = (a + float(v[j]) + lwt[j] - c.col(j).array() * inv).exp().matrix();
    return it;
}

int mmUnbalanced(const MatrixXf& c, const VectorXd& ws, const VectorXd& wt, double rhoS, double rhoT, double eps,
                 int iterations, double tol, MatrixXf& plan) {
    const FlushDenormals flush;
    if (isInf(rhoS) || isInf(rhoT)) throw InputError("MM needs finite ρ (use Sinkhorn or IBPP when balanced)");
    const Index n = c.rows(), m = c.cols();
    const double sum = rhoS + rhoT + eps;
    if (!(sum > 0)) throw InputError("MM needs ρs + ρt + ε > 0");
    const double tauS = rhoS / sum, tauT = rhoT / sum, r = eps / sum, power = tauS + tauT;
    if (plan.rows() != n || plan.cols() != m) plan = (ws * wt.transpose()).cast<float>();
    // K = ws^(τs+r) wtᵀ^(τt+r) exp(−c / (ρs+ρt+ε))
    MatrixXf k(n, m);
    {
        const Eigen::ArrayXf lws = ((tauS + r) * ws.array().log()).cast<float>();
        const float inv = float(1.0 / sum);
#pragma omp parallel for schedule(static)
        for (Index j = 0; j < m; ++j)
            k.col(j) = (lws + float((tauT + r) * std::log(wt[j])) - c.col(j).array() * inv).exp().matrix();
    }
    VectorXd p1, p2;
    marginals(plan, p1, p2);
    const bool exact = std::abs(power - 1.0) < 1e-12;
    const int t = threadCount();
    Eigen::MatrixXd partial(n, t);
    int it = 0;
    for (; it < iterations; ++it) {
        const Eigen::ArrayXf fs = (p1.array() > 0).select(p1.array().pow(-tauS), 0.0).cast<float>();
        VectorXd n2(m);
        partial.setZero();
#pragma omp parallel for schedule(static)
        for (Index j = 0; j < m; ++j) {
            const float ft = p2[j] > 0 ? float(std::pow(p2[j], -tauT)) : 0.0f;
            auto col = plan.col(j).array();
            if (exact)
                col = col * k.col(j).array() * fs * ft;
            else
                col = (col.log() * float(power)).exp() * k.col(j).array() * fs * ft;
            auto acc = partial.col(threadId()).array();
            acc += col.cast<double>();
            n2[j] = double(col.sum());
        }
        const VectorXd n1 = partial.rowwise().sum();
        const double change = std::max((n1 - p1).cwiseAbs().maxCoeff(), (n2 - p2).cwiseAbs().maxCoeff());
        p1 = n1;
        p2 = n2;
        if (!std::isfinite(change)) throw Error("MM: the plan diverged (NaN); increase ρ or ε");
        if (change < tol) {
            ++it;
            break;
        }
    }
    return it;
}

int ibppUnbalanced(const MatrixXf& c, const VectorXd& ws, const VectorXd& wt, double rhoS, double rhoT, double eps,
                   double epsBase, int iterations, int sinkhornIterations, double tol, MatrixXf& plan) {
    const FlushDenormals flush;
    // Inexact Bregman proximal point (Xie et al. 2020) for the unbalanced problem: each step solves
    //   min ⟨c,P⟩ + ρ KL marginals + ε KL(P|ws wtᵀ) + εb KL(P|P_k)
    // = entropic UOT with weight ε+εb and reference (ws wtᵀ)^(ε/(ε+εb)) P_k^(εb/(ε+εb)), by a few
    // scaling iterations warm-started from the previous step.
    const Index n = c.rows(), m = c.cols();
    if (!(epsBase > 0)) throw InputError("IBPP needs a proximal weight > 0");
    const double et = eps + epsBase;
    const double tauS = isInf(rhoS) ? 1.0 : rhoS / (rhoS + et);
    const double tauT = isInf(rhoT) ? 1.0 : rhoT / (rhoT + et);
    if (plan.rows() != n || plan.cols() != m) plan = (ws * wt.transpose()).cast<float>();
    const float wRef = float(eps / et), wProx = float(epsBase / et), inv = float(1.0 / et);
    const Eigen::ArrayXf lws = (double(wRef) * ws.array().log()).cast<float>();
    VectorXd su = VectorXd::Ones(n), sv = VectorXd::Ones(m);
    VectorXd m1 = plan.rowwise().sum().cast<double>();
    MatrixXf g(n, m);
    const int t = threadCount();
    Eigen::MatrixXd partial(n, t);
    int it = 0;
    for (; it < iterations; ++it) {
#pragma omp parallel for schedule(static)
        for (Index j = 0; j < m; ++j) {
            const float lwt = wRef * float(std::log(wt[j]));
            g.col(j) = (lws + lwt + wProx * plan.col(j).array().log() - c.col(j).array() * inv).exp().matrix();
        }
        for (int s = 0; s < sinkhornIterations; ++s) {
            // v = (wt / Gᵀu)^τt, u = (ws / G v)^τs
            if (rhoT != 0) {
                const Eigen::VectorXf uf = su.cast<float>();
#pragma omp parallel for schedule(static)
                for (Index j = 0; j < m; ++j) {
                    const double gtu = double(g.col(j).dot(uf));
                    sv[j] = gtu > 0 ? std::pow(wt[j] / gtu, tauT) : 0.0;
                }
            } else {
                sv.setOnes();
            }
            if (rhoS != 0) {
                partial.setZero();
#pragma omp parallel for schedule(static)
                for (Index j = 0; j < m; ++j) partial.col(threadId()) += (g.col(j) * float(sv[j])).cast<double>();
                const VectorXd gv = partial.rowwise().sum();
                for (Index i = 0; i < n; ++i) su[i] = gv[i] > 0 ? std::pow(ws[i] / gv[i], tauS) : 0.0;
            } else {
                su.setOnes();
            }
        }
        const Eigen::ArrayXf uf = su.cast<float>().array();
#pragma omp parallel for schedule(static)
        for (Index j = 0; j < m; ++j) plan.col(j) = (g.col(j).array() * uf * float(sv[j])).matrix();
        const VectorXd n1 = plan.rowwise().sum().cast<double>();
        const double change = (n1 - m1).cwiseAbs().maxCoeff();
        m1 = n1;
        if (!std::isfinite(change))
            throw Error("IBPP: the plan diverged (NaN); increase the proximal weight (--ibpp-eps-base)");
        if (change < tol) {
            ++it;
            break;
        }
    }
    return it;
}

int mmUnbalancedL2(const MatrixXf& c, const VectorXd& a, const VectorXd& b, const VectorXd& ra, const VectorXd& rb,
                   double rhoS, double rhoT, double eps, int iterations, double tol, MatrixXf& plan) {
    const FlushDenormals flush;
    const Index n = c.rows(), m = c.cols();
    if (plan.rows() != n || plan.cols() != m) plan = (a * b.transpose()).cast<float>();
    // thres = max(ρs a_i + ρt b_j + ε ra_i rb_j − c_ij, 0)
    MatrixXf thres(n, m);
    const Eigen::ArrayXf fa = (rhoS * a).cast<float>().array(), fra = (eps * ra).cast<float>().array();
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < m; ++j)
        thres.col(j) = (fa + float(rhoT * b[j]) + fra * float(rb[j]) - c.col(j).array()).max(0.0f).matrix();
    if ((thres.array() == 0).all())
        throw Error("MM-L2: every entry of the plan is zero for these ρ and ε (increase them)");
    VectorXd p1, p2;
    marginals(plan, p1, p2);
    int it = 0;
    for (; it < iterations; ++it) {
        const Eigen::ArrayXf s1 = (rhoS * p1).cast<float>().array();
#pragma omp parallel for schedule(static)
        for (Index j = 0; j < m; ++j) {
            auto col = plan.col(j).array();
            const Eigen::ArrayXf denom = s1 + float(rhoT * p2[j]) + float(eps) * col;
            col = (denom > 0).select(thres.col(j).array() * col / denom, 0.0f);
        }
        VectorXd n1, n2;
        marginals(plan, n1, n2);
        const double change = std::max((n1 - p1).cwiseAbs().maxCoeff(), (n2 - p2).cwiseAbs().maxCoeff());
        p1 = n1;
        p2 = n2;
        if (!std::isfinite(change)) throw Error("MM-L2: the plan diverged (NaN)");
        if (change < tol) {
            ++it;
            break;
        }
    }
    return it;
}

// ---------------------------------------------------------------------------------------------
// Loss and BCD

FugwLoss fugwLoss(const MatrixXf& cost, const Geometry& ds, const Geometry& dt, const FugwOptions& o,
                  const VectorXd& ws, const VectorXd& wt, const MatrixXf& p, const MatrixXf& q) {
    FugwLoss l;
    VectorXd p1, p2, q1, q2;
    marginals(p, p1, p2);
    marginals(q, q1, q2);
    const double mp = p1.sum(), mq = q1.sum(), ms = ws.sum(), mt = wt.sum();
    if (o.alpha != 1 && cost.size()) {
        double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
        for (Index j = 0; j < cost.cols(); ++j)
            s += double(cost.col(j).dot(p.col(j))) + double(cost.col(j).dot(q.col(j)));
        l.wasserstein = s / 2;
        l.total += (1 - o.alpha) * l.wasserstein;
    }
    if (o.alpha != 0) {
        l.gromovWasserstein = ds.applySquared(q1).dot(p1) + dt.applySquared(q2).dot(p2) - 2 * crossInner(ds, q, dt, p);
        l.total += o.alpha * l.gromovWasserstein;
    }
    const bool kl = o.divergence == Divergence::KL;
    auto quadL2 = [](double aa, double bb, double amu, double bnu, double mumu, double nunu) {
        return (aa * bb - 2 * amu * bnu + mumu * nunu) / 2;
    };
    if (!isInf(o.rhoSource) && o.rhoSource != 0) {
        l.marginalSource = kl ? quadKl(unnormalisedKl(p1, ws), unnormalisedKl(q1, ws), mp, mq, ms, ms)
                              : quadL2(p1.squaredNorm(), q1.squaredNorm(), p1.dot(ws), q1.dot(ws), ws.squaredNorm(),
                                       ws.squaredNorm());
        l.total += o.rhoSource * l.marginalSource;
    }
    if (!isInf(o.rhoTarget) && o.rhoTarget != 0) {
        l.marginalTarget = kl ? quadKl(unnormalisedKl(p2, wt), unnormalisedKl(q2, wt), mp, mq, mt, mt)
                              : quadL2(p2.squaredNorm(), q2.squaredNorm(), p2.dot(wt), q2.dot(wt), wt.squaredNorm(),
                                       wt.squaredNorm());
        l.total += o.rhoTarget * l.marginalTarget;
    }
    if (o.eps != 0) {
        if (kl) {
            l.regularization =
                quadKl(unnormalisedKlPlan(p, ws, wt), unnormalisedKlPlan(q, ws, wt), mp, mq, ms * mt, ms * mt);
        } else {
            // ‖P⊗Q − W⊗W‖²/2 with W = ws wtᵀ: Σ entries through the marginals of W's rank one
            double pw = 0, qw = 0;
            for (Index j = 0; j < p.cols(); ++j) {
                pw += wt[j] * p.col(j).cast<double>().dot(ws);
                qw += wt[j] * q.col(j).cast<double>().dot(ws);
            }
            const double ww = ws.squaredNorm() * wt.squaredNorm();
            l.regularization = quadL2(double(p.squaredNorm()), double(q.squaredNorm()), pw, qw, ww, ww);
        }
        l.total += o.eps * l.regularization;
    }
    return l;
}

FugwResult solveFugw(const MatrixXf& cost, const Geometry& source, const Geometry& target, const FugwOptions& options,
                     VectorXd ws, VectorXd wt, const MatrixXf* init, jobs::Progress* progress,
                     const FugwCallback& callback) {
    const FlushDenormals flush;
    const Index n = source.size(), m = target.size();
    if (n == 0 || m == 0) throw InputError("FUGW: empty source or target geometry");
    if (options.alpha != 1 && (cost.rows() != n || cost.cols() != m)) {
        std::ostringstream s;
        s << "FUGW: the feature cost is " << cost.rows() << " × " << cost.cols() << ", expected " << n << " × " << m
          << " (source × target vertices)";
        throw InputError(s.str());
    }
    if (!(options.alpha >= 0 && options.alpha <= 1)) throw InputError("FUGW: α must be in [0, 1]");
    if (!(options.rhoSource >= 0) || !(options.rhoTarget >= 0) || !(options.eps >= 0))
        throw InputError("FUGW: ρ and ε must be ≥ 0");
    if (isInf(options.rhoSource) && isInf(options.rhoTarget) && options.eps == 0 &&
        options.solver != InnerSolver::IBPP)
        throw InputError("FUGW: the balanced unregularised problem (ρ = ∞, ε = 0) needs the IBPP solver");
    if (ws.size() == 0) ws = VectorXd::Constant(n, 1.0 / double(n));
    if (wt.size() == 0) wt = VectorXd::Constant(m, 1.0 / double(m));
    if (ws.size() != n || wt.size() != m) throw InputError("FUGW: the weights do not match the geometries' sizes");
    if ((ws.array() <= 0).any() || (wt.array() <= 0).any() || !ws.allFinite() || !wt.allFinite())
        throw InputError("FUGW: weights must be finite and > 0");

    FugwOptions o = options;
    // fugw's fallbacks: MM cannot be balanced; Sinkhorn cannot be unregularised
    if (o.solver == InnerSolver::MM && (isInf(o.rhoSource) || isInf(o.rhoTarget))) o.solver = InnerSolver::IBPP;
    if (o.solver == InnerSolver::Sinkhorn && o.eps == 0) o.solver = InnerSolver::IBPP;
    if (o.divergence == Divergence::L2 && (isInf(o.rhoSource) || isInf(o.rhoTarget)))
        throw InputError("FUGW: the L2 divergence needs finite ρ");

    const Problem pr{cost, source, target, o, ws, wt};
    FugwResult res;
    if (init) {
        if (init->rows() != n || init->cols() != m) throw InputError("FUGW: the initial plan has the wrong size");
        res.plan = *init;
    } else {
        res.plan = (ws * wt.transpose()).cast<float>();
    }
    res.gamma = res.plan;
    Duals dualsP, dualsQ;
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    res.loss.push_back(fugwLoss(cost, source, target, o, ws, wt, res.plan, res.gamma));
    res.seconds.push_back(0.0);
    if (progress) progress->update(0.0, "FUGW: BCD 0/" + std::to_string(o.bcdIterations));

    auto solveBlock = [&](const MatrixXf& other, MatrixXf& block, Duals& duals) {
        const double mass = plainSum(other);
        const MatrixXf c = localCost(pr, other);
        int its = 0;
        if (o.divergence == Divergence::KL) {
            const double rs = o.rhoSource * mass, rt = o.rhoTarget * mass, e = o.eps * mass;
            switch (o.solver) {
            case InnerSolver::Sinkhorn:
                its = sinkhornUnbalanced(c, ws, wt, rs, rt, e, o.innerIterations, o.tolInner, duals, block);
                break;
            case InnerSolver::MM: its = mmUnbalanced(c, ws, wt, rs, rt, e, o.innerIterations, o.tolInner, block); break;
            case InnerSolver::IBPP:
                its = ibppUnbalanced(c, ws, wt, rs, rt, e, o.ibppEpsBase, o.innerIterations, o.ibppSinkhornIterations,
                                     o.tolInner, block);
                break;
            }
        } else {
            // fugw's get_parameters_uot_l2: the quadratic terms of the bound, linearised in the other block
            VectorXd o1, o2;
            marginals(other, o1, o2);
            const double l1 = o1.squaredNorm(), l2 = o2.squaredNorm(), lp = double(other.squaredNorm());
            double ow = 0;
            for (Index j = 0; j < m; ++j) ow += wt[j] * other.col(j).cast<double>().dot(ws);
            const VectorXd a = (o1.dot(ws) / l1) * ws, b = (o2.dot(wt) / l2) * wt;
            const VectorXd ra = (ow / lp) * ws;
            its = mmUnbalancedL2(c, a, b, ra, wt, o.rhoSource * l1, o.rhoTarget * l2, o.eps * lp, o.innerIterations,
                                 o.tolInner, block);
        }
        requireFinite(block, "transport plan");
        res.innerIterations.push_back(its);
        const double bm = plainSum(block);
        if (!(bm > 0)) throw Error("FUGW: the plan lost all its mass (ρ too small for the costs)");
        scaleInPlace(block, float(std::sqrt(mass / bm)));
    };

    double lastLoss = res.loss.back().total;
    MatrixXf previous;
    for (int it = 0; it < o.bcdIterations; ++it) {
        if (progress) progress->checkCancelled();
        o.eps = detail::scheduledEps(options, it);
        copyInto(previous, res.plan);
        solveBlock(res.plan, res.gamma, dualsQ);
        solveBlock(res.gamma, res.plan, dualsP);
        res.iterations = it + 1;
        res.loss.push_back(fugwLoss(cost, source, target, o, ws, wt, res.plan, res.gamma));
        res.seconds.push_back(seconds());
        const double change = l1Distance(res.plan, previous);
        const double lossChange = std::abs(res.loss.back().total - lastLoss);
        lastLoss = res.loss.back().total;
        if (progress)
            progress->update(double(it + 1) / o.bcdIterations,
                             "FUGW: BCD " + std::to_string(it + 1) + "/" + std::to_string(o.bcdIterations) +
                                 ", loss " + std::to_string(res.loss.back().total));
        if (callback && !callback(it + 1, res.loss.back())) break;
        if (change < o.tolBcd || (o.tolLoss > 0 && lossChange < o.tolLoss)) {
            res.converged = true;
            break;
        }
    }
    return res;
}

// ---------------------------------------------------------------------------------------------
// Transport

MatrixXf transportToTarget(const MatrixXf& plan, const MatrixXf& sourceMaps, double identityBlend) {
    if (sourceMaps.rows() != plan.rows())
        throw InputError("transport: the maps have " + std::to_string(sourceMaps.rows()) + " rows, the plan's source " +
                         std::to_string(plan.rows()));
    const bool same = plan.rows() == plan.cols();
    if (identityBlend != 0 && !same) throw InputError("transport: the identity blend needs source and target of one size");
    const Eigen::VectorXf received = plan.colwise().sum().transpose();
    MatrixXf out = plan.transpose() * sourceMaps;
    for (Index j = 0; j < out.rows(); ++j) {
        if (received[j] > 0)
            out.row(j) /= received[j];
        else if (same)
            out.row(j) = sourceMaps.row(j);
        else
            out.row(j).setZero();
    }
    if (identityBlend != 0) out = (1.0f - float(identityBlend)) * out + float(identityBlend) * sourceMaps;
    return out;
}

MatrixXf transportToSource(const MatrixXf& plan, const MatrixXf& targetMaps, double identityBlend) {
    const MatrixXf t = plan.transpose();
    return transportToTarget(t, targetMaps, identityBlend);
}

std::vector<Match> bestMatches(const MatrixXf& plan) {
    std::vector<Match> out(std::size_t(plan.rows()));
    for (Index j = 0; j < plan.cols(); ++j)
        for (Index i = 0; i < plan.rows(); ++i)
            if (plan(i, j) > out[std::size_t(i)].mass) out[std::size_t(i)] = {j, plan(i, j)};
    return out;
}

} // namespace nm::align
