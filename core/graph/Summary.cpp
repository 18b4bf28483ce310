#include "graph/Summary.hpp"

#include "common/Error.hpp"

#include <algorithm>
#include <cmath>

namespace nm::graph {

std::string nodeRole(double z, double p) {
    if (!std::isfinite(z) || !std::isfinite(p)) return "";
    if (z < 2.5) return p <= 0.05 ? "R1 ultra-peripheral" : p <= 0.62 ? "R2 peripheral" : p <= 0.80 ? "R3 non-hub connector" : "R4 non-hub kinless";
    return p <= 0.30 ? "R5 provincial hub" : p <= 0.75 ? "R6 connector hub" : "R7 kinless hub";
}

NetworkSummary summarize(const Matrix& Win, const SummaryOptions& o) {
    if (Win.rows() != Win.cols() || Win.rows() < 2) throw InputError("graph measures: expected a square matrix of at least 2 nodes");
    if (!Win.allFinite()) throw InputError("graph measures: the network has non-finite weights");
    Matrix W = Win;
    W.diagonal().setZero();
    const double nan = std::nan("");
    NetworkSummary s;
    const auto n = W.rows();
    s.nodes = n;
    s.directed = (W - W.transpose()).cwiseAbs().maxCoeff() > 1e-12;
    s.binary = ((W.array() == 0.0) || (W.array() == 1.0)).all();
    s.isSigned = (W.array() < 0).any();
    s.edges = edgeCount(W, s.directed);
    s.density = density(W, s.directed);
    auto& nm = s.node;
    const Matrix Wpos = W.cwiseMax(0.0);
    const Matrix A = binarize(W);
    nm.degree = s.directed ? Vector(inDegree(A) + outDegree(A)) : degree(A);
    nm.inDegree = inDegree(A);
    nm.outDegree = outDegree(A);
    nm.strength = strength(Wpos);
    nm.negativeStrength = strength((-W).cwiseMax(0.0));
    s.meanDegree = nm.degree.mean();
    s.meanStrength = nm.strength.mean();
    const Vector nanv = Vector::Constant(n, nan);
    if (s.isSigned) {
        nm.clustering = nm.localEfficiency = nm.betweenness = nanv;
        s.meanClustering = s.transitivity = s.assortativity = s.characteristicPathLength = s.globalEfficiency = s.meanLocalEfficiency = s.diameter = nan;
        s.meanLocalEfficiencyBinary = nan;
    } else {
        const Matrix Wn = normalizeWeights(W);
        if (s.directed) nm.clustering = s.binary ? clusteringBD(A) : clusteringWD(Wn);
        else nm.clustering = s.binary ? clusteringBU(A) : clusteringWU(Wn);
        s.meanClustering = nm.clustering.mean();
        s.transitivity = s.directed ? nan : transitivityBU(A);
        s.assortativity = s.directed ? nan : assortativity(W, !s.binary);
        const Matrix L = weightsToLengths(Wn);
        const auto paths = charpath(s.binary ? distanceBin(A) : distanceWei(L));
        s.characteristicPathLength = paths.characteristicPathLength;
        s.diameter = paths.diameter;
        s.globalEfficiency = s.binary ? globalEfficiencyBin(A) : globalEfficiencyWei(Wn);
        const Vector localBin = localEfficiencyBin(A);
        nm.localEfficiency = s.binary ? localBin : localEfficiencyWei(Wn);
        s.meanLocalEfficiency = nm.localEfficiency.mean();
        s.meanLocalEfficiencyBinary = localBin.mean();
        nm.betweenness = s.binary ? betweennessBin(A) : betweennessWei(L);
    }
    // Communities: igraph for undirected non-negative networks, BCT's community_louvain otherwise.
    Partition part;
    std::string method = o.communities;
    if (s.isSigned || s.directed) method = "bct";
    if (method == "spectral") {
        part = modularityUnd(W, o.gamma);
        s.method = "spectral (BCT modularity_und)";
    } else if (method == "bct") {
        const auto type = s.isSigned ? SignedObjective::NegativeAsym : SignedObjective::Modularity;
        part = communityLouvainBest(W, o.gamma, type, o.runs, o.seed);
        s.method = std::string("BCT community_louvain (") + (s.isSigned ? "negative_asym" : s.directed ? "directed modularity" : "modularity") + ", best of " +
                   std::to_string(o.runs) + ")";
    } else if (method == "leiden" || method == "louvain") {
        CommunityOptions copt;
        copt.method = method == "louvain" ? CommunityMethod::Louvain : CommunityMethod::Leiden;
        copt.gamma = o.gamma;
        copt.runs = o.runs;
        copt.seed = o.seed;
        part = communities(W, copt);
        s.method = method + " (igraph, best of " + std::to_string(o.runs) + ")";
    } else {
        throw InputError("graph measures: unknown community method '" + o.communities + "' (expected leiden, louvain, spectral or bct)");
    }
    s.q = part.q;
    nm.module = part.module;
    s.modules = *std::max_element(part.module.begin(), part.module.end());
    nm.participation = participationCoefficient(Wpos, part.module);
    nm.withinModuleZ = withinModuleDegreeZ(Wpos, part.module);
    for (Eigen::Index i = 0; i < n; ++i) {
        nm.role.push_back(nodeRole(nm.withinModuleZ[i], nm.participation[i]));
        s.hubs += nm.withinModuleZ[i] >= 2.5;
        s.connectorHubs += nm.withinModuleZ[i] >= 2.5 && nm.participation[i] > 0.30;
    }
    if (o.nulls > 0 && !s.isSigned) {
        const Matrix U = symmetrize(A);
        s.smallWorld = smallWorld(U, o.nulls, o.nullIterations, o.seed);
        s.richClub = normalizedRichClubBU(U, o.nulls, o.nullIterations, o.seed);
    }
    return s;
}

} // namespace nm::graph
