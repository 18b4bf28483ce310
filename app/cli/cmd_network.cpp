// neuromosaic-cli network: sparse Gaussian graphical models (core/connectivity) — standalone on
// covariance matrices or time series, or learned per scale for an atlas from its datasets.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "connectivity/GraphicalLasso.hpp"
#include "connectivity/SparseNetwork.hpp"
#include "decompose/Networks.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Connectome.hpp"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <limits>
#include <optional>
#include <sstream>

namespace nm::cli {

namespace {

struct NetworkCliOptions {
    std::string atlas, out, json, method = "auto", cache;
    std::vector<std::string> covariances, series, datasets;
    std::vector<double> samples;
    std::vector<int> scales;
    std::optional<double> alpha, density;
    bool cv = false;
    int folds = 3, grid = 6, maxIterations = 0;
    double tolerance = -1.0;
};

double edgeDensity(std::int64_t edges, Eigen::Index p) { return p > 1 ? double(edges) / (double(p) * double(p - 1) / 2.0) : 0.0; }

/// One fit of the chosen estimator; common report fields.
struct Fit {
    connectivity::GraphicalLassoResult glasso;
    connectivity::GroupSparseResult group;
    bool isGroup = false;
    [[nodiscard]] std::int64_t edges() const { return isGroup ? group.edges : glasso.edges; }
};

nlohmann::json fitReport(const Fit& f, Eigen::Index p) {
    nlohmann::json j;
    if (f.isGroup) {
        j = {{"alpha", f.group.alpha},         {"objective", f.group.objective}, {"duality_gap", f.group.dualityGap},
             {"iterations", f.group.iterations}, {"converged", f.group.converged}, {"max_change", f.group.maxChange}};
    } else {
        j = {{"alpha", f.glasso.alpha},
             {"objective", f.glasso.objective},
             {"duality_gap", f.glasso.dualityGap},
             {"iterations", f.glasso.iterations},
             {"converged", f.glasso.converged}};
    }
    j["edges"] = f.edges();
    j["density"] = edgeDensity(f.edges(), p);
    return j;
}

int runStandalone(const NetworkCliOptions& o, JobContext& job) {
    if (o.covariances.empty() == o.series.empty())
        throw InputError("network: give either --covariance (one or more matrices) or --series (one time series per subject)");
    if (o.out.empty()) throw InputError("network: --out is required without an atlas");
    const bool fromSeries = !o.series.empty();
    const auto& files = fromSeries ? o.series : o.covariances;
    std::vector<Eigen::MatrixXd> covs, series;
    std::vector<double> samples = o.samples;
    for (const auto& f : files) {
        Eigen::MatrixXd m = io::readMatrixFile(f, fromSeries ? "time series" : "covariance");
        if (fromSeries) {
            if (m.rows() < 3) throw InputError(f + ": a time series needs rows = samples (got " + std::to_string(m.rows()) + " rows)");
            covs.push_back(connectivity::empiricalCovariance(m, true));
            if (o.samples.empty()) samples.push_back(double(m.rows()));
            series.push_back(std::move(m));
        } else {
            connectivity::checkCovariance(m, f);
            covs.push_back(std::move(m));
        }
        if (covs.back().rows() != covs.front().rows())
            throw InputError(f + ": " + std::to_string(covs.back().rows()) + " signals; " + files.front() + " has " + std::to_string(covs.front().rows()));
    }
    if (!samples.empty() && samples.size() != covs.size())
        throw InputError("network: --samples has " + std::to_string(samples.size()) + " values for " + std::to_string(covs.size()) + " inputs");
    const Eigen::Index p = covs.front().rows();
    std::string method = o.method;
    if (method == "auto") method = covs.size() > 1 ? "group" : "glasso";
    if (method != "glasso" && method != "group") throw InputError("network: --method must be auto, glasso or group (got " + method + ")");
    const bool isGroup = method == "group";
    // The graphical lasso of several inputs fits their sample-weighted mean.
    const Eigen::MatrixXd mean = connectivity::weightedMeanCovariance(covs, samples);
    connectivity::GraphicalLassoOptions go;
    connectivity::GroupSparseOptions gs;
    if (o.tolerance > 0) go.tolerance = gs.tolerance = o.tolerance;
    if (o.maxIterations > 0) go.maxIterations = gs.maxIterations = o.maxIterations;
    const double alphaMax = isGroup ? connectivity::groupSparseAlphaMax(covs, samples) : connectivity::graphicalLassoAlphaMax(mean);
    auto fit = [&](double alpha, const Fit* warm) {
        Fit f;
        f.isGroup = isGroup;
        if (isGroup) {
            auto g = gs;
            g.alpha = alpha;
            f.group = connectivity::groupSparseCovariance(covs, samples, g, warm ? &warm->group : nullptr);
        } else {
            auto g = go;
            g.alpha = alpha;
            f.glasso = connectivity::graphicalLasso(mean, g, warm ? &warm->glasso : nullptr);
        }
        return f;
    };
    nlohmann::json report = {{"method", isGroup ? "group-sparse" : "graphical-lasso"},
                             {"signals", p},
                             {"inputs", files},
                             {"alpha_max", alphaMax}};
    double alpha = 0.0;
    const auto t0 = std::chrono::steady_clock::now();
    int given = int(o.alpha.has_value()) + int(o.density.has_value()) + int(o.cv);
    if (given != 1) throw InputError("network: give exactly one of --alpha, --density and --cv");
    if (o.alpha) {
        alpha = *o.alpha;
        report["alpha_selection"] = "given";
    } else if (o.density) {
        // Bisection on log α for the requested share of edges (looser fits), then the final fit.
        double lo = alphaMax * 1e-3, hi = alphaMax;
        for (int it = 0; it < 14; ++it) {
            const double mid = std::sqrt(lo * hi);
            const Fit f = fit(mid, nullptr);
            const double d = edgeDensity(f.edges(), p);
            if (d > *o.density) lo = mid;
            else hi = mid;
            if (std::abs(d - *o.density) < 0.002) {
                lo = hi = mid;
                break;
            }
        }
        alpha = std::sqrt(lo * hi);
        report["alpha_selection"] = "density";
        report["target_density"] = *o.density;
    } else {
        connectivity::CrossValidation cv;
        if (isGroup) {
            if (!fromSeries) throw InputError("network: cross-validating the group-sparse model needs --series (folds over samples)");
            cv = connectivity::crossValidateGroupSparse(connectivity::foldsOverSamples(series, o.folds, true),
                                                        connectivity::alphaGrid(alphaMax, o.grid, 0.02), gs);
        } else {
            const auto folds = fromSeries && series.size() == 1 ? connectivity::foldsOverSamples(series, o.folds, true)
                                                                 : connectivity::foldsOverSubjects(covs, samples, o.folds);
            cv = connectivity::crossValidateGraphicalLasso(folds, connectivity::alphaGrid(alphaMax, o.grid, 0.02), go);
        }
        alpha = cv.bestAlpha;
        report["alpha_selection"] = "cv";
        report["cv"] = {{"alphas", cv.alphas}, {"mean_log_likelihood", std::vector<double>(cv.meanScore.data(), cv.meanScore.data() + cv.meanScore.size())},
                        {"folds", cv.scores.rows()}};
    }
    const auto t1 = std::chrono::steady_clock::now();
    const Fit f = fit(alpha, nullptr);
    const auto t2 = std::chrono::steady_clock::now();
    report.update(fitReport(f, p));
    report["selection_seconds"] = std::chrono::duration<double>(t1 - t0).count();
    report["fit_seconds"] = std::chrono::duration<double>(t2 - t1).count();
    nlohmann::json outputs = nlohmann::json::array();
    if (isGroup) {
        const std::filesystem::path dir(o.out);
        std::filesystem::create_directories(dir);
        for (std::size_t k = 0; k < files.size(); ++k) {
            const std::filesystem::path in(files[k]);
            const auto file = dir / (in.stem().string() + "_precision" + (in.extension().empty() ? ".csv" : in.extension().string()));
            io::writeMatrixFile(file, f.group.precisions[k]);
            outputs.push_back(file.string());
        }
        const auto pc = dir / ("group_partial_correlation" + std::filesystem::path(files.front()).extension().string());
        io::writeMatrixFile(pc, f.group.meanPartialCorrelation());
        outputs.push_back(pc.string());
    } else {
        io::writeMatrixFile(o.out, f.glasso.precision);
        outputs.push_back(o.out);
    }
    report["outputs"] = outputs;
    if (!o.json.empty()) writeFileAtomic(o.json, report.dump(2) + "\n");
    std::ostringstream msg;
    msg << report["method"].get<std::string>() << " p=" << p << " alpha=" << std::setprecision(4) << alpha << " ("
        << report["alpha_selection"].get<std::string>() << "): " << f.edges() << " edges (density " << std::fixed << std::setprecision(3)
        << edgeDensity(f.edges(), p) << "), objective " << std::setprecision(6) << report["objective"].get<double>() << ", gap "
        << std::scientific << std::setprecision(2) << report["duality_gap"].get<double>() << ", " << report["iterations"].get<int>()
        << " sweeps, " << std::fixed << std::setprecision(2) << report["fit_seconds"].get<double>() << " s → " << o.out;
    job.print(msg.str());
    job.succeed(msg.str(), {{"outputs", outputs}});
    return 0;
}

int runAtlas(const NetworkCliOptions& o, JobContext& job) {
    if (!o.covariances.empty() || !o.series.empty()) throw InputError("network: --covariance/--series are for the standalone mode (no atlas)");
    io::AtlasBundle bundle = io::readAtlasBundle(o.atlas);
    decompose::SparseNetworkJob nj;
    nj.bundleFile = o.atlas;
    for (const auto& d : o.datasets) nj.datasets.emplace_back(d);
    nj.scales = o.scales;
    if (!o.cache.empty()) nj.cacheDir = o.cache;
    auto& so = nj.options;
    if (o.method == "glasso") so.method = connectivity::SparseNetworkMethod::GraphicalLasso;
    else if (o.method == "group" || o.method == "auto") so.method = connectivity::SparseNetworkMethod::GroupSparse;
    else throw InputError("network: --method must be auto, glasso or group (got " + o.method + ")");
    if (o.density) throw InputError("network: --density is for the standalone mode; give --alpha or --cv with an atlas");
    if (o.alpha) so.alpha = *o.alpha;
    if (o.cv) so.cvMaxComponents = std::numeric_limits<int>::max();  // cross-validate every scale
    so.folds = o.folds;
    so.gridSize = o.grid;
    if (o.tolerance > 0) so.tolerance = o.tolerance;
    if (o.maxIterations > 0) so.maxIterations = o.maxIterations;
    const auto summary = decompose::learnSparseNetworks(bundle, nj, job.progress());
    const std::string out = o.out.empty() ? o.atlas : o.out;
    io::writeAtlasBundle(out, bundle);
    nlohmann::json report = nlohmann::json::array();
    std::ostringstream msg;
    msg << "sparse networks (" << connectivity::methodName(so.method) << ") of " << summary.scales.size() << " scale(s) from " << summary.subjects
        << " training subjects → " << out;
    for (const auto& s : bundle.scales) {
        if (!s.sparseNetwork) continue;
        const auto& n = *s.sparseNetwork;
        report.push_back(connectivity::networkReport(n, s.components));
        msg << "\n  " << s.components << " components: alpha " << std::setprecision(4) << n.alpha << " (" << n.alphaSelection
            << "), " << n.edges << " edges, " << n.moduleCount() << " modules (Q " << std::fixed << std::setprecision(3) << n.modularity << "), "
            << std::setprecision(1) << n.seconds << " s" << std::defaultfloat;
        if (std::isfinite(n.parentCorrelation)) msg << ", parent r " << std::setprecision(3) << n.parentCorrelation;
    }
    if (!o.json.empty()) writeFileAtomic(o.json, report.dump(2) + "\n");
    job.print(msg.str());
    job.succeed(msg.str(), {{"bundle", out}});
    return 0;
}

} // namespace

Command makeNetworkCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("network",
                                    "Sparse Gaussian graphical models: the graphical lasso or the group-sparse covariance, on given "
                                    "covariances/time series, or learned per scale for an atlas and stored in it");
    auto o = std::make_shared<NetworkCliOptions>();
    app->add_option("atlas", o->atlas, "Atlas bundle (*.nmatlas.h5): estimate its networks from the component time courses")
        ->check(CLI::ExistingFile);
    app->add_option("--datasets", o->datasets, "With an atlas: BIDS datasets (default: those of its provenance)");
    app->add_option("--scales", o->scales, "With an atlas: scales to estimate (default: all)")->delimiter(',');
    app->add_option("--cache", o->cache, "With an atlas: cache of preprocessed subjects (default: the one learn uses)");
    app->add_option("--covariance", o->covariances, "Covariance or correlation matrices (CSV/TSV/text or .npy), one per subject")
        ->check(CLI::ExistingFile);
    app->add_option("--series", o->series, "Time series (samples × signals; CSV/TSV/text or .npy), one per subject; standardised")
        ->check(CLI::ExistingFile);
    app->add_option("--samples", o->samples, "Samples behind each covariance (weights; default equal)")->delimiter(',');
    app->add_option("--method", o->method, "auto (glasso for one input, group for several), glasso or group")->capture_default_str();
    app->add_option("--alpha", o->alpha, "Penalty α")->check(CLI::NonNegativeNumber);
    app->add_option("--density", o->density, "Choose α for this share of the possible edges (bisection; standalone mode)")
        ->check(CLI::Range(0.0, 1.0));
    app->add_flag("--cv", o->cv, "Choose α by cross-validation (held-out log-likelihood). With an atlas: every scale (default: scales of ≤ 256 components, finer ones inherit the finest cross-validated α)");
    app->add_option("--folds", o->folds, "Cross-validation folds")->check(CLI::Range(2, 50))->capture_default_str();
    app->add_option("--grid", o->grid, "Cross-validation grid size (log-spaced from 0.02 αmax to αmax)")->check(CLI::Range(2, 40))->capture_default_str();
    app->add_option("--tol", o->tolerance, "Duality-gap tolerance (glasso: absolute, group: relative to the objective; default 1e-4)");
    app->add_option("--max-iter", o->maxIterations, "Maximum sweeps over the columns");
    app->add_option("-o,--out", o->out,
                    "Standalone: the precision matrix (glasso; format by extension) or a directory (group: one per input + the "
                    "group partial correlation). With an atlas: the bundle to write (default: in place)");
    app->add_option("--json", o->json, "Report (objective, duality gap, iterations, edges, α selection, timings) as JSON");
    return {app, [o, &options] {
                JobContext job(options);
                if (o->atlas.empty()) return runStandalone(*o, job);
                return runAtlas(*o, job);
            }};
}

} // namespace nm::cli
