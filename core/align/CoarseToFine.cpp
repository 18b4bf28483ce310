#include "align/CoarseToFine.hpp"

#include "align/FugwDetail.hpp"
#include "common/Error.hpp"
#include "jobs/Progress.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace nm::align {

using Eigen::Index;
using Eigen::MatrixXf;
using Eigen::VectorXd;
using Eigen::VectorXf;

// ---------------------------------------------------------------------------------------------
// SparsePlan

void SparsePlan::indexColumns() {
    colStart.assign(std::size_t(cols) + 1, 0);
    for (auto c : col) ++colStart[std::size_t(c) + 1];
    for (Index j = 0; j < cols; ++j) colStart[std::size_t(j) + 1] += colStart[std::size_t(j)];
    byColumn.resize(col.size());
    std::vector<std::int64_t> next(colStart.begin(), colStart.end() - 1);
    for (Index i = 0; i < rows; ++i)
        for (auto e = rowStart[std::size_t(i)]; e < rowStart[std::size_t(i) + 1]; ++e)
            byColumn[std::size_t(next[std::size_t(col[std::size_t(e)])]++)] = e;
}

VectorXd SparsePlan::rowSums() const {
    VectorXd s(rows);
#pragma omp parallel for schedule(static)
    for (Index i = 0; i < rows; ++i) {
        double acc = 0;
        for (auto e = rowStart[std::size_t(i)]; e < rowStart[std::size_t(i) + 1]; ++e) acc += value[e];
        s[i] = acc;
    }
    return s;
}

VectorXd SparsePlan::colSums() const {
    VectorXd s(cols);
#pragma omp parallel for schedule(static)
    for (Index j = 0; j < cols; ++j) {
        double acc = 0;
        for (auto k = colStart[std::size_t(j)]; k < colStart[std::size_t(j) + 1]; ++k) acc += value[byColumn[std::size_t(k)]];
        s[j] = acc;
    }
    return s;
}

// Row-major copies: every entry adds one contiguous row of k values (k up to thousands of maps;
// column-major rows would be strided).
using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

MatrixXf SparsePlan::times(const MatrixXf& m) const {
    const RowMajorF in = m;
    RowMajorF out = RowMajorF::Zero(rows, m.cols());
#pragma omp parallel for schedule(dynamic, 256)
    for (Index i = 0; i < rows; ++i)
        for (auto e = rowStart[std::size_t(i)]; e < rowStart[std::size_t(i) + 1]; ++e)
            out.row(i) += value[e] * in.row(col[std::size_t(e)]);
    return out;
}

MatrixXf SparsePlan::transposeTimes(const MatrixXf& m) const {
    std::vector<std::int32_t> rowOf(col.size());
    for (Index i = 0; i < rows; ++i)
        for (auto e = rowStart[std::size_t(i)]; e < rowStart[std::size_t(i) + 1]; ++e) rowOf[std::size_t(e)] = std::int32_t(i);
    const RowMajorF in = m;
    RowMajorF out = RowMajorF::Zero(cols, m.cols());
#pragma omp parallel for schedule(dynamic, 256)
    for (Index j = 0; j < cols; ++j)
        for (auto k = colStart[std::size_t(j)]; k < colStart[std::size_t(j) + 1]; ++k) {
            const auto e = byColumn[std::size_t(k)];
            out.row(j) += value[e] * in.row(rowOf[std::size_t(e)]);
        }
    return out;
}

