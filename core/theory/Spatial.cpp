#include "theory/Spatial.hpp"

#include "common/Error.hpp"
#include "generative/PhaseTransition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace nm::theory {

graph::Matrix annealedSpatial(const graph::Matrix& D, Eigen::Index m, double eta) {
    const Eigen::Index n = D.rows();
    if (D.cols() != n || n < 3) throw InputError("annealed spatial model: expected a square distance matrix of 3 or more nodes");
    const double pairs = double(n) * double(n - 1) / 2;
    if (m < 1 || double(m) >= pairs) throw InputError("annealed spatial model: expected 1 <= edges < n(n-1)/2");
    // Weights in log space, shifted so that the largest is 1 (no overflow for any η).
    std::vector<double> logw;
    logw.reserve(std::size_t(pairs));
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i) {
            const double d = D(i, j);
            if (!(d > 0)) throw InputError("annealed spatial model: distances between distinct nodes must be positive");
            logw.push_back(eta * std::log(d));
        }
    const double top = *std::max_element(logw.begin(), logw.end());
    for (double& x : logw) x = std::exp(x - top);
    // Σ (1 − exp(−w t)) = m: increasing in t; bracket and bisect (in log t).
    auto expected = [&](double t) {
        double s = 0;
        for (double w : logw) s += -std::expm1(-w * t);
        return s;
    };
    double lo = 1e-12, hi = 1.0;
    while (expected(hi) < double(m)) hi *= 2;
    for (int it = 0; it < 200 && hi / lo > 1 + 1e-12; ++it) {
        const double mid = std::sqrt(lo * hi);
        (expected(mid) < double(m) ? lo : hi) = mid;
    }
    const double t = std::sqrt(lo * hi);
    graph::Matrix P = graph::Matrix::Zero(n, n);
    std::size_t k = 0;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i) P(i, j) = P(j, i) = -std::expm1(-logw[k++] * t);
    return P;
}

namespace {
/// η where the curve crosses halfway between its minimum and maximum, walking from the minimum
/// towards the maximum (linear interpolation), as core/generative's sweep locates its transitions.
double halfRise(const std::vector<double>& x, const std::vector<double>& y) {
    const auto lo = std::size_t(std::min_element(y.begin(), y.end()) - y.begin());
    const auto hi = std::size_t(std::max_element(y.begin(), y.end()) - y.begin());
    const double mid = 0.5 * (y[lo] + y[hi]);
    const int dir = hi > lo ? 1 : -1;
    for (std::size_t v = lo; v != hi; v = std::size_t(int(v) + dir)) {
        const std::size_t w = std::size_t(int(v) + dir);
        if ((y[v] - mid) * (y[w] - mid) <= 0 && y[w] != y[v]) return x[v] + (mid - y[v]) / (y[w] - y[v]) * (x[w] - x[v]);
    }
    return x[hi];
}

/// core/generative's simulated sweep along η: the spatial rule (γ = 0) or the matching rule.
generative::SweepResult sweepEta(const graph::Matrix& D, Eigen::Index m, const std::vector<double>& etas, double gamma, int repetitions, std::uint64_t seed) {
    generative::ModelSpec spec;
    spec.rule = gamma == 0.0 ? generative::Rule::Spatial : generative::Rule::Matching;
    spec.gamma = gamma;
    generative::SweepOptions so;
    so.parameter = "eta";
    so.values = etas;
    so.repetitions = std::max(2, repetitions);
    so.seed = seed;
    return generative::sweep(D, m, spec, so);
}
/// Q falls as η rises towards 0: the first η (linearly interpolated) where the curve crosses `level`
/// from above; NaN when it never does in the range.
double firstCrossing(const std::vector<double>& x, const std::vector<double>& y, double level) {
    for (std::size_t i = 1; i < x.size(); ++i)
        if ((y[i - 1] - level) * (y[i] - level) <= 0 && y[i - 1] != y[i])
            return x[i - 1] + (level - y[i - 1]) / (y[i] - y[i - 1]) * (x[i] - x[i - 1]);
    return std::numeric_limits<double>::quiet_NaN();
}
} // namespace

