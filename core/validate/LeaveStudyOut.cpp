#include "validate/LeaveStudyOut.hpp"

#include "anatomy/Parcellations.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "decompose/Cohort.hpp"
#include "decompose/Communicator.hpp"
#include "decompose/Learning.hpp"
#include "decompose/Reconstruction.hpp"
#include "io/Bids.hpp"
#include "io/Nifti.hpp"
#include "jobs/Progress.hpp"
#include "semantics/ComponentSignals.hpp"
#include "semantics/Decoder.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <set>

namespace nm::validate {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fileStem(const std::string& entry) {
    std::string s;
    for (char c : entry) s += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
    return s;
}

std::string bundleFingerprint(const io::AtlasBundle& b) {
    return b.provenance.contains("fingerprint") && b.provenance["fingerprint"].is_string() ? b.provenance["fingerprint"].get<std::string>() : "";
}

/// The subjects' runs of the study `entry` (subjects without one are left out), and the
/// "<dataset>/<task>" it matched.
struct StudyData {
    std::vector<decompose::CohortSubject> subjects;
    std::vector<std::string> tasks;
    int runs = 0;
    std::int64_t volumes = 0;
};

StudyData studyData(const std::vector<decompose::CohortSubject>& cohort, const std::vector<io::BidsDataset>& datasets, const std::string& entry) {
    std::map<std::string, std::pair<std::string, std::string>> studyOf;  // BOLD file → (dataset directory, task)
    std::set<std::string> everyStudy;
    for (const auto& ds : datasets) {
        const std::string dir = ds.root.filename().string();
        for (const auto& r : ds.runs) {
            studyOf[std::filesystem::absolute(r.bold).lexically_normal().string()] = {dir, r.task};
            everyStudy.insert(dir + "/" + r.task);
        }
    }
    StudyData out;
    std::set<std::string> tasks;
    for (const auto& s : cohort) {
        decompose::CohortSubject sub;
        sub.key = s.key;
        for (const auto& run : s.runs) {
            const auto it = studyOf.find(std::filesystem::absolute(run.bold).lexically_normal().string());
            if (it == studyOf.end() || !io::studyMatches(entry, it->second.first, it->second.second)) continue;
            sub.runs.push_back(run);
            sub.volumes += io::readNiftiInfo(run.bold).frames;
            tasks.insert(it->second.first + "/" + it->second.second);
        }
        if (sub.runs.empty()) continue;
        out.runs += int(sub.runs.size());
        out.volumes += sub.volumes;
        out.subjects.push_back(std::move(sub));
    }
    if (out.subjects.empty()) {
        std::string list;
        for (const auto& s : everyStudy) list += (list.empty() ? "" : ", ") + s;
        throw InputError("leave-one-study-out: no run of the datasets belongs to the study '" + entry + "'; the studies are: " + list);
    }
    out.tasks.assign(tasks.begin(), tasks.end());
    return out;
}

/// The atlas without the study: the one in the work directory when it was learned from the same
/// atlas with the same settings, else learned now (checkpointed there, so a stopped job resumes).
io::AtlasBundle atlasWithout(const io::AtlasBundle& full, const LeaveStudyOutOptions& o, const std::vector<std::filesystem::path>& datasets,
                             const std::string& entry, const std::filesystem::path& work, LeftOutStudy& out, jobs::Progress& progress) {
    const std::filesystem::path file = work / ("without-" + fileStem(entry) + ".nmatlas.h5");
    out.atlas = file;
    const nlohmann::json tag = {{"study", entry}, {"source", std::filesystem::absolute(o.bundle).string()},
                                {"source_fingerprint", bundleFingerprint(full)}, {"max_iterations", o.maxIterations}};
    if (!o.relearn && std::filesystem::exists(file)) {
        try {
            io::AtlasBundle b = io::readAtlasBundle(file);
            if (b.provenance.contains("left_out") && b.provenance["left_out"] == tag) {
                out.reused = true;
                progress.info("reusing " + file.string() + " (learned without " + entry + " from the same atlas)");
                return b;
            }
            progress.info(file.string() + " was learned from another atlas or with other settings: learning again");
        } catch (const std::exception& e) {
            progress.warn(file.string() + ": unreadable (" + e.what() + "): learning again");
        }
    }
    decompose::LearnOptions lo = decompose::learnOptionsOf(full, o.bundle);
    lo.datasets = datasets;
    lo.filter.excludeStudies.push_back(entry);
    // The same voxels as the atlas it is compared with.
    signal::BrainMask mask;
    mask.geometry = full.grid;
    mask.voxels = full.maskVoxels;
    const auto maskFile = work / "mask.nii.gz";
    io::writeNifti(maskFile, mask.volume());
    lo.mask = maskFile.string();
    lo.network = false;
    lo.sparseNetwork = false;
    lo.surfaces = false;
    lo.cacheDir = o.cacheDir;
    lo.checkpointDir = work / ("without-" + fileStem(entry) + ".checkpoint");
    if (o.maxIterations > 0) lo.maxIterations = o.maxIterations;
    decompose::SerialCommunicator comm;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = decompose::learnAtlas(lo, progress, comm);
    if (!r.finished) throw Error("leave-one-study-out: learning without " + entry + " stopped before the end");
    out.learnSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.bundle.provenance["left_out"] = tag;
    io::writeAtlasBundle(file, r.bundle);
    std::error_code ec;
    std::filesystem::remove_all(*lo.checkpointDir, ec);
    return std::move(r.bundle);
}

/// A bundle whose scales are the parcellations' regions (binary maps): their effects are the
/// parcels' mean signals, decoded like the components'.
io::AtlasBundle parcelBundle(const io::AtlasBundle& like, const std::vector<Dictionary>& dictionaries, std::vector<std::string>& names) {
    io::AtlasBundle b;
    b.grid = like.grid;
    b.maskVoxels = like.maskVoxels;
    for (const auto& d : dictionaries) {
        if (d.method != "aal" && d.method != "harvard-oxford") continue;
        io::AtlasScale sc;
        sc.components = int(d.maps.rows());
        sc.maps = d.maps.sparseView();
        b.scales.push_back(std::move(sc));
        names.push_back(d.method);
    }
    return b;
}

void addDecoding(LeftOutStudy& out, const semantics::ConditionEffects& ce, const std::vector<std::string>& methods, semantics::DecoderOptions d,
                 bool withVoxels, jobs::Progress& progress) {
    for (std::size_t i = 0; i < ce.effects.size(); ++i) {
        d.voxels = withVoxels && i == 0;
        auto child = progress.child();
        const auto table = semantics::evaluateDecoders(ce, i, d, child);
        for (const auto& s : table.studies) {
            out.decoding.push_back({s.study, methods[i], ce.scales[i], s.components, s.chance, s.classes, s.samples, s.subjects, s.scheme});
            if (d.voxels) out.decoding.push_back({s.study, "voxels", 0, s.voxels, s.chance, s.classes, s.samples, s.subjects, s.scheme});
        }
    }
}

double meanOver(const std::vector<LeftOutDecoding>& v, const std::string& method, int components) {
    double sum = 0;
    int n = 0;
    for (const auto& d : v)
        if (d.method == method && d.components == components) {
            sum += d.accuracy;
            ++n;
        }
    return n ? sum / n : kNaN;
}

} // namespace

