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
    double steepestRiseAt = 0.0;        ///< midpoint of the largest increase of mean Q
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

} // namespace nm::generative
