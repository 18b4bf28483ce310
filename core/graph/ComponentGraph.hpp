#pragma once
// The network between the components of an atlas scale, as drawn by the app: edges from the
// bundle's correlation (or partial correlation) matrix — the k strongest positive links of each
// node (union) or all above a threshold —, node degree and strength, modules by consensus
// clustering (Communities.hpp), and a 2-D force-directed layout (Fruchterman & Reingold 1991,
// igraph_layout_fruchterman_reingold, weighted, seeded).
#include "graph/Metrics.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace nm::graph {

struct ComponentGraphOptions {
    int topK = 3;                ///< the k strongest positive links of each node (when threshold ≤ 0)
    double threshold = 0.0;      ///< > 0: every link with weight ≥ threshold instead
    int consensusRuns = 50;      ///< 0: single best-of-10 Leiden partition
    std::uint64_t seed = 1;
};

struct ComponentGraph {
    std::vector<std::pair<int, int>> edges;  ///< i < j
    std::vector<double> weights;
    Vector degree, strength;
    std::vector<int> module;                 ///< 1-based; all 1 when the graph has no edge
    double q = 0.0;
    Matrix layout;                           ///< n × 2, in [−1, 1]
};

/// `C`: symmetric k × k matrix (correlations); negative and diagonal entries are ignored.
ComponentGraph buildComponentGraph(const Matrix& C, const ComponentGraphOptions& options = {});

/// Fruchterman–Reingold layout of a weighted undirected graph (igraph), scaled into [−1, 1]².
Matrix forceLayout(const Matrix& W, std::uint64_t seed = 1);

} // namespace nm::graph
