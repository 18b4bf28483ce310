// neuromosaic-cli ann: artificial networks — train spatially embedded RNNs (LibTorch), analyse
// the mesoscale structure of their saved weights epoch by epoch, and sweep λ × seeds.
#include "CliSupport.hpp"

#include "ann/Mesoscale.hpp"
#include "ann/Run.hpp"
#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Table.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <thread>

namespace nm::cli {

namespace {

namespace fs = std::filesystem;

std::string num(double v, int precision = 6) {
    if (!std::isfinite(v)) return "n/a";
    std::ostringstream s;
    s << std::setprecision(precision) << v;
    return s.str();
}

struct TrainCli {
    std::string out, regularizer = "se1comm", model = "sernn", task = "maze";
    ann::RunSpec spec;
};

void addSpecOptions(CLI::App* app, ann::RunSpec& spec, std::string& regularizer, std::string& model, std::string& task) {
    app->add_option("--model", model, "Network: sernn (spatially embedded RNN, Achterberg et al. 2023)")->check(CLI::IsMember({"sernn"}))->capture_default_str();
    app->add_option("--task", task, "Task: maze (seRNN's one-step inference maze)")->check(CLI::IsMember({"maze"}))->capture_default_str();
    app->add_option("--regularizer", regularizer, "Recurrent-weight regulariser: none, l1, se1 (λΣ|W|∘D) or se1comm (λΣ|W|∘C∘D, seRNN)")
        ->check(CLI::IsMember({"none", "l1", "se1", "se1comm"}))
        ->capture_default_str();
    app->add_option("--epochs", spec.config.epochs, "Training epochs")->check(CLI::Range(0, 100000))->capture_default_str();
    app->add_option("--batch", spec.config.batch, "Batch size")->check(CLI::Range(1, 1 << 20))->capture_default_str();
    app->add_option("--learning-rate", spec.config.learningRate, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--noise", spec.config.inputNoise, "Gaussian input noise σ (training only)")->check(CLI::NonNegativeNumber)->capture_default_str();
    app->add_option("--comm-factor", spec.config.commFactor, "Exponent of the communicability term (se1comm)")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--grid", spec.config.grid, "Unit grid nx,ny,nz (100 units: 5,5,4)")->delimiter(',')->expected(3)->capture_default_str();
    app->add_option("--train-problems", spec.trainProblems, "Training problems")->check(CLI::Range(1, 10000000))->capture_default_str();
    app->add_option("--validation-problems", spec.validationProblems, "Validation problems (accuracy after every epoch)")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    app->add_option("--test-problems", spec.testProblems, "Test problems (accuracy at the end)")->check(CLI::Range(1, 10000000))->capture_default_str();
}

void finishSpec(ann::RunSpec& spec, const std::string& regularizer, const std::string& model, const std::string& task, int threads) {
    spec.model = model;
    spec.task = task;
    spec.config.regularizer = ann::regularizerFromName(regularizer);
    spec.config.threads = threads;
    spec.validate();
}

/// The mesoscale table of a run: one row per analysed epoch.
const std::vector<std::string> kMesoscaleColumns = {
    "epoch", "validation_accuracy", "density", "q_binary", "q_weighted", "modules", "modules_weighted", "q_null_mean", "q_null_sd", "q_z",
    "q_null_fraction_below", "clustering", "path_length", "null_clustering", "null_path_length", "sigma", "sigma_repository",
    "repository_null_density", "weight_distance_r", "wiring_cost", "mean_abs_weight", "seconds"};

std::vector<std::string> mesoscaleRow(int epoch, double accuracy, const ann::MesoscaleMeasures& m, double seconds) {
    return {std::to_string(epoch), num(accuracy), num(m.density), num(m.qBinary), num(m.qWeighted), std::to_string(m.modules),
            std::to_string(m.modulesWeighted), num(m.qNullMean), num(m.qNullSd), num(m.qZ), num(m.qNullFractionBelow), num(m.clustering),
            num(m.pathLength), num(m.nullClustering), num(m.nullPathLength), num(m.sigma), num(m.sigmaRepository), num(m.repositoryNullDensity),
            num(m.weightDistanceCorrelation), num(m.wiringCost), num(m.meanAbsWeight), num(seconds, 4)};
}

struct AnalyzeCli {
    std::string run, out;
    std::vector<int> epochs;
    ann::MesoscaleOptions mesoscale;
};

void addMesoscaleOptions(CLI::App* app, ann::MesoscaleOptions& m) {
    app->add_option("--nulls", m.nulls, "Degree-preserving nulls per epoch (σ and Q's null distribution)")->check(CLI::Range(1, 100000))->capture_default_str();
    app->add_option("--quantile", m.quantile, "Edges: |W| above this quantile of all entries (seRNN: 0.9)")->check(CLI::Range(0.0, 0.999))->capture_default_str();
    app->add_option("--community-runs", m.communityRuns, "Leiden runs per network (best Q)")->check(CLI::Range(1, 10000))->capture_default_str();
    app->add_option("--swaps", m.swapsPerEdge, "Maslov–Sneppen swaps per edge per null")->check(CLI::Range(1, 1000))->capture_default_str();
    app->add_option("--repository-nulls", m.repositoryNulls, "Nulls of the seRNN repository's σ (random, density ≈ 18 %)")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
}

/// First analysed epoch from which Q stays above `level` of its nulls (the emergence of modules).
int emergenceEpoch(const std::vector<std::pair<int, ann::MesoscaleMeasures>>& rows, double level = 0.95) {
    int at = -1;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        if (it->second.qNullFractionBelow < level) break;
        at = it->first;
    }
    return at;
}

} // namespace

Command makeAnnCommand(CLI::App& root, const GlobalOptions& options) {
    auto* ann = root.add_subcommand("ann", "Artificial networks: spatially embedded RNNs and their mesoscale structure along training");
    ann->require_subcommand(1);
    auto* app = ann->add_subcommand("train", "Train a network (weights saved every epoch; a killed run resumes from its checkpoint)");
    auto o = std::make_shared<TrainCli>();
    addSpecOptions(app, o->spec, o->regularizer, o->model, o->task);
    app->add_option("--lambda", o->spec.config.lambda, "Regularisation strength λ")->check(CLI::NonNegativeNumber)->capture_default_str();
    app->add_option("--seed", o->spec.config.seed, "Seed of the initial weights, the data and the noise")->capture_default_str();
    app->add_option("-o,--out", o->out, "Run folder (created; an unfinished run there resumes)")->required();
    return {app, [o, &options] {
                JobContext job(options);
                finishSpec(o->spec, o->regularizer, o->model, o->task, options.threads);
                job.progress().begin("ann/train", "training " + o->model + " on " + o->task);
                const ann::TrainResult r = ann::trainRun(o->spec, o->out, &job.progress());
                job.progress().finish();
                std::ostringstream msg;
                msg << o->model << " (" << o->regularizer << ", λ " << o->spec.config.lambda << ", seed " << o->spec.config.seed << "): "
                    << o->spec.config.epochs << " epochs in " << num(r.seconds, 3) << " s";
                if (r.resumedFrom >= 0) msg << " (resumed after epoch " << r.resumedFrom << ")";
                msg << "; validation accuracy " << num(r.epochs.back().validationAccuracy, 4) << ", test accuracy " << num(r.testAccuracy, 4) << "\n";
                msg << "  run folder: " << o->out << " (weights/epoch_NNN.npy, metrics.tsv, network.npz, summary.json)\n";
                job.succeed("trained " + o->out, {{"run", o->out}, {"test_accuracy", r.testAccuracy}, {"validation_accuracy", r.epochs.back().validationAccuracy},
                                                  {"seconds", r.seconds}, {"resumed_from_epoch", r.resumedFrom}});
                job.print(msg.str());
                return 0;
            }};
}

Command makeAnnAnalyzeCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.get_subcommand("ann")->add_subcommand("analyze", "Mesoscale structure of a run's saved weights, epoch by epoch (mesoscale.tsv)");
    auto o = std::make_shared<AnalyzeCli>();
    app->add_option("run", o->run, "Run folder written by `ann train`")->required()->check(CLI::ExistingDirectory);
    app->add_option("--epochs", o->epochs, "Epochs to analyse (default: every saved one)")->delimiter(',');
    addMesoscaleOptions(app, o->mesoscale);
    app->add_option("--seed", o->mesoscale.seed, "Seed of the nulls and of Leiden")->capture_default_str();
    app->add_option("-o,--out", o->out, "Table to write (default: RUN/mesoscale.tsv)");
    return {app, [o, &options] {
                JobContext job(options);
                const ann::SavedRun run = ann::openRun(o->run);
                std::vector<int> epochs = o->epochs.empty() ? run.epochs : o->epochs;
                for (int e : epochs)
                    if (std::find(run.epochs.begin(), run.epochs.end(), e) == run.epochs.end())
                        throw InputError(o->run + ": no saved weights for epoch " + std::to_string(e) + " (saved: " + std::to_string(run.epochs.front()) + "–" +
                                         std::to_string(run.epochs.back()) + ")");
                const Eigen::MatrixXd D = ann::gridDistances(run.spec.config.grid, 1.0);
                std::vector<std::vector<std::string>> rows;
                std::vector<std::pair<int, ann::MesoscaleMeasures>> measures;
                job.progress().begin("ann/analyze");
                for (std::size_t k = 0; k < epochs.size(); ++k) {
                    job.progress().checkCancelled();
                    job.progress().update(k, epochs.size(), "epoch " + std::to_string(epochs[k]));
                    const auto t0 = std::chrono::steady_clock::now();
                    const ann::MesoscaleMeasures m = ann::mesoscale(ann::readEpochWeights(run, epochs[k]), D, o->mesoscale);
                    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                    double acc = std::nan("");
                    for (const auto& r : run.records)
                        if (r.epoch == epochs[k]) acc = r.validationAccuracy;
                    rows.push_back(mesoscaleRow(epochs[k], acc, m, s));
                    measures.emplace_back(epochs[k], m);
                }
                job.progress().finish();
                const std::string out = o->out.empty() ? (fs::path(o->run) / "mesoscale.tsv").string() : o->out;
                io::writeTable(out, io::Table(kMesoscaleColumns, rows), '\t');
                const int emerged = emergenceEpoch(measures);
                std::ostringstream msg;
                msg << "epoch  accuracy  Q(bin)  Q(null)   z      σ     σ(repo)  r(w,d)   wiring\n";
                for (std::size_t k = 0; k < rows.size(); ++k) {
                    const auto& m = measures[k].second;
                    msg << std::setw(5) << measures[k].first << "  " << std::setw(8) << rows[k][1] << "  " << std::setw(6) << num(m.qBinary, 3) << "  "
                        << std::setw(7) << num(m.qNullMean, 3) << "  " << std::setw(5) << num(m.qZ, 3) << "  " << std::setw(5) << num(m.sigma, 3) << "  "
                        << std::setw(7) << num(m.sigmaRepository, 3) << "  " << std::setw(6) << num(m.weightDistanceCorrelation, 3) << "  "
                        << num(m.wiringCost, 4) << "\n";
                }
                if (emerged >= 0) msg << "modules: Q above 95 % of its degree-preserving nulls from epoch " << emerged << " on\n";
                else msg << "modules: Q never stays above 95 % of its degree-preserving nulls\n";
                msg << "table: " << out << "\n";
                job.succeed("analysed " + std::to_string(rows.size()) + " epochs", {{"table", out}, {"emergence_epoch", emerged}});
                job.print(msg.str());
                return 0;
            }};
}