namespace {

/// Row of every entry (CSR → COO rows).
std::vector<std::int32_t> entryRows(const SparsePlan& p) {
    std::vector<std::int32_t> r(std::size_t(p.nonZeros()));
    for (Index i = 0; i < p.rows; ++i)
        for (auto e = p.rowStart[std::size_t(i)]; e < p.rowStart[std::size_t(i) + 1]; ++e) r[std::size_t(e)] = std::int32_t(i);
    return r;
}

struct SparseProblem {
    const SparsePlan& pattern;
    const std::vector<std::int32_t>& rowOf;
    const VectorXf& featureCost;  // per entry, normalised
    const Geometry& ds;
    const Geometry& dt;
    const FugwOptions& o;
    const VectorXd& ws;
    const VectorXd& wt;
};

double klPlan(const SparseProblem& pr, const VectorXf& v) {
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (Index e = 0; e < v.size(); ++e) {
        const double x = v[e];
        if (x > 0) s += x * std::log(x / (pr.ws[pr.rowOf[std::size_t(e)]] * pr.wt[pr.pattern.col[std::size_t(e)]]));
    }
    return s;
}

/// X_e = (Ds P Dt)_{i j} for every entry, through the low-rank factors: W = Us (Vsᵀ (P Ut)).
VectorXf crossEntries(const SparseProblem& pr, const VectorXf& values) {
    SparsePlan p = pr.pattern;  // shares the pattern; only the values differ
    p.value = values;
    const MatrixXf t = p.times(pr.dt.factorU());
    const MatrixXf w = pr.ds.factorU() * (pr.ds.factorV().transpose() * t);
    const MatrixXf& vt = pr.dt.factorV();
    VectorXf x(values.size());
#pragma omp parallel for schedule(static)
    for (Index e = 0; e < x.size(); ++e) x[e] = w.row(pr.rowOf[std::size_t(e)]).dot(vt.row(pr.pattern.col[std::size_t(e)]));
    return x;
}

VectorXd rowSumsOf(const SparsePlan& pattern, const VectorXf& v) {
    SparsePlan p = pattern;
    p.value = v;
    return p.rowSums();
}
VectorXd colSumsOf(const SparsePlan& pattern, const VectorXf& v) {
    SparsePlan p = pattern;
    p.value = v;
    return p.colSums();
}

VectorXf localCost(const SparseProblem& pr, const VectorXf& other) {
    const VectorXd o1 = rowSumsOf(pr.pattern, other), o2 = colSumsOf(pr.pattern, other);
    VectorXf cost = float((1 - pr.o.alpha) / 2) * pr.featureCost;
    if (pr.o.alpha != 0) {
        const VectorXf x = crossEntries(pr, other);
        const VectorXf a = pr.ds.applySquared(o1).cast<float>(), b = pr.dt.applySquared(o2).cast<float>();
        const float wg = float(pr.o.alpha);
#pragma omp parallel for schedule(static)
        for (Index e = 0; e < cost.size(); ++e)
            cost[e] += wg * (a[pr.rowOf[std::size_t(e)]] + b[pr.pattern.col[std::size_t(e)]] - 2.0f * x[e]);
    }
    double c0 = 0;
    if (!std::isinf(pr.o.rhoSource) && pr.o.rhoSource != 0) c0 += pr.o.rhoSource * detail::unnormalisedKl(o1, pr.ws);
    if (!std::isinf(pr.o.rhoTarget) && pr.o.rhoTarget != 0) c0 += pr.o.rhoTarget * detail::unnormalisedKl(o2, pr.wt);
    if (pr.o.eps != 0) c0 += pr.o.eps * klPlan(pr, other);
    cost.array() += float(c0);
    return cost;
}

/// Log-domain unbalanced Sinkhorn over the entries (rows by CSR, columns through byColumn).
int sparseSinkhorn(const SparseProblem& pr, const VectorXf& c, double rhoS, double rhoT, double eps, int iterations,
                   double tol, Duals& duals, VectorXf& plan) {
    const auto& p = pr.pattern;
    const Index n = p.rows, m = p.cols;
    if (duals.u.size() != n) duals.u = VectorXd::Zero(n);
    if (duals.v.size() != m) duals.v = VectorXd::Zero(m);
    const double tauS = std::isinf(rhoS) ? 1.0 : rhoS / (rhoS + eps);
    const double tauT = std::isinf(rhoT) ? 1.0 : rhoT / (rhoT + eps);
    const VectorXd lws = pr.ws.array().log(), lwt = pr.wt.array().log();
    const double inv = 1.0 / eps;
    // costs in column order, for contiguous column passes
    VectorXf cc(c.size());
    std::vector<std::int32_t> rowByColumn(std::size_t(c.size()));
    for (std::size_t k = 0; k < p.byColumn.size(); ++k) {
        cc[Index(k)] = c[p.byColumn[k]];
        rowByColumn[k] = pr.rowOf[std::size_t(p.byColumn[k])];
    }
    VectorXd& u = duals.u;
    VectorXd& v = duals.v;
    // out_g = −τ LSE over the entries k of group g (a row or a column, entries start[g]..start[g+1])
    // of dual[other[k]] + lw[other[k]] − cost[k]/ε: the exponents gathered in a float buffer, one
    // vectorised exp (Eigen's packet exp) instead of a scalar libm call per entry
    auto groupLse = [inv](const std::vector<std::int64_t>& start, const std::vector<std::int32_t>& other,
                          const VectorXf& cost, const VectorXd& dual, const VectorXd& lw, double tau, VectorXd& out) {
        const Index groups = Index(start.size()) - 1;
#pragma omp parallel
        {
            std::vector<float> z;
#pragma omp for schedule(dynamic, 256)
            for (Index g = 0; g < groups; ++g) {
                const auto b = start[std::size_t(g)], e = start[std::size_t(g) + 1];
                if (b == e) continue;
                z.resize(std::size_t(e - b));
                for (auto k = b; k < e; ++k) {
                    const auto o = other[std::size_t(k)];
                    z[std::size_t(k - b)] = float(dual[o] + lw[o] - cost[k] * inv);
                }
                const Eigen::Map<Eigen::ArrayXf> zz(z.data(), Index(z.size()));
                const float mx = zz.maxCoeff();
                out[g] = -tau * (double(mx) + std::log(double((zz - mx).exp().sum())));
            }
        }
    };
    int it = 0;
    for (; it < iterations; ++it) {
        const VectorXd uPrev = u, vPrev = v;
        if (rhoT != 0)
            groupLse(p.colStart, rowByColumn, cc, u, lws, tauT, v);
        else
            v.setZero();
        if (rhoS != 0)
            groupLse(p.rowStart, p.col, c, v, lwt, tauS, u);
        else
            u.setZero();
        const double change = std::max((u - uPrev).cwiseAbs().maxCoeff(), (v - vPrev).cwiseAbs().maxCoeff());
        if (!std::isfinite(change)) throw Error("sparse Sinkhorn: the duals diverged (NaN); increase ε");
        if (change < tol) {
            ++it;
            break;
        }
    }
    plan.resize(c.size());
#pragma omp parallel for schedule(static)
    for (Index e = 0; e < c.size(); ++e) {
        const auto i = pr.rowOf[std::size_t(e)], j = p.col[std::size_t(e)];
        plan[e] = float(std::exp(u[i] + v[j] + lws[i] + lwt[j] - c[e] * inv));
    }
    return it;
}

FugwLoss sparseLoss(const SparseProblem& pr, const VectorXf& pv, const VectorXf& qv) {
    FugwLoss l;
    const auto& o = pr.o;
    const VectorXd p1 = rowSumsOf(pr.pattern, pv), p2 = colSumsOf(pr.pattern, pv);
    const VectorXd q1 = rowSumsOf(pr.pattern, qv), q2 = colSumsOf(pr.pattern, qv);
    const double mp = p1.sum(), mq = q1.sum(), ms = pr.ws.sum(), mt = pr.wt.sum();
    l.wasserstein = (double(pr.featureCost.dot(pv)) + double(pr.featureCost.dot(qv))) / 2;
    l.total += (1 - o.alpha) * l.wasserstein;
    if (o.alpha != 0) {
        l.gromovWasserstein = pr.ds.applySquared(q1).dot(p1) + pr.dt.applySquared(q2).dot(p2) -
                              2 * double(crossEntries(pr, qv).dot(pv));
        l.total += o.alpha * l.gromovWasserstein;
    }
    if (!std::isinf(o.rhoSource) && o.rhoSource != 0) {
        l.marginalSource = detail::quadKl(detail::unnormalisedKl(p1, pr.ws), detail::unnormalisedKl(q1, pr.ws), mp, mq, ms, ms);
        l.total += o.rhoSource * l.marginalSource;
    }
    if (!std::isinf(o.rhoTarget) && o.rhoTarget != 0) {
        l.marginalTarget = detail::quadKl(detail::unnormalisedKl(p2, pr.wt), detail::unnormalisedKl(q2, pr.wt), mp, mq, mt, mt);
        l.total += o.rhoTarget * l.marginalTarget;
    }
    if (o.eps != 0) {
        l.regularization = detail::quadKl(klPlan(pr, pv), klPlan(pr, qv), mp, mq, ms * mt, ms * mt);
        l.total += o.eps * l.regularization;
    }
    return l;
}

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

FugwResult solveSparseFugw(const MatrixXf& fs, const MatrixXf& ft, double costScale, const Geometry& source,
                           const Geometry& target, SparsePlan& plan, const FugwOptions& options, jobs::Progress* progress) {
    const detail::FlushDenormals flush;
    if (!source.lowRank() || !target.lowRank())
        throw InputError("sparse FUGW: the geometries must be low rank (an embedding or voxel coordinates)");
    if (plan.rows != fs.rows() || plan.cols != ft.rows() || source.size() != plan.rows || target.size() != plan.cols)
        throw InputError("sparse FUGW: features, geometries and pattern disagree in size");
    if (options.solver != InnerSolver::Sinkhorn || options.divergence != Divergence::KL || options.eps <= 0)
        throw InputError("sparse FUGW: only the Sinkhorn solver with the KL divergence and ε > 0 is implemented");
    if (plan.byColumn.size() != plan.col.size()) plan.indexColumns();
    const auto rowOf = entryRows(plan);
    const Index nnz = plan.nonZeros();
    const VectorXd ws = VectorXd::Constant(plan.rows, 1.0 / double(plan.rows));
    const VectorXd wt = VectorXd::Constant(plan.cols, 1.0 / double(plan.cols));
    // the feature cost of every entry
    VectorXf fc(nnz);
    {
        const VectorXf ns = fs.rowwise().squaredNorm(), nt = ft.rowwise().squaredNorm();
        const float inv = float(1.0 / (costScale > 0 ? costScale : 1.0));
#pragma omp parallel for schedule(static)
        for (Index e = 0; e < nnz; ++e) {
            const auto i = rowOf[std::size_t(e)], j = plan.col[std::size_t(e)];
            fc[e] = std::max(0.0f, ns[i] + nt[j] - 2.0f * fs.row(i).dot(ft.row(j))) * inv;
        }
    }
    FugwOptions o = options;  // o.eps follows the ε-scaling schedule (as solveFugw)
    o.eps = detail::scheduledEps(options, 0);
    const SparseProblem pr{plan, rowOf, fc, source, target, o, ws, wt};
    VectorXf p(nnz), q;
    for (Index e = 0; e < nnz; ++e) p[e] = float(ws[rowOf[std::size_t(e)]] * wt[plan.col[std::size_t(e)]]);
    q = p;
    FugwResult res;
    const auto t0 = std::chrono::steady_clock::now();
    res.loss.push_back(sparseLoss(pr, p, q));
    res.seconds.push_back(0.0);
    Duals dp, dq;
    auto solveBlock = [&](const VectorXf& other, VectorXf& block, Duals& duals) {
        const double mass = double(other.cast<double>().sum());
        const VectorXf c = localCost(pr, other);
        res.innerIterations.push_back(sparseSinkhorn(pr, c, o.rhoSource * mass, o.rhoTarget * mass, o.eps * mass,
                                                     o.innerIterations, o.tolInner, duals, block));
        if (!block.allFinite()) throw Error("sparse FUGW: the plan contains NaN (increase ε)");
        const double bm = double(block.cast<double>().sum());
        if (!(bm > 0)) throw Error("sparse FUGW: the plan lost all its mass (ρ too small for the costs)");
        block *= float(std::sqrt(mass / bm));
    };
    for (int it = 0; it < o.bcdIterations; ++it) {
        if (progress) progress->checkCancelled();
        o.eps = detail::scheduledEps(options, it);
        const VectorXf previous = p;
        solveBlock(p, q, dq);
        solveBlock(q, p, dp);
        res.iterations = it + 1;
        res.loss.push_back(sparseLoss(pr, p, q));
        res.seconds.push_back(since(t0));
        if (progress)
            progress->update(double(it + 1) / o.bcdIterations, "fine FUGW: BCD " + std::to_string(it + 1) + "/" +
                                                                   std::to_string(o.bcdIterations));
        if (double((p - previous).cwiseAbs().sum()) < o.tolBcd) {
            res.converged = true;
            break;
        }
    }
    plan.value = p;
    return res;
}

std::vector<Index> farthestPoints(const Eigen::MatrixXd& points, int count) {
    const Index n = points.rows();
    count = int(std::min<Index>(count, n));
    std::vector<Index> out;
    if (count <= 0) return out;
    out.push_back(0);
    VectorXd nearest = (points.rowwise() - points.row(0)).rowwise().squaredNorm();
    while (int(out.size()) < count) {
        Index far = 0;
        nearest.maxCoeff(&far);
        out.push_back(far);
        nearest = nearest.cwiseMin((points.rowwise() - points.row(far)).rowwise().squaredNorm());
    }
    return out;
}

CoarseToFineResult alignCoarseToFine(const MatrixXf& fs, const MatrixXf& ft, const Eigen::MatrixXd& xs,
                                     const Eigen::MatrixXd& xt, const Geometry& source, const Geometry& target,
                                     const CoarseToFineOptions& options, jobs::Progress* progress) {
    const Index n = fs.rows(), m = ft.rows();
    if (xs.rows() != n || xt.rows() != m || source.size() != n || target.size() != m)
        throw InputError("coarse-to-fine: features, coordinates and geometries disagree in size");
    CoarseToFineResult r;
    if (progress) progress->plan({{"coarse", 3}, {"mask", 1}, {"fine", 6}});
    if (progress) progress->begin("coarse", "coarse FUGW");
    r.sourceSamples = farthestPoints(xs, options.coarseSamples);
    r.targetSamples = farthestPoints(xt, options.coarseSamples);
    const Index ns = Index(r.sourceSamples.size()), nt = Index(r.targetSamples.size());
    MatrixXf cfs(ns, fs.cols()), cft(nt, ft.cols());
    for (Index a = 0; a < ns; ++a) cfs.row(a) = fs.row(r.sourceSamples[std::size_t(a)]);
    for (Index b = 0; b < nt; ++b) cft.row(b) = ft.row(r.targetSamples[std::size_t(b)]);
    // one normalisation for both levels: the coarse cost's maximum
    MatrixXf coarseCost = featureCost(cfs, cft, false);
    const double costScale = coarseCost.maxCoeff() > 0 ? double(coarseCost.maxCoeff()) : 1.0;
    coarseCost /= float(costScale);
    {
        jobs::Progress child = progress ? progress->child() : jobs::Progress();
        r.coarse = solveFugw(coarseCost, source.subset(r.sourceSamples), target.subset(r.targetSamples), options.coarse, {},
                             {}, nullptr, progress ? &child : nullptr);
    }
    if (progress) progress->begin("mask", "sparsity mask");
    // mean spacing of the samples: the radius of the dilation
    auto spacing = [](const Eigen::MatrixXd& pts, const std::vector<Index>& samples) {
        double acc = 0;
        for (std::size_t a = 0; a < samples.size(); ++a) {
            double best = std::numeric_limits<double>::infinity();
            for (std::size_t b = 0; b < samples.size(); ++b)
                if (a != b) best = std::min(best, (pts.row(samples[a]) - pts.row(samples[b])).squaredNorm());
            acc += std::sqrt(best);
        }
        return acc / double(std::max<std::size_t>(1, samples.size()));
    };
    r.radiusMm = options.radiusFactor * std::max(spacing(xs, r.sourceSamples), spacing(xt, r.targetSamples));
    const double r2 = r.radiusMm * r.radiusMm;
    // coarse matches: targets with mass ≥ keepFraction × the row's maximum
    std::vector<std::vector<Index>> matches(static_cast<std::size_t>(ns));
    for (Index a = 0; a < ns; ++a) {
        const float mx = r.coarse.plan.row(a).maxCoeff();
        for (Index b = 0; b < nt; ++b)
            if (mx > 0 && r.coarse.plan(a, b) >= float(options.keepFraction) * mx) matches[std::size_t(a)].push_back(b);
    }
    // fine targets near each coarse target sample
    std::vector<std::vector<std::int32_t>> near(static_cast<std::size_t>(nt));
#pragma omp parallel for schedule(dynamic, 8)
    for (Index b = 0; b < nt; ++b) {
        const Eigen::RowVector3d c = xt.row(r.targetSamples[std::size_t(b)]).head<3>();
        for (Index j = 0; j < m; ++j)
            if ((xt.row(j).head<3>() - c).squaredNorm() <= r2) near[std::size_t(b)].push_back(std::int32_t(j));
    }
    // each fine source vertex: the coarse samples within the radius (at least its nearest)
    std::vector<std::vector<std::int32_t>> rows(static_cast<std::size_t>(n));
#pragma omp parallel for schedule(dynamic, 64)
    for (Index i = 0; i < n; ++i) {
        std::vector<std::int32_t> cols;
        Index nearest = 0;
        double best = std::numeric_limits<double>::infinity();
        for (Index a = 0; a < ns; ++a) {
            const double d = (xs.row(i).head<3>() - xs.row(r.sourceSamples[std::size_t(a)]).head<3>()).squaredNorm();
            if (d < best) best = d, nearest = a;
            if (d <= r2)
                for (Index b : matches[std::size_t(a)]) cols.insert(cols.end(), near[std::size_t(b)].begin(), near[std::size_t(b)].end());
        }
        if (cols.empty())
            for (Index b : matches[std::size_t(nearest)]) cols.insert(cols.end(), near[std::size_t(b)].begin(), near[std::size_t(b)].end());
        std::sort(cols.begin(), cols.end());
        cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
        rows[std::size_t(i)] = std::move(cols);
    }
    r.plan.rows = n;
    r.plan.cols = m;
    r.plan.rowStart.assign(std::size_t(n) + 1, 0);
    for (Index i = 0; i < n; ++i) r.plan.rowStart[std::size_t(i) + 1] = r.plan.rowStart[std::size_t(i)] + std::int64_t(rows[std::size_t(i)].size());
    r.plan.col.reserve(std::size_t(r.plan.rowStart.back()));
    for (auto& row : rows) {
        r.plan.col.insert(r.plan.col.end(), row.begin(), row.end());
        std::vector<std::int32_t>().swap(row);
    }
    r.plan.value = VectorXf::Zero(r.plan.nonZeros());
    r.plan.indexColumns();
    if (progress) {
        progress->info("coarse-to-fine: " + std::to_string(ns) + " × " + std::to_string(nt) + " coarse samples, radius " +
                       std::to_string(r.radiusMm) + " mm, " + std::to_string(r.plan.nonZeros()) + " fine entries (" +
                       std::to_string(double(r.plan.nonZeros()) / double(n)) + " per source vertex)");
        progress->begin("fine", "fine FUGW");
    }
    jobs::Progress child = progress ? progress->child() : jobs::Progress();
    r.fine = solveSparseFugw(fs, ft, costScale, source, target, r.plan, options.fine, progress ? &child : nullptr);
    return r;
}

MatrixXf transportToTarget(const SparsePlan& plan, const MatrixXf& sourceMaps, double identityBlend) {
    if (sourceMaps.rows() != plan.rows) throw InputError("transport: the maps do not match the plan's source");
    MatrixXf out = plan.transposeTimes(sourceMaps);
    const VectorXd received = plan.colSums();
    const bool same = plan.rows == plan.cols;
    for (Index j = 0; j < out.rows(); ++j) {
        if (received[j] > 0)
            out.row(j) /= float(received[j]);
        else if (same)
            out.row(j) = sourceMaps.row(j);
        else
            out.row(j).setZero();
    }
    if (identityBlend != 0) {
        if (!same) throw InputError("transport: the identity blend needs source and target of one size");
        out = (1.0f - float(identityBlend)) * out + float(identityBlend) * sourceMaps;
    }
    return out;
}

MatrixXf transportToSource(const SparsePlan& plan, const MatrixXf& targetMaps) {
    if (targetMaps.rows() != plan.cols) throw InputError("transport: the maps do not match the plan's target");
    MatrixXf out = plan.times(targetMaps);
    const VectorXd sent = plan.rowSums();
    const bool same = plan.rows == plan.cols;
    for (Index i = 0; i < out.rows(); ++i) {
        if (sent[i] > 0)
            out.row(i) /= float(sent[i]);
        else if (same)
            out.row(i) = targetMaps.row(i);
        else
            out.row(i).setZero();
    }
    return out;
}

std::vector<Match> bestMatches(const SparsePlan& plan) {
    std::vector<Match> out(std::size_t(plan.rows));
    for (Index i = 0; i < plan.rows; ++i)
        for (auto e = plan.rowStart[std::size_t(i)]; e < plan.rowStart[std::size_t(i) + 1]; ++e)
            if (plan.value[e] > out[std::size_t(i)].mass) out[std::size_t(i)] = {Index(plan.col[std::size_t(e)]), plan.value[e]};
    return out;
}

} // namespace nm::align
