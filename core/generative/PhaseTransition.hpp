#pragma once
// Phase transitions of modularity in generative network models: a control parameter (η, γ or
// the density) is swept with repetitions; the order parameter is the modularity Q of the grown
// networks (Newman's spectral method, graph/Metrics.hpp) with the number of modules, and the
// susceptibility χ = n · Var(Q) across repetitions (the finite-size scaling convention of
// statistical physics). The transition is located where χ peaks and where Q rises fastest.
#include "generative/GenerativeModel.hpp"

#include <string>
#include <vector>

namespace nm::generative {

struct SweepPoint {
    double value = 0.0;
    double meanQ = 0.0, sdQ = 0.0, meanModules = 0.0, susceptibility = 0.0;
    double meanEnergy = 0.0;    ///< against the target (NaN without one)
};

struct SweepResult {
    std::string parameter;
    std::vector<SweepPoint> points;
    double peakSusceptibilityAt = 0.0;  ///< control value of the largest χ
    double steepestRiseAt = 0.0;        ///< midpoint of the steepest change of mean Q (|ΔQ / Δvalue|, either direction)
    double halfRiseAt = 0.0;            ///< where mean Q crosses halfway between its minimum and maximum (linear interpolation; the most robust locator)
    double slopeAtHalfRise = 0.0;       ///< |dQ / dvalue| there: grows with n when the crossover sharpens into a transition
};

struct SweepOptions {
    std::string parameter = "gamma";    ///< eta, gamma or density
    std::vector<double> values;
    int repetitions = 10;
    std::uint64_t seed = 1;
};

/// Grows `repetitions` networks per value with `base` (the swept parameter replaced), `edges`
/// edges (or density × n(n−1)/2 when sweeping the density) on distances D; parallel over runs.
SweepResult sweep(const Matrix& D, Eigen::Index edges, const ModelSpec& base, const SweepOptions& options,
                  const TargetStatistics* target = nullptr);

/// Finite-size behaviour: the same sweep on networks of several sizes n, nodes placed uniformly at
/// random in the unit cube (or square, dims = 2; seeded per n), with a fixed mean degree (edges
/// = k̄ n / 2) so that only the size changes. A sharpening χ peak that grows with n and a
/// transition point that converges mark a phase transition rather than a crossover.
struct FiniteSizeOptions {
    std::vector<Eigen::Index> sizes;
    double meanDegree = 10.0;
    int dims = 3;
};
struct FiniteSizeResult {
    Eigen::Index n = 0;
    SweepResult sweep;
};
std::vector<FiniteSizeResult> finiteSizeSweep(const FiniteSizeOptions& sizes, const ModelSpec& base, const SweepOptions& options);

/// Euclidean distances between n points drawn uniformly in the unit cube (dims = 3) or square
/// (dims = 2), seeded: the node layout of the finite-size sweeps.
Matrix unitCubeDistances(Eigen::Index n, int dims, std::uint64_t seed);

} // namespace nm::generative
