// neuromosaic-cli graph metrics: BCT-exact brain-network measures of a connectome file.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "generative/CrossSpecies.hpp"
#include "graph/Communities.hpp"
#include "graph/Metrics.hpp"
#include "graph/Summary.hpp"
#include "io/Connectome.hpp"
#include "io/Table.hpp"

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

namespace nm::cli {

namespace {
struct GraphCliOptions {
    std::string network, coords, names, out, nodes, lengths;
    std::optional<double> proportional, absolute, density;
    bool symmetrize = false, binarize = false, keepSelfLoops = false;
    double gamma = 1.0;
    std::string method = "leiden";
    int runs = 20, nulls = 0;
    std::uint64_t seed = 1;
};

std::string fmt(double v) {
    std::ostringstream s;
    s << std::setprecision(8) << v;
    return s.str();
}

void addNetworkOptions(CLI::App* app, GraphCliOptions& o) {
    app->add_option("network", o.network, "Connectome: .csv/.tsv/.txt matrix, .npy, TVB .zip, .gml, BrainNet .edge, or .edges list")->required()->check(CLI::ExistingFile);
    app->add_option("--coords", o.coords, "Node coordinates (n rows of 2 or 3 numbers, or a BrainNet .node file)")->check(CLI::ExistingFile);
    app->add_option("--names", o.names, "Node names (one per line)")->check(CLI::ExistingFile);
    app->add_flag("--symmetrize", o.symmetrize, "Undirected version: max(W, Wᵀ)");
    app->add_flag("--binarize", o.binarize, "Binary version: 1 where W ≠ 0");
    auto* prop = app->add_option("--proportional", o.proportional, "Keep this proportion of strongest weights (BCT threshold_proportional)")->check(CLI::Range(0.0, 1.0));
    auto* abs = app->add_option("--absolute", o.absolute, "Remove weights below this value (BCT threshold_absolute)")->excludes(prop);
    app->add_option("--density", o.density, "Keep the strongest edges for exactly this density (error if the network is sparser)")
        ->check(CLI::Range(0.0, 1.0))
        ->excludes(prop)
        ->excludes(abs);
    app->add_flag("--keep-self-loops", o.keepSelfLoops, "Keep the diagonal (default: set to 0)");
}

io::Connectome loadNetwork(const GraphCliOptions& o) {
    io::ConnectomeOptions co;
    co.keepSelfLoops = o.keepSelfLoops;
    auto c = io::readConnectome(o.network, co);
    if (!o.coords.empty()) io::attachCoordinates(c, o.coords);
    if (!o.names.empty()) io::attachNames(c, o.names);
    return c;
}

graph::Matrix prepare(const io::Connectome& c, const GraphCliOptions& o) {
    graph::Matrix W = c.weights;
    if (o.symmetrize) W = graph::symmetrize(W);
    try {
        if (o.proportional) W = graph::thresholdProportional(W, *o.proportional);
        if (o.absolute) W = graph::thresholdAbsolute(W, *o.absolute);
        if (o.density) W = graph::thresholdDensity(W, *o.density);
    } catch (const InputError& e) {
        throw InputError(o.network + ": " + e.what());
    }
    if (o.binarize) W = graph::binarize(W);
    return W;
}


nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : v > 0 ? nlohmann::json("inf") : nlohmann::json(nullptr); }

void writeNodeTable(const std::string& file, const io::Connectome& c, const graph::NetworkSummary& s) {
    std::vector<std::vector<std::string>> rows;
    const auto& nm = s.node;
    for (Eigen::Index i = 0; i < s.nodes; ++i)
        rows.push_back({c.nodeNames.empty() ? std::to_string(i) : c.nodeNames[std::size_t(i)], fmt(nm.degree[i]), fmt(nm.inDegree[i]), fmt(nm.outDegree[i]),
                        fmt(nm.strength[i]), fmt(nm.negativeStrength[i]), fmt(nm.clustering[i]), fmt(nm.localEfficiency[i]), fmt(nm.betweenness[i]),
                        std::to_string(nm.module[std::size_t(i)]), fmt(nm.participation[i]), fmt(nm.withinModuleZ[i]), nm.role[std::size_t(i)]});
    io::writeTable(file, io::Table({"node", "degree", "in_degree", "out_degree", "strength", "negative_strength", "clustering", "local_efficiency", "betweenness",
                                    "module", "participation", "within_module_z", "role"}, rows), '\t');
}

} // namespace

