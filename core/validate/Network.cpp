#include "validate/Network.hpp"

#include "common/Error.hpp"
#include "connectivity/Covariance.hpp"
#include "connectivity/GraphicalLasso.hpp"
#include "connectivity/SparseNetwork.hpp"
#include "decompose/Cohort.hpp"
#include "decompose/Networks.hpp"
#include "io/Npy.hpp"
#include "jobs/Progress.hpp"
#include "validate/Matching.hpp"
#include "validate/Reconstruction.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace nm::validate {

RecoveryPoint supportRecovery(const std::vector<double>& score, const std::vector<bool>& truth) {
    RecoveryPoint r;
    std::int64_t tp = 0, fp = 0, fn = 0, pos = 0;
    for (std::size_t i = 0; i < score.size(); ++i) {
        const bool est = score[i] != 0.0;
        tp += est && truth[i];
        fp += est && !truth[i];
        fn += !est && truth[i];
        pos += truth[i];
    }
    r.edges = tp + fp;
    r.precision = tp + fp > 0 ? double(tp) / double(tp + fp) : 0.0;
    r.recall = pos > 0 ? double(tp) / double(pos) : 0.0;
    r.f1 = r.precision + r.recall > 0 ? 2.0 * r.precision * r.recall / (r.precision + r.recall) : 0.0;
    // ROC AUC by the Mann–Whitney U of |score| with mid-ranks for ties.
    const std::size_t n = score.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::abs(score[a]) < std::abs(score[b]); });
    double rankSum = 0.0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j + 1 < n && std::abs(score[order[j + 1]]) == std::abs(score[order[i]])) ++j;
        const double mid = 0.5 * double(i + j) + 1.0;
        for (std::size_t t = i; t <= j; ++t)
            if (truth[order[t]]) rankSum += mid;
        i = j + 1;
    }
    const double neg = double(n) - double(pos);
    r.auc = pos > 0 && neg > 0 ? (rankSum - double(pos) * (double(pos) + 1.0) / 2.0) / (double(pos) * neg)
                               : std::numeric_limits<double>::quiet_NaN();
    return r;
}

const RecoveryPoint& RecoveryCurve::bestF1() const {
    if (points.empty()) throw Error("recovery curve " + method + " has no point");
    return *std::max_element(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.f1 < b.f1; });
}

namespace {

nlohmann::json pointJson(const RecoveryPoint& p) {
    return {{"alpha", std::isfinite(p.alpha) ? nlohmann::json(p.alpha) : nlohmann::json(nullptr)},
            {"edges", p.edges},
            {"precision", p.precision},
            {"recall", p.recall},
            {"f1", p.f1},
            {"auc", std::isfinite(p.auc) ? nlohmann::json(p.auc) : nlohmann::json(nullptr)}};
}

} // namespace

nlohmann::json NetworkValidationReport::toJson() const {
    nlohmann::json j = {{"kind", "network"}, {"truth", truth.string()}, {"seconds", seconds}, {"scales", nlohmann::json::array()}};
    for (const auto& s : scales) {
        nlohmann::json js = {{"components", s.components}, {"matched", s.matched}, {"mean_match", s.meanMatch},
                             {"pairs", s.pairs},           {"true_edges", s.trueEdges}, {"curves", nlohmann::json::array()}};
        for (const auto& c : s.curves) {
            nlohmann::json jc = {{"method", c.method}, {"points", nlohmann::json::array()}, {"best_f1", pointJson(c.bestF1())}};
            for (const auto& p : c.points) jc["points"].push_back(pointJson(p));
            js["curves"].push_back(jc);
        }
        if (s.stored) js["stored_network"] = pointJson(*s.stored);
        j["scales"].push_back(js);
    }
    return j;
}

io::Table NetworkValidationReport::toTable() const {
    std::vector<std::vector<std::string>> rows;
    auto f = [](double v) { return std::isfinite(v) ? std::to_string(v) : std::string("n/a"); };
    for (const auto& s : scales)
        for (const auto& c : s.curves)
            for (const auto& p : c.points)
                rows.push_back({std::to_string(s.components), c.method, f(p.alpha), std::to_string(p.edges), f(p.precision), f(p.recall), f(p.f1), f(p.auc)});
    return io::Table({"components", "method", "alpha", "edges", "precision", "recall", "f1", "auc"}, rows);
}

