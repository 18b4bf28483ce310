#pragma once
// Mesoscale structure of a trained recurrent weight matrix, with the project's BCT-exact measures
// (core/graph) — what `ann analyze` computes for every saved epoch.
//
// Binarisation as the seRNN repository: the entries of |W| above its 90th percentile (over all
// n² entries) are edges; the directed matrix is made undirected by union (A ∨ Aᵀ), self-loops
// dropped. Its density is therefore between 10 and 20 % and is reported.
// Small-worldness σ = (C/C_null)/(L/L_null) against Maslov–Sneppen nulls of that undirected graph
// (same degrees, hence the same density). The seRNN repository's own σ — kept for comparison,
// reported as `sigma_repository` — divides by nulls drawn as (R + Rᵀ)/2 > 0.7 for uniform R,
// whose density is about 18 %, from a network of density 10 %: a density mismatch that inflates
// or deflates σ with the network's density. Modularity Q: Leiden (igraph, modularity objective)
// best of `communityRuns`, on the binary graph and on the weighted graph (|W| + |W|ᵀ)/2; the
// binary Q is compared with the Q of the same nulls (z-score and the fraction of nulls below).
#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace nm::ann {

struct MesoscaleOptions {
    double quantile = 0.9;       ///< |W| > this quantile of all entries are edges (seRNN: 0.9)
    int nulls = 100;             ///< degree-preserving nulls for σ and for Q's null distribution
    int swapsPerEdge = 10;       ///< Maslov–Sneppen swaps per edge per null
    int communityRuns = 10;      ///< Leiden runs per network (best Q kept)
    int repositoryNulls = 100;   ///< nulls of the repository's σ (it used 1000)
    std::uint64_t seed = 1;
};

struct MesoscaleMeasures {
    double density = 0;                   ///< of the undirected binary graph
    double qBinary = 0, qWeighted = 0;
    int modules = 0, modulesWeighted = 0;
    std::vector<int> module;              ///< 1-based modules of the binary graph
    double qNullMean = 0, qNullSd = 0, qZ = 0, qNullFractionBelow = 0;
    double clustering = 0, pathLength = 0, nullClustering = 0, nullPathLength = 0, sigma = 0;
    double sigmaRepository = 0, repositoryNullDensity = 0;
    double weightDistanceCorrelation = 0;  ///< Pearson r of |W(i, j)| and D(i, j), i ≠ j
    double wiringCost = 0;                ///< Σ |W| ∘ D
    double meanAbsWeight = 0;
};

/// The undirected binary graph of the seRNN analysis (see above).
Eigen::MatrixXd binarizeTop(const Eigen::MatrixXd& W, double quantile = 0.9);
MesoscaleMeasures mesoscale(const Eigen::MatrixXd& W, const Eigen::MatrixXd& D, const MesoscaleOptions& options = {});

} // namespace nm::ann