double LeftOutStudy::ev(const std::string& method, int components) const {
    for (const auto& e : explainedVariance)
        if (e.method == method && e.components == components) return e.explainedVariance;
    return kNaN;
}
double LeftOutStudy::contrast(const std::string& method, int components) const {
    for (const auto& c : contrasts)
        if (c.method == method && c.components == components) return c.mean;
    return kNaN;
}
double LeftOutStudy::decodingAccuracy(const std::string& method, int components) const { return meanOver(decoding, method, components); }

nlohmann::json LeaveStudyOutReport::toJson() const {
    nlohmann::json j = {{"kind", "leave-one-study-out"}, {"seconds", seconds}, {"scales", scales}, {"studies", nlohmann::json::array()}};
    for (const auto& s : studies) {
        nlohmann::json ev = nlohmann::json::array(), dec = nlohmann::json::array(), con = nlohmann::json::array();
        for (const auto& e : s.explainedVariance)
            ev.push_back({{"method", e.method}, {"components", e.components}, {"explained_variance", e.explainedVariance}});
        for (const auto& d : s.decoding)
            dec.push_back({{"task", d.task}, {"method", d.method}, {"components", d.components}, {"accuracy", d.accuracy}, {"chance", d.chance},
                           {"classes", d.classes}, {"samples", d.samples}, {"subjects", d.subjects}, {"scheme", d.scheme}});
        for (const auto& c : s.contrasts)
            con.push_back({{"method", c.method}, {"components", c.components}, {"mean", c.mean}, {"median", c.median}, {"explained", c.explained}});
        j["studies"].push_back({{"study", s.study},
                                {"tasks", s.tasks},
                                {"conditions", s.conditions},
                                {"subjects", s.subjects},
                                {"runs", s.runs},
                                {"volumes", s.volumes},
                                {"train_volumes", s.trainVolumes},
                                {"atlas", s.atlas.string()},
                                {"reused", s.reused},
                                {"learn_seconds", s.learnSeconds},
                                {"explained_variance", ev},
                                {"decoding", dec},
                                {"contrasts", con}});
    }
    j["measures"] = {{"explained_variance", "R^2 of the left-out study's runs (every subject's) by least squares on each dictionary's maps"},
                     {"decoding", "cross-validated accuracy of a per-study multinomial logistic regression of the study's conditions from the "
                                  "effects on each dictionary (leave-subjects-out)"},
                     {"contrasts", "fraction of each contrast map's energy (a run's GLM effect of a condition at the voxels) explained by "
                                   "least squares on the dictionary"},
                     {"methods", {{kAtlasWithoutStudy, "the atlas learned without the study"},
                                  {kAtlasWithStudy, "the atlas learned with it (reference)"},
                                  {"pca", "PCA of the training data without the study"}}}};
    return j;
}