nlohmann::json summaryJson(const graph::NetworkSummary& s) {
    nlohmann::json j = {{"nodes", s.nodes}, {"edges", s.edges}, {"density", s.density}, {"directed", s.directed}, {"binary", s.binary}, {"signed", s.isSigned},
                        {"mean_degree", s.meanDegree}, {"mean_strength", s.meanStrength}, {"mean_clustering", num(s.meanClustering)},
                        {"transitivity", num(s.transitivity)}, {"assortativity", num(s.assortativity)},
                        {"characteristic_path_length", num(s.characteristicPathLength)}, {"global_efficiency", num(s.globalEfficiency)},
                        {"mean_local_efficiency", num(s.meanLocalEfficiency)}, {"mean_local_efficiency_binary", num(s.meanLocalEfficiencyBinary)}, {"diameter", num(s.diameter)},
                        {"modularity", {{"method", s.method}, {"q", s.q}, {"modules", s.modules}}},
                        {"hubs", s.hubs}, {"connector_hubs", s.connectorHubs}};
    if (s.smallWorld) {
        const auto& w = *s.smallWorld;
        j["small_world"] = {{"sigma", w.sigma}, {"omega", w.omega}, {"clustering", w.clustering}, {"null_clustering", w.nullClustering},
                            {"lattice_clustering", w.latticeClustering}, {"path_length", w.pathLength}, {"null_path_length", w.nullPathLength}};
    }
    if (s.richClub) {
        nlohmann::json rc = nlohmann::json::array();
        for (Eigen::Index k = 0; k < s.richClub->coefficient.size(); ++k)
            rc.push_back({{"k", k + 1}, {"coefficient", num(s.richClub->coefficient[k])}, {"null_mean", num(s.richClub->nullMean[k])},
                          {"null_sd", num(s.richClub->nullSd[k])}, {"normalized", num(s.richClub->normalized[k])}});
        j["rich_club"] = rc;
    }
    return j;
}

Command makeGraphCommand(CLI::App& root, const GlobalOptions& options) {
    auto* graph = root.add_subcommand("graph", "Brain-network science on connectomes (BCT definitions)");
    graph->require_subcommand(1);
    auto* app = graph->add_subcommand("metrics", "Degree, clustering, paths, efficiency, modularity, node roles of one network");
    auto o = std::make_shared<GraphCliOptions>();
    addNetworkOptions(app, *o);
    app->add_option("--gamma", o->gamma, "Modularity resolution γ")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--communities", o->method,
                    "Modularity maximisation: leiden, louvain (igraph, best of --runs), spectral (BCT modularity_und) or bct (community_louvain; "
                    "always used for directed and signed networks)")
        ->check(CLI::IsMember({"leiden", "louvain", "spectral", "bct"}))
        ->capture_default_str();
    app->add_option("--runs", o->runs, "Runs of Leiden/Louvain (the best Q is kept)")->check(CLI::Range(1, 100000))->capture_default_str();
    app->add_option("-o,--out", o->out, "JSON file of the network measures");
    app->add_option("--nodes", o->nodes, "TSV of the node measures");
    app->add_option("--nulls", o->nulls, "Null networks for small-worldness (σ, ω) and the normalised rich club (0: skip)")->check(CLI::Range(0, 100000))->capture_default_str();
    app->add_option("--seed", o->seed, "Random seed (communities, nulls)")->capture_default_str();
    return {app, [o, &options] {
                JobContext job(options);
                const auto c = loadNetwork(*o);
                const graph::Matrix W = prepare(c, *o);
                graph::SummaryOptions so;
                so.communities = o->method;
                so.gamma = o->gamma;
                so.runs = o->runs;
                so.nulls = o->nulls;
                so.seed = o->seed;
                const auto s = graph::summarize(W, so);
                nlohmann::json j = summaryJson(s);
                j["network"] = o->network;
                j["self_loops_removed"] = c.selfLoopsRemoved;
                if (!o->out.empty()) writeFileAtomic(o->out, j.dump(2) + "\n");
                if (!o->nodes.empty()) writeNodeTable(o->nodes, c, s);
                std::ostringstream msg;
                msg << std::setprecision(4) << o->network << ": " << s.nodes << " nodes, " << s.edges << " edges (density " << s.density
                    << (s.directed ? ", directed" : ", undirected") << (s.isSigned ? ", signed" : s.binary ? ", binary" : ", weighted") << ")\n";
                if (!s.isSigned)
                    msg << "  mean clustering " << s.meanClustering << ", transitivity " << s.transitivity << ", assortativity " << s.assortativity
                        << "\n  characteristic path length " << s.characteristicPathLength << ", global efficiency " << s.globalEfficiency
                        << ", mean local efficiency " << s.meanLocalEfficiency << "\n";
                msg << "  modularity Q " << s.q << " (" << s.modules << " modules, γ " << o->gamma << ", " << s.method << "); " << s.hubs << " hubs, "
                    << s.connectorHubs << " connector hubs\n";
                if (s.smallWorld)
                    msg << "  small world: σ " << s.smallWorld->sigma << ", ω " << s.smallWorld->omega << " (C " << s.smallWorld->clustering << " vs random "
                        << s.smallWorld->nullClustering << " and lattice " << s.smallWorld->latticeClustering << "; L " << s.smallWorld->pathLength << " vs "
                        << s.smallWorld->nullPathLength << ")\n";
                job.succeed("graph metrics of " + o->network, j);
                job.print(msg.str());
                return 0;
            }};
}

