#include "validate/Reconstruction.hpp"

#include "anatomy/Parcellations.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "decompose/Cohort.hpp"
#include "decompose/Reconstruction.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"
#include "validate/Matching.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <algorithm>
#include <limits>
#include <chrono>
#include <cmath>
#include <map>
#include <regex>
#include <set>

namespace nm::validate {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

RowMatrixF denseMaps(const io::AtlasScale& scale) { return RowMatrixF(scale.maps); }

std::optional<std::filesystem::path> findGroundTruth(const std::optional<std::filesystem::path>& given,
                                                     const std::vector<std::filesystem::path>& datasets, const std::string& requiredFile) {
    if (given) return given;
    for (const auto& d : datasets) {
        const auto t = d / "derivatives" / "ground_truth";
        if (std::filesystem::is_directory(t) && (requiredFile.empty() || std::filesystem::is_regular_file(t / requiredFile))) return t;
    }
    return std::nullopt;
}

RowMatrixF truthMaps(const std::filesystem::path& dir, int components, const io::AtlasBundle& bundle) {
    const auto file = dir / ("scale-" + std::to_string(components) + "_maps.nii.gz");
    if (!std::filesystem::exists(file)) throw InputError(file.string() + ": ground-truth maps not found");
    Volume v = io::readNifti(file);
    if (v.frames != components)
        throw InputError(file.string() + ": expected " + std::to_string(components) + " frames (one per component), found " +
                         std::to_string(v.frames));
    if (!v.geometry.sameGrid(bundle.grid)) v = io::resampleToGrid(v, bundle.grid, io::Interpolation::Linear, 0.0f);
    RowMatrixF m(components, Eigen::Index(bundle.maskVoxels.size()));
    for (int j = 0; j < components; ++j) {
        const float* f = v.frame(j);
        for (std::size_t i = 0; i < bundle.maskVoxels.size(); ++i) m(j, Eigen::Index(i)) = f[std::size_t(bundle.maskVoxels[i])];
    }
    return m;
}

RecoveryScore recovery(const Eigen::MatrixXf& learned, const Eigen::MatrixXf& truth) {
    RecoveryScore r;
    r.components = int(learned.rows());
    r.truthComponents = int(truth.rows());
    // Score the smaller set: each of its maps gets a distinct partner in the other.
    const bool truthSmaller = truth.rows() <= learned.rows();
    const MatchResult m = truthSmaller ? matchMaps(truth, learned) : matchMaps(learned, truth);
    std::vector<double> c(m.correlations.data(), m.correlations.data() + m.correlations.size());
    r.correlations = c;
    r.componentCorrelation.assign(std::size_t(learned.rows()), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < m.assignment.size(); ++i) {
        const int learnedIndex = truthSmaller ? m.assignment[i] : int(i);
        if (learnedIndex >= 0 && learnedIndex < int(learned.rows())) r.componentCorrelation[std::size_t(learnedIndex)] = c[i];
    }
    if (c.empty()) return r;
    r.meanCorrelation = m.meanCorrelation;
    std::sort(c.begin(), c.end());
    r.medianCorrelation = c.size() % 2 ? c[c.size() / 2] : 0.5 * (c[c.size() / 2 - 1] + c[c.size() / 2]);
    r.fractionAbove05 = double(std::count_if(c.begin(), c.end(), [](double x) { return x > 0.5; })) / double(c.size());
    return r;
}

namespace {

using decompose::CohortSubject;

/// Top principal axes (rows, orthonormal) of the training data, which stream through
/// `passes + 1` times: Y = Σ_s X_sᵀ X_s Q, Q = orth(Y), then Rayleigh–Ritz on QᵀXᵀXQ.
/// The data are z-scored per voxel and run, hence already centred.
RowMatrixF streamedPca(const decompose::SubjectStore& store, const std::vector<const CohortSubject*>& subjects, int k,
                       int passes, std::uint64_t seed, jobs::Progress& progress) {
    const Eigen::Index p = store.mask().size();
    const Eigen::Index l = std::min<Eigen::Index>(p, k + std::max(10, k / 10));
    auto rng = decompose::seededRng(seed, 31);
    std::normal_distribution<float> normal;
    Eigen::MatrixXf Q(p, l);
    for (Eigen::Index c = 0; c < l; ++c)
        for (Eigen::Index r = 0; r < p; ++r) Q(r, c) = normal(rng);
    const std::size_t steps = std::size_t(passes + 2) * subjects.size();
    std::size_t step = 0;
    for (int pass = 0; pass <= passes; ++pass) {
        Eigen::MatrixXf Y = Eigen::MatrixXf::Zero(p, l);
        for (const auto* s : subjects) {
            const RowMatrixF X = store.load(*s);
            const Eigen::MatrixXf Z = X * Q;  // T × l
            Y.noalias() += X.transpose() * Z;
            progress.update(++step, steps, "PCA pass " + std::to_string(pass + 1));
        }
        const Eigen::HouseholderQR<Eigen::MatrixXf> qr(Y);
        Q = qr.householderQ() * Eigen::MatrixXf::Identity(p, l);
    }
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(l, l);
    for (const auto* s : subjects) {
        const Eigen::MatrixXd Z = (store.load(*s) * Q).cast<double>();
        M.noalias() += Z.transpose() * Z;
        progress.update(++step, steps, "PCA Rayleigh-Ritz");
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(M);
    // Eigenvalues ascending: the last k columns, largest first.
    Eigen::MatrixXf V(l, k);
    for (int j = 0; j < k; ++j) V.col(j) = eig.eigenvectors().col(l - 1 - j).cast<float>();
    return RowMatrixF((Q * V).transpose());
}

std::map<int, std::filesystem::path> truthScales(const std::filesystem::path& dir) {
    std::map<int, std::filesystem::path> out;
    std::error_code ec;
    const std::regex pattern(R"(scale-(\d+)_maps\.nii\.gz)");
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        std::smatch m;
        const std::string name = e.path().filename().string();
        if (std::regex_match(name, m, pattern)) out[std::stoi(m[1].str())] = e.path();
    }
    return out;
}

} // namespace

std::vector<Dictionary> atlasAndBaselines(const io::AtlasBundle& bundle, const decompose::SubjectStore& store,
                                          const std::vector<const decompose::CohortSubject*>& train, const std::vector<std::string>& baselines,
                                          int powerIterations, std::uint64_t seed, jobs::Progress& progress) {
    std::vector<Dictionary> candidates;
    for (const auto& sc : bundle.scales) candidates.push_back({"atlas", denseMaps(sc)});
    if (std::find(baselines.begin(), baselines.end(), "pca") != baselines.end()) {
        if (train.empty()) throw InputError("no training subjects found for the PCA baseline");
        int kmax = 0;
        for (const auto& sc : bundle.scales) kmax = std::max(kmax, sc.components);
        std::int64_t volumes = 0;
        for (const auto* s : train) volumes += s->volumes;
        kmax = int(std::min<std::int64_t>(kmax, std::min<std::int64_t>(volumes, store.mask().size())));
        const RowMatrixF axes = streamedPca(store, train, kmax, powerIterations, seed, progress);
        for (const auto& sc : bundle.scales)
            if (sc.components <= kmax) candidates.push_back({"pca", axes.topRows(sc.components)});
    }
    for (const auto& name : baselines) {
        if (name == "pca") continue;
        const auto parcellation = anatomy::loadParcellation(name);
        candidates.push_back({name, anatomy::parcelDictionary(parcellation, bundle.grid, bundle.maskVoxels).maps});
    }
    return candidates;
}

ReconstructionReport validateReconstruction(const ReconstructionOptions& o, jobs::Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    for (const auto& b : o.baselines)
        if (b != "pca" && b != "aal" && b != "harvard-oxford")
            throw InputError("--baselines: unknown baseline '" + b + "' (expected pca, aal, harvard-oxford)");
    progress.plan({{"read", 1}, {"preprocess", 4}, {"pca", 6}, {"evaluate", 4}, {"recovery", 2}, {"stability", 1}});
    progress.begin("read", o.bundle.string());
    const io::AtlasBundle bundle = io::readAtlasBundle(o.bundle);
    const auto inputs = decompose::bundleInputs(bundle, o.bundle);
    std::vector<std::filesystem::path> datasets = o.datasets.empty() ? inputs.datasets : o.datasets;
    if (datasets.empty()) throw InputError(o.bundle.string() + ": provenance/inputs/datasets is empty; give the datasets on the command line");
    const io::BidsFilter filter = inputs.filter;
    const auto cohort = decompose::discoverCohort(datasets, filter, inputs.unit, nullptr, &inputs.studies);
    const auto& heldKeys = inputs.heldOutSubjects;
    const auto& trainKeys = inputs.trainSubjects;
    if (heldKeys.empty())
        throw InputError(o.bundle.string() + ": provenance/inputs/held_out_subjects is empty: learn with --held-out > 0 (and 3 or more subjects)");
    const std::set<std::string> heldSet(heldKeys.begin(), heldKeys.end()), trainSet(trainKeys.begin(), trainKeys.end());
    std::vector<const CohortSubject*> held, train;
    for (const auto& s : cohort) {
        if (heldSet.count(s.key)) held.push_back(&s);
        else if (trainSet.count(s.key)) train.push_back(&s);
    }
    if (held.size() != heldSet.size())
        throw InputError("the datasets do not hold all " + std::to_string(heldSet.size()) + " held-out subjects of " + o.bundle.string() +
                         " (found " + std::to_string(held.size()) + "); give the datasets the atlas was learned from");

    ReconstructionReport report;
    for (const auto* s : held) {
        report.heldOutSubjects.push_back(s->key);
        report.heldOutVolumes += s->volumes;
    }
    for (const auto* s : train) report.trainVolumes += s->volumes;

    progress.begin("preprocess");
    signal::BrainMask mask;
    mask.geometry = bundle.grid;
    mask.voxels = bundle.maskVoxels;
    const decompose::SubjectStore store(o.cacheDir.empty() ? paths::cacheDir() / "learn" : o.cacheDir, mask,
                                        inputs.preprocess);
    const bool wantPca = std::find(o.baselines.begin(), o.baselines.end(), "pca") != o.baselines.end();
    {
        std::vector<const CohortSubject*> needed = held;
        if (wantPca) needed.insert(needed.end(), train.begin(), train.end());
        decompose::warmCache(store, needed, progress);
    }

    // Dictionaries to score: the atlas scales, then the baselines.
    progress.begin("pca");
    const std::vector<Dictionary> candidates = atlasAndBaselines(bundle, store, train, o.baselines, o.powerIterations, o.seed, progress);
    progress.begin("evaluate");
    std::vector<decompose::LeastSquaresProjector> projectors;
    for (const auto& c : candidates) projectors.emplace_back(c.maps);
    for (std::size_t h = 0; h < held.size(); ++h) {
        const RowMatrixF X = store.load(*held[h]);
        for (auto& pr : projectors) pr.accumulate(X);
        progress.update(h + 1, held.size(), held[h]->key);
    }
    for (std::size_t c = 0; c < candidates.size(); ++c)
        report.explainedVariance.push_back({candidates[c].method, int(candidates[c].maps.rows()), projectors[c].explainedVariance()});

    progress.begin("recovery");
    std::optional<std::filesystem::path> truthDir = o.truth;
    if (!truthDir)
        for (const auto& d : datasets)
            if (std::filesystem::is_directory(d / "derivatives" / "ground_truth")) {
                truthDir = d / "derivatives" / "ground_truth";
                break;
            }
    if (truthDir) {
        const auto available = truthScales(*truthDir);
        if (available.empty()) throw InputError(truthDir->string() + ": no scale-<k>_maps.nii.gz ground-truth files");
        report.truth = *truthDir;
        std::map<int, RowMatrixF> loaded;
        for (std::size_t s = 0; s < bundle.scales.size(); ++s) {
            const int k = bundle.scales[s].components;
            // The truth scale closest in log k.
            int best = available.begin()->first;
            for (const auto& [kt, f] : available)
                if (std::abs(std::log(double(kt) / k)) < std::abs(std::log(double(best) / k))) best = kt;
            if (!loaded.count(best)) loaded[best] = truthMaps(*truthDir, best, bundle);
            report.recovery.push_back(recovery(candidates[s].maps, loaded[best]));
            progress.update(s + 1, bundle.scales.size());
        }
        // The truth itself as a dictionary: the explained variance an ideal group atlas reaches.
        std::vector<decompose::LeastSquaresProjector> oracles;
        for (const auto& [k, maps] : loaded) oracles.emplace_back(maps);
        for (const auto* h : held) {
            const RowMatrixF X = store.load(*h);
            for (auto& pr : oracles) pr.accumulate(X);
        }
        std::size_t i = 0;
        for (const auto& [k, maps] : loaded) report.explainedVariance.push_back({"truth", k, oracles[i++].explainedVariance()});
    }

    progress.begin("stability");
    for (const auto& other : o.compare) {
        const io::AtlasBundle b = io::readAtlasBundle(other);
        if (!b.grid.sameGrid(bundle.grid) || b.maskVoxels != bundle.maskVoxels)
            throw InputError(other.string() + ": mask or grid differs from " + o.bundle.string() + "; stability needs the same voxels");
        for (const auto& sc : bundle.scales)
            for (const auto& osc : b.scales)
                if (osc.components == sc.components) {
                    const auto m = matchMaps(denseMaps(sc), denseMaps(osc));
                    report.stability.push_back({sc.components, other.string(), m.meanCorrelation,
                                                std::vector<double>(m.correlations.data(), m.correlations.data() + m.correlations.size())});
                }
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    return report;
}

nlohmann::json ReconstructionReport::toJson() const {
    nlohmann::json ev = nlohmann::json::array(), rec = nlohmann::json::array(), stab = nlohmann::json::array();
    for (const auto& e : explainedVariance)
        ev.push_back({{"method", e.method}, {"components", e.components}, {"held_out_explained_variance", e.explainedVariance}});
    auto list = [](const std::vector<double>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (const double x : v) a.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr));
        return a;
    };
    for (const auto& r : recovery)
        rec.push_back({{"components", r.components},
                       {"truth_components", r.truthComponents},
                       {"mean_correlation", r.meanCorrelation},
                       {"median_correlation", r.medianCorrelation},
                       {"fraction_above_0.5", r.fractionAbove05},
                       {"correlations", list(r.correlations)},
                       {"component_correlation", list(r.componentCorrelation)}});
    for (const auto& s : stability)
        stab.push_back({{"components", s.components}, {"other", s.other}, {"mean_correlation", s.meanCorrelation},
                        {"component_correlation", list(s.componentCorrelation)}});
    nlohmann::json j = {{"kind", "reconstruction"},
                        {"held_out_subjects", heldOutSubjects},
                        {"held_out_volumes", heldOutVolumes},
                        {"train_volumes", trainVolumes},
                        {"explained_variance", ev},
                        {"recovery", rec},
                        {"stability", stab},
                        {"seconds", seconds}};
    if (truth) j["truth"] = truth->string();
    return j;
}

io::Table ReconstructionReport::toTable() const {
    std::vector<std::vector<std::string>> rows;
    auto num = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", v);
        return std::string(buf);
    };
    for (const auto& e : explainedVariance)
        rows.push_back({"explained_variance", e.method, std::to_string(e.components), "", num(e.explainedVariance)});
    for (const auto& r : recovery) {
        rows.push_back({"recovery_mean_correlation", "atlas", std::to_string(r.components), std::to_string(r.truthComponents), num(r.meanCorrelation)});
        rows.push_back({"recovery_fraction_above_0.5", "atlas", std::to_string(r.components), std::to_string(r.truthComponents), num(r.fractionAbove05)});
    }
    for (const auto& s : stability)
        rows.push_back({"stability_mean_correlation", "atlas", std::to_string(s.components), std::to_string(s.components), num(s.meanCorrelation)});
    return io::Table({"measure", "method", "components", "reference_components", "value"}, rows);
}

} // namespace nm::validate
