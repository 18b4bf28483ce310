#pragma once
// An annealed (mean-field) approximation of the spatial generative rule (issue 20): the GNM
// spatial rule adds m edges one at a time, each chosen among the absent pairs with probability
// ∝ d_uv^η — successive sampling without replacement. Its inclusion probabilities are close to
// π_uv = 1 − exp(−w_uv t) with w = d^η and t solving Σ π_uv = m (Rosén 1997, "On sampling with
// probability proportional to size"; the Poisson approximation of successive sampling). The
// expected network π then predicts, as a function of η and the density, (1) the fraction of
// short edges, exactly in this approximation, and (2) the modularity: that of π itself (the
// structure the wiring rule imposes, Q_π), with the floor that fluctuations give any sparse graph
// of π's degrees (Reichardt & Bornholdt: 0.97 √(1 − p) ⟨√k⟩/⟨k⟩) — the larger of the two. Checked against
// the simulated sweep of core/generative on the same coordinates.
#include "graph/Metrics.hpp"
#include "theory/Modularity.hpp"

#include <cstdint>
#include <vector>

namespace nm::theory {

/// π (n × n, zero diagonal) of m edges grown by the spatial rule with exponent η on distances D.
graph::Matrix annealedSpatial(const graph::Matrix& D, Eigen::Index m, double eta);

struct SpatialPoint {
    double eta = 0.0;
    double qStructure = 0.0;       ///< Q of π (Newman's spectral method, as the simulated sweep)
    double qFluctuation = 0.0;     ///< 0.97 √(1 − density) ⟨√k⟩/⟨k⟩ of π's expected degrees
    double qPredicted = 0.0;       ///< max of the two
    double shortFraction = 0.0;    ///< expected fraction of edges shorter than the median distance
    double simulatedQ = 0.0, simulatedSd = 0.0;  ///< core/generative's sweep (NaN when not simulated)
};

struct SpatialDiagram {
    std::vector<SpatialPoint> points;
    double predictedHalfRise = 0.0, simulatedHalfRise = 0.0;  ///< η where Q crosses halfway between its extremes
};

/// Predictions along η (and the simulation with `repetitions` networks per η when > 0).
SpatialDiagram spatialDiagram(const graph::Matrix& D, Eigen::Index m, const std::vector<double>& etas, int repetitions, std::uint64_t seed);

/// The η at which the rule's Q falls to q along η (simulated when the diagram was simulated, else
/// predicted): where a network of modularity q sits on the diagram. NaN when outside the range.
double etaReachingQ(const SpatialDiagram& diagram, double q);

/// Finite-size behaviour of the annealed prediction: nodes uniform in the unit cube at a fixed mean
/// degree (m = k̄ n / 2), `layouts` node layouts per size; per layout the predicted and the
/// simulated half-rise, and per size their mean and the mean |predicted − simulated| — the
/// tolerance at that n — with its power law in n. The prediction's error has two sources that
/// both fall with n at fixed k̄: the fluctuation floor is a large-n, sparse estimate, and the
/// annealed π ignores the correlations of growing one edge at a time.
struct SpatialSizePoint {
    Eigen::Index n = 0, m = 0;
    double predicted = 0.0, simulated = 0.0;  ///< mean half-rise over the layouts
    double gap = 0.0, sdGap = 0.0;            ///< mean |predicted − simulated| over the layouts, its sd
    int layouts = 0;
};
struct SpatialFiniteSize {
    double meanDegree = 0.0;
    std::vector<SpatialSizePoint> points;
    PowerLaw gapScaling;
};
SpatialFiniteSize spatialFiniteSize(const std::vector<Eigen::Index>& sizes, double meanDegree, const std::vector<double>& etas, int repetitions,
                                    int layouts, std::uint64_t seed);

/// The matching rule (P ∝ d^η · K^γ, K the matching index) has no closed form; its phase diagram
/// in (η, γ) is simulated with core/generative's sweep along η for each γ. Its analytical limits:
/// γ = 0 is the spatial rule (the annealed prediction above); η = 0 is homophily alone.
struct MatchingPoint {
    double gamma = 0.0, eta = 0.0, meanQ = 0.0, sdQ = 0.0;
};
struct MatchingBoundary {
    double gamma = 0.0;
    double halfRise = 0.0;      ///< η where Q crosses halfway between its extremes along η
    double qMin = 0.0, qMax = 0.0;
    double etaAtOwnQ = 0.0;     ///< η where Q equals the network's own Q (NaN: outside the range)
};
struct MatchingDiagram {
    std::vector<MatchingPoint> grid;
    std::vector<MatchingBoundary> boundary;
    double spatialPrediction = 0.0;  ///< the annealed spatial rule's half-rise (the γ = 0 limit)
};
MatchingDiagram matchingDiagram(const graph::Matrix& D, Eigen::Index m, const std::vector<double>& etas, const std::vector<double>& gammas,
                                int repetitions, std::uint64_t seed, double ownQ);

} // namespace nm::theory