Command makeGraphCommunitiesCommand(CLI::App& root, const GlobalOptions& options) {
    auto* graph = root.get_subcommand("graph");
    auto* app = graph->add_subcommand("communities", "Multiresolution sweep of modularity (Leiden/Louvain runs per γ: Q, modules, stability) and the consensus partition");
    auto o = std::make_shared<GraphCliOptions>();
    addNetworkOptions(app, *o);
    auto gammas = std::make_shared<std::vector<double>>(std::vector<double>{0.5, 2.0, 7});
    auto consensusRuns = std::make_shared<int>(100);
    auto partitionOut = std::make_shared<std::string>();
    app->add_option("--gammas", *gammas, "Resolutions FROM,TO,COUNT (geometric spacing)")->delimiter(',')->capture_default_str();
    app->add_option("--communities", o->method, "leiden or louvain (igraph)")->check(CLI::IsMember({"leiden", "louvain"}))->capture_default_str();
    app->add_option("--runs", o->runs, "Runs per resolution")->check(CLI::Range(2, 100000))->capture_default_str();
    app->add_option("--consensus-runs", *consensusRuns, "Runs for the consensus partition at --gamma (0: skip)")->check(CLI::Range(0, 100000))->capture_default_str();
    app->add_option("--gamma", o->gamma, "Resolution of the consensus partition")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    app->add_option("-o,--out", o->out, "TSV per resolution: gamma, best_q, mean_q, mean_modules, stability")->required();
    app->add_option("--partition", *partitionOut, "TSV of the consensus partition: node, module");
    return {app, [o, gammas, consensusRuns, partitionOut, &options] {
                JobContext job(options);
                const auto c = loadNetwork(*o);
                const graph::Matrix W = prepare(c, *o);
                if ((W - W.transpose()).cwiseAbs().maxCoeff() > 1e-12) throw InputError(o->network + ": the network is directed; use --symmetrize");
                if ((W.array() < 0).any()) throw InputError(o->network + ": negative weights; use `graph metrics --communities bct` for signed networks");
                if (gammas->size() != 3 || (*gammas)[0] <= 0 || (*gammas)[1] < (*gammas)[0] || (*gammas)[2] < 1)
                    throw InputError("--gammas: expected FROM,TO,COUNT with 0 < FROM <= TO (e.g. 0.5,2,7)");
                std::vector<double> gs;
                const int count = int((*gammas)[2]);
                for (int k = 0; k < count; ++k) gs.push_back(count == 1 ? (*gammas)[0] : (*gammas)[0] * std::pow((*gammas)[1] / (*gammas)[0], double(k) / (count - 1)));
                graph::CommunityOptions co;
                co.method = o->method == "louvain" ? graph::CommunityMethod::Louvain : graph::CommunityMethod::Leiden;
                co.runs = o->runs;
                co.seed = o->seed;
                const auto sweep = graph::multiresolution(W, gs, co);
                std::vector<std::vector<std::string>> rows;
                std::ostringstream msg;
                msg << std::setprecision(4) << o->network << ": " << o->method << ", " << o->runs << " runs per resolution\n";
                for (const auto& p : sweep) {
                    rows.push_back({fmt(p.gamma), fmt(p.best.q), fmt(p.meanQ), fmt(p.meanModules), fmt(p.stability)});
                    msg << "  γ " << std::setw(7) << p.gamma << "  Q " << std::setw(7) << p.best.q << "  modules " << std::setw(5) << p.meanModules << "  stability (NMI) "
                        << p.stability << "\n";
                }
                io::writeTable(o->out, io::Table({"gamma", "best_q", "mean_q", "mean_modules", "stability"}, rows), '\t');
                nlohmann::json j = {{"network", o->network}, {"table", o->out}};
                if (*consensusRuns > 0) {
                    co.gamma = o->gamma;
                    const auto cons = graph::consensusPartition(W, co, *consensusRuns, 10);
                    const int modules = *std::max_element(cons.partition.module.begin(), cons.partition.module.end());
                    msg << "  consensus of " << *consensusRuns << " runs at γ " << o->gamma << ": " << modules << " modules, Q " << cons.partition.q << " (agreement threshold "
                        << cons.threshold << ", " << cons.iterations << " rounds)\n";
                    j["consensus"] = {{"gamma", o->gamma}, {"modules", modules}, {"q", cons.partition.q}, {"threshold", cons.threshold}};
                    if (!partitionOut->empty()) {
                        std::vector<std::vector<std::string>> prow;
                        for (Eigen::Index i = 0; i < W.rows(); ++i)
                            prow.push_back({c.nodeNames.empty() ? std::to_string(i) : c.nodeNames[std::size_t(i)], std::to_string(cons.partition.module[std::size_t(i)])});
                        io::writeTable(*partitionOut, io::Table({"node", "module"}, prow), '\t');
                    }
                }
                job.succeed("multiresolution communities of " + o->network, j);
                job.print(msg.str());
                return 0;
            }};
}

