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
/// `terms`: optional precomputed distance terms (distanceTerms(D, spec)) — many networks with the
/// same η share them (the terms cost about as much as a sparse network's growth).
Matrix generate(const Matrix& seed, const Matrix& D, Eigen::Index edges, const ModelSpec& spec, std::uint64_t rngSeed,
                const std::vector<double>* terms = nullptr);
/// F_d(D_uv) for the pairs u < v in the model's order (by v, then u).
std::vector<double> distanceTerms(const Matrix& D, const ModelSpec& spec);

// --- Development -----------------------------------------------------------------------------
/// Growth in which nodes appear over time and wire under a rule (Varier & Kaiser 2011; Nicosia et
/// al. 2013 for C. elegans): nodes enter at their birth times (a stage per distinct time); at each
/// stage edges are added among the nodes present until there are as many as the adult network has
/// among them. Heterochronicity: η and γ change linearly from `early` (first birth) to `late`
/// (last birth) values; rule and forms come from `early`.
struct DevelopmentOptions {
    ModelSpec early, late;
    int records = 40;  ///< stages at which modularity is recorded (0: none — only the network)
};
struct DevelopmentStage {
    double time = 0;
    Eigen::Index nodes = 0, edges = 0;
    double q = 0, adultQ = 0;  ///< spectral modularity of the grown / adult network among the born nodes
    int modules = 0, adultModules = 0;
};
struct Development {
    Matrix network;                           ///< the grown network (binary)
    std::vector<DevelopmentStage> trajectory; ///< recorded stages
    std::size_t stages = 0;
};
/// `birth`: one finite time per node; `adult`: the network whose edge counts the growth follows.
Development develop(const Matrix& D, const Eigen::VectorXd& birth, const Matrix& adult, const DevelopmentOptions& options, std::uint64_t rngSeed);

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
