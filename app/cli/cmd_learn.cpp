// neuromosaic-cli learn: BIDS datasets → multiscale atlas bundle (SOMF dictionary learning).
// Under mpirun the ranks share the data streams and sum the sufficient statistics; rank 0 writes.
#include "CliSupport.hpp"

#include <optional>

#include "common/Error.hpp"
#include "decompose/Learning.hpp"

#include <iomanip>
#include <sstream>

namespace nm::cli {

namespace {
struct LearnCliOptions {
    decompose::LearnOptions learn;
    std::string out, checkpoint, cache, dump, studies;
    std::vector<std::string> datasets;
    bool noDetrend = false, noStandardize = false, noNetwork = false, noSurfaces = false, signedMaps = false;
    DenoiseCli denoise;
    std::string codes = "full", statistics = "full";
    bool noSparseNetwork = false;
    std::optional<double> networkAlpha;
    std::string networkMethod = "group";
};
} // namespace

Command makeLearnCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("learn", "Learn a multiscale atlas of sparse functional components from fMRI datasets (BIDS)");
    auto o = std::make_shared<LearnCliOptions>();
    auto& l = o->learn;
    app->add_option("datasets", o->datasets, "BIDS dataset directories (raw, with fMRIPrep derivatives, or fMRIPrep outputs)")
        ->check(CLI::ExistingDirectory);
    app->add_option("--studies", o->studies,
                    "Study list (TSV: path, and optionally weight, subjects, sessions, tasks, runs, space, res), added to the datasets")
        ->check(CLI::ExistingFile);
    app->add_option("-o,--out", o->out, "Atlas bundle to write (*.nmatlas.h5)");
    app->add_option("--scales", l.scales, "Numbers of components, coarse to fine (e.g. 64,256,1024; up to 4096)")
        ->delimiter(',')
        ->capture_default_str();
    app->add_option("--alpha", l.alpha, "Ridge penalty of the codes, relative to the maps' energy")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--reduction", l.reduction, "Subsampling: each iteration updates 1/r of the voxels (1 = no subsampling)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app->add_option("--beta", l.beta, "Forgetting exponent of the surrogate statistics, w_t = t^-beta")
        ->check(CLI::Range(0.5, 1.0))
        ->capture_default_str();
    app->add_flag("--signed", o->signedMaps, "Allow negative map values (default: positive maps)");
    app->add_option("--gamma", l.gamma, "Elastic-net weight of the map constraint (0: L1 ball)")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    app->add_option("--codes", o->codes, "Codes from all voxels (full) or from the sampled ones only (masked: faster, noisier)")
        ->check(CLI::IsMember({"full", "masked"}))
        ->capture_default_str();
    app->add_option("--statistics", o->statistics, "Surrogate statistics on all voxels (full) or on the sampled ones (subset)")
        ->check(CLI::IsMember({"full", "subset"}))
        ->capture_default_str();
    app->add_option("--batch", l.batchSize, "Volumes per minibatch")->check(CLI::Range(1, 100000))->capture_default_str();
    app->add_option("--epochs", l.epochs, "Passes over the training data")->check(CLI::Range(1, 1000))->capture_default_str();
    app->add_option("--streams", l.streams, "Parallel data streams (MPI ranks share them; the result depends on this, not on the ranks)")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    app->add_option("--held-out", l.heldOutFraction, "Fraction of subjects kept out of learning for validation")
        ->check(CLI::Range(0.0, 0.9))
        ->capture_default_str();
    app->add_option("--mask", l.mask, "Brain mask: auto (fMRIPrep's brain masks when every run has one, else epi), derivatives, "
                                      "epi (computed from the data), template (MNI brain), or a NIfTI file")->capture_default_str();
    app->add_option("--smoothing", l.preprocess.smoothingFwhmMm, "Spatial smoothing FWHM in mm")->check(CLI::Range(0.0, 30.0))->capture_default_str();
    app->add_option("--high-pass", l.preprocess.highPassSeconds, "High-pass cutoff in seconds (cosine basis; 0: none)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app->add_flag("--no-detrend", o->noDetrend, "Keep linear trends");
    app->add_flag("--no-standardize", o->noStandardize, "Do not z-score voxel time series");
    o->denoise.add(app);
    app->add_option("--subjects", l.filter.subjects, "Only these subjects")->delimiter(',');
    app->add_option("--tasks", l.filter.tasks, "Only these tasks")->delimiter(',');
    app->add_option("--sessions", l.filter.sessions, "Only these sessions")->delimiter(',');
    app->add_option("--runs", l.filter.runs, "Only these runs")->delimiter(',');
    app->add_option("--space", l.filter.space,
                    "Images: fMRIPrep's in this template space (default: MNI152NLin2009cAsym, else MNI152NLin6Asym, else any MNI "
                    "space, when the datasets have derivatives), or raw (the raw BIDS images)");
    app->add_option("--res", l.filter.resolution, "fMRIPrep's res entity within the space (default: 2 when present)");
    app->add_option("--leave-out", l.filter.excludeStudies,
                    "Leave these studies out of learning: <dataset>/<task>, <task> (in every dataset) or <dataset> (all its tasks)")
        ->delimiter(',');
    app->add_option("--init", l.init, "Starting maps: cluster (k-means of the voxels' time courses), volumes (random volumes), svd")
        ->check(CLI::IsMember({"cluster", "volumes", "svd"}))
        ->capture_default_str();
    app->add_option("--init-volumes", l.initVolumes, "Volumes used to initialise the maps")
        ->check(CLI::Range(10, 1000000))
        ->capture_default_str();
    app->add_option("--checkpoint", o->checkpoint, "Directory for checkpoints: a killed job resumes there with the same result");
    app->add_option("--checkpoint-every", l.checkpointEvery, "Iterations between checkpoints")->check(CLI::Range(1, 1000000))->capture_default_str();
    app->add_option("--seed", l.seed, "Random seed")->capture_default_str();
    app->add_option("--cache", o->cache, "Cache of preprocessed subjects (default: the user cache)");
    app->add_flag("--no-network", o->noNetwork, "Skip the component network (correlations and the sparse model)");
    app->add_flag("--no-sparse-network", o->noSparseNetwork, "Skip the sparse graphical model (group-sparse covariance) of each scale");
    app->add_option("--network-alpha", o->networkAlpha, "Penalty of the sparse network (default: cross-validated per scale)")
        ->check(CLI::NonNegativeNumber);
    app->add_option("--network-method", o->networkMethod, "Sparse network: group (group-sparse covariance) or glasso (mean correlation)")
        ->check(CLI::IsMember({"group", "glasso"}))
        ->capture_default_str();
    app->add_flag("--no-surfaces", o->noSurfaces, "Skip the projections on the template surfaces");
    app->add_option("--max-iterations", l.maxIterations, "Stop after this many iterations (0: all epochs)")->check(CLI::NonNegativeNumber);
    app->add_option("--stop-after", l.stopAfterIterations, "Testing: checkpoint and exit (status 3) after this many iterations")
        ->check(CLI::NonNegativeNumber)
        ->group("");
    app->add_option("--dump-data", o->dump, "Benchmarks: write the preprocessed train/held-out volumes as .npy there and exit")
        ->group("");
    return {app, [o, &options] {
                auto& lo = o->learn;
                for (const auto& d : o->datasets) lo.datasets.emplace_back(d);
                if (!o->studies.empty())
                    for (const auto& [path, study] : decompose::readStudyList(o->studies)) {
                        lo.datasets.push_back(path);
                        lo.studies[path.string()] = study;
                    }
                if (lo.datasets.empty()) throw InputError("learn: expected datasets (DATASETS… or --studies FILE)");
                if (!o->checkpoint.empty()) lo.checkpointDir = o->checkpoint;
                if (!o->cache.empty()) lo.cacheDir = o->cache;
                if (!o->dump.empty()) lo.dumpData = o->dump;
                lo.preprocess.detrend = !o->noDetrend;
                lo.preprocess.standardize = !o->noStandardize;
                lo.preprocess.confounds = o->denoise.finish();
                lo.positive = !o->signedMaps;
                lo.codes = o->codes == "full" ? decompose::SomfOptions::Codes::Full : decompose::SomfOptions::Codes::Masked;
                lo.statistics = o->statistics == "full" ? decompose::SomfOptions::Statistics::Full : decompose::SomfOptions::Statistics::Subset;
                lo.network = !o->noNetwork;
                lo.sparseNetwork = !o->noSparseNetwork;
                if (o->networkAlpha) lo.sparseNetworkOptions.alpha = *o->networkAlpha;
                lo.sparseNetworkOptions.method = o->networkMethod == "glasso" ? connectivity::SparseNetworkMethod::GraphicalLasso
                                                                               : connectivity::SparseNetworkMethod::GroupSparse;
                lo.surfaces = !o->noSurfaces;
                if (lo.mask != "auto" && lo.mask != "derivatives" && lo.mask != "epi" && lo.mask != "template" && !std::filesystem::exists(lo.mask))
                    throw InputError("--mask: expected auto, derivatives, epi, template or an existing NIfTI file, got '" + lo.mask + "'");
                for (std::size_t i = 1; i < lo.scales.size(); ++i)
                    if (lo.scales[i] <= lo.scales[i - 1]) throw InputError("--scales: expected increasing numbers of components");
                if (o->out.empty() && o->dump.empty()) throw InputError("--out: expected a file name");

                std::unique_ptr<decompose::Communicator> comm;
                if (decompose::launchedByMpi()) comm = decompose::makeMpiCommunicator(nullptr, nullptr);
                if (!comm) comm = std::make_unique<decompose::SerialCommunicator>();
                GlobalOptions local = options;
                if (comm->rank() != 0) local.progress = "none";  // one voice: rank 0
                JobContext job(local);
                if (comm->size() > 1) job.progress().info("MPI: " + std::to_string(comm->size()) + " ranks");
                const auto r = decompose::learnAtlas(lo, job.progress(), *comm);
                if (lo.dumpData) {
                    job.succeed("preprocessed data written to " + o->dump, {{"directory", o->dump}});
                    return 0;
                }
                if (!r.finished) {
                    job.print("stopped after iteration " + std::to_string(r.iterations) + " (checkpoint written)\n");
                    return 3;
                }
                if (comm->rank() != 0) return 0;
                io::writeAtlasBundle(o->out, r.bundle);
                std::ostringstream msg;
                msg << std::fixed << std::setprecision(3);
                msg << "learned " << r.scales.size() << " scales from " << r.trainSubjects.size() << " " << decompose::toString(r.heldOutUnit)
                    << " (" << r.heldOutSubjects.size() << " held out) in " << r.iterations << " iterations, " << std::setprecision(1) << r.seconds << " s → " << o->out << "\n";
                std::ostringstream studyMsg;
                studyMsg << std::fixed;
                nlohmann::json studies = nlohmann::json::array();
                if (r.studies.size() > 1) studyMsg << "  per study (train/held-out " << decompose::toString(r.heldOutUnit) << ", volumes per epoch, held-out EV per scale):\n";
                for (const auto& st : r.studies) {
                    if (r.studies.size() > 1) {
                        studyMsg << "    " << st.name << "  " << st.trainSubjects << "/" << st.heldOutSubjects << "  " << st.volumesPerEpoch;
                        if (st.weight != 1.0) studyMsg << " (weight " << std::setprecision(2) << st.weight << ")";
                        studyMsg << " ";
                        for (double ev : st.heldOutExplainedVariance) studyMsg << " " << std::setprecision(3) << ev;
                        if (st.heldOutExplainedVariance.empty()) studyMsg << " n/a (none held out)";
                        studyMsg << "\n";
                    }
                    studies.push_back({{"name", st.name}, {"weight", st.weight}, {"train", st.trainSubjects}, {"held_out", st.heldOutSubjects},
                                       {"train_volumes", st.trainVolumes}, {"held_out_volumes", st.heldOutVolumes},
                                       {"volumes_per_epoch", st.volumesPerEpoch}, {"held_out_explained_variance", st.heldOutExplainedVariance}});
                }
                nlohmann::json scales = nlohmann::json::array();
                for (const auto& s : r.scales) {
                    msg << "  k=" << std::setw(4) << s.components << "  held-out EV ";
                    if (r.heldOutSubjects.empty()) msg << "n/a (nothing held out)";
                    else msg << std::setprecision(3) << s.heldOutExplainedVariance;
                    msg << "  learning " << std::setprecision(1) << s.seconds << " s  " << s.gflops << " GFLOP/s\n";
                    scales.push_back({{"components", s.components},
                                      {"held_out_explained_variance", s.heldOutExplainedVariance},
                                      {"seconds", s.seconds},
                                      {"gflops", s.gflops}});
                }
                job.succeed("atlas written to " + o->out, {{"bundle", o->out},
                                                          {"scales", scales},
                                                          {"iterations", r.iterations},
                                                          {"resumed_from", r.resumedFromIteration},
                                                          {"seconds", r.seconds},
                                                          {"learn_seconds", r.learnSeconds},
                                                          {"init_seconds", r.initSeconds},
                                                          {"train_subjects", r.trainSubjects.size()},
                                                          {"held_out_subjects", r.heldOutSubjects},
                                                          {"held_out_unit", decompose::toString(r.heldOutUnit)},
                                                          {"studies", studies}});
                job.print(msg.str() + studyMsg.str());
                return 0;
            }};
}

} // namespace nm::cli
