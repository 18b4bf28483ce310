#include "decompose/Learning.hpp"

#include "anatomy/Parcellations.hpp"
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "common/Version.hpp"
#include "connectivity/Covariance.hpp"
#include "decompose/AtlasExport.hpp"
#include "decompose/Cohort.hpp"
#include "decompose/Initialization.hpp"
#include "decompose/OnlineDictionaryLearner.hpp"
#include "decompose/Networks.hpp"
#include "decompose/Reconstruction.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"
#include "common/AtomicFile.hpp"
#include "jobs/Checkpoint.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <type_traits>
#include <sstream>

namespace nm::decompose {

namespace {

using Clock = std::chrono::steady_clock;

using Subject = CohortSubject;

/// Which volumes each data stream reads at each iteration (stateless: a function of the epoch
/// and the iteration, so that resumed and distributed runs read exactly the same batches).
class Schedule {
public:
    Schedule(const std::vector<Subject>& train, int streams, int batch, std::uint64_t seed)
        : train_(train), streams_(streams), seed_(seed) {
        chunk_ = std::max(1, (batch + streams - 1) / streams);
        long long longest = 0;
        for (int e = 0; e < 1; ++e) {
            const auto plans = plan(e);
            for (const auto& p : plans) longest = std::max(longest, p.total);
        }
        iterationsPerEpoch_ = int((longest + chunk_ - 1) / chunk_);
    }
    struct Plan {
        std::vector<int> subjects;
        std::vector<long long> offsets;  ///< start of each subject in the stream
        long long total = 0;
    };
    [[nodiscard]] std::vector<Plan> plan(int epoch) const {
        std::vector<int> order(train_.size());
        std::iota(order.begin(), order.end(), 0);
        auto rng = seededRng(seed_, 11, std::uint64_t(epoch));
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<Plan> plans(static_cast<std::size_t>(streams_));
        for (std::size_t i = 0; i < order.size(); ++i) {
            auto& p = plans[i % std::size_t(streams_)];
            p.subjects.push_back(order[i]);
            p.offsets.push_back(p.total);
            p.total += readsPerEpoch(train_[std::size_t(order[i])]);
        }
        return plans;
    }
    /// Volumes a subject contributes per epoch: its study's weight × its volumes (≥ 1).
    [[nodiscard]] static long long readsPerEpoch(const Subject& s) {
        return std::max<long long>(1, std::llround(s.weight * double(s.volumes)));
    }
    [[nodiscard]] int iterationsPerEpoch() const { return iterationsPerEpoch_; }
    [[nodiscard]] int chunk() const { return chunk_; }
    /// Volume order within a subject for an epoch.
    [[nodiscard]] std::vector<int> permutation(int epoch, int subject, int volumes) const {
        std::vector<int> p(static_cast<std::size_t>(volumes));
        std::iota(p.begin(), p.end(), 0);
        auto rng = seededRng(seed_, 12, std::uint64_t(epoch) * 1000003ull + std::uint64_t(subject));
        std::shuffle(p.begin(), p.end(), rng);
        return p;
    }

private:
    const std::vector<Subject>& train_;
    int streams_, chunk_ = 1, iterationsPerEpoch_ = 0;
    std::uint64_t seed_;
};

} // namespace

/// The overlap of each map with the maps of the coarser scale (cosine of the absolute maps, from
/// the sparse maps: O(nnz) rather than a dense k × k' × p product) and each map's parent.
void linkScales(io::AtlasScale& fine, const io::AtlasScale& coarse) {
    const io::SparseMapsF F = fine.maps.cwiseAbs(), C = coarse.maps.cwiseAbs();
    const io::SparseMapsF Ct = C.transpose();
    io::SparseMapsF product = F * Ct;  // k × k'
    Eigen::VectorXf fn(F.rows()), cn(C.rows());
    for (Eigen::Index j = 0; j < F.rows(); ++j) fn[j] = std::sqrt(F.row(j).cwiseAbs2().sum());
    for (Eigen::Index i = 0; i < C.rows(); ++i) cn[i] = std::sqrt(C.row(i).cwiseAbs2().sum());
    std::vector<Eigen::Triplet<float, std::int64_t>> kept;
    for (Eigen::Index j = 0; j < product.outerSize(); ++j) {
        float best = 0.0f;
        for (io::SparseMapsF::InnerIterator it(product, j); it; ++it) {
            const float v = it.value() / std::max(1e-12f, fn[j] * cn[it.col()]);
            if (v >= 0.01f) kept.emplace_back(j, it.col(), v);
            if (v > best) {
                best = v;
                fine.parent[std::size_t(j)] = int(it.col());
            }
        }
    }
    fine.overlap.resize(F.rows(), C.rows());
    fine.overlap.setFromTriplets(kept.begin(), kept.end());
}

LearnOptions learnOptionsOf(const io::AtlasBundle& bundle, const std::filesystem::path& file) {
    const BundleInputs in = bundleInputs(bundle, file);
    LearnOptions o;
    o.datasets = in.datasets;
    o.filter = in.filter;
    o.preprocess = in.preprocess;
    o.heldOutSubjects = in.heldOutSubjects;
    o.heldOutUnit = in.unit;
    o.studies = in.studies;
    const auto& p = bundle.provenance["parameters"];
    std::string field;
    try {
        auto get = [&](const char* key, auto& value) {
            field = key;
            if (p.contains(key)) value = p[key].get<std::remove_reference_t<decltype(value)>>();
        };
        get("scales", o.scales);
        get("alpha", o.alpha);
        get("reduction", o.reduction);
        get("beta", o.beta);
        get("positive", o.positive);
        get("gamma", o.gamma);
        get("batch", o.batchSize);
        get("epochs", o.epochs);
        get("streams", o.streams);
        get("held_out_fraction", o.heldOutFraction);
        get("mask", o.mask);
        get("init", o.init);
        get("init_volumes", o.initVolumes);
        std::string codes = "full", statistics = "full";
        get("codes", codes);
        get("statistics", statistics);
        o.codes = codes == "masked" ? SomfOptions::Codes::Masked : SomfOptions::Codes::Full;
        o.statistics = statistics == "subset" ? SomfOptions::Statistics::Subset : SomfOptions::Statistics::Full;
        field = "seed";
        if (bundle.provenance.contains("seed")) o.seed = bundle.provenance["seed"].get<std::uint64_t>();
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file.string() + ": provenance/parameters/" + field + ": " + e.what());
    }
    if (o.datasets.empty()) throw InputError(file.string() + ": provenance/inputs/datasets is empty");
    return o;
}