NetworkValidationReport validateNetwork(const NetworkValidationOptions& o, jobs::Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    const io::AtlasBundle bundle = io::readAtlasBundle(o.bundle);
    const auto inputs = decompose::bundleInputs(bundle, o.bundle);
    const auto datasets = o.datasets.empty() ? inputs.datasets : o.datasets;
    NetworkValidationReport report;
    const auto truth = findGroundTruth(o.truth, datasets);
    if (!truth) throw InputError("no ground truth: give --truth (a simulated cohort's derivatives/ground_truth)");
    report.truth = *truth;
    decompose::SparseNetworkJob job;
    job.bundleFile = o.bundle;
    job.datasets = datasets;
    job.cacheDir = o.cacheDir;
    for (const auto& sc : bundle.scales)
        if (std::filesystem::exists(report.truth / ("network_scale-" + std::to_string(sc.components) + "_precision.npy")))
            job.scales.push_back(sc.components);
    if (job.scales.empty())
        throw InputError(report.truth.string() + ": no network_scale-<k>_precision.npy for any scale of " + o.bundle.string());
    progress.plan({{"preprocess", 2}, {"codes", 1}, {"paths", 8}});
    const auto codes = decompose::loadComponentCodes(bundle, job, progress);
    progress.begin("paths");
    for (std::size_t si = 0; si < codes.scales.size(); ++si) {
        const std::size_t s = codes.scales[si];
        const auto& sc = bundle.scales[s];
        const int k = sc.components;
        const auto trueFile = report.truth / ("network_scale-" + std::to_string(k) + "_precision.npy");
        const Eigen::MatrixXd trueTheta = io::readNpy(trueFile).matrix("true precision");
        if (trueTheta.rows() != k || trueTheta.cols() != k)
            throw InputError(trueFile.string() + ": expected " + std::to_string(k) + " × " + std::to_string(k) + ", got " +
                             std::to_string(trueTheta.rows()) + " × " + std::to_string(trueTheta.cols()));
        const auto match = matchMaps(Eigen::MatrixXf(denseMaps(sc)), Eigen::MatrixXf(truthMaps(report.truth, k, bundle)));
        std::vector<int> kept;
        NetworkValidationScale vs;
        vs.components = k;
        for (int i = 0; i < k; ++i)
            if (match.correlations[i] >= o.minMatch) kept.push_back(i);
        vs.matched = int(kept.size());
        vs.meanMatch = match.meanCorrelation;
        if (kept.size() < 3) throw Error("scale " + std::to_string(k) + ": fewer than 3 components match the truth with r ≥ " + std::to_string(o.minMatch));
        std::vector<bool> truthEdge;
        for (std::size_t b = 0; b < kept.size(); ++b)
            for (std::size_t a = 0; a < b; ++a)
                truthEdge.push_back(trueTheta(match.assignment[std::size_t(kept[a])], match.assignment[std::size_t(kept[b])]) != 0.0);
        vs.pairs = std::int64_t(truthEdge.size());
        vs.trueEdges = std::count(truthEdge.begin(), truthEdge.end(), true);
        auto scores = [&](const Eigen::MatrixXd& m) {
            std::vector<double> v;
            for (std::size_t b = 0; b < kept.size(); ++b)
                for (std::size_t a = 0; a < b; ++a) v.push_back(m(kept[a], kept[b]));
            return v;
        };
        // Baseline: the bundle's Ledoit–Wolf partial correlations, strongest |r| kept.
        const std::vector<double> lw = scores(sc.partialCorrelation.size() ? Eigen::MatrixXd(sc.partialCorrelation.cast<double>())
                                                                            : Eigen::MatrixXd::Zero(k, k));
        auto threshold = [&](std::int64_t edges) {
            std::vector<double> sorted(lw.size());
            std::transform(lw.begin(), lw.end(), sorted.begin(), [](double x) { return std::abs(x); });
            std::sort(sorted.begin(), sorted.end(), std::greater<>());
            const double t = edges > 0 ? sorted[std::size_t(std::min<std::int64_t>(edges, std::int64_t(sorted.size())) - 1)] : 1e300;
            std::vector<double> kept2(lw.size());
            for (std::size_t i = 0; i < lw.size(); ++i) kept2[i] = std::abs(lw[i]) >= t ? lw[i] : 0.0;
            RecoveryPoint p = supportRecovery(kept2, truthEdge);
            p.auc = supportRecovery(lw, truthEdge).auc;
            p.alpha = std::numeric_limits<double>::quiet_NaN();
            return p;
        };
        std::vector<Eigen::MatrixXd> covs;
        std::vector<double> samples;
        for (const auto& c : codes.codes[s]) {
            covs.push_back(connectivity::empiricalCovariance(c, true));
            samples.push_back(double(c.rows()));
        }
        RecoveryCurve group{"group-sparse", {}}, glasso{"graphical-lasso", {}}, base{"ledoit-wolf-threshold", {}};
        {
            connectivity::GroupSparseOptions go;
            go.maxIterations = 30;
            const auto grid = connectivity::alphaGrid(connectivity::groupSparseAlphaMax(covs, samples), o.gridSize, o.lowFraction);
            connectivity::GroupSparseResult prev;
            for (std::size_t a = 0; a < grid.size(); ++a) {
                progress.checkCancelled();
                go.alpha = grid[a];
                auto r = connectivity::groupSparseCovariance(covs, samples, go, a == 0 ? nullptr : &prev);
                RecoveryPoint p = supportRecovery(scores(r.groupNorm()), truthEdge);
                p.alpha = grid[a];
                group.points.push_back(p);
                base.points.push_back(threshold(p.edges));
                prev = std::move(r);
                progress.update((double(si) + 0.7 * double(a + 1) / double(grid.size())) / double(codes.scales.size()));
            }
        }
        {
            const Eigen::MatrixXd mean = connectivity::weightedMeanCovariance(covs, samples);
            connectivity::GraphicalLassoOptions go;
            const auto path = connectivity::graphicalLassoPath(mean, connectivity::alphaGrid(connectivity::graphicalLassoAlphaMax(mean), o.gridSize, o.lowFraction), go);
            for (const auto& r : path) {
                RecoveryPoint p = supportRecovery(scores(connectivity::partialCorrelationFromPrecision(r.precision)), truthEdge);
                p.alpha = r.alpha;
                glasso.points.push_back(p);
            }
        }
        if (sc.sparseNetwork) {
            vs.stored = supportRecovery(scores(connectivity::denseNetwork(sc.sparseNetwork->partialCorrelation)), truthEdge);
            vs.stored->alpha = sc.sparseNetwork->alpha;
        }
        vs.curves = {group, glasso, base};
        report.scales.push_back(std::move(vs));
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.finish("network recovery validated");
    return report;
}

} // namespace nm::validate
