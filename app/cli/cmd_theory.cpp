// neuromosaic-cli theory …: the analytical models of modularity next to simulation (core/theory):
// the modularity random graphs have by chance, the detectability of planted modules against the
// Kesten–Stigum bound, and where a real network sits on both.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "graph/Communities.hpp"
#include "io/Connectome.hpp"
#include "io/Table.hpp"
#include "theory/Detectability.hpp"
#include "theory/Figure.hpp"
#include "theory/Spatial.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace nm::cli {

namespace {
struct TheoryCliOptions {
    Eigen::Index nodes = 1000;
    double degree = 10.0;
    int samples = 5;
    theory::DetectabilityOptions d;
    std::vector<std::string> networks;
    std::string coords;
    std::vector<double> etas{-4, -3.5, -3, -2.5, -2, -1.75, -1.5, -1.25, -1, -0.75, -0.5, -0.25, 0};
    int repetitions = 10;
    std::string out, json, svg;
    std::vector<double> gammas{0.0, 0.1, 0.2, 0.3, 0.4, 0.5};
    std::uint64_t seed = 1;
    std::vector<double> densities{0.02, 0.05, 0.1, 0.2, 0.3};
};

/// The one network of `theory spatial|matching`: binary undirected adjacency, Euclidean distances
/// between its node coordinates, its edges.
struct SpatialNetwork {
    io::Connectome c;
    graph::Matrix A, D;
    Eigen::Index m = 0;
};
SpatialNetwork spatialNetwork(const TheoryCliOptions& o, const std::string& command) {
    if (o.networks.size() != 1) throw InputError("theory " + command + ": give one network");
    SpatialNetwork s;
    s.c = io::readConnectome(o.networks[0]);
    if (!o.coords.empty()) io::attachCoordinates(s.c, o.coords);
    if (s.c.coordinates.size() == 0) throw InputError(o.networks[0] + ": node coordinates are needed (--coords FILE)");
    s.A = graph::binarize(graph::symmetrize(s.c.weights));
    s.D = graph::euclideanDistances(s.c.coordinates);
    s.m = graph::edgeCount(s.A, false);
    return s;
}

nlohmann::json networkJson(const std::string& name, const theory::NetworkTheory& t) {
    return {{"network", name},
            {"nodes", t.n},
            {"edges", t.m},
            {"density", t.density},
            {"mean_degree", t.meanDegree},
            {"q", t.q},
            {"modules", t.modules},
            {"q_guimera", t.qGuimera},
            {"q_reichardt_bornholdt", t.qReichardtBornholdt},
            {"q_configuration", t.qConfiguration},
            {"q_random_mean", t.qRandomMean},
            {"q_random_sd", t.qRandomSd},
            {"z_random", t.zRandom},
            {"resolution_limit_degree", t.resolutionLimit},
            {"modules_below_resolution_limit", t.modulesBelowLimit},
            {"fitted_c_in", t.fittedCIn},
            {"fitted_c_out", t.fittedCOut},
            {"kesten_stigum_ratio", t.ksRatio},
            {"epsilon", t.epsilon},
            {"epsilon_at_bound", t.epsilonAtBound}};
}
} // namespace

