#include "generative/PhaseTransition.hpp"

#include "common/Error.hpp"
#include "graph/Metrics.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace nm::generative {

SweepResult sweep(const Matrix& D, Eigen::Index edges, const ModelSpec& base, const SweepOptions& o, const TargetStatistics* target) {
    if (o.parameter != "eta" && o.parameter != "gamma" && o.parameter != "density")
        throw InputError("phase sweep: parameter must be eta, gamma or density, got '" + o.parameter + "'");
    if (o.values.empty()) throw InputError("phase sweep: no values to sweep");
    if (o.repetitions < 2) throw InputError("phase sweep: at least 2 repetitions are needed for the susceptibility");
    const Eigen::Index n = D.rows();
    const std::size_t V = o.values.size(), R = std::size_t(o.repetitions);
    std::vector<double> q(V * R), modules(V * R), energies(V * R, std::nan(""));
    std::string failure;
#pragma omp parallel for schedule(dynamic) collapse(2)
    for (std::size_t v = 0; v < V; ++v)
        for (std::size_t r = 0; r < R; ++r) {
            try {
                ModelSpec s = base;
                Eigen::Index m = edges;
                if (o.parameter == "eta") s.eta = o.values[v];
                if (o.parameter == "gamma") s.gamma = o.values[v];
                if (o.parameter == "density") m = std::max<Eigen::Index>(1, Eigen::Index(std::llround(o.values[v] * double(n * (n - 1) / 2))));
                // Seeds from the value, so a value gets the same networks in any sweep order.
                const Matrix A = generate(Matrix::Zero(n, n), D, m, s, o.seed * 1000003ull + std::uint64_t(std::llround(o.values[v] * 1e6)) * 7919ull + r);
                const auto p = graph::modularityUnd(A);
                q[v * R + r] = p.q;
                modules[v * R + r] = *std::max_element(p.module.begin(), p.module.end());
                if (target) energies[v * R + r] = energy(*target, A, D).max();
            } catch (const std::exception& e) {
#pragma omp critical
                failure = e.what();
            }
        }
    if (!failure.empty()) throw InputError("phase sweep: " + failure);
    SweepResult out;
    out.parameter = o.parameter;
    double bestChi = -1, bestRise = -1e300;
    for (std::size_t v = 0; v < V; ++v) {
        SweepPoint p;
        p.value = o.values[v];
        double sq = 0, sm = 0, se = 0;
        for (std::size_t r = 0; r < R; ++r) sq += q[v * R + r], sm += modules[v * R + r], se += energies[v * R + r];
        p.meanQ = sq / double(R);
        p.meanModules = sm / double(R);
        p.meanEnergy = se / double(R);
        double var = 0;
        for (std::size_t r = 0; r < R; ++r) var += (q[v * R + r] - p.meanQ) * (q[v * R + r] - p.meanQ);
        var /= double(R - 1);
        p.sdQ = std::sqrt(var);
        p.susceptibility = double(n) * var;
        if (p.susceptibility > bestChi) bestChi = p.susceptibility, out.peakSusceptibilityAt = p.value;
        if (v > 0 && p.value != out.points.back().value) {
            // The steepest change of Q per unit of the control parameter, in whichever direction
            // the sweep runs (Q falls as η rises towards random wiring).
            const double slope = std::abs((p.meanQ - out.points.back().meanQ) / (p.value - out.points.back().value));
            if (slope > bestRise) bestRise = slope, out.steepestRiseAt = (p.value + out.points.back().value) / 2;
        }
        out.points.push_back(p);
    }
    // Half-rise point: between the values of the lowest and the highest mean Q, the first crossing
    // of their midpoint.
    std::size_t lo = 0, hi = 0;
    for (std::size_t v = 0; v < V; ++v) {
        if (out.points[v].meanQ < out.points[lo].meanQ) lo = v;
        if (out.points[v].meanQ > out.points[hi].meanQ) hi = v;
    }
    const double mid = (out.points[lo].meanQ + out.points[hi].meanQ) / 2;
    out.halfRiseAt = out.points[hi].value;
    const int dir = hi > lo ? 1 : -1;
    for (std::size_t v = lo; v != hi; v = std::size_t(int(v) + dir)) {
        const auto& a = out.points[v];
        const auto& b = out.points[std::size_t(int(v) + dir)];
        if ((a.meanQ - mid) * (b.meanQ - mid) <= 0 && a.meanQ != b.meanQ) {
            out.halfRiseAt = a.value + (mid - a.meanQ) / (b.meanQ - a.meanQ) * (b.value - a.value);
            out.slopeAtHalfRise = b.value != a.value ? std::abs((b.meanQ - a.meanQ) / (b.value - a.value)) : 0.0;
            break;
        }
    }
    return out;
}

std::vector<FiniteSizeResult> finiteSizeSweep(const FiniteSizeOptions& f, const ModelSpec& base, const SweepOptions& o) {
    if (f.sizes.empty()) throw InputError("finite-size sweep: no network sizes given");
    if (f.dims != 2 && f.dims != 3) throw InputError("finite-size sweep: nodes live in 2 or 3 dimensions");
    std::vector<FiniteSizeResult> out;
    for (const auto n : f.sizes) {
        if (n < 4) throw InputError("finite-size sweep: network size " + std::to_string(n) + " is too small (>= 4)");
        const auto edges = Eigen::Index(std::llround(f.meanDegree * double(n) / 2.0));
        if (edges < 1 || edges > n * (n - 1) / 2)
            throw InputError("finite-size sweep: mean degree " + std::to_string(f.meanDegree) + " does not fit " + std::to_string(n) + " nodes");
        out.push_back({n, sweep(unitCubeDistances(n, f.dims, o.seed * 6364136223846793005ull + std::uint64_t(n)), edges, base, o)});
    }
    return out;
}

Matrix unitCubeDistances(Eigen::Index n, int dims, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Matrix xyz(n, dims);
    for (Eigen::Index i = 0; i < n; ++i)
        for (int d = 0; d < dims; ++d) xyz(i, d) = u(rng);
    return graph::euclideanDistances(xyz);
}

} // namespace nm::generative
