#pragma once
// Brain-network measures with the exact definitions of the Brain Connectivity Toolbox (BCT,
// Rubinov & Sporns 2010; MATLAB version 2019-03-03), so that results match BCT (and bctpy where
// bctpy follows BCT). Matrices are n × n, row = source; undirected functions expect symmetric input.
#include <Eigen/Core>

#include <vector>

namespace nm::graph {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

// --- Preparation -----------------------------------------------------------------------------
/// BCT threshold_proportional: keeps the proportion p ∈ [0, 1] of strongest weights (of the upper
/// triangle when W is symmetric), diagonal cleared; ties broken as MATLAB's stable sort.
Matrix thresholdProportional(const Matrix& W, double p);
/// Density matching: the strongest edges such that the density is exactly d (BCT's proportion
/// counts all possible edges); throws when the network has fewer edges than that.
Matrix thresholdDensity(const Matrix& W, double d);
/// BCT threshold_absolute: weights below `threshold` become 0, diagonal cleared.
Matrix thresholdAbsolute(const Matrix& W, double threshold);
/// 1 where W ≠ 0.
Matrix binarize(const Matrix& W);
/// max(W, Wᵀ): the undirected version of a directed network (binary stays binary).
Matrix symmetrize(const Matrix& W);
/// BCT weight_conversion 'normalize': W / max|W|.
Matrix normalizeWeights(const Matrix& W);
/// Number of edges: non-zeros of the upper triangle (undirected) or off-diagonal (directed).
Eigen::Index edgeCount(const Matrix& W, bool directed);
double density(const Matrix& W, bool directed);

// --- Degree and strength ---------------------------------------------------------------------
Vector degree(const Matrix& W);          ///< undirected: non-zeros per row
Vector strength(const Matrix& W);        ///< undirected: row sums
Vector inDegree(const Matrix& W);
Vector outDegree(const Matrix& W);

// --- Clustering ------------------------------------------------------------------------------
Vector clusteringBU(const Matrix& A);    ///< clustering_coef_bu
Vector clusteringWU(const Matrix& W);    ///< clustering_coef_wu (Onnela et al. 2005; W in [0, 1])
Vector clusteringBD(const Matrix& A);    ///< clustering_coef_bd (Fagiolo 2007)
Vector clusteringWD(const Matrix& W);    ///< clustering_coef_wd (Fagiolo 2007)
double transitivityBU(const Matrix& A);  ///< transitivity_bu

// --- Paths and efficiency --------------------------------------------------------------------
/// Shortest path lengths in edges (distance_bin; BFS), ∞ when unreachable, 0 on the diagonal.
Matrix distanceBin(const Matrix& A);
/// Shortest weighted path lengths (distance_wei; Dijkstra) on a *length* matrix L (e.g. 1/W).
Matrix distanceWei(const Matrix& L);
/// Euclidean distances between the rows of an n × d coordinate matrix.
Matrix euclideanDistances(const Matrix& xyz);
/// BCT weight_conversion 'lengths': 1/W on the non-zeros.
Matrix weightsToLengths(const Matrix& W);

struct PathSummary {
    double characteristicPathLength = 0.0;  ///< mean finite-or-not off-diagonal distance (BCT default: ∞ included)
    double efficiency = 0.0;                ///< mean of 1/d off the diagonal
    Vector eccentricity;
    double radius = 0.0, diameter = 0.0;
};
/// BCT charpath(D, diagonal_dist = 0, infinite_dist = includeInfinite).
PathSummary charpath(const Matrix& D, bool includeInfinite = true);

/// Node betweenness of a binary network (Brandes 2001; ordered pairs, as BCT betweenness_bin),
/// directed or undirected.
Vector betweennessBin(const Matrix& A);
/// Node betweenness on a *length* matrix L (BCT betweenness_wei; Dijkstra, equal-length paths
/// counted by exact equality as BCT), directed or undirected.
Vector betweennessWei(const Matrix& L);

double globalEfficiencyBin(const Matrix& A);   ///< efficiency_bin(A)
Vector localEfficiencyBin(const Matrix& A);    ///< efficiency_bin(A, 1) (BCT 2016 definition)
double globalEfficiencyWei(const Matrix& W);   ///< efficiency_wei(W)
/// efficiency_wei(W, 2): BCT's weighted local efficiency (Rubinov & Sporns 2010 as modified by
/// Wang et al. 2016: cube roots of the weights and of the inverse distances among the neighbours).
Vector localEfficiencyWei(const Matrix& W);

// --- Assortativity ---------------------------------------------------------------------------
/// assortativity_bin / assortativity_wei (flag 0, undirected; Newman 2002): Pearson correlation
/// of the degrees (strengths when `weighted`) at the two ends of the edges.
double assortativity(const Matrix& W, bool weighted = false);

// --- Communities -----------------------------------------------------------------------------
struct Partition {
    std::vector<int> module;                ///< 1-based module of each node (BCT convention)
    double q = 0.0;
};
/// modularity_und: Newman's (2006) leading-eigenvector spectral method with fine-tuning, γ
/// resolution; deterministic.
Partition modularityUnd(const Matrix& A, double gamma = 1.0);
/// Modularity Q of a given partition (undirected, weighted), resolution γ.
double modularityQ(const Matrix& W, const std::vector<int>& module, double gamma = 1.0);
/// participation_coef (Guimerà & Amaral 2005), undirected.
Vector participationCoefficient(const Matrix& W, const std::vector<int>& module);
/// module_degree_zscore (Guimerà & Amaral 2005), undirected; standard deviation with n − 1 (MATLAB std).
Vector withinModuleDegreeZ(const Matrix& W, const std::vector<int>& module);

} // namespace nm::graph