Command makeTheoryCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("theory", "Analytical models of modularity next to simulation: random-graph baselines, detectability of planted modules, where a network sits");
    app->require_subcommand(1);
    auto o = std::make_shared<TheoryCliOptions>();
    auto* random = app->add_subcommand("random", "Maximum modularity of Erdős–Rényi graphs: Guimerà 2004 and Reichardt–Bornholdt 2006 against Leiden on sampled G(n, m)");
    random->add_option("--nodes", o->nodes, "Nodes")->check(CLI::Range(10, 10000000))->capture_default_str();
    random->add_option("--degree", o->degree, "Mean degree")->check(CLI::PositiveNumber)->capture_default_str();
    random->add_option("--samples", o->samples, "Sampled graphs")->check(CLI::Range(1, 1000))->capture_default_str();
    random->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    random->add_option("-o,--out", o->json, "JSON to write");
    auto* det = app->add_subcommand("detectability",
                                    "Planted partitions across the Kesten–Stigum ratio at several sizes: recovery by Leiden (NMI) and the Bethe "
                                    "Hessian (overlap) against the predicted transition λ = 1");
    det->add_option("--sizes", o->d.sizes, "Numbers of nodes")->delimiter(',')->capture_default_str();
    det->add_option("--groups", o->d.q, "Planted groups q")->check(CLI::Range(2, 8))->capture_default_str();
    det->add_option("--degree", o->d.meanDegree, "Mean degree c")->check(CLI::PositiveNumber)->capture_default_str();
    det->add_option("--ratios", o->d.ratios, "Kesten–Stigum ratios λ = (c_in − c_out) / (q √c) (default 0.4 … 2.0 by 0.1)")->delimiter(',');
    det->add_option("--repetitions", o->d.repetitions, "Graphs per point")->check(CLI::Range(1, 1000))->capture_default_str();
    det->add_option("--level", o->d.level, "Score at which recovery counts as started (0: 4/√n)")->check(CLI::Range(0.0, 0.99))->capture_default_str();
    det->add_flag_callback(
        "--no-leiden", [o] { o->d.leiden = false; }, "Skip Leiden");
    det->add_option("--seed", o->d.seed, "Random seed")->capture_default_str();
    det->add_option("-o,--out", o->out, "Plot-ready table (TSV) to write");
    det->add_option("--json", o->json, "JSON to write");
    det->add_option("--svg", o->svg, "Figure (SVG): the recovery curves per size, the predicted transition marked");
    auto* net = app->add_subcommand("network", "Where networks sit: modularity against random graphs, the resolution limit, the Kesten–Stigum bound of their modules");
    net->add_option("networks", o->networks, "Connectomes (as graph metrics reads them; binarised, symmetrised)")->required()->check(CLI::ExistingFile);
    net->add_option("--samples", o->samples, "Sampled G(n, m) graphs for the random modularity")->check(CLI::Range(2, 1000))->capture_default_str();
    net->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    net->add_option("-o,--out", o->json, "JSON to write");
    auto* spatial = app->add_subcommand("spatial",
                                        "The spatial wiring rule (P ∝ d^η) in the annealed approximation — predicted modularity and short edges "
                                        "along η — against the simulated growth on the network's own coordinates and density");
    spatial->add_option("network", o->networks, "Connectome with coordinates (its n, edges and node positions are used)")->required()->check(CLI::ExistingFile);
    spatial->add_option("--coords", o->coords, "Node coordinates (when the network file has none)")->check(CLI::ExistingFile);
    spatial->add_option("--etas", o->etas, "Values of η")->delimiter(',')->capture_default_str();
    spatial->add_option("--repetitions", o->repetitions, "Simulated networks per η (0: prediction only)")->check(CLI::Range(0, 1000))->capture_default_str();
    spatial->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    spatial->add_option("-o,--out", o->out, "Plot-ready table (TSV) to write");
    spatial->add_option("--json", o->json, "JSON to write");
    spatial->add_option("--svg", o->svg, "Figure (SVG): predicted and simulated Q along η, their half-rises marked");
    auto* matching = app->add_subcommand("matching",
                                         "The matching rule's phase diagram in (η, γ), simulated on the network's coordinates and density: where Q "
                                         "rises along η for each γ, with the analytical limit γ = 0 (the annealed spatial rule)");
    matching->add_option("network", o->networks, "Connectome with coordinates")->required()->check(CLI::ExistingFile);
    matching->add_option("--coords", o->coords, "Node coordinates (when the network file has none)")->check(CLI::ExistingFile);
    matching->add_option("--etas", o->etas, "Values of η")->delimiter(',')->capture_default_str();
    matching->add_option("--gammas", o->gammas, "Values of γ (the homophily exponent)")->delimiter(',')->capture_default_str();
    matching->add_option("--repetitions", o->repetitions, "Simulated networks per (η, γ)")->check(CLI::Range(2, 1000))->capture_default_str();
    matching->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    matching->add_option("-o,--out", o->out, "Plot-ready table (TSV) to write");
    matching->add_option("--json", o->json, "JSON to write");
    matching->add_option("--svg", o->svg, "Figure (SVG): Q along η per γ");
    auto* phase = app->add_subcommand("phase-diagram",
                                      "Where modularity appears under spatial wiring, over densities: for each density, the η at which Q of the "
                                      "spatial rule rises halfway (annealed prediction and simulated growth on the network's coordinates), "
                                      "with the random-graph baseline of that density");
    phase->add_option("network", o->networks, "Connectome with coordinates (its nodes and positions are used)")->required()->check(CLI::ExistingFile);
    phase->add_option("--coords", o->coords, "Node coordinates (when the network file has none)")->check(CLI::ExistingFile);
    phase->add_option("--densities", o->densities, "Edge densities (the network's own is added)")
        ->delimiter(',')
        ->check(CLI::Range(1e-4, 0.9))
        ->capture_default_str();
    phase->add_option("--etas", o->etas, "Values of η")->delimiter(',')->capture_default_str();
    phase->add_option("--repetitions", o->repetitions, "Simulated networks per (density, η) (0: prediction only)")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    phase->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    phase->add_option("-o,--out", o->out, "Plot-ready table (TSV) to write");
    phase->add_option("--json", o->json, "JSON to write");
    phase->add_option("--svg", o->svg, "Figure (SVG): the onset η* against density, predicted and simulated");
    return {app, [o, random, det, net, spatial, matching, phase, &options] {
                JobContext job(options);
                std::ostringstream msg;
                msg << std::fixed << std::setprecision(3);
                if (random->parsed()) {
                    const Eigen::Index n = o->nodes;
                    const double p = o->degree / double(n - 1);
                    const auto m = Eigen::Index(std::llround(o->degree * double(n) / 2));
                    std::vector<double> qs;
                    for (int s = 0; s < o->samples; ++s) {
                        graph::CommunityOptions co;
                        co.runs = 5;
                        co.seed = o->seed + std::uint64_t(s);
                        qs.push_back(graph::communities(n, theory::erdosRenyi(n, m, o->seed * 7919ull + std::uint64_t(s)), co).q);
                    }
                    double mean = 0;
                    for (double q : qs) mean += q / double(qs.size());
                    const nlohmann::json j = {{"nodes", n},
                                              {"mean_degree", o->degree},
                                              {"q_guimera", theory::modularityErGuimera(double(n), p)},
                                              {"q_reichardt_bornholdt", theory::modularityErReichardtBornholdt(double(n), p)},
                                              {"q_leiden", qs},
                                              {"q_leiden_mean", mean}};
                    msg << "G(n = " << n << ", mean degree " << o->degree << "): Leiden Q " << mean << " (" << qs.size() << " graphs); Guimerà 2004 "
                        << j["q_guimera"].get<double>() << ", Reichardt–Bornholdt 2006 " << j["q_reichardt_bornholdt"].get<double>() << "\n";
                    if (!o->json.empty()) writeFileAtomic(o->json, j.dump(2) + "\n");
                    job.print(msg.str());
                    job.succeed("random-graph modularity", j);
                    return 0;
                }
                if (det->parsed()) {
                    const auto r = theory::detectabilitySweep(o->d);
                    std::vector<std::vector<std::string>> rows;
                    nlohmann::json points = nlohmann::json::array(), onsets = nlohmann::json::array();
                    for (const auto& p : r.points) {
                        rows.push_back({std::to_string(p.n), std::to_string(p.ratio), std::to_string(p.epsilon), std::to_string(p.cIn), std::to_string(p.cOut),
                                        std::to_string(p.nmiLeiden), std::to_string(p.modulesLeiden), std::to_string(p.qLeiden), std::to_string(p.overlapSpectral),
                                        std::to_string(p.nmiSpectral), std::to_string(p.informative)});
                        points.push_back({{"nodes", p.n}, {"ratio", p.ratio}, {"epsilon", p.epsilon}, {"c_in", p.cIn}, {"c_out", p.cOut},
                                          {"nmi_leiden", p.nmiLeiden}, {"sd_nmi_leiden", p.sdNmiLeiden}, {"modules_leiden", p.modulesLeiden},
                                          {"q_leiden", p.qLeiden}, {"overlap_bethe_hessian", p.overlapSpectral}, {"sd_overlap_bethe_hessian", p.sdOverlapSpectral},
                                          {"nmi_bethe_hessian", p.nmiSpectral}, {"informative_bethe_hessian", p.informative}});
                    }
                    msg << "planted partition, q = " << o->d.q << ", mean degree " << o->d.meanDegree << ": predicted transition λ = 1 (ε* = "
                        << theory::kestenStigumEpsilon(o->d.meanDegree, o->d.q) << ")\n";
                    for (const auto& x : r.onsets) {
                        onsets.push_back({{"nodes", x.n}, {"method", x.method}, {"level", x.level}, {"ratio", std::isfinite(x.ratio) ? nlohmann::json(x.ratio) : nlohmann::json()}});
                        msg << "  n = " << std::setw(7) << x.n << "  " << std::left << std::setw(38) << x.method << std::right << " recovery from λ = "
                            << (std::isfinite(x.ratio) ? std::to_string(x.ratio).substr(0, 5) : std::string("never (in the range)")) << " (score " << x.level << ")\n";
                    }
                    if (!o->out.empty())
                        io::writeTable(o->out,
                                       io::Table({"nodes", "ratio", "epsilon", "c_in", "c_out", "nmi_leiden", "modules_leiden", "q_leiden", "overlap_bethe_hessian",
                                                  "nmi_bethe_hessian", "informative_bethe_hessian"},
                                                 rows),
                                       '\t');
                    const nlohmann::json j = {{"groups", o->d.q}, {"mean_degree", o->d.meanDegree}, {"level", o->d.level}, {"predicted_ratio", r.predicted},
                                              {"epsilon_at_bound", theory::kestenStigumEpsilon(o->d.meanDegree, o->d.q)}, {"onsets", onsets},
                                              {"points", points}, {"seconds", r.seconds}};
                    if (!o->json.empty()) writeFileAtomic(o->json, j.dump(2) + "\n");
                    if (!o->svg.empty()) {
                        theory::LineChart chart;
                        chart.title = "Planted partition (q = " + std::to_string(o->d.q) + ", c = " + std::to_string(o->d.meanDegree).substr(0, 4) +
                                      "): recovery against the Kesten–Stigum ratio";
                        chart.xLabel = "λ = (c_in − c_out) / (q √c)";
                        chart.yLabel = "overlap (Bethe Hessian), NMI (Leiden, dashed)";
                        for (const auto n : o->d.sizes) {
                            theory::LineSeries bh{"Bethe Hessian n = " + std::to_string(n), {}, {}, false}, ld{"Leiden n = " + std::to_string(n), {}, {}, true};
                            for (const auto& p : r.points)
                                if (p.n == n) {
                                    bh.x.push_back(p.ratio);
                                    bh.y.push_back(p.overlapSpectral);
                                    ld.x.push_back(p.ratio);
                                    ld.y.push_back(p.nmiLeiden);
                                }
                            if (o->d.spectral) chart.series.push_back(bh);
                            if (o->d.leiden) chart.series.push_back(ld);
                        }
                        chart.markers.emplace_back(1.0, "Kesten–Stigum");
                        writeFileAtomic(o->svg, theory::svgLineChart(chart));
                    }
                    job.print(msg.str());
                    job.succeed("detectability sweep", {{"onsets", onsets}});
                    return 0;
                }
                if (spatial->parsed()) {
                    const auto [c, A, D, m] = spatialNetwork(*o, "spatial");
                    const auto r = theory::spatialDiagram(D, m, o->etas, o->repetitions, o->seed);
                    std::vector<std::vector<std::string>> rows;
                    nlohmann::json pts = nlohmann::json::array();
                    msg << c.name << " (n " << A.rows() << ", " << m << " edges): η, predicted Q (structure / fluctuation floor), simulated Q, short edges\n";
                    for (const auto& p : r.points) {
                        rows.push_back({std::to_string(p.eta), std::to_string(p.qPredicted), std::to_string(p.qStructure), std::to_string(p.qFluctuation),
                                        std::to_string(p.simulatedQ), std::to_string(p.simulatedSd), std::to_string(p.shortFraction)});
                        pts.push_back({{"eta", p.eta}, {"q_predicted", p.qPredicted}, {"q_structure", p.qStructure}, {"q_fluctuation", p.qFluctuation},
                                       {"q_simulated", std::isfinite(p.simulatedQ) ? nlohmann::json(p.simulatedQ) : nlohmann::json()},
                                       {"sd_simulated", std::isfinite(p.simulatedSd) ? nlohmann::json(p.simulatedSd) : nlohmann::json()},
                                       {"short_edge_fraction", p.shortFraction}});
                        msg << "  " << std::setw(6) << p.eta << "  " << p.qPredicted << " (" << p.qStructure << " / " << p.qFluctuation << ")  " << p.simulatedQ
                            << "  " << p.shortFraction << "\n";
                    }
                    msg << "  half-rise of Q: predicted η = " << r.predictedHalfRise << ", simulated η = " << r.simulatedHalfRise << "\n";
                    if (!o->out.empty())
                        io::writeTable(o->out, io::Table({"eta", "q_predicted", "q_structure", "q_fluctuation", "q_simulated", "sd_simulated", "short_edge_fraction"}, rows),
                                       '\t');
                    const nlohmann::json j = {{"network", c.name}, {"nodes", A.rows()}, {"edges", m}, {"points", pts},
                                              {"predicted_half_rise", r.predictedHalfRise},
                                              {"simulated_half_rise", std::isfinite(r.simulatedHalfRise) ? nlohmann::json(r.simulatedHalfRise) : nlohmann::json()}};
                    if (!o->json.empty()) writeFileAtomic(o->json, j.dump(2) + "\n");
                    if (!o->svg.empty()) {
                        theory::LineChart chart;
                        chart.title = c.name + ": modularity of the spatial rule (P ∝ d^η)";
                        chart.xLabel = "η";
                        chart.yLabel = "Q";
                        theory::LineSeries pred{"annealed prediction", {}, {}, false}, sim{"simulated growth", {}, {}, true};
                        for (const auto& p : r.points) {
                            pred.x.push_back(p.eta);
                            pred.y.push_back(p.qPredicted);
                            sim.x.push_back(p.eta);
                            sim.y.push_back(p.simulatedQ);
                        }
                        chart.series = {pred, sim};
                        chart.markers = {{r.predictedHalfRise, "predicted"}, {r.simulatedHalfRise, "simulated"}};
                        writeFileAtomic(o->svg, theory::svgLineChart(chart));
                    }
                    job.print(msg.str());
                    job.succeed("spatial phase diagram", {{"predicted_half_rise", r.predictedHalfRise}});
                    return 0;
                }
                if (matching->parsed()) {
                    const auto [c, A, D, m] = spatialNetwork(*o, "matching");
                    const double ownQ = graph::modularityUnd(A).q;
                    const auto r = theory::matchingDiagram(D, m, o->etas, o->gammas, o->repetitions, o->seed, ownQ);
                    std::vector<std::vector<std::string>> rows;
                    nlohmann::json grid = nlohmann::json::array(), bounds = nlohmann::json::array();
                    for (const auto& p : r.grid) {
                        rows.push_back({std::to_string(p.gamma), std::to_string(p.eta), std::to_string(p.meanQ), std::to_string(p.sdQ)});
                        grid.push_back({{"gamma", p.gamma}, {"eta", p.eta}, {"q", p.meanQ}, {"sd", p.sdQ}});
                    }
                    msg << c.name << " (n " << A.rows() << ", " << m << " edges, its own Q " << ownQ << "): the matching rule's boundary η*(γ) where Q rises\n";
                    for (const auto& b : r.boundary) {
                        bounds.push_back({{"gamma", b.gamma}, {"half_rise_eta", b.halfRise}, {"eta_at_own_q", std::isfinite(b.etaAtOwnQ) ? nlohmann::json(b.etaAtOwnQ) : nlohmann::json()},
                                          {"q_max", b.qMax}, {"q_min", b.qMin}});
                        msg << "  γ " << std::setw(5) << b.gamma << ": η* = " << b.halfRise << " (Q " << b.qMin << " → " << b.qMax << "), its own Q reached at η = "
                            << (std::isfinite(b.etaAtOwnQ) ? std::to_string(b.etaAtOwnQ).substr(0, 6) : std::string("n/a (outside the range)")) << "\n";
                    }
                    msg << "  γ = 0 limit: the annealed spatial rule predicts η* = " << r.spatialPrediction << "\n";
                    if (!o->out.empty()) io::writeTable(o->out, io::Table({"gamma", "eta", "q", "sd"}, rows), '\t');
                    const nlohmann::json j = {{"network", c.name}, {"nodes", A.rows()}, {"edges", m}, {"own_q", ownQ}, {"grid", grid}, {"boundary", bounds},
                                              {"spatial_prediction_half_rise", r.spatialPrediction}};
                    if (!o->json.empty()) writeFileAtomic(o->json, j.dump(2) + "\n");
                    if (!o->svg.empty()) {
                        theory::LineChart chart;
                        chart.title = c.name + ": modularity of the matching rule along η, per γ";
                        chart.xLabel = "η";
                        chart.yLabel = "Q";
                        for (const auto& b : r.boundary) {
                            theory::LineSeries se{"γ = " + std::to_string(b.gamma).substr(0, 4), {}, {}, false};
                            for (const auto& p : r.grid)
                                if (p.gamma == b.gamma) {
                                    se.x.push_back(p.eta);
                                    se.y.push_back(p.meanQ);
                                }
                            chart.series.push_back(se);
                        }
                        chart.markers = {{r.spatialPrediction, "γ = 0 predicted"}};
                        writeFileAtomic(o->svg, theory::svgLineChart(chart));
                    }
                    job.print(msg.str());
                    job.succeed("matching phase diagram", {{"boundary", bounds}});
                    return 0;
                }
                if (phase->parsed()) {
                    const auto [c, A, D, ownM] = spatialNetwork(*o, "phase-diagram");
                    const double n = double(A.rows()), pairs = n * (n - 1) / 2;
                    const double ownDensity = double(ownM) / pairs;
                    std::vector<double> densities;
                    for (double d : o->densities)  // one within 5 % of the network's own is that one
                        if (std::abs(d - ownDensity) > 0.05 * ownDensity) densities.push_back(d);
                    densities.push_back(ownDensity);
                    std::sort(densities.begin(), densities.end());
                    densities.erase(std::unique(densities.begin(), densities.end()), densities.end());
                    std::vector<std::vector<std::string>> rows;
                    nlohmann::json pts = nlohmann::json::array();
                    theory::LineSeries pred{"annealed prediction", {}, {}, false}, sim{"simulated growth", {}, {}, true};
                    msg << c.name << " (n " << A.rows() << ", own density " << double(ownM) / pairs
                        << "): density, mean degree, onset η* (predicted / simulated), Q at the most local η (predicted / simulated), Q of G(n, p)\n";
                    for (const double d : densities) {
                        const auto m = Eigen::Index(std::llround(d * pairs));
                        if (m < 1 || double(m) >= pairs) continue;
                        const auto r = theory::spatialDiagram(D, m, o->etas, o->repetitions, o->seed);
                        const auto& local = *std::min_element(r.points.begin(), r.points.end(),
                                                              [](const auto& a, const auto& b) { return a.eta < b.eta; });
                        const double qRandom = theory::modularityErReichardtBornholdt(n, double(m) / pairs);
                        const bool own = m == ownM;
                        rows.push_back({std::to_string(double(m) / pairs), std::to_string(2.0 * double(m) / n), std::to_string(r.predictedHalfRise),
                                        std::to_string(r.simulatedHalfRise), std::to_string(local.qPredicted), std::to_string(local.simulatedQ),
                                        std::to_string(qRandom), own ? "1" : "0"});
                        auto finite = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
                        pts.push_back({{"density", double(m) / pairs}, {"edges", m}, {"mean_degree", 2.0 * double(m) / n},
                                       {"predicted_onset_eta", r.predictedHalfRise}, {"simulated_onset_eta", finite(r.simulatedHalfRise)},
                                       {"q_local_predicted", local.qPredicted}, {"q_local_simulated", finite(local.simulatedQ)},
                                       {"q_random", qRandom}, {"own_density", own}});
                        pred.x.push_back(double(m) / pairs);
                        pred.y.push_back(r.predictedHalfRise);
                        sim.x.push_back(double(m) / pairs);
                        sim.y.push_back(r.simulatedHalfRise);
                        msg << "  " << std::setw(6) << double(m) / pairs << "  " << std::setw(7) << 2.0 * double(m) / n << "  " << r.predictedHalfRise
                            << " / " << r.simulatedHalfRise << "  " << local.qPredicted << " / " << local.simulatedQ << "  " << qRandom
                            << (own ? "  (its own density)" : "") << "\n";
                    }
                    if (rows.empty()) throw InputError("theory phase-diagram: no density gives between 1 and n(n − 1)/2 − 1 edges");
                    if (!o->out.empty())
                        io::writeTable(o->out,
                                       io::Table({"density", "mean_degree", "predicted_onset_eta", "simulated_onset_eta", "q_local_predicted",
                                                  "q_local_simulated", "q_random", "own_density"},
                                                 rows),
                                       '\t');
                    const nlohmann::json j = {{"network", c.name}, {"nodes", A.rows()}, {"own_edges", ownM}, {"etas", o->etas},
                                              {"repetitions", o->repetitions}, {"points", pts},
                                              {"onset", "η where Q of the spatial rule crosses halfway between its extremes along η"}};
                    if (!o->json.empty()) writeFileAtomic(o->json, j.dump(2) + "\n");
                    if (!o->svg.empty()) {
                        theory::LineChart chart;
                        chart.title = c.name + ": onset of modularity under spatial wiring (P ∝ d^η)";
                        chart.xLabel = "edge density";
                        chart.yLabel = "onset η*";
                        chart.series = {pred};
                        if (o->repetitions > 0) chart.series.push_back(sim);
                        chart.markers = {{double(ownM) / pairs, "its own density"}};
                        writeFileAtomic(o->svg, theory::svgLineChart(chart));
                    }
                    job.print(msg.str());
                    job.succeed("spatial phase diagram", {{"points", pts}});
                    return 0;
                }
                if (!net->parsed()) return 2;
                nlohmann::json all = nlohmann::json::array();
                for (const auto& f : o->networks) {
                    const auto c = io::readConnectome(f);
                    const auto t = theory::analyseNetwork(c.weights, o->samples, o->seed);
                    all.push_back(networkJson(c.name, t));
                    msg << c.name << " (n " << t.n << ", m " << t.m << ", mean degree " << t.meanDegree << "): Q " << t.q << " with " << t.modules
                        << " modules; random G(n, m) " << t.qRandomMean << " ± " << t.qRandomSd << " (z " << std::setprecision(1) << t.zRandom
                        << std::setprecision(3) << "), predicted " << t.qReichardtBornholdt << " (Reichardt–Bornholdt), " << t.qGuimera << " (Guimerà), "
                        << t.qConfiguration << " (its degrees)\n"
                        << "    resolution limit: modules of total degree < " << t.resolutionLimit << " merge when joined by one edge — " << t.modulesBelowLimit
                        << " of its " << t.modules << " modules are below it\n"
                        << "    its modules as a planted partition: c_in " << t.fittedCIn << ", c_out " << t.fittedCOut << ", Kesten–Stigum ratio "
                        << t.ksRatio << (t.ksRatio > 1 ? " > 1: detectable" : " ≤ 1: not detectable") << " (ε " << t.epsilon << " vs ε* " << t.epsilonAtBound
                        << ")\n";
                }
                if (!o->json.empty()) writeFileAtomic(o->json, all.dump(2) + "\n");
                job.print(msg.str());
                job.succeed("network theory", {{"networks", all}});
                return 0;
            }};
}

} // namespace nm::cli
