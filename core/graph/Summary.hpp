#pragma once
// One call for the standard measures of a network — what `graph metrics` prints and what the
// cross-species report tabulates. Undirected, directed and signed networks each get the BCT
// measures that are defined for them (BCT's *_bu/_wu, *_bd/_wd, and the signed community_louvain).
#include "graph/Communities.hpp"
#include "graph/Nulls.hpp"

#include <optional>
#include <string>

namespace nm::graph {

struct SummaryOptions {
    std::string communities = "leiden";  ///< leiden, louvain (igraph), spectral (modularity_und), bct (community_louvain)
    double gamma = 1.0;
    int runs = 20;
    int nulls = 0;                        ///< > 0: small-worldness σ, ω and the normalised rich club
    int nullIterations = 10;
    std::uint64_t seed = 1;
};

struct NodeMeasures {
    Vector degree, inDegree, outDegree, strength, negativeStrength, clustering, localEfficiency, betweenness, participation, withinModuleZ;
    std::vector<int> module;
    std::vector<std::string> role;        ///< Guimerà & Amaral (2005) R1–R7
};

struct NetworkSummary {
    Eigen::Index nodes = 0, edges = 0;
    double density = 0;
    bool directed = false, binary = false, isSigned = false;
    double meanDegree = 0, meanStrength = 0, meanClustering = 0, transitivity = 0, assortativity = 0;
    double characteristicPathLength = 0, globalEfficiency = 0, meanLocalEfficiency = 0, diameter = 0;  ///< local efficiency weighted for weighted networks
    double meanLocalEfficiencyBinary = 0;
    double q = 0;
    int modules = 0;
    std::string method;
    int hubs = 0, connectorHubs = 0;
    std::optional<SmallWorld> smallWorld;
    std::optional<NormalizedRichClub> richClub;
    NodeMeasures node;
};

/// Measures of W as it is (threshold / binarise / symmetrise before). Weighted measures use
/// weights normalised to [0, 1] (BCT's expectation) and lengths 1/w; not-defined measures are NaN
/// (e.g. clustering and paths of signed networks, assortativity of directed ones).
NetworkSummary summarize(const Matrix& W, const SummaryOptions& options = {});

/// Guimerà & Amaral (2005) roles from the within-module degree z and the participation P: R1
/// ultra-peripheral, R2 peripheral, R3 non-hub connector, R4 non-hub kinless (z < 2.5); R5
/// provincial hub, R6 connector hub, R7 kinless hub (z ≥ 2.5).
std::string nodeRole(double z, double participation);

} // namespace nm::graph
