// neuromosaic-cli graph metrics: BCT-exact brain-network measures of a connectome file.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "graph/Communities.hpp"
#include "graph/Metrics.hpp"
#include "io/Connectome.hpp"
#include "io/Table.hpp"

#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>

namespace nm::cli {

namespace {
struct GraphCliOptions {
    std::string network, coords, names, out, nodes;
    std::optional<double> proportional, absolute;
    bool symmetrize = false, binarize = false, keepSelfLoops = false;
    double gamma = 1.0;
    std::string method = "leiden";
    int runs = 20;
};

std::string fmt(double v) {
    std::ostringstream s;
    s << std::setprecision(8) << v;
    return s.str();
}
} // namespace

Command makeGraphCommand(CLI::App& root, const GlobalOptions& options) {
    auto* graph = root.add_subcommand("graph", "Brain-network science on connectomes (BCT definitions)");
    graph->require_subcommand(1);
    auto* app = graph->add_subcommand("metrics", "Degree, clustering, paths, efficiency, modularity, node roles of one network");
    auto o = std::make_shared<GraphCliOptions>();
    app->add_option("network", o->network, "Connectome: .csv/.tsv/.txt matrix, .npy, TVB .zip, or .edges list")->required()->check(CLI::ExistingFile);
    app->add_option("--coords", o->coords, "Node coordinates (n rows of 2 or 3 numbers)")->check(CLI::ExistingFile);
    app->add_option("--names", o->names, "Node names (one per line)")->check(CLI::ExistingFile);
    app->add_flag("--symmetrize", o->symmetrize, "Undirected version: max(W, Wᵀ)");
    app->add_flag("--binarize", o->binarize, "Binary version: 1 where W ≠ 0");
    auto* prop = app->add_option("--proportional", o->proportional, "Keep this proportion of strongest weights (BCT threshold_proportional)")
                     ->check(CLI::Range(0.0, 1.0));
    app->add_option("--absolute", o->absolute, "Remove weights below this value (BCT threshold_absolute)")->excludes(prop);
    app->add_option("--gamma", o->gamma, "Modularity resolution γ")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--communities", o->method, "Modularity maximisation: leiden, louvain (igraph, best of --runs) or spectral (BCT modularity_und)")
        ->check(CLI::IsMember({"leiden", "louvain", "spectral"}))
        ->capture_default_str();
    app->add_option("--runs", o->runs, "Runs of Leiden/Louvain (the best Q is kept)")->check(CLI::Range(1, 100000))->capture_default_str();
    app->add_flag("--keep-self-loops", o->keepSelfLoops, "Keep the diagonal (default: set to 0)");
    app->add_option("-o,--out", o->out, "JSON file of the network measures");
    app->add_option("--nodes", o->nodes, "TSV of the node measures");
    return {app, [o, &options] {
                JobContext job(options);
                io::ConnectomeOptions co;
                co.keepSelfLoops = o->keepSelfLoops;
                auto c = io::readConnectome(o->network, co);
                if (!o->coords.empty()) io::attachCoordinates(c, o->coords);
                if (!o->names.empty()) io::attachNames(c, o->names);
                if (c.signedWeights()) throw InputError(o->network + ": weights: negative values (signed measures are not in `graph metrics` yet)");
                graph::Matrix W = c.weights;
                if (o->symmetrize) W = graph::symmetrize(W);
                if (o->proportional) W = graph::thresholdProportional(W, *o->proportional);
                if (o->absolute) W = graph::thresholdAbsolute(W, *o->absolute);
                if (o->binarize) W = graph::binarize(W);
                const bool directed = (W - W.transpose()).cwiseAbs().maxCoeff() > 1e-12;
                const bool binary = ((W.array() == 0.0) || (W.array() == 1.0)).all();
                if (directed) throw InputError(o->network + ": the network is directed; use --symmetrize (directed measures come next)");
                const graph::Matrix A = graph::binarize(W);
                // Weighted measures on weights normalised to [0, 1] (BCT's expectation).
                const graph::Matrix Wn = graph::normalizeWeights(W);
                const auto n = W.rows();
                const graph::Vector deg = graph::degree(W), str = graph::strength(W);
                const graph::Vector clu = binary ? graph::clusteringBU(A) : graph::clusteringWU(Wn);
                const graph::Vector loc = graph::localEfficiencyBin(A);
                const auto paths = graph::charpath(binary ? graph::distanceBin(A) : graph::distanceWei(graph::weightsToLengths(Wn)));
                const double eff = binary ? graph::globalEfficiencyBin(A) : graph::globalEfficiencyWei(Wn);
                graph::Partition part;
                if (o->method == "spectral") {
                    part = graph::modularityUnd(W, o->gamma);
                } else {
                    graph::CommunityOptions copt;
                    copt.method = o->method == "louvain" ? graph::CommunityMethod::Louvain : graph::CommunityMethod::Leiden;
                    copt.gamma = o->gamma;
                    copt.runs = o->runs;
                    part = graph::communities(W, copt);
                }
                const graph::Vector pc = graph::participationCoefficient(W, part.module);
                const graph::Vector z = graph::withinModuleDegreeZ(W, part.module);
                const int modules = *std::max_element(part.module.begin(), part.module.end());
                nlohmann::json j = {{"network", o->network},
                                    {"nodes", n},
                                    {"edges", graph::edgeCount(W, false)},
                                    {"density", graph::density(W, false)},
                                    {"binary", binary},
                                    {"self_loops_removed", c.selfLoopsRemoved},
                                    {"mean_degree", deg.mean()},
                                    {"mean_strength", str.mean()},
                                    {"mean_clustering", clu.mean()},
                                    {"transitivity", graph::transitivityBU(A)},
                                    {"assortativity", graph::assortativity(W, !binary)},
                                    {"characteristic_path_length", std::isfinite(paths.characteristicPathLength) ? nlohmann::json(paths.characteristicPathLength) : nlohmann::json("inf")},
                                    {"global_efficiency", eff},
                                    {"mean_local_efficiency_binary", loc.mean()},
                                    {"diameter", std::isfinite(paths.diameter) ? nlohmann::json(paths.diameter) : nlohmann::json("inf")},
                                    {"modularity", {{"method", o->method == "spectral" ? std::string("spectral (BCT modularity_und)") : o->method + " (igraph, best of " + std::to_string(o->runs) + ")"},
                                                    {"gamma", o->gamma}, {"q", part.q}, {"modules", modules}}}};
                if (!o->out.empty()) writeFileAtomic(o->out, j.dump(2) + "\n");
                if (!o->nodes.empty()) {
                    std::vector<std::vector<std::string>> rows;
                    for (Eigen::Index i = 0; i < n; ++i)
                        rows.push_back({c.nodeNames.empty() ? std::to_string(i) : c.nodeNames[std::size_t(i)], fmt(deg[i]), fmt(str[i]), fmt(clu[i]),
                                        fmt(loc[i]), std::to_string(part.module[std::size_t(i)]), fmt(pc[i]), fmt(z[i])});
                    io::writeTable(o->nodes, io::Table({"node", "degree", "strength", "clustering", "local_efficiency", "module", "participation", "within_module_z"}, rows), '\t');
                }
                std::ostringstream msg;
                msg << std::setprecision(4) << o->network << ": " << n << " nodes, " << j["edges"] << " edges (density " << j["density"].get<double>()
                    << (binary ? ", binary" : ", weighted") << ")\n  mean clustering " << clu.mean() << ", transitivity " << j["transitivity"].get<double>()
                    << "\n  characteristic path length " << paths.characteristicPathLength << ", global efficiency " << eff
                    << ", mean local efficiency " << loc.mean() << "\n  modularity Q " << part.q << " (" << modules << " modules, γ " << o->gamma << ")\n";
                job.succeed("graph metrics of " + o->network, j);
                job.print(msg.str());
                return 0;
            }};
}

} // namespace nm::cli
