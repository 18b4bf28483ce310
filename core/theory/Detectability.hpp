#pragma once
// The predicted and the simulated transitions side by side (issue 20). (1) Detectability of planted
// modules: planted-partition graphs swept across the Kesten–Stigum ratio λ at several sizes, the
// modules recovered by Leiden (modularity) and by the Bethe Hessian, NMI and overlap with the
// planted groups; where recovery starts (the λ at which the mean score crosses a level) against
// the prediction λ = 1, and how that gap shrinks with n. (2) Where a real network sits: its
// modularity against the random-graph predictions and sampled G(n, m) graphs, its modules against
// the resolution limit, and the symmetric planted partition fitted to its modules against the
// Kesten–Stigum bound.
#include "graph/Metrics.hpp"
#include "theory/Modularity.hpp"

#include <string>
#include <vector>

namespace nm::theory {

struct DetectabilityOptions {
    std::vector<Eigen::Index> sizes{1000, 4000};
    int q = 2;
    double meanDegree = 6.0;
    std::vector<double> ratios;          ///< λ values (default 0.4 … 2.0 by 0.1)
    int repetitions = 4;
    /// The score at which recovery counts as started; 0: 4/√n (four times a random labelling's
    /// typical overlap). A fixed level converges to where the n → ∞ overlap equals it (λ ≈ 1.03 for
    /// 0.2, q = 2, c = 6); 4/√n undershoots at these sizes, where the overlap below the bound
    /// decays more slowly than a random labelling's.
    double level = 0.2;
    bool leiden = true, spectral = true;
    std::uint64_t seed = 1;
};

struct DetectabilityPoint {
    Eigen::Index n = 0;
    double ratio = 0.0, epsilon = 0.0, cIn = 0.0, cOut = 0.0;
    double nmiLeiden = 0.0, sdNmiLeiden = 0.0, qLeiden = 0.0, modulesLeiden = 0.0;
    double nmiSpectral = 0.0, overlapSpectral = 0.0, sdOverlapSpectral = 0.0;
    /// Fraction of the graphs whose Bethe Hessian has q negative eigenvalues (q detectable groups):
    /// a step at λ = 1 that sharpens as n grows.
    double informative = 0.0;
};

struct DetectabilityOnset {
    Eigen::Index n = 0;
    std::string method;                  ///< "leiden (NMI)", "bethe hessian (overlap)", "bethe hessian (negative eigenvalues)" (½ of the graphs), "bethe hessian (90 % informative)"
    double ratio = 0.0;                  ///< λ where the mean score first crosses the level (NaN: never)
    double level = 0.0;
};

/// The simulated transition at one size against the prediction λ = 1: the λ from which 90 % of the
/// graphs have q negative Bethe Hessian eigenvalues (q detectable groups). Above the bound that
/// fraction tends to 1 as n grows, so this locator converges to λ = 1 from above; its gap is the
/// tolerance at that n. (The ½ crossing does not: spurious bulk eigenvalues make a minority of
/// graphs look informative below the bound, more of them at larger n.)
struct FiniteSizeGap {
    Eigen::Index n = 0;
    double simulated = 0.0, gap = 0.0;   ///< gap = simulated − 1 (NaN: never reached in the range)
};

struct DetectabilityResult {
    DetectabilityOptions options;
    std::vector<DetectabilityPoint> points;
    std::vector<DetectabilityOnset> onsets;
    std::vector<FiniteSizeGap> finiteSize;  ///< per size (with the Bethe Hessian)
    PowerLaw gapScaling;                     ///< of finiteSize's gaps
    double predicted = 1.0;              ///< λ at the Kesten–Stigum bound
    double seconds = 0.0;
};

DetectabilityResult detectabilitySweep(const DetectabilityOptions& options);

/// Where a network sits (binary, undirected; weights are ignored, any non-zero is an edge).
struct NetworkTheory {
    Eigen::Index n = 0, m = 0;
    double density = 0.0, meanDegree = 0.0;
    double q = 0.0;                      ///< Leiden, best of 20
    int modules = 0;
    double qGuimera = 0.0, qReichardtBornholdt = 0.0, qConfiguration = 0.0;  ///< predictions for its n, p / degrees
    double qRandomMean = 0.0, qRandomSd = 0.0;  ///< Leiden on sampled G(n, m)
    double zRandom = 0.0;
    double resolutionLimit = 0.0;        ///< √(2m): total degree below which two modules joined by one edge merge
    int modulesBelowLimit = 0;           ///< of its modules, those with total degree < √(2m)
    double fittedCIn = 0.0, fittedCOut = 0.0, ksRatio = 0.0;  ///< symmetric planted partition with q = modules
    double epsilon = 0.0, epsilonAtBound = 0.0;
};
NetworkTheory analyseNetwork(const graph::Matrix& W, int randomGraphs = 20, std::uint64_t seed = 1);

} // namespace nm::theory
