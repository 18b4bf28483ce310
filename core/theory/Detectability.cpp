#include "theory/Detectability.hpp"

#include "common/Error.hpp"
#include "graph/Communities.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

namespace nm::theory {

namespace {

double meanOf(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / double(v.size());
}
double sdOf(const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    const double m = meanOf(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / double(v.size() - 1));
}

/// The first λ (in increasing order) where the score crosses `level`, linearly interpolated.
double onset(const std::vector<std::pair<double, double>>& curve, double level) {
    for (std::size_t i = 0; i < curve.size(); ++i) {
        if (curve[i].second < level) continue;
        if (i == 0) return curve[0].first;
        const auto [x0, y0] = curve[i - 1];
        const auto [x1, y1] = curve[i];
        return y1 == y0 ? x1 : x0 + (level - y0) * (x1 - x0) / (y1 - y0);
    }
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace

DetectabilityResult detectabilitySweep(const DetectabilityOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    if (o.q < 2 || o.q > 8) throw InputError("detectability: --groups must lie in 2..8");
    if (!(o.meanDegree > 1)) throw InputError("detectability: --degree must exceed 1 (below it the graph has no giant component)");
    if (o.repetitions < 1) throw InputError("detectability: --repetitions must be >= 1");
    DetectabilityResult r;
    r.options = o;
    if (r.options.ratios.empty())
        for (int i = 4; i <= 20; ++i) r.options.ratios.push_back(0.1 * i);
    std::sort(r.options.ratios.begin(), r.options.ratios.end());
    const double c = o.meanDegree;
    for (const Eigen::Index n : o.sizes) {
        if (n < 10 * o.q) throw InputError("detectability: sizes must hold at least 10 nodes per group");
        std::vector<std::pair<double, double>> leidenCurve, spectralCurve, informativeCurve;
        for (const double lambda : r.options.ratios) {
            // λ = (c_in − c_out) / (q √c) with c fixed: c_in − c_out = λ q √c, c_in + (q − 1) c_out = q c.
            const double diff = lambda * o.q * std::sqrt(c);
            const double cOut = (o.q * c - diff) / o.q;
            const double cIn = cOut + diff;
            if (cOut < 0) throw InputError("detectability: λ = " + std::to_string(lambda) + " needs c_out < 0 at mean degree " + std::to_string(c) +
                                           "; lower the ratios or raise --degree");
            DetectabilityPoint p;
            p.n = n;
            p.ratio = lambda;
            p.cIn = cIn;
            p.cOut = cOut;
            p.epsilon = cIn > 0 ? cOut / cIn : 0.0;
            std::vector<double> nmiL, qL, modL, nmiS, ovS, informative;
            for (int rep = 0; rep < o.repetitions; ++rep) {
                const std::uint64_t seed = o.seed * 1000003ull + std::uint64_t(n) * 7919ull + std::uint64_t(std::lround(lambda * 1000)) * 31ull + std::uint64_t(rep);
                const auto g = plantedPartition(n, o.q, cIn, cOut, seed);
                if (o.leiden) {
                    graph::CommunityOptions co;
                    co.runs = 1;
                    co.seed = seed;
                    const auto part = graph::communities(n, g.edges, co);
                    nmiL.push_back(graph::normalizedMutualInformation(g.group, part.module));
                    qL.push_back(part.q);
                    modL.push_back(double(*std::max_element(part.module.begin(), part.module.end())));
                }
                if (o.spectral) {
                    std::vector<double> smallest;
                    const auto labels = betheHessianClustering(n, g.edges, o.q, seed, &smallest);
                    informative.push_back(smallest.size() == std::size_t(o.q) && smallest.back() < 0 ? 1.0 : 0.0);
                    nmiS.push_back(graph::normalizedMutualInformation(g.group, labels));
                    ovS.push_back(overlap(g.group, labels, o.q));
                }
            }
            p.nmiLeiden = meanOf(nmiL);
            p.sdNmiLeiden = sdOf(nmiL);
            p.qLeiden = meanOf(qL);
            p.modulesLeiden = meanOf(modL);
            p.nmiSpectral = meanOf(nmiS);
            p.overlapSpectral = meanOf(ovS);
            p.sdOverlapSpectral = sdOf(ovS);
            p.informative = meanOf(informative);
            informativeCurve.emplace_back(lambda, p.informative);
            leidenCurve.emplace_back(lambda, p.nmiLeiden);
            spectralCurve.emplace_back(lambda, p.overlapSpectral);
            r.points.push_back(p);
        }
        const double level = o.level > 0 ? o.level : 4.0 / std::sqrt(double(n));
        if (o.leiden) r.onsets.push_back({n, "leiden (NMI)", onset(leidenCurve, level), level});
        if (o.spectral) {
            r.onsets.push_back({n, "bethe hessian (overlap)", onset(spectralCurve, level), level});
            r.onsets.push_back({n, "bethe hessian (negative eigenvalues)", onset(informativeCurve, 0.5), 0.5});
            const double at90 = onset(informativeCurve, 0.9);
            r.onsets.push_back({n, "bethe hessian (90 % informative)", at90, 0.9});
            r.finiteSize.push_back({n, at90, at90 - r.predicted});
        }
    }
    std::vector<double> ns, gaps;
    for (const auto& f : r.finiteSize) {
        ns.push_back(double(f.n));
        gaps.push_back(f.gap);
    }
    r.gapScaling = fitPowerLaw(ns, gaps);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

NetworkTheory analyseNetwork(const graph::Matrix& W, int randomGraphs, std::uint64_t seed) {
    if (W.rows() != W.cols() || W.rows() < 3) throw InputError("theory: expected a square network of 3 or more nodes");
    NetworkTheory t;
    t.n = W.rows();
    graph::Matrix A = graph::Matrix::Zero(t.n, t.n);
    for (Eigen::Index j = 0; j < t.n; ++j)
        for (Eigen::Index i = 0; i < t.n; ++i)
            if (i != j && (W(i, j) != 0.0 || W(j, i) != 0.0)) A(i, j) = 1.0;
    EdgeList edges;
    for (Eigen::Index j = 0; j < t.n; ++j)
        for (Eigen::Index i = 0; i < j; ++i)
            if (A(i, j) != 0) edges.emplace_back(i, j);
    t.m = Eigen::Index(edges.size());
    if (t.m == 0) throw InputError("theory: the network has no edges");
    t.density = double(t.m) / (double(t.n) * double(t.n - 1) / 2);
    t.meanDegree = 2.0 * double(t.m) / double(t.n);
    graph::CommunityOptions co;
    co.seed = seed;
    const auto part = graph::communities(A, co);
    t.q = part.q;
    t.modules = *std::max_element(part.module.begin(), part.module.end());
    t.qGuimera = modularityErGuimera(double(t.n), t.density);
    t.qReichardtBornholdt = modularityErReichardtBornholdt(double(t.n), t.density);
    std::vector<double> degrees(static_cast<std::size_t>(t.n));
    for (Eigen::Index i = 0; i < t.n; ++i) degrees[std::size_t(i)] = A.row(i).sum();
    t.qConfiguration = modularityConfigurationModel(degrees);
    std::vector<double> qs;
    for (int r = 0; r < randomGraphs; ++r) {
        const auto e = erdosRenyi(t.n, t.m, seed * 7919ull + std::uint64_t(r));
        graph::CommunityOptions ro;
        ro.runs = 5;
        ro.seed = seed + std::uint64_t(r);
        qs.push_back(graph::communities(t.n, e, ro).q);
    }
    t.qRandomMean = meanOf(qs);
    t.qRandomSd = sdOf(qs);
    t.zRandom = t.qRandomSd > 0 ? (t.q - t.qRandomMean) / t.qRandomSd : std::numeric_limits<double>::quiet_NaN();
    t.resolutionLimit = resolutionLimitDegree(double(t.m));
    // Modules: sizes, total degrees, edges inside; the symmetric planted partition fitted to them.
    std::map<int, double> size, degree;
    double inside = 0, pairsIn = 0;
    for (Eigen::Index i = 0; i < t.n; ++i) {
        size[part.module[std::size_t(i)]] += 1;
        degree[part.module[std::size_t(i)]] += degrees[std::size_t(i)];
    }
    for (const auto& [i, j] : edges) inside += part.module[std::size_t(i)] == part.module[std::size_t(j)];
    for (const auto& [mod, s] : size) pairsIn += s * (s - 1) / 2;
    for (const auto& [mod, d] : degree) t.modulesBelowLimit += d < t.resolutionLimit;
    const double pairsAll = double(t.n) * double(t.n - 1) / 2, pairsOut = pairsAll - pairsIn;
    t.fittedCIn = pairsIn > 0 ? double(t.n) * inside / pairsIn : 0.0;
    t.fittedCOut = pairsOut > 0 ? double(t.n) * (double(t.m) - inside) / pairsOut : 0.0;
    if (t.modules >= 2) {
        t.ksRatio = kestenStigumRatio(t.fittedCIn, t.fittedCOut, t.modules);
        t.epsilon = t.fittedCIn > 0 ? t.fittedCOut / t.fittedCIn : 0.0;
        t.epsilonAtBound = kestenStigumEpsilon((t.fittedCIn + (t.modules - 1) * t.fittedCOut) / t.modules, t.modules);
    }
    return t;
}

} // namespace nm::theory