LearnSummary learnAtlas(const LearnOptions& o, jobs::Progress& progress, Communicator& comm) {
    const auto start = Clock::now();
    if (o.scales.empty()) throw InputError("learn: --scales is empty");
    for (int k : o.scales)
        if (k < 2) throw InputError("learn: --scales must be >= 2 components");
    if (o.batchSize < 1 || o.epochs < 1 || o.streams < 1) throw InputError("learn: --batch, --epochs and --streams must be >= 1");
    if (!(o.heldOutFraction >= 0 && o.heldOutFraction < 1)) throw InputError("learn: --held-out must be in [0, 1)");
    if (o.dumpData) progress.plan({{"discover", 1}, {"mask", 1}, {"preprocess", 6}, {"dump data", 2}});
    else progress.plan({{"discover", 1}, {"mask", 1}, {"preprocess", 6}, {"initialize", 2}, {"learn", 30}, {"evaluate", 4}, {"network", 3}, {"sparse network", 6}, {"surfaces", 2}});
    progress.begin("discover");
    std::vector<io::BidsDataset> found;
    CohortUnit unit = o.heldOutUnit.value_or(CohortUnit::Subject);
    auto cohort = discoverCohort(o.datasets, o.filter, unit, &found, &o.studies);
    for (const auto& ds : found) {
        std::string what = ds.layout == "fmriprep" ? "fMRIPrep derivatives " + ds.derivatives->string() + " (space " +
                                                          (ds.runs.empty() ? std::string("?") : ds.runs.front().space) +
                                                          (ds.runs.empty() || ds.runs.front().resolution.empty() ? "" : ", res-" + ds.runs.front().resolution) + ")"
                                                    : std::string("raw BIDS images");
        progress.info("dataset " + ds.root.filename().string() + ": " + std::to_string(ds.runs.size()) + " runs, " + what);
    }
    if (!o.heldOutUnit && o.heldOutSubjects.empty() && o.heldOutFraction > 0 && cohort.size() < 3) {
        // Single- and few-subject datasets: hold out sessions, else runs, so that the EV is measured.
        const auto bySession = discoverCohort(o.datasets, o.filter, CohortUnit::Session, nullptr, &o.studies);
        bool sessions = bySession.size() >= 3;
        for (const auto& s : bySession) sessions = sessions && !s.key.ends_with("/ses-none");
        const auto byRun = sessions ? bySession : discoverCohort(o.datasets, o.filter, CohortUnit::Run, nullptr, &o.studies);
        if (byRun.size() >= 3) {
            progress.info("only " + std::to_string(cohort.size()) + (cohort.size() == 1 ? " subject" : " subjects") + ": holding out " +
                          (sessions ? "sessions" : "runs") + " instead of subjects (" + std::to_string(byRun.size()) + " of them)");
            unit = sessions ? CohortUnit::Session : CohortUnit::Run;
            cohort = byRun;
        } else {
            progress.warn("only " + std::to_string(byRun.size()) + " runs: nothing can be held out, the held-out EV is not measured");
        }
    }
    checkConfounds(cohort, o.preprocess.confounds, progress);
    const auto split = o.heldOutSubjects.empty() ? splitCohort(cohort, o.heldOutFraction, o.seed) : splitCohort(cohort, o.heldOutSubjects);
    const std::vector<Subject>& train = split.train;
    const std::vector<Subject>& held = split.heldOut;
    if (train.empty()) throw InputError("learn: no training subjects left after the held-out split");
    LearnSummary summary;
    summary.heldOutUnit = unit;
    for (const auto& s : train) summary.trainSubjects.push_back(s.key);
    for (const auto& s : held) summary.heldOutSubjects.push_back(s.key);
    progress.info(std::to_string(train.size()) + " training and " + std::to_string(held.size()) + " held-out " + toString(unit));

    progress.begin("mask", o.mask);
    signal::BrainMask mask;
    std::vector<std::filesystem::path> shipped;  // fMRIPrep's brain masks of the training runs
    for (const auto& s : train)
        for (const auto& r : s.runs)
            if (r.brainMask) shipped.push_back(*r.brainMask);
    const bool allShipped = [&] {
        for (const auto& s : train)
            for (const auto& r : s.runs)
                if (!r.brainMask) return false;
        return true;
    }();
    if (o.mask == "derivatives" && !allShipped)
        throw InputError("learn: --mask derivatives: " + std::to_string(shipped.size()) +
                         " training runs have an fMRIPrep brain mask (*_desc-brain_mask), not all of them");
    if ((o.mask == "auto" && allShipped) || o.mask == "derivatives") {
        mask = signal::intersectMasks(shipped, io::readNiftiInfo(train.front().runs.front().bold).geometry);
        progress.info("mask: fMRIPrep's brain masks of " + std::to_string(shipped.size()) + " runs (voxels in at least half)");
    } else if (o.mask == "epi" || o.mask == "auto") {
        mask = signal::epiMask(io::readNifti(train.front().runs.front().bold));
    } else if (o.mask == "template") {
        mask = signal::templateMask(io::readNiftiInfo(train.front().runs.front().bold).geometry);
    } else {
        mask = signal::BrainMask::fromFile(o.mask);
    }
    const Eigen::Index p = mask.size();
    for (int k : o.scales)
        if (k > p) throw InputError("learn: scale " + std::to_string(k) + " exceeds the " + std::to_string(p) + " voxels of the mask");
    progress.info("mask: " + std::to_string(p) + " voxels");

    progress.begin("preprocess");
    const auto cacheRoot = o.cacheDir.empty() ? paths::cacheDir() / "learn" : o.cacheDir;
    const SubjectStore store(cacheRoot, mask, o.preprocess);
    const std::string& preKey = store.key();
    // Warm the cache: the ranks share the subjects round-robin (a shared cache directory then
    // holds them all; a rank without it recomputes what it reads); rank 0 adds the held-out ones.
    {
        std::vector<const Subject*> mine;
        for (std::size_t i = 0; i < train.size(); ++i)
            if (int(i % std::size_t(comm.size())) == comm.rank()) mine.push_back(&train[i]);
        if (comm.rank() == 0)
            for (const auto& s : held) mine.push_back(&s);
        warmCache(store, mine, progress);
        comm.barrier();
    }
    if (o.dumpData) {
        if (comm.rank() == 0) {
            progress.begin("dump data");
            // Rows per subject, so that a peer can rebuild each subject's cleaned 4-D image from the
            // rows and the mask (bench/learn_vs_nilearn.sh trains nilearn on exactly these data).
            nlohmann::json volumes;
            for (const auto& [set, name] : {std::pair{&train, "train"}, std::pair{&held, "held_out"}}) {
                io::NpyRowWriter w(*o.dumpData / (std::string(name) + ".npy"), std::size_t(p));
                volumes[std::string(name) + "_volumes"] = nlohmann::json::array();
                for (const auto& s : *set) {
                    const auto X = store.load(s);
                    w.append(X.data(), std::size_t(X.rows()));
                    volumes[std::string(name) + "_volumes"].push_back(X.rows());
                }
                w.close();
            }
            io::writeNifti(*o.dumpData / "mask.nii.gz", mask.volume());
            nlohmann::json j = {{"train", summary.trainSubjects}, {"held_out", summary.heldOutSubjects}, {"voxels", p},
                                {"train_volumes", volumes["train_volumes"]}, {"held_out_volumes", volumes["held_out_volumes"]},
                                {"voxel_order", "the mask's non-zero voxels by linear grid index, i fastest (numpy: order='F')"}};
            writeFileAtomic(*o.dumpData / "subjects.json", j.dump(2) + "\n");
        }
        summary.finished = false;
        return summary;
    }

    // Fingerprint of the learning problem (checkpoints are only resumed for the same one).
    std::ostringstream fp;
    fp << "learn-v1 " << preKey << " seed " << o.seed << " alpha " << o.alpha << " red " << o.reduction << " beta " << o.beta
       << " pos " << o.positive << " gamma " << o.gamma << " codes " << int(o.codes) << " stats " << int(o.statistics) << " batch " << o.batchSize << " epochs " << o.epochs << " streams "
       << o.streams << " init " << o.init << ' ' << o.initVolumes << " scales";
    for (int k : o.scales) fp << ' ' << k;
    for (const auto& s : train) {
        fp << ' ' << s.key << ':' << s.volumes;
        if (s.weight != 1.0) fp << 'x' << s.weight;
    }
    const std::string fingerprint = jobs::fingerprintOf(fp.str());

    progress.begin("initialize");
    const auto initStart = Clock::now();
    std::vector<OnlineDictionaryLearner> learners;
    for (std::size_t s = 0; s < o.scales.size(); ++s) {
        SomfOptions so;
        so.components = o.scales[s];
        so.alpha = o.alpha;
        so.reduction = o.reduction;
        so.beta = o.beta;
        so.positive = o.positive;
        so.gamma = o.gamma;
        so.codes = o.codes;
        so.statistics = o.statistics;
        so.seed = o.seed * 1000003ull + s;
        learners.emplace_back(p, so);
    }
    std::optional<jobs::CheckpointStore> checkpoints;
    std::int64_t resumeFrom = 0;
    if (o.checkpointDir) {
        checkpoints.emplace(*o.checkpointDir, fingerprint);
        if (auto saved = checkpoints->load("learn")) {
            std::size_t pos = 0;
            auto take = [&](std::size_t n) {
                if (pos + n > saved->size()) throw Error(checkpoints->pathOf("learn").string() + ": truncated checkpoint");
                std::string s = saved->substr(pos, n);
                pos += n;
                return s;
            };
            std::int64_t iteration = 0;
            std::memcpy(&iteration, take(8).data(), 8);
            for (auto& l : learners) {
                std::uint64_t n = 0;
                std::memcpy(&n, take(8).data(), 8);
                l.deserialize(take(n));
            }
            resumeFrom = iteration;
            progress.info("resuming from the checkpoint at iteration " + std::to_string(iteration));
        } else if (checkpoints->lastSkipReason() != "no checkpoint") {
            progress.warn("ignoring checkpoint: " + checkpoints->lastSkipReason());
        }
    }
    if (resumeFrom == 0) {
        // Clustering of voxels on the first volumes of the first training subjects (same on all ranks).
        signal::RowMatrixF init(0, p);
        for (const auto& s : train) {
            if (init.rows() >= o.initVolumes) break;
            const auto x = store.load(s);
            const Eigen::Index take = std::min<Eigen::Index>(x.rows(), o.initVolumes - init.rows());
            init.conservativeResize(init.rows() + take, Eigen::NoChange);
            init.bottomRows(take) = x.topRows(take);
        }
        for (std::size_t s = 0; s < learners.size(); ++s) {
            if (o.init == "volumes") {
                learners[s].initialize(sampleInitialization(init, o.scales[s], o.seed + 7919 * s));
            } else if (o.init == "svd") {
                if (o.scales[s] > init.rows())
                    throw InputError("--init svd: " + std::to_string(o.scales[s]) + " components need at least as many initialisation volumes (--init-volumes " +
                                     std::to_string(init.rows()) + ")");
                learners[s].initialize(svdInitialization(init, o.scales[s]));
            } else {
                learners[s].initialize(clusterInitialization(init, o.scales[s], o.seed + 7919 * s));
            }
            progress.update(s + 1, learners.size());
        }
    }

    summary.initSeconds = std::chrono::duration<double>(Clock::now() - initStart).count();
    progress.begin("learn");
    const Schedule schedule(train, o.streams, o.batchSize, o.seed);
    std::int64_t total = std::int64_t(schedule.iterationsPerEpoch()) * o.epochs;
    if (o.maxIterations > 0) total = std::min<std::int64_t>(total, o.maxIterations);
    summary.resumedFromIteration = int(resumeFrom);
    std::vector<double> scaleSeconds(learners.size(), 0.0), scaleFlops(learners.size(), 0.0);
    const auto learnStart = Clock::now();
    // Per-stream cache of the subject being read.
    std::map<int, std::pair<int, signal::RowMatrixF>> loaded;
    auto writeCheckpoint = [&](std::int64_t iteration) {
        if (!checkpoints || comm.rank() != 0) return;
        std::string bytes(8, '\0');
        std::memcpy(bytes.data(), &iteration, 8);
        for (const auto& l : learners) {
            const std::string s = l.serialize();
            const std::uint64_t n = s.size();
            bytes.append(reinterpret_cast<const char*>(&n), 8);
            bytes += s;
        }
        checkpoints->save("learn", bytes);
        progress.checkpointWritten();
    };
    int currentEpoch = -1;
    std::vector<Schedule::Plan> plans;
    for (std::int64_t g = resumeFrom; g < total; ++g) {
        const int epoch = int(g / schedule.iterationsPerEpoch());
        const long long it = g % schedule.iterationsPerEpoch();
        if (epoch != currentEpoch) {
            plans = schedule.plan(epoch);
            currentEpoch = epoch;
        }
        // This rank's part of the global minibatch: its streams' chunks, in stream order.
        std::vector<std::pair<int, int>> picks;  // (train subject, volume)
        for (int s = 0; s < o.streams; ++s) {
            if (s % comm.size() != comm.rank()) continue;
            const auto& plan = plans[std::size_t(s)];
            const long long from = it * schedule.chunk(), to = std::min<long long>(from + schedule.chunk(), plan.total);
            for (long long pos = from; pos < to; ++pos) {
                const auto which = std::size_t(std::upper_bound(plan.offsets.begin(), plan.offsets.end(), pos) - plan.offsets.begin() - 1);
                picks.emplace_back(plan.subjects[which], int(pos - plan.offsets[which]));
            }
        }
        signal::RowMatrixF batch(Eigen::Index(picks.size()), p);
        for (std::size_t r = 0; r < picks.size(); ++r) {
            const auto [subject, index] = picks[r];
            auto& slot = loaded[subject % std::max(1, o.streams)];
            if (slot.first != subject || slot.second.rows() == 0) {
                slot.first = subject;
                slot.second = store.load(train[std::size_t(subject)]);
            }
            // Weighted studies read more (or fewer) volumes than a subject has: each further pass
            // over the subject takes a fresh permutation.
            const int rows = int(slot.second.rows()), pass = index / rows;
            const auto perm = schedule.permutation(epoch + 7919 * pass, subject, rows);
            batch.row(Eigen::Index(r)) = slot.second.row(perm[std::size_t(index % rows)]);
        }
        for (std::size_t s = 0; s < learners.size(); ++s) {
            const auto t0 = Clock::now();
            learners[s].partialFit(batch, &comm);
            scaleSeconds[s] += std::chrono::duration<double>(Clock::now() - t0).count();
            scaleFlops[s] += learners[s].lastFlops();
        }
        progress.update(std::size_t(g + 1), std::size_t(total), "iteration " + std::to_string(g + 1) + "/" + std::to_string(total) +
                                                                    ", epoch " + std::to_string(epoch + 1));
        if ((g + 1) % std::max(1, o.checkpointEvery) == 0) writeCheckpoint(g + 1);
        if (o.stopAfterIterations > 0 && g + 1 >= o.stopAfterIterations && g + 1 < total) {
            writeCheckpoint(g + 1);
            summary.finished = false;
            summary.iterations = int(g + 1);
            return summary;
        }
    }
    summary.iterations = int(total);
    summary.learnSeconds = std::chrono::duration<double>(Clock::now() - learnStart).count();

    // The atlas: maps scaled to a peak of 1, hierarchy, held-out variance, network, surfaces.
    io::AtlasBundle& b = summary.bundle;
    b.grid = mask.geometry;
    b.maskVoxels = mask.voxels;
    Eigen::MatrixXf world(p, 3);
    for (Eigen::Index v = 0; v < p; ++v) {
        const auto g = std::size_t(mask.voxels[std::size_t(v)]);
        const auto& d = mask.geometry.dims;
        world.row(v) = mask.geometry.worldOf(double(g % std::size_t(d[0])), double((g / std::size_t(d[0])) % std::size_t(d[1])),
                                             double(g / (std::size_t(d[0]) * std::size_t(d[1]))))
                           .cast<float>()
                           .transpose();
    }
    std::vector<RowMatrixF> finalMaps;
    for (std::size_t s = 0; s < learners.size(); ++s) {
        RowMatrixF D = learners[s].maps();
        if (!o.positive)
            for (Eigen::Index j = 0; j < D.rows(); ++j)
                if (D.row(j).sum() < 0) D.row(j) *= -1.0f;  // mostly positive
        for (Eigen::Index j = 0; j < D.rows(); ++j) {
            const float peak = D.row(j).cwiseAbs().maxCoeff();
            if (peak > 0) D.row(j) /= peak;
        }
        finalMaps.push_back(D);
        io::AtlasScale sc;
        sc.components = o.scales[s];
        sc.maps = D.sparseView(0.0f, 1.0f).cast<float>();
        sc.maps.prune(0.0f);
        sc.centroids.resize(sc.components, 3);
        sc.size.resize(sc.components);
        for (int j = 0; j < sc.components; ++j) {
            const Eigen::VectorXf w = D.row(j).transpose().cwiseMax(0.0f);
            const float sum = w.sum();
            sc.centroids.row(j) = sum > 0 ? Eigen::RowVector3f((w.transpose() * world) / sum) : Eigen::RowVector3f::Zero();
            sc.size[j] = int((D.row(j).array() > 0.05f).count());
            sc.names.push_back("s" + std::to_string(sc.components) + "_" + std::to_string(j));
        }
        sc.parent.assign(std::size_t(sc.components), -1);
        if (s > 0) linkScales(sc, b.scales.back());
        sc.explainedVariance = Eigen::VectorXf::Zero(sc.components);
        b.scales.push_back(std::move(sc));
        summary.scales.push_back({o.scales[s], 0.0, scaleSeconds[s], scaleSeconds[s] > 0 ? scaleFlops[s] / scaleSeconds[s] / 1e9 : 0.0});
    }
    // Anatomical names (AAL region of most mass), when the template atlases are installed.
    try {
        const auto aal = anatomy::loadAal();
        const auto labels = anatomy::labelsOnVoxels(aal, mask.geometry, mask.voxels);
        for (auto& sc : b.scales) sc.names = anatomicalNames(dominantRegions(sc.maps, labels, aal.names));
    } catch (const InputError& e) {
        progress.warn(std::string("components keep numeric names: ") + e.what());
    }
    if (comm.rank() == 0) {
        progress.begin("evaluate");
        std::vector<LeastSquaresProjector> projectors;
        for (const auto& D : finalMaps) projectors.emplace_back(D);
        auto studyOf = [](const std::string& key) { return key.substr(0, key.find('/')); };
        std::map<std::string, StudySummary> studies;
        for (const auto& s : train) {
            auto& st = studies[studyOf(s.key)];
            ++st.trainSubjects;
            st.trainVolumes += s.volumes;
            st.volumesPerEpoch += Schedule::readsPerEpoch(s);
            st.weight = s.weight;
        }
        for (const auto& s : held) {
            auto& st = studies[studyOf(s.key)];
            ++st.heldOutSubjects;
            st.heldOutVolumes += s.volumes;
            st.weight = s.weight;
        }
        std::map<std::string, std::vector<std::pair<double, double>>> studyEnergy;  // (explained, total) per scale
        for (std::size_t h = 0; h < held.size(); ++h) {
            const auto X = store.load(held[h]);
            auto& e = studyEnergy[studyOf(held[h].key)];
            e.resize(projectors.size(), {0.0, 0.0});
            for (std::size_t s = 0; s < projectors.size(); ++s) {
                auto& pr = projectors[s];
                const double before = pr.explainedVariance() * pr.totalEnergy(), beforeTotal = pr.totalEnergy();
                pr.accumulate(X);
                e[s].first += pr.explainedVariance() * pr.totalEnergy() - before;
                e[s].second += pr.totalEnergy() - beforeTotal;
            }
            progress.update(h + 1, held.size());
        }
        for (auto& [name, st] : studies) {
            st.name = name;
            if (const auto it = studyEnergy.find(name); it != studyEnergy.end())
                for (const auto& [ex, tot] : it->second) st.heldOutExplainedVariance.push_back(tot > 0 ? ex / tot : 0.0);
            summary.studies.push_back(st);
        }
        for (std::size_t s = 0; s < learners.size(); ++s)
            if (projectors[s].totalEnergy() > 0) {
                summary.scales[s].heldOutExplainedVariance = projectors[s].explainedVariance();
                b.scales[s].explainedVariance = projectors[s].componentVariance().cast<float>();
            }
        if (o.network) {
            progress.begin("network");
            // Per subject: Ledoit–Wolf covariance of the component time courses, its correlation
            // and partial correlation; the bundle keeps their group means (nilearn's
            // ConnectivityMeasure with kind="correlation" / "partial correlation").
            std::vector<LeastSquaresProjector> projectors;
            for (const auto& D : finalMaps) projectors.emplace_back(D);
            std::vector<Eigen::MatrixXd> corr(finalMaps.size()), partial(finalMaps.size());
            std::vector<std::vector<Eigen::MatrixXd>> codes(finalMaps.size());
            std::vector<std::string> trainNames;
            for (std::size_t s = 0; s < finalMaps.size(); ++s) {
                corr[s] = partial[s] = Eigen::MatrixXd::Zero(finalMaps[s].rows(), finalMaps[s].rows());
            }
            for (std::size_t t = 0; t < train.size(); ++t) {
                const auto X = store.load(train[t]);
                for (std::size_t s = 0; s < finalMaps.size(); ++s) {
                    Eigen::MatrixXd c = projectors[s].codes(X);
                    const Eigen::MatrixXd cov = connectivity::ledoitWolf(c).covariance;
                    corr[s] += connectivity::correlationFromCovariance(cov);
                    partial[s] += connectivity::partialCorrelationFromCovariance(cov);
                    if (o.sparseNetwork) codes[s].push_back(std::move(c));
                }
                trainNames.push_back(train[t].key);
                progress.update(t + 1, train.size());
            }
            for (std::size_t s = 0; s < finalMaps.size(); ++s) {
                b.scales[s].correlation = (corr[s] / double(train.size())).cast<float>();
                b.scales[s].partialCorrelation = (partial[s] / double(train.size())).cast<float>();
            }
            if (o.sparseNetwork && train.size() >= 2) {
                progress.begin("sparse network");
                estimateBundleNetworks(b, codes, trainNames, o.sparseNetworkOptions, {}, progress);
            }
        }
        if (o.surfaces) {
            progress.begin("surfaces");
            try {
                const auto space = anatomy::loadTemplateSurfaces();
                const anatomy::VolumeToSurface left(space.left, mask.geometry), right(space.right, mask.geometry);
                for (auto& sc : b.scales) {
                    sc.surfaceLeft = left.projectSparse(sc.maps, mask.voxels);
                    sc.surfaceRight = right.projectSparse(sc.maps, mask.voxels);
                }
                b.surfaceSpace = "template";
            } catch (const std::exception& e) {
                progress.warn(std::string("no surface projections: ") + e.what());
            }
        }
    }
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    nlohmann::json versions = nlohmann::json::object();
    for (const auto& [name, ver] : libraryVersions()) versions[name] = ver;
    nlohmann::json datasets = nlohmann::json::array();
    nlohmann::json studyInputs = nlohmann::json::array();
    for (const auto& d : o.datasets) {
        datasets.push_back(std::filesystem::absolute(d).string());
        if (const auto it = o.studies.find(d.string()); it != o.studies.end()) {
            nlohmann::json st = {{"path", datasets.back()}, {"weight", it->second.weight}};
            if (it->second.filter) st["filter"] = toJson(*it->second.filter);
            studyInputs.push_back(st);
        }
    }
    nlohmann::json studyMetrics = nlohmann::json::array();
    for (const auto& st : summary.studies)
        studyMetrics.push_back({{"name", st.name}, {"weight", st.weight}, {"train_subjects", st.trainSubjects},
                                {"held_out_subjects", st.heldOutSubjects}, {"train_volumes", st.trainVolumes},
                                {"held_out_volumes", st.heldOutVolumes}, {"volumes_per_epoch", st.volumesPerEpoch},
                                {"held_out_explained_variance", st.heldOutExplainedVariance}});
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& s : summary.scales)
        metrics.push_back({{"components", s.components}, {"held_out_explained_variance", s.heldOutExplainedVariance},
                           {"learn_seconds", s.seconds}, {"gflops", s.gflops}});
    b.provenance = {{"software", "neuromosaic " + version()},
                    {"versions", versions},
                    {"inputs",
                     {{"datasets", datasets},
                      {"filter", toJson(o.filter)},
                      {"train_subjects", summary.trainSubjects},
                      {"held_out_subjects", summary.heldOutSubjects},
                      {"held_out_unit", toString(summary.heldOutUnit)},
                      {"studies", studyInputs}}},
                    {"parameters",
                     {{"scales", o.scales}, {"alpha", o.alpha}, {"reduction", o.reduction}, {"beta", o.beta}, {"positive", o.positive},
                      {"gamma", o.gamma}, {"codes", o.codes == SomfOptions::Codes::Full ? "full" : "masked"},
                      {"statistics", o.statistics == SomfOptions::Statistics::Full ? "full" : "subset"}, {"batch", o.batchSize}, {"epochs", o.epochs}, {"streams", o.streams},
                      {"held_out_fraction", o.heldOutFraction}, {"mask", o.mask}, {"init", o.init}, {"init_volumes", o.initVolumes},
                      {"detrend", o.preprocess.detrend}, {"high_pass_seconds", o.preprocess.highPassSeconds},
                      {"denoise", o.preprocess.confounds.toJson()}, {"smoothing_fwhm_mm", o.preprocess.smoothingFwhmMm},
                      {"standardize", o.preprocess.standardize}, {"mpi_ranks", comm.size()}}},
                    {"seed", o.seed},
                    {"iterations", summary.iterations},
                    {"metrics", metrics},
                    {"studies", studyMetrics},
                    {"fingerprint", fingerprint}};
    progress.finish();
    return summary;
}

} // namespace nm::decompose
