#pragma once
// Generative network models as BCT's generative_model / evaluate_generative_model (Betzel et al.
// 2016, NeuroImage; Vértes et al. 2012): starting from a seed network, edges are added one at a
// time between unconnected pairs (u, v) with probability ∝ F_d(D_uv) · F_k(K_uv), where
// F(x) = x^p (power law) or exp(p x) (exponential), p = η for the distance term and γ for the
// topology term K of the rule. After each edge, K is updated exactly and incrementally for the
// pairs whose value changed (BCT MATLAB semantics; bctpy's port misses some of these updates).
// Sampling uses a sum tree over the n(n−1)/2 pair weights: O(log n) per draw and per update.
#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace nm::generative {

using Matrix = Eigen::MatrixXd;

enum class Rule {
    Spatial,     ///< sptl: distance only
    Neighbors,   ///< number of common neighbours
    Matching,    ///< matching index (normalised overlap of neighbourhoods)
    ClusteringAvg, ClusteringMin, ClusteringMax, ClusteringDiff, ClusteringProd,
    DegreeAvg, DegreeMin, DegreeMax, DegreeDiff, DegreeProd
};
enum class Form { PowerLaw, Exponential };

/// BCT names: sptl, neighbors, matching, clu-avg, clu-min, clu-max, clu-diff, clu-prod, deg-avg, …
Rule ruleFromName(const std::string& name);
std::string ruleName(Rule rule);
std::vector<Rule> allRules();

struct ModelSpec {
    Rule rule = Rule::Matching;
    Form distanceForm = Form::PowerLaw, topologyForm = Form::PowerLaw;
    double eta = -2.0, gamma = 0.3;
    double epsilon = 1e-5;   ///< BCT's ε added to K so that zero topology still allows edges
};

/// Grows a network of `edges` undirected edges from `seed` (n × n binary, may be empty) with
/// distances `D` (n × n). Returns the binary adjacency matrix. Deterministic for `rngSeed`.
Matrix generate(const Matrix& seed, const Matrix& D, Eigen::Index edges, const ModelSpec& spec, std::uint64_t rngSeed);

/// The target's statistics, computed once: degree, clustering, betweenness, edge lengths.
struct TargetStatistics {
    std::vector<double> degree, clustering, betweenness, edgeLength;
};
TargetStatistics targetStatistics(const Matrix& A, const Matrix& D);

/// Two-sample Kolmogorov–Smirnov statistic (max |F1 − F2|), as BCT's fcn_ks.
double ksStatistic(std::vector<double> a, std::vector<double> b);

struct Energy {
    double degree = 0, clustering = 0, betweenness = 0, edgeLength = 0;
    [[nodiscard]] double max() const;  ///< BCT's energy: the largest of the four
};
Energy energy(const TargetStatistics& target, const Matrix& synthetic, const Matrix& D);

} // namespace nm::generative