Command makeGraphReportCommand(CLI::App& root, const GlobalOptions& options) {
    auto* graph = root.get_subcommand("graph");
    auto* app = graph->add_subcommand("report", "Cross-species report: measures, consensus modules, null comparisons and the best generative rule of each network, in one table");
    struct ReportCli {
        std::vector<std::string> networks, coords, rules{"all"};
        std::optional<double> density;
        bool matchDensity = false;
        int nulls = 20, consensusRuns = 100, repetitions = 2;
        std::uint64_t seed = 1;
        std::string out, table, figure, title = "Mesoscale structure across species";
    };
    auto o = std::make_shared<ReportCli>();
    app->add_option("networks", o->networks, "Connectomes (symmetrised and binarised for the comparison)")->required()->check(CLI::ExistingFile);
    app->add_option("--coords", o->coords, "NAME=FILE: node coordinates of the network whose file stem is NAME (TVB zips, GML and BrainNet files carry their own; "
                                          "'<x>matrix.csv' finds '<x>positions.csv' beside it)");
    auto* d = app->add_option("--density", o->density, "Threshold every network to this density (strongest edges)")->check(CLI::Range(0.0, 1.0));
    app->add_flag("--match-density", o->matchDensity, "Threshold every network to the lowest density among them")->excludes(d);
    app->add_option("--nulls", o->nulls, "Degree-preserving null networks per network")->check(CLI::Range(2, 100000))->capture_default_str();
    app->add_option("--consensus-runs", o->consensusRuns, "Leiden runs of the consensus partition")->check(CLI::Range(2, 100000))->capture_default_str();
    app->add_option("--rules", o->rules, "Generative rules to fit (all, or a list)")->delimiter(',')->capture_default_str();
    app->add_option("--repetitions", o->repetitions, "Generated networks per grid point")->check(CLI::Range(1, 1000))->capture_default_str();
    app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    app->add_option("--title", o->title, "Figure title")->capture_default_str();
    app->add_option("-o,--out", o->out, "JSON report");
    app->add_option("--table", o->table, "TSV: one row per network");
    app->add_option("--figure", o->figure, "SVG figure: the comparisons side by side");
    return {app, [o, &options] {
                JobContext job(options);
                std::map<std::string, std::string> coordFiles;
                for (const auto& kv : o->coords) {
                    const auto eq = kv.find('=');
                    if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size()) throw InputError("--coords: expected NAME=FILE, got '" + kv + "'");
                    coordFiles[kv.substr(0, eq)] = kv.substr(eq + 1);
                }
                std::vector<io::Connectome> nets;
                for (const auto& f : o->networks) {
                    auto c = io::readConnectome(f);
                    const auto it = coordFiles.find(c.name);
                    if (it != coordFiles.end()) {
                        io::attachCoordinates(c, it->second);
                        coordFiles.erase(it);
                    } else if (c.coordinates.size() == 0) {
                        auto pos = std::filesystem::path(f);
                        const std::string stem = pos.stem().string();
                        if (const auto k = stem.rfind("matrix"); k != std::string::npos) {
                            pos.replace_filename(stem.substr(0, k) + "positions" + pos.extension().string());
                            if (std::filesystem::exists(pos)) io::attachCoordinates(c, pos);
                        }
                    }
                    nets.push_back(std::move(c));
                }
                if (!coordFiles.empty()) throw InputError("--coords: no network named '" + coordFiles.begin()->first + "' (names are file stems)");
                generative::ReportOptions ro;
                ro.nulls = o->nulls;
                ro.consensusRuns = o->consensusRuns;
                ro.repetitions = o->repetitions;
                ro.seed = o->seed;
                ro.rules.clear();
                for (const auto& r : o->rules) {
                    if (r == "all") ro.rules = generative::allRules();
                    else ro.rules.push_back(generative::ruleFromName(r));
                }
                if (o->density) ro.density = o->density;
                if (o->matchDensity) {
                    double lowest = 1.0;
                    for (const auto& c : nets) lowest = std::min(lowest, graph::density(graph::binarize(graph::symmetrize(c.weights.cwiseAbs())), false));
                    ro.density = lowest;
                }
                job.progress().plan({{"report", 1}});
                job.progress().begin("report", std::to_string(nets.size()) + " networks");
                std::vector<generative::NetworkReport> reports;
                for (std::size_t k = 0; k < nets.size(); ++k) {
                    ro.progress = [&job, k, &nets](const std::string& st) { job.progress().update(k, nets.size(), st); };
                    try {
                        reports.push_back(generative::reportNetwork(nets[k].name, nets[k].weights, nets[k].coordinates, ro));
                    } catch (const InputError& e) {
                        throw InputError(o->networks[k] + ": " + e.what());
                    }
                }
                const std::vector<std::string> header = {"network", "nodes", "edges", "density", "mean_degree", "clustering", "clustering_null", "path_length", "path_length_null",
                                                         "global_efficiency", "sigma", "omega", "assortativity", "q", "modules", "q_null", "q_z", "consensus_q",
                                                         "consensus_modules", "hubs", "connector_hubs", "rich_club_max", "rich_club_k", "best_rule", "best_energy",
                                                         "best_eta", "best_gamma", "sptl_energy", "matching_energy"};
                std::vector<std::vector<std::string>> rows;
                nlohmann::json arr = nlohmann::json::array();
                std::ostringstream msg;
                msg << std::setprecision(3);
                msg << std::left << std::setw(20) << "network" << std::right << std::setw(6) << "n" << std::setw(7) << "m" << std::setw(8) << "C/Cr" << std::setw(8) << "L/Lr"
                    << std::setw(7) << "σ" << std::setw(8) << "ω" << std::setw(7) << "Q" << std::setw(8) << "Q null" << std::setw(8) << "Qz" << std::setw(7) << "RC"
                    << "  best rule (energy)\n";
                for (const auto& r : reports) {
                    const auto& s = r.summary;
                    const auto& w = *s.smallWorld;
                    auto energyOf = [&](generative::Rule rule) -> double {
                        for (const auto& f : r.fits)
                            if (f.rule == rule) return f.energy;
                        return std::nan("");
                    };
                    rows.push_back({r.name, std::to_string(s.nodes), std::to_string(s.edges), fmt(s.density), fmt(s.meanDegree), fmt(w.clustering), fmt(w.nullClustering),
                                    fmt(w.pathLength), fmt(w.nullPathLength), fmt(s.globalEfficiency), fmt(w.sigma), fmt(w.omega), fmt(s.assortativity), fmt(s.q),
                                    std::to_string(s.modules), fmt(r.nullQ), fmt(r.qZ), fmt(r.consensusQ), std::to_string(r.consensusModules), std::to_string(s.hubs),
                                    std::to_string(s.connectorHubs), fmt(r.maxNormalizedRichClub), std::to_string(r.richClubK),
                                    r.best ? generative::ruleName(r.best->rule) : "", r.best ? fmt(r.best->energy) : "", r.best ? fmt(r.best->eta) : "",
                                    r.best ? fmt(r.best->gamma) : "", fmt(energyOf(generative::Rule::Spatial)), fmt(energyOf(generative::Rule::Matching))});
                    nlohmann::json j = summaryJson(s);
                    j["network"] = r.name;
                    j["consensus"] = {{"q", r.consensusQ}, {"modules", r.consensusModules}};
                    j["null_modularity"] = {{"mean", r.nullQ}, {"sd", r.nullQSd}, {"z", num(r.qZ)}};
                    j["rich_club_max"] = {{"normalized", r.maxNormalizedRichClub}, {"k", r.richClubK}};
                    nlohmann::json fits = nlohmann::json::object();
                    for (const auto& f : r.fits)
                        fits[generative::ruleName(f.rule)] = {{"energy", f.energy}, {"eta", f.eta}, {"gamma", f.rule == generative::Rule::Spatial ? nlohmann::json(nullptr) : nlohmann::json(f.gamma)}};
                    j["generative"] = r.hasCoordinates ? nlohmann::json(fits) : nlohmann::json("no node coordinates");
                    arr.push_back(j);
                    msg << std::left << std::setw(20) << r.name.substr(0, 19) << std::right << std::setw(6) << s.nodes << std::setw(7) << s.edges << std::setw(8)
                        << w.clustering / w.nullClustering << std::setw(8) << w.pathLength / w.nullPathLength << std::setw(7) << w.sigma << std::setw(8) << w.omega
                        << std::setw(7) << s.q << std::setw(8) << r.nullQ << std::setw(8) << r.qZ << std::setw(7) << r.maxNormalizedRichClub << "  ";
                    if (r.best) msg << generative::ruleName(r.best->rule) << " (" << r.best->energy << "; sptl " << energyOf(generative::Rule::Spatial) << ")";
                    else msg << "n/a (no coordinates)";
                    msg << "\n";
                }
                if (!o->table.empty()) io::writeTable(o->table, io::Table(header, rows), '\t');
                if (!o->figure.empty()) generative::writeReportSvg(o->figure, reports, o->title);
                nlohmann::json j = {{"networks", arr}, {"density", ro.density ? nlohmann::json(*ro.density) : nlohmann::json("as given")}, {"nulls", o->nulls}};
                if (!o->out.empty()) writeFileAtomic(o->out, j.dump(2) + "\n");
                job.succeed("cross-species report of " + std::to_string(nets.size()) + " networks", {{"networks", nets.size()}});
                job.print(msg.str());
                return 0;
            }};
}

