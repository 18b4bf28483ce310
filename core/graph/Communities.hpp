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

} // namespace nm::graph
