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
#include <functional>
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
    std::string model = "spatial";
    std::vector<Eigen::Index> sizes;   ///< phase-diagram: finite-size sweep
    double phaseDegree = 0.0;          ///< phase-diagram: mean degree (0: the model's default, sbm 6, spatial 10)
    int layouts = 3;
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
nlohmann::json orNull(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }
std::string orNa(double x, const std::string& na = "n/a") { return std::isfinite(x) ? std::to_string(x).substr(0, 6) : na; }

/// The --json and --svg outputs of a theory command (the figure built only when asked for).
void writeJsonAndFigure(const TheoryCliOptions& o, const nlohmann::json& j, const std::function<theory::LineChart()>& figure) {
    if (!o.json.empty()) writeFileAtomic(o.json, j.dump(2) + "\n");
    if (!o.svg.empty()) writeFileAtomic(o.svg, theory::svgLineChart(figure()));
}

/// `theory matching` and `theory phase-diagram --model matching`: the (η, γ) diagram on one network.
void runMatching(const TheoryCliOptions& o, JobContext& job, const std::string& command) {
    std::ostringstream msg;
    msg << std::fixed << std::setprecision(3);
    const auto [c, A, D, m] = spatialNetwork(o, command);
    const double ownQ = graph::modularityUnd(A).q;
    const auto r = theory::matchingDiagram(D, m, o.etas, o.gammas, o.repetitions, o.seed, ownQ);
    std::vector<std::vector<std::string>> rows;
    nlohmann::json grid = nlohmann::json::array(), bounds = nlohmann::json::array();
    for (const auto& p : r.grid) {
        rows.push_back({std::to_string(p.gamma), std::to_string(p.eta), std::to_string(p.meanQ), std::to_string(p.sdQ)});
        grid.push_back({{"gamma", p.gamma}, {"eta", p.eta}, {"q", p.meanQ}, {"sd", p.sdQ}});
    }
    msg << c.name << " (n " << A.rows() << ", " << m << " edges, its own Q " << ownQ << "): the matching rule's boundary η*(γ) where Q rises\n";
    for (const auto& b : r.boundary) {
        bounds.push_back({{"gamma", b.gamma}, {"half_rise_eta", b.halfRise}, {"eta_at_own_q", orNull(b.etaAtOwnQ)}, {"q_max", b.qMax}, {"q_min", b.qMin}});
        msg << "  γ " << std::setw(5) << b.gamma << ": η* = " << b.halfRise << " (Q " << b.qMin << " → " << b.qMax << "), its own Q reached at η = "
            << orNa(b.etaAtOwnQ, "n/a (outside the range)") << "\n";
    }
    msg << "  γ = 0 limit: the annealed spatial rule predicts η* = " << r.spatialPrediction << "\n";
    if (!o.out.empty()) io::writeTable(o.out, io::Table({"gamma", "eta", "q", "sd"}, rows), '\t');
    const nlohmann::json j = {{"network", c.name}, {"nodes", A.rows()}, {"edges", m}, {"own_q", ownQ}, {"grid", grid}, {"boundary", bounds},
                              {"spatial_prediction_half_rise", r.spatialPrediction}};
    writeJsonAndFigure(o, j, [&] {
        theory::LineChart chart{c.name + ": modularity of the matching rule along η, per γ", "η", "Q"};
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
        return chart;
    });
    job.print(msg.str());
    job.succeed("matching phase diagram", {{"boundary", bounds}});
}