Command makeAnnSweepCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.get_subcommand("ann")->add_subcommand("sweep", "Train and analyse networks over λ × regularisers × seeds, in parallel (sweep.tsv)");
    struct SweepCli {
        std::string out, model = "sernn", task = "maze";
        std::vector<std::string> regularizers{"l1", "se1comm"};
        std::vector<double> lambdas{0.001, 0.01, 0.1};
        int seeds = 2, jobs = 0;
        std::uint64_t firstSeed = 1;
        ann::RunSpec spec;
        ann::MesoscaleOptions mesoscale;
        std::string regularizer = "se1comm";
    };
    auto o = std::make_shared<SweepCli>();
    addSpecOptions(app, o->spec, o->regularizer, o->model, o->task);
    app->remove_option(app->get_option("--regularizer"));
    app->add_option("--regularizers", o->regularizers, "Regularisers to compare")->delimiter(',')->capture_default_str();
    app->add_option("--lambdas", o->lambdas, "λ values")->delimiter(',')->capture_default_str();
    app->add_option("--seeds", o->seeds, "Networks per (regulariser, λ)")->check(CLI::Range(1, 100000))->capture_default_str();
    app->add_option("--first-seed", o->firstSeed, "Seed of the first network")->capture_default_str();
    app->add_option("--jobs", o->jobs, "Networks trained at once (0: one per core; each uses one thread)")->check(CLI::Range(0, 1024));
    addMesoscaleOptions(app, o->mesoscale);
    app->add_option("-o,--out", o->out, "Sweep folder: one run folder per network and sweep.tsv (finished runs are kept)")->required();
    return {app, [o, &options] {
                JobContext job(options);
                struct Item {
                    ann::RunSpec spec;
                    std::string name;
                };
                std::vector<Item> items;
                for (const auto& reg : o->regularizers)
                    for (double lambda : o->lambdas)
                        for (int s = 0; s < o->seeds; ++s) {
                            ann::RunSpec spec = o->spec;
                            finishSpec(spec, reg, o->model, o->task, 1);
                            spec.config.lambda = lambda;
                            spec.config.seed = o->firstSeed + std::uint64_t(s);
                            std::ostringstream name;
                            name << reg << "_lambda" << lambda << "_seed" << spec.config.seed;
                            items.push_back({spec, name.str()});
                        }
                const int workers = o->jobs > 0 ? o->jobs : int(std::max(1u, std::thread::hardware_concurrency()));
                std::vector<std::vector<std::string>> rows(items.size());
                std::atomic<std::size_t> next{0}, done{0};
                std::mutex mutex;
                std::exception_ptr failure;
                job.progress().begin("ann/sweep", std::to_string(items.size()) + " networks");
                const Eigen::MatrixXd D = ann::gridDistances(o->spec.config.grid, 1.0);
                auto worker = [&] {
                    for (std::size_t k; (k = next++) < items.size();) {
                        try {
                            {
                                std::lock_guard lock(mutex);
                                if (failure) return;
                                job.progress().checkCancelled();
                            }
                            const fs::path dir = fs::path(o->out) / items[k].name;
                            ann::TrainResult r;
                            double test = 0;
                            if (fs::exists(dir / "summary.json")) {
                                test = nlohmann::json::parse(readFileBytes(dir / "summary.json")).at("test_accuracy");
                            } else {
                                r = ann::trainRun(items[k].spec, dir);
                                test = r.testAccuracy;
                            }
                            const ann::SavedRun run = ann::openRun(dir);
                            const ann::MesoscaleMeasures m = ann::mesoscale(ann::readEpochWeights(run, run.epochs.back()), D, o->mesoscale);
                            const auto& spec = items[k].spec;
                            rows[k] = {items[k].name, ann::toString(spec.config.regularizer), num(spec.config.lambda), std::to_string(spec.config.seed),
                                       num(run.records.empty() ? std::nan("") : run.records.back().validationAccuracy), num(test), num(m.density),
                                       num(m.qBinary), num(m.qWeighted), std::to_string(m.modules), num(m.qZ), num(m.sigma), num(m.sigmaRepository),
                                       num(m.weightDistanceCorrelation), num(m.wiringCost)};
                            std::lock_guard lock(mutex);
                            job.progress().update(++done, items.size(), items[k].name);
                        } catch (...) {
                            std::lock_guard lock(mutex);
                            if (!failure) failure = std::current_exception();
                            return;
                        }
                    }
                };
                std::vector<std::thread> pool;
                for (int w = 0; w < std::min<int>(workers, int(items.size())); ++w) pool.emplace_back(worker);
                for (auto& t : pool) t.join();
                if (failure) std::rethrow_exception(failure);
                job.progress().finish();
                const fs::path table = fs::path(o->out) / "sweep.tsv";
                io::writeTable(table,
                               io::Table({"run", "regularizer", "lambda", "seed", "validation_accuracy", "test_accuracy", "density", "q_binary", "q_weighted",
                                          "modules", "q_z", "sigma", "sigma_repository", "weight_distance_r", "wiring_cost"},
                                         rows),
                               '\t');
                job.succeed("swept " + std::to_string(items.size()) + " networks", {{"table", table.string()}, {"networks", items.size()}});
                job.print("sweep of " + std::to_string(items.size()) + " networks: " + table.string() + "\n");
                return 0;
            }};
}

} // namespace nm::cli