io::Table LeaveStudyOutReport::toTable() const {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : studies) {
        for (const auto& e : s.explainedVariance)
            rows.push_back({s.study, "explained_variance", e.method, std::to_string(e.components), std::to_string(e.explainedVariance)});
        for (const auto& d : s.decoding)
            rows.push_back({s.study, "decoding_accuracy:" + d.task, d.method, std::to_string(d.components), std::to_string(d.accuracy)});
        for (const auto& c : s.contrasts)
            rows.push_back({s.study, "contrast_explained_mean", c.method, std::to_string(c.components), std::to_string(c.mean)});
    }
    return io::Table({"study", "measure", "method", "components", "value"}, rows);
}

LeaveStudyOutReport validateLeaveStudyOut(const LeaveStudyOutOptions& o, jobs::Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    if (o.studies.empty()) throw InputError("leave-one-study-out: name the studies to leave out (<dataset>/<task>, <task> or <dataset>)");
    for (const auto& b : o.baselines)
        if (b != "pca" && b != "aal" && b != "harvard-oxford")
            throw InputError("--baselines: unknown baseline '" + b + "' (expected pca, aal, harvard-oxford)");
    std::vector<std::pair<std::string, double>> plan{{"read", 1}};
    for (const auto& s : o.studies) plan.emplace_back("without " + s, 20);
    progress.plan(plan);
    progress.begin("read", o.bundle.string());
    const io::AtlasBundle full = io::readAtlasBundle(o.bundle);
    const auto inputs = decompose::bundleInputs(full, o.bundle);
    const std::vector<std::filesystem::path> datasets = o.datasets.empty() ? inputs.datasets : o.datasets;
    if (datasets.empty()) throw InputError(o.bundle.string() + ": provenance/inputs/datasets is empty; give the datasets on the command line");
    std::filesystem::path work = o.workDir;
    if (work.empty()) {
        std::string stem = o.bundle.string();
        if (stem.ends_with(".nmatlas.h5")) stem.resize(stem.size() - 11);
        work = std::filesystem::path(stem + ".validation") / "leave-out";
    }
    std::filesystem::create_directories(work);
    std::vector<io::BidsDataset> bids;
    for (const auto& d : datasets) bids.push_back(io::readBidsDataset(d, inputs.filter));
    const auto cohort = decompose::discoverCohort(datasets, inputs.filter, inputs.unit, nullptr, &inputs.studies);
    signal::BrainMask mask;
    mask.geometry = full.grid;
    mask.voxels = full.maskVoxels;
    const auto cacheRoot = o.cacheDir.empty() ? paths::cacheDir() / "learn" : o.cacheDir;
    const decompose::SubjectStore store(cacheRoot, mask, inputs.preprocess);

    LeaveStudyOutReport report;
    for (const auto& sc : full.scales) report.scales.push_back(sc.components);
    // Every entry is checked before any learning starts.
    std::vector<StudyData> studies;
    for (const auto& entry : o.studies) studies.push_back(studyData(cohort, bids, entry));
    for (std::size_t si = 0; si < o.studies.size(); ++si) {
        const std::string& entry = o.studies[si];
        progress.begin("without " + entry);
        auto p = progress.child();
        p.plan({{"data", 1}, {"learn", 20}, {"baselines", 4}, {"explained variance", 2}, {"effects", 4}, {"decoding", 3}, {"contrasts", 1}});
        LeftOutStudy out;
        out.study = entry;
        p.begin("data");
        const StudyData& data = studies[si];
        out.tasks = data.tasks;
        out.subjects = int(data.subjects.size());
        out.runs = data.runs;
        out.volumes = data.volumes;

        p.begin("learn", "the atlas without " + entry);
        io::AtlasBundle without;
        {
            auto child = p.child();
            without = atlasWithout(full, o, datasets, entry, work, out, child);
        }
        if (without.maskVoxels != full.maskVoxels || !without.grid.sameGrid(full.grid))
            throw Error("internal: the atlas without " + entry + " has other voxels than " + o.bundle.string());

        p.begin("baselines");
        const auto withoutInputs = decompose::bundleInputs(without, out.atlas);
        std::vector<decompose::CohortSubject> trainCohort;
        std::vector<const decompose::CohortSubject*> train;
        const bool wantPca = std::find(o.baselines.begin(), o.baselines.end(), "pca") != o.baselines.end();
        {
            trainCohort = decompose::discoverCohort(datasets, withoutInputs.filter, withoutInputs.unit, nullptr, &withoutInputs.studies);
            const std::set<std::string> keys(withoutInputs.trainSubjects.begin(), withoutInputs.trainSubjects.end());
            for (const auto& s : trainCohort)
                if (keys.count(s.key)) {
                    train.push_back(&s);
                    out.trainVolumes += s.volumes;
                }
            if (wantPca) decompose::warmCache(store, train, p);
        }
        auto dictionaries = [&] {
            auto child = p.child();
            return atlasAndBaselines(without, store, train, o.baselines, o.powerIterations, o.seed, child);
        }();
        for (const auto& sc : full.scales) dictionaries.push_back({kAtlasWithStudy, denseMaps(sc)});

        p.begin("explained variance");
        {
            std::vector<const decompose::CohortSubject*> subjects;
            for (const auto& s : data.subjects) subjects.push_back(&s);
            decompose::warmCache(store, subjects, p);
            std::vector<std::unique_ptr<decompose::LeastSquaresProjector>> projectors;
            for (const auto& d : dictionaries) projectors.push_back(std::make_unique<decompose::LeastSquaresProjector>(d.maps));
            for (std::size_t i = 0; i < data.subjects.size(); ++i) {
                const auto X = store.load(data.subjects[i]);
                for (auto& pr : projectors) pr->accumulate(X);
                p.update(i + 1, data.subjects.size(), data.subjects[i].key);
            }
            for (std::size_t d = 0; d < dictionaries.size(); ++d)
                out.explainedVariance.push_back({dictionaries[d].method, int(dictionaries[d].maps.rows()), projectors[d]->explainedVariance()});
        }

        p.begin("effects");
        semantics::EffectOptions eo;
        eo.preprocess = inputs.preprocess;
        eo.cacheDir = o.cacheDir;
        eo.voxels = true;
        semantics::ConditionEffects ceWithout, ceWith, ceParcels;
        std::vector<std::string> parcelNames;
        {
            auto child = p.child();
            child.plan({{"without", 2}, {"with", 1}, {"parcels", 1}});
            child.begin("without");
            {
                auto c = child.child();
                ceWithout = semantics::componentEffects(without, data.subjects, bids, eo, c);
            }
            eo.voxels = false;
            child.begin("with");
            {
                auto c = child.child();
                ceWith = semantics::componentEffects(full, data.subjects, bids, eo, c);
            }
            child.begin("parcels");
            const io::AtlasBundle parcels = parcelBundle(full, dictionaries, parcelNames);
            if (!parcels.scales.empty()) {
                auto c = child.child();
                ceParcels = semantics::componentEffects(parcels, data.subjects, bids, eo, c);
            }
        }
        if (ceWithout.samples.empty())
            throw InputError("leave-one-study-out: the study '" + entry + "' has no events (events.tsv) to decode or contrast maps to represent");
        {
            std::set<int> seen;
            for (const auto& smp : ceWithout.samples) seen.insert(smp.condition);
            for (int c : seen) out.conditions.push_back(ceWithout.conditions[std::size_t(c)].first + "/" + ceWithout.conditions[std::size_t(c)].second);
        }

        p.begin("decoding");
        semantics::DecoderOptions d;
        d.folds = o.folds;
        d.multiStudyDecoder = false;
        d.seed = o.seed;
        addDecoding(out, ceWithout, std::vector<std::string>(ceWithout.effects.size(), kAtlasWithoutStudy), d, o.voxels, p);
        addDecoding(out, ceWith, std::vector<std::string>(ceWith.effects.size(), kAtlasWithStudy), d, false, p);
        if (!ceParcels.effects.empty()) addDecoding(out, ceParcels, parcelNames, d, false, p);

        p.begin("contrasts");
        {
            const Eigen::MatrixXf& V = *ceWithout.voxelEffects;
            std::vector<Eigen::Index> keep;
            for (Eigen::Index i = 0; i < V.rows(); ++i)
                if (V.row(i).squaredNorm() > 0) keep.push_back(i);
            RowMatrixF maps(Eigen::Index(keep.size()), V.cols());
            for (std::size_t i = 0; i < keep.size(); ++i) maps.row(Eigen::Index(i)) = V.row(keep[i]);
            for (const auto& dict : dictionaries) out.contrasts.push_back(representationScore("contrasts", dict.method, maps, dict.maps));
        }
        report.studies.push_back(std::move(out));
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.finish("leave-one-study-out validated");
    return report;
}

} // namespace nm::validate