/// `theory phase-diagram --model spatial NETWORK`: the onset η* over densities on the network's
/// coordinates, and where the network itself sits (the η at which the rule reaches its own Q).
void runPhaseSpatialDensities(const TheoryCliOptions& o, JobContext& job) {
    std::ostringstream msg;
    msg << std::fixed << std::setprecision(3);
    const auto [c, A, D, ownM] = spatialNetwork(o, "phase-diagram");
    const double n = double(A.rows()), pairs = n * (n - 1) / 2;
    const double ownDensity = double(ownM) / pairs;
    const double ownQ = graph::modularityUnd(A).q;
    std::vector<double> densities;
    for (double d : o.densities)  // one within 5 % of the network's own is that one
        if (std::abs(d - ownDensity) > 0.05 * ownDensity) densities.push_back(d);
    densities.push_back(ownDensity);
    std::sort(densities.begin(), densities.end());
    densities.erase(std::unique(densities.begin(), densities.end()), densities.end());
    std::vector<std::vector<std::string>> rows;
    nlohmann::json pts = nlohmann::json::array(), own;
    theory::LineSeries pred{"annealed prediction", {}, {}, false}, sim{"simulated growth", {}, {}, true};
    msg << c.name << " (n " << A.rows() << ", own density " << ownDensity
        << "): density, mean degree, onset η* (predicted / simulated), Q at the most local η (predicted / simulated), Q of G(n, p)\n";
    for (const double d : densities) {
        const auto m = Eigen::Index(std::llround(d * pairs));
        if (m < 1 || double(m) >= pairs) continue;
        const auto r = theory::spatialDiagram(D, m, o.etas, o.repetitions, o.seed);
        const auto& local = *std::min_element(r.points.begin(), r.points.end(), [](const auto& a, const auto& b) { return a.eta < b.eta; });
        const double qRandom = theory::modularityErReichardtBornholdt(n, double(m) / pairs);
        const bool isOwn = m == ownM;
        rows.push_back({std::to_string(double(m) / pairs), std::to_string(2.0 * double(m) / n), std::to_string(r.predictedHalfRise),
                        std::to_string(r.simulatedHalfRise), std::to_string(local.qPredicted), std::to_string(local.simulatedQ), std::to_string(qRandom),
                        isOwn ? "1" : "0"});
        pts.push_back({{"density", double(m) / pairs}, {"edges", m}, {"mean_degree", 2.0 * double(m) / n}, {"predicted_onset_eta", r.predictedHalfRise},
                       {"simulated_onset_eta", orNull(r.simulatedHalfRise)}, {"q_local_predicted", local.qPredicted},
                       {"q_local_simulated", orNull(local.simulatedQ)}, {"q_random", qRandom}, {"own_density", isOwn}});
        pred.x.push_back(double(m) / pairs);
        pred.y.push_back(r.predictedHalfRise);
        sim.x.push_back(double(m) / pairs);
        sim.y.push_back(r.simulatedHalfRise);
        msg << "  " << std::setw(6) << double(m) / pairs << "  " << std::setw(7) << 2.0 * double(m) / n << "  " << r.predictedHalfRise << " / "
            << r.simulatedHalfRise << "  " << local.qPredicted << " / " << local.simulatedQ << "  " << qRandom << (isOwn ? "  (its own density)" : "")
            << "\n";
        if (isOwn) {
            const double at = theory::etaReachingQ(r, ownQ);
            const double onsetEta = std::isfinite(r.simulatedHalfRise) ? r.simulatedHalfRise : r.predictedHalfRise;
            own = {{"density", ownDensity}, {"own_q", ownQ}, {"eta_at_own_q", orNull(at)}, {"onset_eta", onsetEta},
                   {"side", !std::isfinite(at) ? "outside the range" : (at < onsetEta ? "modular" : "random")}};
            msg << "  its own Q " << ownQ << " is reached at η = " << orNa(at, "n/a (outside the range)") << " against the onset η* = " << onsetEta
                << (std::isfinite(at) ? (at < onsetEta ? ": on the modular side (wiring more local than the onset)\n" : ": on the random side of the onset\n")
                                      : "\n");
        }
    }
    if (rows.empty()) throw InputError("theory phase-diagram: no density gives between 1 and n(n − 1)/2 − 1 edges");
    if (!o.out.empty())
        io::writeTable(o.out,
                       io::Table({"density", "mean_degree", "predicted_onset_eta", "simulated_onset_eta", "q_local_predicted", "q_local_simulated",
                                  "q_random", "own_density"},
                                 rows),
                       '\t');
    const nlohmann::json j = {{"model", "spatial"}, {"network", c.name}, {"nodes", A.rows()}, {"own_edges", ownM}, {"etas", o.etas},
                              {"repetitions", o.repetitions}, {"points", pts}, {"network_position", own},
                              {"onset", "η where Q of the spatial rule crosses halfway between its extremes along η"}};
    writeJsonAndFigure(o, j, [&] {
        theory::LineChart chart{c.name + ": onset of modularity under spatial wiring (P ∝ d^η)", "edge density", "onset η*", {pred}};
        if (o.repetitions > 0) chart.series.push_back(sim);
        chart.markers = {{ownDensity, "its own density"}};
        return chart;
    });
    job.print(msg.str());
    job.succeed("spatial phase diagram", {{"points", pts}, {"network_position", own}});
}

