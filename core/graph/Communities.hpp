#pragma once
// Community detection by modularity maximisation with igraph (Debian libigraph): Louvain
// (Blondel et al. 2008, igraph_community_multilevel) and Leiden (Traag, Waltman & van Eck 2019,
// igraph_community_leiden with the modularity objective: node weights = strengths, resolution
// γ / 2m — not CPM), best of several seeded runs; and a multiresolution sweep.
#include "graph/Metrics.hpp"

#include <cstdint>
#include <string>

namespace nm::graph {

enum class CommunityMethod { Louvain, Leiden };

struct CommunityOptions {
    CommunityMethod method = CommunityMethod::Leiden;
    double gamma = 1.0;     ///< resolution
    int runs = 20;          ///< best Q of this many seeded runs
    std::uint64_t seed = 1;
};

/// Undirected, non-negative weights. Modules are 1-based; Q is recomputed with modularityQ.
Partition communities(const Matrix& W, const CommunityOptions& options = {});
/// The same on an unweighted sparse graph of n nodes given by its edges (each once, no loops):
/// for graphs too large for a dense matrix (core/theory's planted partitions).
Partition communities(Eigen::Index n, const std::vector<std::pair<Eigen::Index, Eigen::Index>>& edges, const CommunityOptions& options = {});
/// Newman's Q of a partition of an unweighted edge list: Σ_c [L_c / m − γ (d_c / 2m)²].
double modularityOfEdges(Eigen::Index n, const std::vector<std::pair<Eigen::Index, Eigen::Index>>& edges, const std::vector<int>& module,
                         double gamma = 1.0);

/// Agreement matrix: fraction of the partitions that put i and j in the same module.
Matrix agreement(const std::vector<std::vector<int>>& partitions);

struct Consensus {
    Partition partition;
    double threshold = 0.0;      ///< agreement below it is dropped
    int iterations = 0;          ///< rounds of consensus_und until the partitions agreed
};
/// Consensus clustering (Lancichinetti & Fortunato 2012) as netneurotools' find_consensus: `runs`
/// partitions (options' method and γ, one seed each), their agreement thresholded at the mean
/// agreement of label-permuted partitions (the null), then BCT's consensus_und loop (Louvain on the
/// thresholded agreement, `reps` times, until all partitions agree). Q is of the original network.
Consensus consensusPartition(const Matrix& W, const CommunityOptions& options, int runs = 100, int reps = 10);

/// Normalised mutual information of two partitions (Danon et al. 2005): 2 I(X;Y) / (H(X) + H(Y)),
/// 1 for identical partitions (up to labels); 1 when both are a single module.
double normalizedMutualInformation(const std::vector<int>& a, const std::vector<int>& b);

struct ResolutionPoint {
    double gamma = 1.0;
    Partition best;                  ///< best Q of the runs
    double meanQ = 0, meanModules = 0;
    double stability = 0;            ///< mean pairwise NMI between the runs' partitions
};
/// Multiresolution sweep: `options.runs` seeded runs of the options' method at each γ; plateaus
/// of the module count with high stability mark the resolutions where structure is robust.
std::vector<ResolutionPoint> multiresolution(const Matrix& W, const std::vector<double>& gammas, const CommunityOptions& options);

// --- BCT community_louvain, with signed objectives ----------------------------------------------
/// Objectives of BCT's community_louvain: Newman's modularity, or for signed networks the
/// symmetric (negative_sym: Q = Q⁺ weighted by s⁺/(s⁺+s⁻) − Q⁻ weighted by s⁻/(s⁺+s⁻)) and the
/// asymmetric (negative_asym: Q* = Q⁺ − s⁻/(s⁺+s⁻) Q⁻; Rubinov & Sporns 2011) variants.
enum class SignedObjective { Modularity, NegativeSym, NegativeAsym };
SignedObjective signedObjectiveFromName(const std::string& name);  ///< modularity, negative_sym, negative_asym

/// BCT community_louvain (Blondel et al. 2008 with BCT's move rule and aggregation; Rubinov &
/// Sporns 2011 for the signed objectives): random node order from `seed`; Q of the objective.
Partition communityLouvain(const Matrix& W, double gamma, SignedObjective type, std::uint64_t seed);
/// The best of `runs` seeded runs (in parallel).
Partition communityLouvainBest(const Matrix& W, double gamma, SignedObjective type, int runs, std::uint64_t seed);
/// The objective's Q of a given partition (1-based or any labels).
double modularityQSigned(const Matrix& W, const std::vector<int>& module, double gamma, SignedObjective type);

} // namespace nm::graph

