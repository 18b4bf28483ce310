#pragma once
// The cross-species report: for each connectome, the standard measures (graph/Summary.hpp), the
// consensus partition, comparisons with degree-preserving nulls (clustering, path length, Q,
// small-worldness σ and ω, rich club), and — when nodes have positions — the best generative
// rule and its energy. One row per network, so that worm, cat, macaque and human can be read side
// by side (as in the comparative studies of van den Heuvel et al. 2016, Betzel et al. 2016).
#include "generative/Fit.hpp"
#include "graph/Summary.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::generative {

struct ReportOptions {
    std::optional<double> density;       ///< threshold every network to this density (strongest edges)
    int nulls = 20;                      ///< degree-preserving nulls per network
    int nullIterations = 10;
    int communityRuns = 20;              ///< Leiden runs (best Q; also per null)
    int consensusRuns = 100;
    std::vector<Rule> rules = allRules();
    std::vector<double> etas, gammas;    ///< grid of the generative fit (default: −4…0 × −1…2)
    int repetitions = 2;
    std::uint64_t seed = 1;
    std::function<void(const std::string& stage)> progress;
};

struct RuleFit {
    Rule rule = Rule::Spatial;
    double energy = 0, eta = 0, gamma = 0;
};

struct NetworkReport {
    std::string name;
    graph::NetworkSummary summary;        ///< of the binary undirected network
    double consensusQ = 0;
    int consensusModules = 0;
    double nullQ = 0, nullQSd = 0, qZ = 0;  ///< Leiden Q of the nulls and the network's z-score
    double maxNormalizedRichClub = 0;
    int richClubK = 0;                    ///< degree of that maximum
    bool hasCoordinates = false;
    std::vector<RuleFit> fits;            ///< best point per rule (empty without coordinates)
    std::optional<RuleFit> best;
};

/// `A`: the network as read (weights, any direction) — symmetrised, density-matched if asked,
/// binarised here; `coordinates`: n × 2|3 or empty.
NetworkReport reportNetwork(const std::string& name, const Matrix& W, const Matrix& coordinates, const ReportOptions& options);

/// The figure: one panel per comparison (C/C_null, L/L_null, σ, ω, Q with the nulls' Q, best
/// generative energy), a bar per network. A vector SVG written by hand: no Debian C++ plotting
/// library draws simple grouped bars without a display; VTK's charts need one, and SVG is what
/// journals and vector editors take.
void writeReportSvg(const std::filesystem::path& file, const std::vector<NetworkReport>& reports, const std::string& title);

} // namespace nm::generative