/// `theory phase-diagram --model spatial --sizes …`: the annealed prediction's finite-size error
/// on nodes uniform in the unit cube at a fixed mean degree.
void runPhaseSpatialSizes(const TheoryCliOptions& o, JobContext& job) {
    std::ostringstream msg;
    msg << std::fixed << std::setprecision(3);
    if (o.repetitions < 2) throw InputError("theory phase-diagram --sizes: the simulation needs --repetitions >= 2");
    const double k = o.phaseDegree > 0 ? o.phaseDegree : 10.0;
    const auto r = theory::spatialFiniteSize(o.sizes, k, o.etas, o.repetitions, o.layouts, o.seed);
    std::vector<std::vector<std::string>> rows;
    nlohmann::json pts = nlohmann::json::array();
    theory::LineSeries pred{"annealed prediction", {}, {}, false}, sim{"simulated growth", {}, {}, true};
    msg << "spatial rule on nodes uniform in the unit cube, mean degree " << k << ", " << o.layouts << " layouts × " << o.repetitions
        << " networks per η: n, onset η* predicted / simulated, |gap| ± sd\n";
    for (const auto& p : r.points) {
        rows.push_back({std::to_string(p.n), std::to_string(p.m), std::to_string(p.predicted), std::to_string(p.simulated), std::to_string(p.gap),
                        std::to_string(p.sdGap)});
        pts.push_back({{"nodes", p.n}, {"edges", p.m}, {"predicted_onset_eta", p.predicted}, {"simulated_onset_eta", p.simulated}, {"gap", p.gap},
                       {"sd_gap", p.sdGap}, {"layouts", p.layouts}});
        pred.x.push_back(double(p.n));
        pred.y.push_back(p.predicted);
        sim.x.push_back(double(p.n));
        sim.y.push_back(p.simulated);
        msg << "  n = " << std::setw(6) << p.n << "  " << p.predicted << " / " << p.simulated << "  " << p.gap << " ± " << p.sdGap << "\n";
    }
    if (std::isfinite(r.gapScaling.exponent))
        msg << "  the gap scales as " << orNa(r.gapScaling.prefactor) << " · n^(−" << orNa(r.gapScaling.exponent) << ") over " << r.gapScaling.sizes << " sizes\n";
    if (!o.out.empty())
        io::writeTable(o.out, io::Table({"nodes", "edges", "predicted_onset_eta", "simulated_onset_eta", "gap", "sd_gap"}, rows), '\t');
    const nlohmann::json j = {{"model", "spatial"}, {"mean_degree", k}, {"etas", o.etas}, {"repetitions", o.repetitions}, {"layouts", o.layouts},
                              {"points", pts}, {"gap_prefactor", orNull(r.gapScaling.prefactor)}, {"gap_exponent", orNull(r.gapScaling.exponent)}};
    writeJsonAndFigure(o, j, [&] {
        theory::LineChart chart{"Spatial rule, unit cube, mean degree " + std::to_string(k).substr(0, 4) + ": onset η* against n", "nodes n", "onset η*",
                                {pred, sim}};
        chart.logX = true;
        return chart;
    });
    job.print(msg.str());
    job.succeed("spatial finite-size diagram", {{"points", pts}, {"gap_exponent", orNull(r.gapScaling.exponent)}});
}