Command makeGraphNullCommand(CLI::App& root, const GlobalOptions& options) {
    auto* graph = root.get_subcommand("graph");
    auto* app = graph->add_subcommand("null", "Write null networks: Maslov-Sneppen, lattice, spatial (degree + edge length) or strength-preserving");
    auto o = std::make_shared<GraphCliOptions>();
    addNetworkOptions(app, *o);
    auto m = std::make_shared<std::string>("maslov-sneppen");
    auto outp = std::make_shared<std::string>();
    auto count = std::make_shared<int>(1);
    auto iterations = std::make_shared<int>(10);
    auto bins = std::make_shared<int>(10);
    app->add_option("--model", *m, "maslov-sneppen (randmio), lattice (latmio_und), spatial (Betzel & Bassett 2018) or strength (null_model_und_sign)")
        ->check(CLI::IsMember({"maslov-sneppen", "lattice", "spatial", "strength"}))
        ->capture_default_str();
    app->add_option("--count", *count, "Number of null networks (files PREFIX_001.csv …)")->check(CLI::Range(1, 100000))->capture_default_str();
    app->add_option("--iterations", *iterations, "Swaps per edge")->check(CLI::Range(0, 100000))->capture_default_str();
    app->add_option("--bins", *bins, "Edge-length bins of the spatial null")->check(CLI::Range(1, 1000))->capture_default_str();
    app->add_option("--lengths", o->lengths, "Distances for the spatial null (n × n matrix); default: TVB tract lengths or Euclidean distances of the coordinates")
        ->check(CLI::ExistingFile);
    app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    app->add_option("-o,--out", *outp, "Output prefix (CSV matrices)")->required();
    return {app, [o, m, outp, count, iterations, bins, &options] {
                JobContext job(options);
                const auto c = loadNetwork(*o);
                const graph::Matrix W = prepare(c, *o);
                graph::Matrix L;
                if (*m == "spatial") {
                    if (!o->lengths.empty()) L = io::readNumericMatrix(o->lengths);
                    else if (c.lengths.size()) L = c.lengths;
                    else if (c.coordinates.size()) L = graph::euclideanDistances(c.coordinates);
                    else throw InputError(o->network + ": the spatial null needs distances (--lengths, --coords, or a TVB zip)");
                    if (L.rows() != W.rows() || L.cols() != W.cols())
                        throw InputError((o->lengths.empty() ? o->network : o->lengths) + ": distances are " + std::to_string(L.rows()) + " × " + std::to_string(L.cols()) +
                                         ", expected " + std::to_string(W.rows()) + " × " + std::to_string(W.rows()));
                }
                const bool directed = (W - W.transpose()).cwiseAbs().maxCoeff() > 1e-12;
                if (directed && *m != "maslov-sneppen") throw InputError(o->network + ": the " + *m + " null is for undirected networks; use --symmetrize");
                nlohmann::json files = nlohmann::json::array();
                for (int k = 0; k < *count; ++k) {
                    const std::uint64_t seed = o->seed + std::uint64_t(k) * 7919ull;
                    graph::Matrix R;
                    if (*m == "maslov-sneppen") R = directed ? graph::randmioDir(W, *iterations, seed).network : graph::randmioUnd(W, *iterations, seed).network;
                    else if (*m == "lattice") R = graph::latmioUnd(W, *iterations, seed).network;
                    else if (*m == "spatial") R = graph::spatialNull(W, L, *bins, *iterations, seed).network;
                    else R = graph::strengthPreservingNull(W, *iterations, seed);
                    char suffix[16];
                    std::snprintf(suffix, sizeof suffix, "_%03d.csv", k + 1);
                    const std::string file = *outp + suffix;
                    std::ostringstream text;
                    text << std::setprecision(10);
                    for (Eigen::Index i = 0; i < R.rows(); ++i) {
                        for (Eigen::Index jj = 0; jj < R.cols(); ++jj) text << (jj ? "," : "") << R(i, jj);
                        text << "\n";
                    }
                    writeFileAtomic(file, text.str());
                    files.push_back(file);
                }
                job.succeed(std::to_string(*count) + " " + *m + " null network(s) of " + o->network, {{"model", *m}, {"files", files}});
                job.print(std::to_string(*count) + " " + *m + " null network(s) written to " + *outp + "_*.csv\n");
                return 0;
            }};
}

} // namespace nm::cli
