#include "ann/Mesoscale.hpp"

#include "common/Error.hpp"
#include "graph/Communities.hpp"
#include "graph/Metrics.hpp"
#include "graph/Nulls.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace nm::ann {

namespace {
/// numpy.quantile's default (linear interpolation between order statistics).
double quantileLinear(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}
int moduleCount(const std::vector<int>& m) { return int(std::set<int>(m.begin(), m.end()).size()); }
double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = double(a.size());
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}
} // namespace

Eigen::MatrixXd binarizeTop(const Eigen::MatrixXd& W, double quantile) {
    if (W.rows() != W.cols() || W.rows() < 2) throw InputError("weights: expected a square matrix of at least 2 units");
    if (!W.allFinite()) throw InputError("weights: the matrix holds NaN or infinite values");
    const Eigen::MatrixXd A = W.cwiseAbs();
    const double t = quantileLinear(std::vector<double>(A.data(), A.data() + A.size()), quantile);
    Eigen::MatrixXd B = (A.array() > t).cast<double>().matrix();
    B = B.cwiseMax(B.transpose());
    B.diagonal().setZero();
    return B;
}

MesoscaleMeasures mesoscale(const Eigen::MatrixXd& W, const Eigen::MatrixXd& D, const MesoscaleOptions& o) {
    if (D.rows() != W.rows() || D.cols() != W.cols()) throw InputError("mesoscale: the distance matrix does not match the weights");
    if (o.nulls < 1) throw InputError("mesoscale: at least one null network is needed");
    const Eigen::Index n = W.rows();
    MesoscaleMeasures m;
    const Eigen::MatrixXd A = binarizeTop(W, o.quantile);
    m.density = graph::density(A, false);

    graph::CommunityOptions co;
    co.method = graph::CommunityMethod::Leiden;
    co.runs = o.communityRuns;
    co.seed = o.seed;
    const graph::Partition pb = graph::communities(A, co);
    m.qBinary = pb.q, m.module = pb.module, m.modules = moduleCount(pb.module);
    Eigen::MatrixXd Ws = 0.5 * (W.cwiseAbs() + W.cwiseAbs().transpose());
    Ws.diagonal().setZero();
    const graph::Partition pw = graph::communities(Ws, co);
    m.qWeighted = pw.q, m.modulesWeighted = moduleCount(pw.module);

    m.clustering = graph::clusteringBU(A).mean();
    m.pathLength = graph::charpath(graph::distanceBin(A), false).characteristicPathLength;
    std::vector<double> qn(std::size_t(o.nulls)), cn(std::size_t(o.nulls)), ln(std::size_t(o.nulls));
#pragma omp parallel for schedule(dynamic)
    for (int r = 0; r < o.nulls; ++r) {
        const std::uint64_t s = o.seed * 1000003ull + 7919ull * std::uint64_t(r + 1);
        const Eigen::MatrixXd R = graph::randmioUnd(A, o.swapsPerEdge, s).network;
        graph::CommunityOptions cr = co;
        cr.seed = s;
        qn[std::size_t(r)] = graph::communities(R, cr).q;
        cn[std::size_t(r)] = graph::clusteringBU(R).mean();
        ln[std::size_t(r)] = graph::charpath(graph::distanceBin(R), false).characteristicPathLength;
    }
    int below = 0;
    for (int r = 0; r < o.nulls; ++r) {
        m.qNullMean += qn[std::size_t(r)] / o.nulls;
        m.nullClustering += cn[std::size_t(r)] / o.nulls;
        m.nullPathLength += ln[std::size_t(r)] / o.nulls;
        below += qn[std::size_t(r)] < m.qBinary;
    }
    for (double q : qn) m.qNullSd += (q - m.qNullMean) * (q - m.qNullMean);
    m.qNullSd = o.nulls > 1 ? std::sqrt(m.qNullSd / (o.nulls - 1)) : 0.0;
    m.qZ = m.qNullSd > 0 ? (m.qBinary - m.qNullMean) / m.qNullSd : 0.0;
    m.qNullFractionBelow = double(below) / o.nulls;
    m.sigma = (m.clustering / m.nullClustering) / (m.pathLength / m.nullPathLength);

    // The repository's σ: directed top-decile matrix (diagonal included), mean clustering_coef_bu
    // and efficiency_bin, nulls (R + Rᵀ)/2 > 0.7.
    {
        const Eigen::MatrixXd Aw = W.cwiseAbs();
        const double t = quantileLinear(std::vector<double>(Aw.data(), Aw.data() + Aw.size()), o.quantile);
        const Eigen::MatrixXd Ad = (Aw.array() > t).cast<double>().matrix();
        const double c = graph::clusteringBU(Ad).mean(), e = graph::globalEfficiencyBin(Ad);
        std::mt19937_64 rng(o.seed ^ 0x5e5e5e5eull);
        std::uniform_real_distribution<double> u;
        double cnull = 0, enull = 0, dens = 0;
        for (int r = 0; r < std::max(1, o.repositoryNulls); ++r) {
            Eigen::MatrixXd R(n, n);
            for (Eigen::Index j = 0; j < n; ++j)
                for (Eigen::Index i = 0; i < n; ++i) R(i, j) = u(rng);
            const Eigen::MatrixXd P = ((0.5 * (R + R.transpose())).array() > 0.7).cast<double>().matrix();
            cnull += graph::clusteringBU(P).mean();
            enull += graph::globalEfficiencyBin(P);
            dens += P.sum() / double(n * n);
        }
        const int k = std::max(1, o.repositoryNulls);
        cnull /= k, enull /= k;
        m.repositoryNullDensity = dens / k;
        m.sigmaRepository = (c / cnull) / (enull / e);
    }

    std::vector<double> w, d;
    w.reserve(std::size_t(n * (n - 1)));
    d.reserve(std::size_t(n * (n - 1)));
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            if (i != j) w.push_back(std::abs(W(i, j))), d.push_back(D(i, j));
    m.weightDistanceCorrelation = pearson(w, d);
    m.wiringCost = W.cwiseAbs().cwiseProduct(D).sum();
    m.meanAbsWeight = W.cwiseAbs().mean();
    return m;
}

} // namespace nm::ann
