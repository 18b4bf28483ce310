// neuromosaic-cli gnm fit: generative network models (BCT rules) fitted to a connectome by grid
// search over (η, γ), energies as BCT's evaluate_generative_model.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "generative/Fit.hpp"
#include "generative/GenerativeModel.hpp"
#include "generative/PhaseTransition.hpp"
#include "graph/Metrics.hpp"
#include "io/Connectome.hpp"
#include "io/Table.hpp"

#include <chrono>
#include <optional>
#include <iomanip>
#include <sstream>

namespace nm::cli {

namespace {
struct GnmCliOptions {
    std::string network, coords, out, landscape, form = "powerlaw", search = "grid", energy = "ks", birth, bestNetwork, seedNetwork;
    std::vector<std::string> rules{"sptl", "neighbors", "matching", "clu-avg", "deg-avg"};
    std::vector<double> eta{-8, 0, 17}, gamma{-1, 3, 17};
    int repetitions = 3, initial = 200, steps = 4, perStep = 200;
    double smoothing = 0.0;
    std::uint64_t seed = 1;
};

/// The target: binarised undirected network, Euclidean distances between node coordinates.
struct Target {
    graph::Matrix A, D;
    Eigen::Index edges = 0;
    Eigen::VectorXd birth;        ///< empty unless birth times were given
    std::vector<std::string> imputed;
};
Eigen::VectorXd loadBirthTimes(io::Connectome& c, const std::string& network, const std::string& file, std::vector<std::string>& imputed, int& missing);
Target loadTarget(const std::string& network, const std::string& coords, const std::string& birthFile = "") {
    auto c = io::readConnectome(network);
    if (!coords.empty()) io::attachCoordinates(c, coords);
    if (c.coordinates.size() == 0) throw InputError(network + ": node coordinates are needed (--coords FILE)");
    Target t;
    t.A = graph::binarize(graph::symmetrize(c.weights));
    t.D = graph::euclideanDistances(c.coordinates);
    t.edges = graph::edgeCount(t.A, false);
    if (!birthFile.empty()) {
        int missing = 0;
        t.birth = loadBirthTimes(c, network, birthFile, t.imputed, missing);
    }
    return t;
}

/// Birth times by node name ('<name>,<time>' lines); names come with the network or from a
/// "*labels*" file beside a "*matrix*" file (the celegans277 layout). A node missing from the file
/// gets the mean time of its class (name without trailing digits and L/R, e.g. VC6 → VC).
Eigen::VectorXd loadBirthTimes(io::Connectome& c, const std::string& network, const std::string& file, std::vector<std::string>& imputed, int& missing) {
    if (c.nodeNames.empty()) {
        auto labels = std::filesystem::path(network);
        const std::string stem = labels.stem().string();
        if (const auto k = stem.rfind("matrix"); k != std::string::npos) {
            labels.replace_filename(stem.substr(0, k) + "labels" + labels.extension().string());
            if (std::filesystem::exists(labels)) io::attachNames(c, labels);
        }
    }
    if (c.nodeNames.empty()) throw InputError(network + ": node names are needed to match the birth times (a TVB zip, GML labels, or a *labels* file)");
    missing = io::attachAttribute(c, "birth_time", file, true);
    Eigen::VectorXd birth = c.attributes.at("birth_time");
    auto cls = [](std::string s) {
        while (!s.empty() && (std::isdigit(static_cast<unsigned char>(s.back())) || s.back() == 'L' || s.back() == 'R')) s.pop_back();
        return s;
    };
    for (Eigen::Index i = 0; i < birth.size(); ++i) {
        if (std::isfinite(birth[i])) continue;
        const std::string k = cls(c.nodeNames[std::size_t(i)]);
        double sum = 0;
        int cnt = 0;
        for (Eigen::Index j = 0; j < birth.size(); ++j)
            if (std::isfinite(c.attributes.at("birth_time")[j]) && cls(c.nodeNames[std::size_t(j)]) == k) sum += c.attributes.at("birth_time")[j], ++cnt;
        if (cnt == 0) throw InputError(file + ": no birth time for node '" + c.nodeNames[std::size_t(i)] + "' nor for any node of its class '" + k + "'");
        birth[i] = sum / cnt;
        imputed.push_back(c.nodeNames[std::size_t(i)] + " = " + std::to_string(sum / cnt) + " (mean of " + std::to_string(cnt) + " " + k + " nodes)");
    }
    c.attributes["birth_time"] = birth;
    return birth;
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
    app->add_option("--search", o->search, "grid (--eta/--gamma FROM,TO,COUNT) or voronoi (Betzel et al. 2016: --initial points in the FROM,TO box, then --steps rounds of --per-step points in low-energy Voronoi cells)")
        ->check(CLI::IsMember({"grid", "voronoi"}))
        ->capture_default_str();
    app->add_option("--initial", o->initial, "Voronoi: initial uniform points")->check(CLI::Range(1, 1000000))->capture_default_str();
    app->add_option("--steps", o->steps, "Voronoi: refinement rounds")->check(CLI::Range(0, 1000))->capture_default_str();
    app->add_option("--per-step", o->perStep, "Voronoi: points per round")->check(CLI::Range(1, 1000000))->capture_default_str();
    app->add_option("--energy", o->energy, "ks (BCT: max KS of degree, clustering, betweenness, edge length) or topographical (max of 1 − r of smoothed node maps)")
        ->check(CLI::IsMember({"ks", "topographical"}))
        ->capture_default_str();
    app->add_option("--smoothing", o->smoothing, "Topographical energy: Gaussian σ in coordinate units (0: twice the median nearest-neighbour distance)")
        ->capture_default_str();
    app->add_option("--birth", o->birth, "Fit the developmental model: nodes appear at these birth times ('<name>,<time>' lines; see gnm develop)")
        ->check(CLI::ExistingFile);
    app->add_option("--landscape", o->landscape, "TSV of every evaluated point: rule, eta, gamma, energy, its four parts, step");
    app->add_option("-o,--out", o->out, "JSON of the best parameters per rule");
    app->add_option("--seed-network", o->seedNetwork, "Start every network from these edges (a matrix of the target's size, e.g. edges common to all subjects)")
        ->check(CLI::ExistingFile);
    app->add_option("--best-network", o->bestNetwork, "CSV: a network grown by the best model (lowest energy over all rules)");
    return {app, [o, &options] {
                JobContext job(options);
                std::vector<generative::Rule> rules;
                for (const auto& r : o->rules) {
                    if (r == "all") rules = generative::allRules();
                    else rules.push_back(generative::ruleFromName(r));
                }
                const auto etas = range(o->eta, "--eta"), gammas = range(o->gamma, "--gamma");
                const Target t = loadTarget(o->network, o->coords, o->birth);
                const auto n = t.A.rows();
                const auto m = t.edges;
                generative::FitOptions fo;
                fo.birth = t.birth;
                if (!o->seedNetwork.empty()) {
                    fo.seedNetwork = graph::symmetrize(io::readConnectome(o->seedNetwork).weights);
                    if (fo.seedNetwork.rows() != n)
                        throw InputError(o->seedNetwork + ": " + std::to_string(fo.seedNetwork.rows()) + " nodes, the network " + o->network + " has " + std::to_string(n));
                }
                fo.form = o->form == "exponential" ? generative::Form::Exponential : generative::Form::PowerLaw;
                fo.repetitions = o->repetitions;
                fo.seed = o->seed;
                fo.topographical = o->energy == "topographical";
                fo.smoothing = o->smoothing;
                job.progress().plan({{"fit", 1}});
                const bool voronoi = o->search == "voronoi";
                const std::size_t perRule = voronoi ? std::size_t(o->initial + o->steps * o->perStep) : etas.size() * gammas.size();
                job.progress().begin("fit", std::to_string(rules.size()) + " rules × " + std::to_string(perRule) + " points × " + std::to_string(o->repetitions));
                const auto t0 = std::chrono::steady_clock::now();
                std::vector<generative::FitPoint> points;
                try {
                    if (voronoi) {
                        for (std::size_t k = 0; k < rules.size(); ++k) {
                            fo.progress = [&job, k, &rules](std::size_t, std::size_t) { job.progress().update(k, rules.size()); };
                            const generative::Fitter fitter(t.A, t.D, fo);
                            const auto pts = fitter.voronoi(rules[k], etas.front(), etas.back(), gammas.front(), gammas.back(), o->initial, o->steps, o->perStep);
                            points.insert(points.end(), pts.begin(), pts.end());
                        }
                    } else {
                        for (auto r : rules)
                            for (double eta : etas)
                                for (double g : (r == generative::Rule::Spatial ? std::vector<double>{0.0} : gammas)) points.push_back({r, eta, g, {}, 0, 0});
                        fo.progress = [&job](std::size_t done, std::size_t total) { job.progress().update(done, total); };
                        generative::Fitter(t.A, t.D, fo).evaluate(points);
                    }
                } catch (const InputError& e) {
                    throw InputError(o->network + ": " + e.what());
                }
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                nlohmann::json best = nlohmann::json::object();
                std::ostringstream msg;
                msg << std::setprecision(4) << o->network << ": " << n << " nodes, " << m << " edges; " << points.size() * std::size_t(o->repetitions)
                    << " networks in " << seconds << " s (" << o->search << " search, " << o->energy << " energy" << (t.birth.size() ? ", developmental growth" : "") << ")\n";
                for (auto r : rules) {
                    const generative::FitPoint* b = nullptr;
                    for (const auto& p : points)
                        if (p.rule == r && (!b || p.energy < b->energy)) b = &p;
                    best[generative::ruleName(r)] = {{"energy", b->energy}, {"eta", b->eta}, {"gamma", r == generative::Rule::Spatial ? nlohmann::json(nullptr) : nlohmann::json(b->gamma)},
                                                      {"ks_degree", b->parts.degree}, {"ks_clustering", b->parts.clustering}, {"ks_betweenness", b->parts.betweenness},
                                                      {"ks_edge_length", b->parts.edgeLength}};
                    msg << "  " << std::setw(9) << generative::ruleName(r) << "  energy " << b->energy << "  η " << b->eta;
                    if (r != generative::Rule::Spatial) msg << "  γ " << b->gamma;
                    msg << "\n";
                }
                nlohmann::json j = {{"network", o->network}, {"nodes", n}, {"edges", m}, {"form", o->form}, {"repetitions", o->repetitions}, {"search", o->search},
                                    {"energy", o->energy}, {"developmental", t.birth.size() > 0}, {"birth_times_imputed", t.imputed}, {"networks", points.size() * std::size_t(o->repetitions)}, {"seconds", seconds}, {"best", best}};
                if (!o->bestNetwork.empty()) {
                    const auto b = *std::min_element(points.begin(), points.end(), [](const auto& x, const auto& y) { return x.energy < y.energy; });
                    generative::ModelSpec s;
                    s.rule = b.rule;
                    s.eta = b.eta;
                    s.gamma = b.gamma;
                    s.distanceForm = s.topologyForm = fo.form;
                    const graph::Matrix G = t.birth.size() ? generative::develop(t.D, t.birth, t.A, {s, s, 0}, o->seed).network
                                                           : generative::generate(fo.seedNetwork.size() ? graph::binarize(fo.seedNetwork) : graph::Matrix::Zero(n, n), t.D, m, s, o->seed);
                    std::ostringstream text;
                    for (Eigen::Index i = 0; i < n; ++i) {
                        for (Eigen::Index k = 0; k < n; ++k) text << (k ? "," : "") << G(i, k);
                        text << "\n";
                    }
                    writeFileAtomic(o->bestNetwork, text.str());
                    j["best_network"] = {{"file", o->bestNetwork}, {"rule", generative::ruleName(b.rule)}, {"eta", b.eta}, {"gamma", b.gamma}};
                }
                if (!o->out.empty()) writeFileAtomic(o->out, j.dump(2) + "\n");
                if (!o->landscape.empty()) {
                    std::vector<std::vector<std::string>> rows;
                    for (const auto& p : points)
                        rows.push_back({generative::ruleName(p.rule), std::to_string(p.eta), std::to_string(p.gamma), std::to_string(p.energy), std::to_string(p.parts.degree),
                                        std::to_string(p.parts.clustering), std::to_string(p.parts.betweenness), std::to_string(p.parts.edgeLength), std::to_string(p.step)});
                    io::writeTable(o->landscape, io::Table({"rule", "eta", "gamma", "energy", "ks_degree", "ks_clustering", "ks_betweenness", "ks_edge_length", "step"}, rows), '\t');
                }
                job.succeed("generative models fitted to " + o->network, j);
                job.print(msg.str());
                return 0;
            }};
}

namespace {
template <class SweepCli>
int finiteSize(const SweepCli& o, JobContext& job) {
    generative::ModelSpec s;
    s.rule = generative::ruleFromName(o.rule);
    s.eta = o.eta;
    s.gamma = o.gamma;
    s.distanceForm = s.topologyForm = o.form == "exponential" ? generative::Form::Exponential : generative::Form::PowerLaw;
    generative::SweepOptions so;
    so.parameter = o.parameter;
    so.values = range(o.values, "--values");
    so.repetitions = o.repetitions;
    so.seed = o.seed;
    generative::FiniteSizeOptions fs;
    fs.sizes = o.sizes;
    fs.dims = o.dims;
    fs.meanDegree = 10.0;
    if (o.meanDegree) {
        fs.meanDegree = *o.meanDegree;
    } else if (!o.network.empty()) {
        const auto c = io::readConnectome(o.network);
        fs.meanDegree = graph::degree(graph::binarize(graph::symmetrize(c.weights))).mean();
    }
    const auto results = generative::finiteSizeSweep(fs, s, so);
    std::vector<std::vector<std::string>> rows;
    std::ostringstream msg;
    msg << std::setprecision(4) << o.rule << ": finite-size sweep of " << o.parameter << " at mean degree " << fs.meanDegree << "\n";
    nlohmann::json per = nlohmann::json::array();
    for (const auto& r : results) {
        double chiMax = 0;
        for (const auto& p : r.sweep.points) {
            rows.push_back({std::to_string(r.n), std::to_string(p.value), std::to_string(p.meanQ), std::to_string(p.sdQ), std::to_string(p.susceptibility),
                            std::to_string(p.meanModules), std::to_string(p.meanEnergy)});
            chiMax = std::max(chiMax, p.susceptibility);
        }
        msg << "  n " << std::setw(6) << r.n << ": Q " << r.sweep.points.front().meanQ << " … " << r.sweep.points.back().meanQ << ", half-rise at " << o.parameter << " = "
            << r.sweep.halfRiseAt << " (slope " << r.sweep.slopeAtHalfRise << "); χ peaks at " << r.sweep.peakSusceptibilityAt << " (χ " << chiMax
            << "); Q changes fastest at " << r.sweep.steepestRiseAt << "\n";
        per.push_back({{"n", r.n}, {"half_rise_at", r.sweep.halfRiseAt}, {"slope_at_half_rise", r.sweep.slopeAtHalfRise},
                       {"peak_susceptibility_at", r.sweep.peakSusceptibilityAt}, {"peak_susceptibility", chiMax}, {"steepest_change_at", r.sweep.steepestRiseAt}});
    }
    io::writeTable(o.out, io::Table({"n", "value", "mean_q", "sd_q", "susceptibility", "mean_modules", "mean_energy"}, rows), '\t');
    job.succeed("finite-size sweep written to " + o.out, {{"parameter", o.parameter}, {"sizes", per}, {"table", o.out}});
    job.print(msg.str());
    return 0;
}
} // namespace

Command makeGnmSweepCommand(CLI::App& root, const GlobalOptions& options) {
    auto* gnm = root.get_subcommand("gnm");
    auto* app = gnm->add_subcommand("sweep", "Phase transition of modularity: sweep η, γ or the density of a generative model");
    struct SweepCli {
        std::string network, coords, rule = "matching", parameter = "gamma", out, form = "powerlaw";
        std::vector<double> values{-1, 3, 17};
        std::vector<Eigen::Index> sizes;
        double eta = -1.0, gamma = 0.5;
        std::optional<double> meanDegree;
        int repetitions = 10, dims = 3;
        std::uint64_t seed = 1;
    };
    auto o = std::make_shared<SweepCli>();
    app->add_option("network", o->network, "Connectome giving the nodes, their positions and the number of edges (with --sizes: only its mean degree)")
        ->check(CLI::ExistingFile);
    app->add_option("--sizes", o->sizes, "Finite-size sweep: network sizes n (nodes uniform in the unit cube, mean degree fixed)")->delimiter(',');
    app->add_option("--mean-degree", o->meanDegree, "Finite-size sweep: mean degree (default: the network's, else 10)")->check(CLI::PositiveNumber);
    app->add_option("--dims", o->dims, "Finite-size sweep: 2 or 3 dimensions")->check(CLI::IsMember({2, 3}))->capture_default_str();
    app->add_option("--coords", o->coords, "Node coordinates (mm)")->check(CLI::ExistingFile);
    app->add_option("--rule", o->rule, "Wiring rule")->capture_default_str();
    app->add_option("--parameter", o->parameter, "Control parameter: eta, gamma or density")->check(CLI::IsMember({"eta", "gamma", "density"}))->capture_default_str();
    app->add_option("--values", o->values, "Sweep FROM,TO,COUNT")->delimiter(',')->capture_default_str();
    app->add_option("--eta", o->eta, "η when it is not swept")->capture_default_str();
    app->add_option("--gamma", o->gamma, "γ when it is not swept")->capture_default_str();
    app->add_option("--form", o->form, "powerlaw or exponential")->check(CLI::IsMember({"powerlaw", "exponential"}))->capture_default_str();
    app->add_option("--repetitions", o->repetitions, "Networks per value (≥ 2)")->check(CLI::Range(2, 10000))->capture_default_str();
    app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    app->add_option("-o,--out", o->out, "Plot-ready TSV: [n,] value, mean_q, sd_q, susceptibility, mean_modules, mean_energy")->required();
    return {app, [o, &options] {
                JobContext job(options);
                if (!o->sizes.empty()) return finiteSize(*o, job);
                if (o->network.empty()) throw InputError("gnm sweep: a network is needed (or --sizes for a finite-size sweep)");
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
                msg << "  Q crosses half its range at " << o->parameter << " = " << r.halfRiseAt << " (slope " << r.slopeAtHalfRise << "); susceptibility peaks at "
                    << r.peakSusceptibilityAt << "; Q changes fastest at " << r.steepestRiseAt << "\n";
                job.succeed("phase sweep written to " + o->out, {{"parameter", o->parameter}, {"peak_susceptibility_at", r.peakSusceptibilityAt},
                                                                 {"steepest_change_at", r.steepestRiseAt}, {"half_rise_at", r.halfRiseAt}, {"table", o->out}});
                job.print(msg.str());
                return 0;
            }};
}

Command makeGnmDevelopCommand(CLI::App& root, const GlobalOptions& options) {
    auto* gnm = root.get_subcommand("gnm");
    auto* app = gnm->add_subcommand("develop", "Developmental growth: nodes appear at their birth times and wire under a rule; compared with the adult network");
    struct DevelopCli {
        std::string network, coords, birth, rule = "matching", form = "powerlaw", out, trajectory;
        double eta = -2.0, gamma = 0.3;
        std::optional<double> lateEta, lateGamma;
        int repetitions = 10, records = 40;
        std::uint64_t seed = 1;
    };
    auto o = std::make_shared<DevelopCli>();
    app->add_option("network", o->network, "Adult connectome (symmetrised, binarised); its edges among the born nodes set the growth schedule")->required()->check(CLI::ExistingFile);
    app->add_option("--coords", o->coords, "Node coordinates")->check(CLI::ExistingFile);
    app->add_option("--birth", o->birth, "Birth times: '<node name>,<time>' per line (needs node names; nodes missing from the file get the mean time of their "
                                         "class — the name without its trailing digits/L/R — and are reported)")
        ->required()
        ->check(CLI::ExistingFile);
    app->add_option("--rule", o->rule, "Wiring rule")->capture_default_str();
    app->add_option("--form", o->form, "powerlaw or exponential")->check(CLI::IsMember({"powerlaw", "exponential"}))->capture_default_str();
    app->add_option("--eta", o->eta, "η at the first birth")->capture_default_str();
    app->add_option("--gamma", o->gamma, "γ at the first birth")->capture_default_str();
    app->add_option("--late-eta", o->lateEta, "Heterochronicity: η at the last birth (linear in time; default: constant)");
    app->add_option("--late-gamma", o->lateGamma, "Heterochronicity: γ at the last birth (default: constant)");
    app->add_option("--repetitions", o->repetitions, "Grown networks (energies and modularity averaged)")->check(CLI::Range(1, 10000))->capture_default_str();
    app->add_option("--records", o->records, "Stages at which modularity is recorded")->check(CLI::Range(1, 100000))->capture_default_str();
    app->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    app->add_option("-o,--out", o->out, "JSON: energies, grown vs adult mesoscale measures");
    app->add_option("--trajectory", o->trajectory, "TSV per recorded stage: time, nodes, edges, grown Q and modules, adult Q and modules (first repetition)");
    return {app, [o, &options] {
                JobContext job(options);
                auto c = io::readConnectome(o->network);
                if (!o->coords.empty()) io::attachCoordinates(c, o->coords);
                if (c.coordinates.size() == 0) throw InputError(o->network + ": node coordinates are needed (--coords FILE)");
                std::vector<std::string> imputed;
                int missing = 0;
                const Eigen::VectorXd birth = loadBirthTimes(c, o->network, o->birth, imputed, missing);
                const auto n = c.nodes();
                const graph::Matrix A = graph::binarize(graph::symmetrize(c.weights));
                const graph::Matrix D = graph::euclideanDistances(c.coordinates);
                generative::DevelopmentOptions dopt;
                dopt.early.rule = generative::ruleFromName(o->rule);
                dopt.early.distanceForm = dopt.early.topologyForm = o->form == "exponential" ? generative::Form::Exponential : generative::Form::PowerLaw;
                dopt.early.eta = o->eta;
                dopt.early.gamma = o->gamma;
                dopt.late = dopt.early;
                if (o->lateEta) dopt.late.eta = *o->lateEta;
                if (o->lateGamma) dopt.late.gamma = *o->lateGamma;
                dopt.records = o->records;
                const auto target = generative::targetStatistics(A, D);
                std::vector<generative::Development> runs(static_cast<std::size_t>(o->repetitions));
                std::vector<generative::Energy> energies(runs.size());
                std::vector<graph::Partition> parts(runs.size());
                std::string failure;
#pragma omp parallel for schedule(dynamic)
                for (int r = 0; r < o->repetitions; ++r) {
                    try {
                        runs[std::size_t(r)] = generative::develop(D, birth, A, dopt, o->seed * 1000003ull + std::uint64_t(r));
                        energies[std::size_t(r)] = generative::energy(target, runs[std::size_t(r)].network, D);
                        parts[std::size_t(r)] = graph::modularityUnd(runs[std::size_t(r)].network);
                    } catch (const std::exception& e) {
#pragma omp critical
                        failure = e.what();
                    }
                }
                if (!failure.empty()) throw InputError(o->network + ": " + failure);
                const auto adultQ = graph::modularityUnd(A);
                double e = 0, q = 0, clu = 0, eff = 0, mods = 0;
                const double R = o->repetitions;
                for (std::size_t r = 0; r < runs.size(); ++r) {
                    e += energies[r].max() / R;
                    q += parts[r].q / R;
                    mods += *std::max_element(parts[r].module.begin(), parts[r].module.end()) / R;
                    clu += graph::clusteringBU(runs[r].network).mean() / R;
                    eff += graph::globalEfficiencyBin(runs[r].network) / R;
                }
                // The same rule grown with all nodes present from the start, for comparison.
                double eStatic = 0;
                for (int r = 0; r < o->repetitions; ++r)
                    eStatic += generative::energy(target, generative::generate(graph::Matrix::Zero(n, n), D, graph::edgeCount(A, false), dopt.early, o->seed * 7919ull + std::uint64_t(r)), D).max() / R;
                nlohmann::json j = {{"network", o->network}, {"nodes", n}, {"edges", graph::edgeCount(A, false)}, {"rule", o->rule},
                                    {"eta", {dopt.early.eta, dopt.late.eta}}, {"gamma", {dopt.early.gamma, dopt.late.gamma}}, {"stages", runs.front().stages},
                                    {"birth_times_imputed", imputed}, {"birth_times_missing", missing}, {"repetitions", o->repetitions},
                                    {"energy", e}, {"energy_without_development", eStatic},
                                    {"grown", {{"q", q}, {"modules", mods}, {"mean_clustering", clu}, {"global_efficiency", eff}}},
                                    {"adult", {{"q", adultQ.q}, {"modules", *std::max_element(adultQ.module.begin(), adultQ.module.end())},
                                               {"mean_clustering", graph::clusteringBU(A).mean()}, {"global_efficiency", graph::globalEfficiencyBin(A)}}}};
                if (!o->out.empty()) writeFileAtomic(o->out, j.dump(2) + "\n");
                if (!o->trajectory.empty()) {
                    std::vector<std::vector<std::string>> rows;
                    for (const auto& st : runs.front().trajectory)
                        rows.push_back({std::to_string(st.time), std::to_string(st.nodes), std::to_string(st.edges), std::to_string(st.q), std::to_string(st.modules),
                                        std::to_string(st.adultQ), std::to_string(st.adultModules)});
                    io::writeTable(o->trajectory, io::Table({"time", "nodes", "edges", "q", "modules", "adult_q", "adult_modules"}, rows), '\t');
                }
                std::ostringstream msg;
                msg << std::setprecision(4) << o->network << ": " << n << " nodes born in " << runs.front().stages << " stages";
                if (!imputed.empty()) msg << " (" << imputed.size() << " birth time(s) imputed: " << imputed.front() << (imputed.size() > 1 ? ", …" : "") << ")";
                msg << "\n  " << o->rule << " η " << dopt.early.eta << (dopt.late.eta != dopt.early.eta ? " → " + std::to_string(dopt.late.eta) : std::string()) << ", γ "
                    << dopt.early.gamma << (dopt.late.gamma != dopt.early.gamma ? " → " + std::to_string(dopt.late.gamma) : std::string()) << "\n  energy " << e
                    << " (all nodes from the start: " << eStatic << ")\n  grown Q " << q << " (" << mods << " modules), clustering " << clu << ", efficiency " << eff
                    << "\n  adult Q " << adultQ.q << ", clustering " << graph::clusteringBU(A).mean() << ", efficiency " << graph::globalEfficiencyBin(A) << "\n";
                job.succeed("development grown on " + o->network, j);
                job.print(msg.str());
                return 0;
            }};
}

} // namespace nm::cli
