// neuromosaic-cli gnm fit: generative network models (BCT rules) fitted to a connectome by grid
// search over (η, γ), energies as BCT's evaluate_generative_model.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "generative/GenerativeModel.hpp"
#include "generative/PhaseTransition.hpp"
#include "graph/Metrics.hpp"
#include "io/Connectome.hpp"
#include "io/Table.hpp"

#include <chrono>
#include <iomanip>
#include <sstream>

namespace nm::cli {

namespace {
struct GnmCliOptions {
    std::string network, coords, out, landscape, form = "powerlaw";
    std::vector<std::string> rules{"sptl", "neighbors", "matching", "clu-avg", "deg-avg"};
    std::vector<double> eta{-8, 0, 17}, gamma{-1, 3, 17};
    int repetitions = 3;
    std::uint64_t seed = 1;
};

/// The target: binarised undirected network, Euclidean distances between node coordinates.
struct Target {
    graph::Matrix A, D;
    Eigen::Index edges = 0;
};
Target loadTarget(const std::string& network, const std::string& coords) {
    auto c = io::readConnectome(network);
    if (!coords.empty()) io::attachCoordinates(c, coords);
    if (c.coordinates.size() == 0) throw InputError(network + ": node coordinates are needed (--coords FILE)");
    Target t;
    t.A = graph::binarize(graph::symmetrize(c.weights));
    const auto n = c.nodes();
    t.D.resize(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) t.D(i, j) = (c.coordinates.row(i) - c.coordinates.row(j)).norm();
    t.edges = graph::edgeCount(t.A, false);
    return t;
}

std::vector<double> range(const std::vector<double>& r, const std::string& what) {
    if (r.size() != 3 || r[2] < 1 || r[2] != std::floor(r[2]))
        throw InputError(what + ": expected FROM,TO,COUNT (e.g. -8,0,17)");
    std::vector<double> v;
    const int n = int(r[2]);
    for (int i = 0; i < n; ++i) v.push_back(n == 1 ? r[0] : r[0] + (r[1] - r[0]) * i / (n - 1));
    return v;
}
} // namespace

Command makeGnmCommand(CLI::App& root, const GlobalOptions& options) {
    auto* gnm = root.add_subcommand("gnm", "Generative network models (BCT generative_model rules)");
    gnm->require_subcommand(1);
    auto* app = gnm->add_subcommand("fit", "Grid search of (η, γ) per wiring rule; energy = max KS of degree, clustering, betweenness, edge length");
    auto o = std::make_shared<GnmCliOptions>();
    app->add_option("network", o->network, "Target connectome (symmetrised and binarised)")->required()->check(CLI::ExistingFile);
    app->add_option("--coords", o->coords, "Node coordinates (mm; TVB zips carry their own)")->check(CLI::ExistingFile);
    app->add_option("--rules", o->rules, "Wiring rules (sptl, neighbors, matching, clu-avg/min/max/diff/prod, deg-avg/min/max/diff/prod, or all)")
        ->delimiter(',')
        ->capture_default_str();
    app->add_option("--eta", o->eta, "Distance exponent grid FROM,TO,COUNT")->delimiter(',')->capture_default_str();
    app->add_option("--gamma", o->gamma, "Topology exponent grid FROM,TO,COUNT")->delimiter(',')->capture_default_str();
    app->add_option("--form", o->form, "Form of both terms: powerlaw or exponential")->check(CLI::IsMember({"powerlaw", "exponential"}))->capture_default_str();
    app->add_option("--repetitions", o->repetitions, "Networks generated per grid point (energies averaged)")->check(CLI::Range(1, 1000))->capture_default_str();
    app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    app->add_option("--landscape", o->landscape, "TSV of every grid point: rule, eta, gamma, energy and its four KS parts");
    app->add_option("-o,--out", o->out, "JSON of the best parameters per rule");
    return {app, [o, &options] {
                JobContext job(options);
                std::vector<generative::Rule> rules;
                for (const auto& r : o->rules) {
                    if (r == "all") rules = generative::allRules();
                    else rules.push_back(generative::ruleFromName(r));
                }
                const auto etas = range(o->eta, "--eta"), gammas = range(o->gamma, "--gamma");
                const Target t = loadTarget(o->network, o->coords);
                const graph::Matrix& A = t.A;
                const graph::Matrix& D = t.D;
                const auto n = A.rows();
                const auto target = generative::targetStatistics(A, D);
                const auto m = t.edges;
                const graph::Matrix seed = graph::Matrix::Zero(n, n);
                struct Point {
                    generative::Rule rule;
                    double eta, gamma;
                    generative::Energy e;
                    double energy = 0;
                };
                std::vector<Point> points;
                for (auto r : rules)
                    for (double eta : etas)
                        for (double g : (r == generative::Rule::Spatial ? std::vector<double>{0.0} : gammas)) points.push_back({r, eta, g, {}, 0});
                job.progress().plan({{"fit", 1}});
                job.progress().begin("fit", std::to_string(points.size()) + " grid points × " + std::to_string(o->repetitions));
                const auto t0 = std::chrono::steady_clock::now();
                std::size_t done = 0;
                std::string failure;
#pragma omp parallel for schedule(dynamic)
                for (std::size_t p = 0; p < points.size(); ++p) {
                    try {
                        generative::ModelSpec s;
                        s.rule = points[p].rule;
                        s.eta = points[p].eta;
                        s.gamma = points[p].gamma;
                        s.distanceForm = s.topologyForm = o->form == "exponential" ? generative::Form::Exponential : generative::Form::PowerLaw;
                        generative::Energy sum;
                        double emax = 0;
                        for (int r = 0; r < o->repetitions; ++r) {
                            const auto e = generative::energy(target, generative::generate(seed, D, m, s, o->seed * 1000003ull + p * 1009ull + std::uint64_t(r)), D);
                            sum.degree += e.degree / o->repetitions;
                            sum.clustering += e.clustering / o->repetitions;
                            sum.betweenness += e.betweenness / o->repetitions;
                            sum.edgeLength += e.edgeLength / o->repetitions;
                            emax += e.max() / o->repetitions;
                        }
                        points[p].e = sum;
                        points[p].energy = emax;
                    } catch (const std::exception& e) {
#pragma omp critical
                        failure = e.what();
                    }
#pragma omp critical
                    job.progress().update(++done, points.size());
                }
                if (!failure.empty()) throw InputError(o->network + ": " + failure);
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                nlohmann::json best = nlohmann::json::object();
                std::ostringstream msg;
                msg << std::setprecision(4) << o->network << ": " << n << " nodes, " << m << " edges; " << points.size() * std::size_t(o->repetitions)
                    << " networks in " << seconds << " s\n";
                for (auto r : rules) {
                    const Point* b = nullptr;
                    for (const auto& p : points)
                        if (p.rule == r && (!b || p.energy < b->energy)) b = &p;
                    best[generative::ruleName(r)] = {{"energy", b->energy}, {"eta", b->eta}, {"gamma", r == generative::Rule::Spatial ? nlohmann::json(nullptr) : nlohmann::json(b->gamma)},
                                                      {"ks_degree", b->e.degree}, {"ks_clustering", b->e.clustering}, {"ks_betweenness", b->e.betweenness}, {"ks_edge_length", b->e.edgeLength}};
                    msg << "  " << std::setw(9) << generative::ruleName(r) << "  energy " << b->energy << "  η " << b->eta;
                    if (r != generative::Rule::Spatial) msg << "  γ " << b->gamma;
                    msg << "\n";
                }
                nlohmann::json j = {{"network", o->network}, {"nodes", n}, {"edges", m}, {"form", o->form}, {"repetitions", o->repetitions},
                                    {"networks", points.size() * std::size_t(o->repetitions)}, {"seconds", seconds}, {"best", best}};
                if (!o->out.empty()) writeFileAtomic(o->out, j.dump(2) + "\n");
                if (!o->landscape.empty()) {
                    std::vector<std::vector<std::string>> rows;
                    for (const auto& p : points)
                        rows.push_back({generative::ruleName(p.rule), std::to_string(p.eta), std::to_string(p.gamma), std::to_string(p.energy),
                                        std::to_string(p.e.degree), std::to_string(p.e.clustering), std::to_string(p.e.betweenness), std::to_string(p.e.edgeLength)});
                    io::writeTable(o->landscape, io::Table({"rule", "eta", "gamma", "energy", "ks_degree", "ks_clustering", "ks_betweenness", "ks_edge_length"}, rows), '\t');
                }
                job.succeed("generative models fitted to " + o->network, j);
                job.print(msg.str());
                return 0;
            }};
}

Command makeGnmSweepCommand(CLI::App& root, const GlobalOptions& options) {
    auto* gnm = root.get_subcommand("gnm");
    auto* app = gnm->add_subcommand("sweep", "Phase transition of modularity: sweep η, γ or the density of a generative model");
    struct SweepCli {
        std::string network, coords, rule = "matching", parameter = "gamma", out, form = "powerlaw";
        std::vector<double> values{-1, 3, 17};
        double eta = -1.0, gamma = 0.5;
        int repetitions = 10;
        std::uint64_t seed = 1;
    };
    auto o = std::make_shared<SweepCli>();
    app->add_option("network", o->network, "Connectome giving the nodes, their positions and the number of edges")->required()->check(CLI::ExistingFile);
    app->add_option("--coords", o->coords, "Node coordinates (mm)")->check(CLI::ExistingFile);
    app->add_option("--rule", o->rule, "Wiring rule")->capture_default_str();
    app->add_option("--parameter", o->parameter, "Control parameter: eta, gamma or density")->check(CLI::IsMember({"eta", "gamma", "density"}))->capture_default_str();
    app->add_option("--values", o->values, "Sweep FROM,TO,COUNT")->delimiter(',')->capture_default_str();
    app->add_option("--eta", o->eta, "η when it is not swept")->capture_default_str();
    app->add_option("--gamma", o->gamma, "γ when it is not swept")->capture_default_str();
    app->add_option("--form", o->form, "powerlaw or exponential")->check(CLI::IsMember({"powerlaw", "exponential"}))->capture_default_str();
    app->add_option("--repetitions", o->repetitions, "Networks per value (≥ 2)")->check(CLI::Range(2, 10000))->capture_default_str();
    app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    app->add_option("-o,--out", o->out, "Plot-ready TSV: value, mean_q, sd_q, susceptibility, mean_modules, mean_energy")->required();
    return {app, [o, &options] {
                JobContext job(options);
                const Target t = loadTarget(o->network, o->coords);
                generative::ModelSpec s;
                s.rule = generative::ruleFromName(o->rule);
                s.eta = o->eta;
                s.gamma = o->gamma;
                s.distanceForm = s.topologyForm = o->form == "exponential" ? generative::Form::Exponential : generative::Form::PowerLaw;
                generative::SweepOptions so;
                so.parameter = o->parameter;
                so.values = range(o->values, "--values");
                so.repetitions = o->repetitions;
                so.seed = o->seed;
                const auto target = generative::targetStatistics(t.A, t.D);
                const auto r = generative::sweep(t.D, t.edges, s, so, &target);
                std::vector<std::vector<std::string>> rows;
                std::ostringstream msg;
                msg << std::setprecision(4) << o->rule << ": sweep of " << o->parameter << " (" << so.values.size() << " values × " << so.repetitions << ")\n";
                for (const auto& p : r.points) {
                    rows.push_back({std::to_string(p.value), std::to_string(p.meanQ), std::to_string(p.sdQ), std::to_string(p.susceptibility),
                                    std::to_string(p.meanModules), std::to_string(p.meanEnergy)});
                    msg << "  " << std::setw(8) << p.value << "  Q " << std::setw(7) << p.meanQ << " ± " << std::setw(7) << p.sdQ << "  χ " << std::setw(7)
                        << p.susceptibility << "  modules " << p.meanModules << "  energy " << p.meanEnergy << "\n";
                }
                io::writeTable(o->out, io::Table({"value", "mean_q", "sd_q", "susceptibility", "mean_modules", "mean_energy"}, rows), '\t');
                msg << "  susceptibility peaks at " << o->parameter << " = " << r.peakSusceptibilityAt << "; Q rises fastest at " << r.steepestRiseAt << "\n";
                job.succeed("phase sweep written to " + o->out, {{"parameter", o->parameter}, {"peak_susceptibility_at", r.peakSusceptibilityAt},
                                                                 {"steepest_rise_at", r.steepestRiseAt}, {"table", o->out}});
                job.print(msg.str());
                return 0;
            }};
}

} // namespace nm::cli