/// `theory phase-diagram --model sbm [NETWORK…]`: the Kesten–Stigum transition at several sizes
/// (Bethe Hessian), the finite-size gap of the simulated transition and its power law, and each
/// network placed at its own size, number of modules and mean degree.
void runPhaseSbm(const TheoryCliOptions& o, JobContext& job) {
    std::ostringstream msg;
    msg << std::fixed << std::setprecision(3);
    theory::DetectabilityOptions d = o.d;
    d.repetitions = std::max(1, o.repetitions);
    d.leiden = false;  // Leiden overfits sparse graphs (theory detectability shows it); the locator is the Bethe Hessian's
    if (!o.sizes.empty()) d.sizes = o.sizes;
    if (o.phaseDegree > 0) d.meanDegree = o.phaseDegree;
    if (d.ratios.empty()) d.ratios = {0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5, 1.7, 2.0};
    const auto r = theory::detectabilitySweep(d);
    std::vector<std::vector<std::string>> rows;
    nlohmann::json sizes = nlohmann::json::array(), nets = nlohmann::json::array();
    theory::LineChart chart;
    chart.title = "Planted partition q = " + std::to_string(d.q) + ", c = " + std::to_string(d.meanDegree).substr(0, 4) + ": the transition at finite n";
    chart.xLabel = "λ = (c_in − c_out) / (q √c)";
    chart.yLabel = "graphs informative (—), overlap like each network (- -)";
    for (const auto n : d.sizes) {
        theory::LineSeries se{"n = " + std::to_string(n), {}, {}, false};
        for (const auto& p : r.points)
            if (p.n == n) {
                se.x.push_back(p.ratio);
                se.y.push_back(p.informative);
                rows.push_back({"planted", std::to_string(n), std::to_string(d.q), std::to_string(d.meanDegree), std::to_string(p.ratio),
                                std::to_string(p.overlapSpectral), std::to_string(p.sdOverlapSpectral), std::to_string(p.informative)});
            }
        chart.series.push_back(se);
    }
    chart.markers.emplace_back(1.0, "Kesten–Stigum");
    msg << "planted partition, q = " << d.q << ", mean degree " << d.meanDegree << ", " << d.repetitions
        << " graphs per point: predicted transition λ = 1; simulated: the λ from which 90 % of the graphs have q negative Bethe Hessian "
           "eigenvalues\n";
    for (const auto& f : r.finiteSize) {
        sizes.push_back({{"nodes", f.n}, {"simulated_ratio", orNull(f.simulated)}, {"gap", orNull(f.gap)}});
        msg << "  n = " << std::setw(7) << f.n << "  λ = " << orNa(f.simulated, "never (in the range)") << "  gap " << orNa(f.gap) << "\n";
    }
    if (std::isfinite(r.gapScaling.exponent))
        msg << "  the gap scales as " << orNa(r.gapScaling.prefactor) << " · n^(−" << orNa(r.gapScaling.exponent) << ") over " << r.gapScaling.sizes << " sizes\n";
    for (const auto& file : o.networks) {
        const auto c = io::readConnectome(file);
        const auto t = theory::analyseNetwork(c.weights, o.samples, o.seed);
        // The network's own planted partition: its n, its number of modules (≤ 8, the overlap's
        // limit; ≥ 10 nodes each) and its mean degree; λ up to where c_out reaches 0 (λ = √c).
        theory::DetectabilityOptions own = d;
        own.q = std::clamp(t.modules, 2, 8);
        while (own.q > 2 && t.n < 10 * Eigen::Index(own.q)) --own.q;
        own.meanDegree = t.meanDegree;
        own.sizes = {t.n};
        own.ratios.clear();
        const double top = std::min(0.98 * std::sqrt(own.meanDegree), std::max(2.5, t.ksRatio + 0.5));
        for (double x = 0.5; x <= top + 1e-9; x += 0.1) own.ratios.push_back(x);
        const auto s = theory::detectabilitySweep(own);
        const double counted = s.finiteSize.empty() ? std::nan("") : s.finiteSize.front().simulated;
        // Recovery at its size: the λ where the planted overlap rises halfway from its floor (the
        // smallest λ: chance at this n) to 1. At small n with q > 2 the overlap is high well before
        // all q − 1 informative eigenvalues clear the bulk, so the eigenvalue count is reported but
        // does not decide.
        double window = std::nan("");
        if (!s.points.empty()) {
            const double mid = 0.5 * (s.points.front().overlapSpectral + 1.0);
            for (std::size_t i = 1; i < s.points.size() && std::isnan(window); ++i) {
                const auto& a = s.points[i - 1];
                const auto& b = s.points[i];
                if (a.overlapSpectral < mid && b.overlapSpectral >= mid)
                    window = a.ratio + (mid - a.overlapSpectral) / (b.overlapSpectral - a.overlapSpectral) * (b.ratio - a.ratio);
            }
        }
        const std::string side = t.ksRatio <= 1.0       ? "below the bound: its modules would not be detectable"
                                 : !std::isfinite(window) ? "above the bound; recovery at its size lies beyond the range"
                                 : t.ksRatio >= window    ? "recoverable at its own size (beyond the simulated recovery)"
                                                          : "above the bound but not yet recovered at its size";
        // The planted graphs like it, at its own λ: their overlap and fraction informative (interpolated).
        double atOverlap = std::nan(""), atInformative = std::nan("");
        for (std::size_t i = 1; i < s.points.size(); ++i)
            if (s.points[i - 1].ratio <= t.ksRatio && t.ksRatio <= s.points[i].ratio) {
                const double w = (t.ksRatio - s.points[i - 1].ratio) / (s.points[i].ratio - s.points[i - 1].ratio);
                atOverlap = (1 - w) * s.points[i - 1].overlapSpectral + w * s.points[i].overlapSpectral;
                atInformative = (1 - w) * s.points[i - 1].informative + w * s.points[i].informative;
            }
        for (const auto& p : s.points)
            rows.push_back({c.name, std::to_string(p.n), std::to_string(own.q), std::to_string(own.meanDegree), std::to_string(p.ratio),
                            std::to_string(p.overlapSpectral), std::to_string(p.sdOverlapSpectral), std::to_string(p.informative)});
        nets.push_back({{"network", c.name}, {"nodes", t.n}, {"modules", t.modules}, {"groups_simulated", own.q}, {"mean_degree", t.meanDegree},
                        {"kesten_stigum_ratio", t.ksRatio}, {"recovery_ratio_at_its_size", orNull(window)},
                        {"all_groups_informative_ratio_at_its_size", orNull(counted)}, {"side", side},
                        {"planted_overlap_at_its_ratio", orNull(atOverlap)}, {"planted_informative_at_its_ratio", orNull(atInformative)}});
        msg << c.name << " (n " << t.n << ", " << t.modules << " modules, mean degree " << t.meanDegree << "): its modules sit at λ = " << t.ksRatio
            << "; at its size (q = " << own.q << ") planted groups are half-recovered from λ = " << orNa(window, "n/a")
            << " (all q informative eigenvalues in 90 % of graphs from λ = " << orNa(counted, "n/a") << ") — " << side
            << "; planted graphs at its λ: overlap " << orNa(atOverlap) << ", " << orNa(atInformative) << " of them informative\n";
        theory::LineSeries like{c.name + "-like (n " + std::to_string(t.n) + ", q " + std::to_string(own.q) + ")", {}, {}, true};
        for (const auto& p : s.points) {
            like.x.push_back(p.ratio);
            like.y.push_back(p.overlapSpectral);
        }
        chart.series.push_back(like);
        chart.markers.emplace_back(t.ksRatio, c.name);
    }
    if (!o.out.empty())
        io::writeTable(o.out, io::Table({"source", "nodes", "groups", "mean_degree", "ratio", "overlap_bethe_hessian", "sd_overlap", "informative_bethe_hessian"}, rows),
                       '\t');
    const nlohmann::json j = {{"model", "sbm"}, {"groups", d.q}, {"mean_degree", d.meanDegree}, {"repetitions", d.repetitions}, {"predicted_ratio", 1.0},
                              {"finite_size", sizes}, {"gap_prefactor", orNull(r.gapScaling.prefactor)}, {"gap_exponent", orNull(r.gapScaling.exponent)},
                              {"networks", nets}, {"seconds", r.seconds}};
    writeJsonAndFigure(o, j, [&] { return chart; });
    job.print(msg.str());
    job.succeed("planted-partition phase diagram", {{"finite_size", sizes}, {"networks", nets}});
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
    auto* phase = app->add_subcommand(
        "phase-diagram",
        "Predicted against simulated transitions. --model spatial NETWORK: for each density, the η at which Q of the spatial rule rises "
        "halfway (annealed prediction, simulated growth on the network's coordinates) and where the network's own Q sits; --model spatial "
        "--sizes: the prediction's error against n (nodes in the unit cube); --model sbm [NETWORK…]: the Kesten–Stigum transition at "
        "several sizes (Bethe Hessian) and each network at its own size; --model matching NETWORK: the (η, γ) diagram");
    phase->add_option("--model", o->model, "spatial, sbm or matching")->check(CLI::IsMember({"spatial", "sbm", "matching"}))->capture_default_str();
    phase->add_option("network", o->networks, "Connectomes (spatial, matching: one, with coordinates; sbm: any, placed on the diagram)")
        ->check(CLI::ExistingFile);
    phase->add_option("--coords", o->coords, "Node coordinates (when the network file has none)")->check(CLI::ExistingFile);
    phase->add_option("--sizes", o->sizes, "Finite-size sweep: numbers of nodes (sbm: default 1000,4000; spatial: nodes uniform in the unit cube)")
        ->delimiter(',')
        ->check(CLI::Range(Eigen::Index(10), Eigen::Index(10000000)));
    phase->add_option("--degree", o->phaseDegree, "Mean degree of the finite-size sweep (default: sbm 6, spatial 10)")->check(CLI::PositiveNumber);
    phase->add_option("--groups", o->d.q, "sbm: planted groups q")->check(CLI::Range(2, 8))->capture_default_str();
    phase->add_option("--ratios", o->d.ratios, "sbm: Kesten–Stigum ratios λ (default 0.5 … 2.0, finer near 1)")->delimiter(',');
    phase->add_option("--layouts", o->layouts, "spatial --sizes: node layouts per size")->check(CLI::Range(1, 100))->capture_default_str();
    phase->add_option("--densities", o->densities, "spatial: edge densities (the network's own is added)")
        ->delimiter(',')
        ->check(CLI::Range(1e-4, 0.9))
        ->capture_default_str();
    phase->add_option("--etas", o->etas, "spatial, matching: values of η")->delimiter(',')->capture_default_str();
    phase->add_option("--gammas", o->gammas, "matching: values of γ")->delimiter(',')->capture_default_str();
    phase->add_option("--repetitions", o->repetitions, "Simulated networks per point (spatial densities: 0 = prediction only)")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    phase->add_option("--samples", o->samples, "sbm: sampled G(n, m) graphs when placing a network")->check(CLI::Range(2, 1000))->capture_default_str();
    phase->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    phase->add_option("-o,--out", o->out, "Plot-ready table (TSV) to write");
    phase->add_option("--json", o->json, "JSON to write");
    phase->add_option("--svg", o->svg, "Figure (SVG)");
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
                        onsets.push_back({{"nodes", x.n}, {"method", x.method}, {"level", x.level}, {"ratio", orNull(x.ratio)}});
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
                                       {"q_simulated", orNull(p.simulatedQ)},
                                       {"sd_simulated", orNull(p.simulatedSd)},
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
                                              {"simulated_half_rise", orNull(r.simulatedHalfRise)}};
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
                    runMatching(*o, job, "matching");
                    return 0;
                }
                if (phase->parsed()) {
                    if (o->model == "sbm") runPhaseSbm(*o, job);
                    else if (o->model == "matching") runMatching(*o, job, "phase-diagram --model matching");
                    else if (!o->sizes.empty()) runPhaseSpatialSizes(*o, job);
                    else runPhaseSpatialDensities(*o, job);
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