SpatialDiagram spatialDiagram(const graph::Matrix& D, Eigen::Index m, const std::vector<double>& etas, int repetitions, std::uint64_t seed) {
    if (etas.size() < 2) throw InputError("spatial phase diagram: give two or more values of eta");
    SpatialDiagram out;
    const Eigen::Index n = D.rows();
    std::vector<double> dist;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i) dist.push_back(D(i, j));
    std::nth_element(dist.begin(), dist.begin() + long(dist.size() / 2), dist.end());
    const double median = dist[dist.size() / 2];
    std::vector<double> sorted = etas;
    std::sort(sorted.begin(), sorted.end());
    for (double eta : sorted) {
        const graph::Matrix P = annealedSpatial(D, m, eta);
        SpatialPoint p;
        p.eta = eta;
        p.qStructure = graph::modularityUnd(P).q;
        std::vector<double> k(static_cast<std::size_t>(n));
        double sqrtSum = 0, sum = 0, shortMass = 0;
        for (Eigen::Index i = 0; i < n; ++i) {
            k[std::size_t(i)] = P.row(i).sum();
            sqrtSum += std::sqrt(k[std::size_t(i)]);
            sum += k[std::size_t(i)];
        }
        for (Eigen::Index j = 0; j < n; ++j)
            for (Eigen::Index i = 0; i < j; ++i)
                if (D(i, j) < median) shortMass += P(i, j);
        // Reichardt–Bornholdt's dense correction √(1 − p) (their G(n, p) form), p the density.
        p.qFluctuation = 0.97 * std::sqrt(1.0 - double(m) / (double(n) * double(n - 1) / 2)) * sqrtSum / sum;
        p.qPredicted = std::max(p.qStructure, p.qFluctuation);
        p.shortFraction = shortMass / double(m);
        p.simulatedQ = p.simulatedSd = std::numeric_limits<double>::quiet_NaN();
        out.points.push_back(p);
    }
    std::vector<double> x, yPredicted;
    for (const auto& p : out.points) {
        x.push_back(p.eta);
        yPredicted.push_back(p.qPredicted);
    }
    out.predictedHalfRise = halfRise(x, yPredicted);
    out.simulatedHalfRise = std::numeric_limits<double>::quiet_NaN();
    if (repetitions > 0) {
        const auto s = sweepEta(D, m, sorted, 0.0, repetitions, seed);
        for (std::size_t i = 0; i < s.points.size() && i < out.points.size(); ++i) {
            out.points[i].simulatedQ = s.points[i].meanQ;
            out.points[i].simulatedSd = s.points[i].sdQ;
        }
        out.simulatedHalfRise = s.halfRiseAt;
    }
    return out;
}

double etaReachingQ(const SpatialDiagram& d, double q) {
    const bool simulated = !d.points.empty() && std::isfinite(d.points.front().simulatedQ);
    std::vector<double> x, y;
    for (const auto& p : d.points) {
        x.push_back(p.eta);
        y.push_back(simulated ? p.simulatedQ : p.qPredicted);
    }
    return firstCrossing(x, y, q);
}

SpatialFiniteSize spatialFiniteSize(const std::vector<Eigen::Index>& sizes, double meanDegree, const std::vector<double>& etas, int repetitions,
                                    int layouts, std::uint64_t seed) {
    if (sizes.empty()) throw InputError("spatial finite-size: give one or more sizes (--sizes)");
    if (layouts < 1) throw InputError("spatial finite-size: --layouts must be >= 1");
    if (repetitions < 2) throw InputError("spatial finite-size: the simulation needs --repetitions >= 2");
    SpatialFiniteSize out;
    out.meanDegree = meanDegree;
    std::vector<double> ns, gaps;
    for (const Eigen::Index n : sizes) {
        const auto m = Eigen::Index(std::llround(meanDegree * double(n) / 2));
        if (n < 10 || m < 1 || double(m) >= double(n) * double(n - 1) / 2)
            throw InputError("spatial finite-size: mean degree " + std::to_string(meanDegree) + " does not fit " + std::to_string(n) +
                             " nodes (need n >= 10 and fewer edges than pairs)");
        SpatialSizePoint p;
        p.n = n;
        p.m = m;
        p.layouts = layouts;
        std::vector<double> g;
        for (int l = 0; l < layouts; ++l) {
            const std::uint64_t s = seed * 2654435761ull + std::uint64_t(n) * 40503ull + std::uint64_t(l);
            const auto r = spatialDiagram(generative::unitCubeDistances(n, 3, s), m, etas, repetitions, s);
            p.predicted += r.predictedHalfRise / layouts;
            p.simulated += r.simulatedHalfRise / layouts;
            g.push_back(std::abs(r.predictedHalfRise - r.simulatedHalfRise));
        }
        for (double x : g) p.gap += x / double(g.size());
        for (double x : g) p.sdGap += g.size() > 1 ? (x - p.gap) * (x - p.gap) / double(g.size() - 1) : 0.0;
        p.sdGap = std::sqrt(p.sdGap);
        ns.push_back(double(n));
        gaps.push_back(p.gap);
        out.points.push_back(p);
    }
    out.gapScaling = fitPowerLaw(ns, gaps);
    return out;
}

MatchingDiagram matchingDiagram(const graph::Matrix& D, Eigen::Index m, const std::vector<double>& etas, const std::vector<double>& gammas,
                                int repetitions, std::uint64_t seed, double ownQ) {
    if (etas.size() < 2) throw InputError("matching phase diagram: give two or more values of eta");
    if (gammas.empty()) throw InputError("matching phase diagram: give one or more values of gamma");
    MatchingDiagram out;
    std::vector<double> sorted = etas;
    std::sort(sorted.begin(), sorted.end());
    out.spatialPrediction = spatialDiagram(D, m, sorted, 0, seed).predictedHalfRise;
    for (double gamma : gammas) {
        const auto s = sweepEta(D, m, sorted, gamma, repetitions, seed);
        MatchingBoundary b;
        b.gamma = gamma;
        b.halfRise = s.halfRiseAt;
        b.qMin = std::numeric_limits<double>::infinity();
        b.qMax = -b.qMin;
        std::vector<double> x, q;
        for (const auto& p : s.points) {
            out.grid.push_back({gamma, p.value, p.meanQ, p.sdQ});
            b.qMin = std::min(b.qMin, p.meanQ);
            b.qMax = std::max(b.qMax, p.meanQ);
            x.push_back(p.value);
            q.push_back(p.meanQ);
        }
        b.etaAtOwnQ = firstCrossing(x, q, ownQ);
        out.boundary.push_back(b);
    }
    return out;
}

} // namespace nm::theory
