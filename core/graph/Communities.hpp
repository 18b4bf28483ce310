#pragma once
// Community detection by modularity maximisation with igraph (Debian libigraph): Louvain
// (Blondel et al. 2008, igraph_community_multilevel) and Leiden (Traag, Waltman & van Eck 2019,
// igraph_community_leiden with the modularity objective: node weights = strengths, resolution
// γ / 2m — not CPM), best of several seeded runs; and a multiresolution sweep.
#include "graph/Metrics.hpp"

#include <cstdint>

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

} // namespace nm::graph
