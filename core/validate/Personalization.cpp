#include "validate/Personalization.hpp"

#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "decompose/Reconstruction.hpp"
#include "semantics/ComponentSignals.hpp"
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"
#include "jobs/Progress.hpp"
#include "validate/Matching.hpp"
#include "validate/Reconstruction.hpp"
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace nm::validate {

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    return v[v.size() / 2];
}

double pearson(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
    const Eigen::VectorXd x = a.cast<double>().array() - a.cast<double>().mean();
    const Eigen::VectorXd y = b.cast<double>().array() - b.cast<double>().mean();
    const double d = x.norm() * y.norm();
    return d > 0 ? x.dot(y) / d : 0.0;
}

/// The subject's true maps of a scale on the bundle's mask voxels (k_t × p).
Eigen::MatrixXf subjectTruth(const std::filesystem::path& file, const io::AtlasBundle& b) {
    const io::SparseMatrix m = io::readSparseNpz(file);
    if (std::size_t(m.cols()) != b.grid.voxelCount())
        throw fileError(file, "shape", std::to_string(m.cols()) + " columns, expected the atlas grid's " +
                                           std::to_string(b.grid.voxelCount()) + " voxels");
    std::vector<Eigen::Index> column(b.grid.voxelCount(), -1);
    for (std::size_t v = 0; v < b.maskVoxels.size(); ++v) column[std::size_t(b.maskVoxels[v])] = Eigen::Index(v);
    Eigen::MatrixXf out = Eigen::MatrixXf::Zero(m.rows(), Eigen::Index(b.maskVoxels.size()));
    for (Eigen::Index r = 0; r < m.outerSize(); ++r)
        for (io::SparseMatrix::InnerIterator it(m, r); it; ++it)
            if (column[std::size_t(it.col())] >= 0) out(r, column[std::size_t(it.col())]) = float(it.value());
    return out;
}

/// One subject's contrast maps (mask voxels × samples) and their labels ("<task>/<trial_type>").
struct SubjectContrasts {
    std::vector<std::string> labels;
    Eigen::MatrixXf identity, fugw;
};

/// Between-subject correlation and cross-subject decoding of contrast maps (one set of maps per
/// subject, all in one space).
ContrastScore contrastScore(const std::string& method, const std::vector<SubjectContrasts>& subjects,
                            const Eigen::MatrixXf SubjectContrasts::*maps) {
    ContrastScore out;
    out.method = method;
    out.subjects = int(subjects.size());
    // condition means per subject
    std::vector<std::map<std::string, Eigen::VectorXf>> means(subjects.size());
    for (std::size_t s = 0; s < subjects.size(); ++s) {
        std::map<std::string, int> count;
        const Eigen::MatrixXf& m = subjects[s].*maps;
        for (std::size_t c = 0; c < subjects[s].labels.size(); ++c) {
            auto& v = means[s][subjects[s].labels[c]];
            if (v.size() == 0) v = Eigen::VectorXf::Zero(m.rows());
            v += m.col(Eigen::Index(c));
            ++count[subjects[s].labels[c]];
        }
        for (auto& [label, v] : means[s]) v /= float(count[label]);
    }
    std::set<std::string> labels;
    for (const auto& m : means)
        for (const auto& [label, v] : m) labels.insert(label);
    double rSum = 0;
    int rConditions = 0;
    for (const auto& label : labels) {
        double acc = 0;
        int pairs = 0;
        for (std::size_t a = 0; a < subjects.size(); ++a)
            for (std::size_t b = a + 1; b < subjects.size(); ++b)
                if (means[a].count(label) && means[b].count(label)) acc += pearson(means[a].at(label), means[b].at(label)), ++pairs;
        if (pairs) rSum += acc / pairs, ++rConditions;
    }
    out.conditions = int(labels.size());
    out.betweenSubjectR = rConditions ? rSum / rConditions : std::nan("");
    // each sample against the other subjects' mean maps of its task's conditions
    auto taskOf = [](const std::string& label) { return label.substr(0, label.find('/')); };
    int correct = 0, total = 0;
    double chance = 0;
    for (std::size_t s = 0; s < subjects.size(); ++s) {
        std::map<std::string, Eigen::VectorXf> others;
        std::map<std::string, int> count;
        for (std::size_t o = 0; o < subjects.size(); ++o)
            if (o != s)
                for (const auto& [label, v] : means[o]) {
                    auto& x = others[label];
                    if (x.size() == 0) x = Eigen::VectorXf::Zero(v.size());
                    x += v;
                    ++count[label];
                }
        const Eigen::MatrixXf& m = subjects[s].*maps;
        for (std::size_t c = 0; c < subjects[s].labels.size(); ++c) {
            const std::string& truth = subjects[s].labels[c];
            const std::string task = taskOf(truth);
            std::string best;
            double bestR = -2;
            int candidates = 0;
            for (const auto& [label, x] : others) {
                if (taskOf(label) != task) continue;
                ++candidates;
                const double r = pearson(m.col(Eigen::Index(c)), x / float(count[label]));
                if (r > bestR) bestR = r, best = label;
            }
            if (candidates < 2 || !others.count(truth)) continue;  // nothing to tell apart
            ++total;
            correct += best == truth;
            chance += 1.0 / candidates;
        }
    }
    out.samples = total;
    out.decodingAccuracy = total ? double(correct) / total : std::nan("");
    out.chance = total ? chance / total : std::nan("");
    return out;
}

} // namespace

double PersonalizationReport::mean(const std::string& method, int components) const {
    double s = 0;
    int n = 0;
    for (const auto& x : scores)
        if (x.method == method && x.components == components) s += x.meanCorrelation, ++n;
    return n ? s / n : std::nan("");
}

double PersonalizationReport::meanHeldOutEv(const std::string& method, int components) const {
    double s = 0;
    int n = 0;
    for (const auto& x : heldOutRuns)
        if (x.method == method && x.components == components) s += x.explainedVariance, ++n;
    return n ? s / n : std::nan("");
}

nlohmann::json PersonalizationReport::toJson() const {
    nlohmann::json sc = nlohmann::json::array(), dis = nlohmann::json::array(), summary = nlohmann::json::array();
    std::set<std::pair<int, std::string>> keys;
    for (const auto& s : scores) {
        sc.push_back({{"subject", s.subject}, {"method", s.method}, {"components", s.components},
                      {"mean_r", s.meanCorrelation}, {"median_r", s.medianCorrelation}, {"pairs", s.pairs}});
        keys.insert({s.components, s.method});
    }
    std::set<std::pair<int, std::string>> evKeys;
    nlohmann::json runs = nlohmann::json::array(), evSummary = nlohmann::json::array();
    for (const auto& h : heldOutRuns) {
        runs.push_back({{"subject", h.subject}, {"run", h.run}, {"method", h.method}, {"components", h.components},
                        {"explained_variance", h.explainedVariance}});
        evKeys.insert({h.components, h.method});
    }
    for (const auto& [k, m] : evKeys)
        evSummary.push_back({{"components", k}, {"method", m}, {"explained_variance", meanHeldOutEv(m, k)}});
    for (const auto& [k, m] : keys) summary.push_back({{"components", k}, {"method", m}, {"mean_r", mean(m, k)}});
    for (const auto& d : displacement)
        dis.push_back({{"subject", d.subject}, {"median_error_mm", d.medianErrorMm},
                       {"median_identity_error_mm", d.medianIdentityErrorMm}, {"max_true_mm", d.maxTrueMm},
                       {"seconds", d.seconds}, {"coarse_to_fine", d.coarseToFine}, {"plan_entries", d.planEntries}});
    return {{"kind", "personalization"}, {"subjects", subjects}, {"truth", truth.string()}, {"summary", summary}, {"correlation", sc},
            {"displacement", dis}, {"seconds", seconds},
            {"contrasts", [&] {
                 nlohmann::json c = {{"measure", "contrast maps of the subjects' task conditions (voxel-level GLM effect per run "
                                                 "and condition): mean over conditions of the between-subject Pearson r of the "
                                                 "condition means, and leave-one-subject-out decoding of each run's condition "
                                                 "(correlation with the other subjects' condition means, within its task); "
                                                 "identity: the maps as they are; fugw: each subject's maps carried to the group's "
                                                 "space by its plan"},
                                     {"scores", nlohmann::json::array()}};
                 if (!contrastsSkipped.empty()) c["skipped"] = contrastsSkipped;
                 c["alignment_saw_contrasts"] = contrastsSeen;
                 if (contrastsSeen)
                     c["note"] = "the alignment used these contrasts as features: the measures are not independent of it";
                 for (const auto& x : contrasts)
                     c["scores"].push_back({{"method", x.method}, {"between_subject_r", x.betweenSubjectR},
                                            {"decoding_accuracy", x.decodingAccuracy}, {"chance", x.chance},
                                            {"subjects", x.subjects}, {"conditions", x.conditions}, {"samples", x.samples}});
                 return c;
             }()},
            {"held_out_runs", {{"summary", evSummary}, {"runs", runs},
                               {"measure", "explained variance (least-squares R²) of each subject's last run, which the "
                                           "personalization did not see, by each method's maps"}}},
            {"measure", "Pearson r over the mask between each personalized component and the subject's true map of "
                        "the true component it matches at the group level (Hungarian matching)"}};
}

io::Table PersonalizationReport::toTable() const {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : scores)
        rows.push_back({s.subject, "r with the true map", s.method, std::to_string(s.components),
                        std::to_string(s.meanCorrelation), std::to_string(s.medianCorrelation), std::to_string(s.pairs)});
    for (const auto& h : heldOutRuns)
        rows.push_back({h.subject, "held-out run R2", h.method, std::to_string(h.components),
                        std::to_string(h.explainedVariance), std::to_string(h.explainedVariance), "1"});
    return io::Table({"subject", "measure", "method", "components", "mean", "median", "pairs"}, rows);
}

PersonalizationReport validatePersonalization(const PersonalizationOptions& o, jobs::Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    const io::AtlasBundle bundle = io::readAtlasBundle(o.bundle);
    const auto inputs = decompose::bundleInputs(bundle, o.bundle);
    const std::vector<std::filesystem::path> datasets = o.datasets.empty() ? inputs.datasets : o.datasets;
    if (datasets.empty()) throw InputError(o.bundle.string() + ": provenance/inputs/datasets is empty; give the datasets");
    if (inputs.heldOutSubjects.empty())
        throw InputError(o.bundle.string() +
                         ": provenance/inputs/held_out_subjects is empty: learn with --held-out > 0 so that some "
                         "subjects are unseen by the atlas");
    const auto found = findGroundTruth(o.truth, datasets);
    if (!found) throw InputError("no ground truth: give --truth (a simulated cohort's derivatives/ground_truth)");
    const std::filesystem::path truthDir = *found;
    PersonalizationReport report;
    report.truth = truthDir;
    const auto cohort = decompose::discoverCohort(datasets, inputs.filter, decompose::CohortUnit::Subject, nullptr, &inputs.studies);
    const std::set<std::string> held(inputs.heldOutSubjects.begin(), inputs.heldOutSubjects.end());
    std::vector<const decompose::CohortSubject*> subjects;
    for (const auto& s : cohort)
        if (held.count(s.key)) subjects.push_back(&s);
    if (o.maxSubjects > 0 && int(subjects.size()) > o.maxSubjects) subjects.resize(std::size_t(o.maxSubjects));
    if (subjects.empty()) throw InputError("none of the atlas's held-out subjects is in the datasets");

    // group-level matching of learned components to true components, per scale
    struct ScaleTruth {
        bool present = false;
        std::vector<int> assignment;  // learned component → true component (−1: none)
    };
    std::vector<ScaleTruth> st(bundle.scales.size());
    const auto p = Eigen::Index(bundle.maskVoxels.size());
    for (std::size_t s = 0; s < bundle.scales.size(); ++s) {
        const int k = bundle.scales[s].components;
        if (!std::filesystem::exists(truthDir / ("scale-" + std::to_string(k) + "_maps.nii.gz"))) continue;
        const Eigen::MatrixXf truth = truthMaps(truthDir, k, bundle);
        const Eigen::MatrixXf learned = align::denseScaleMaps(bundle.scales[s], p);
        const auto m = matchMaps(learned, truth);
        st[s].present = true;
        st[s].assignment = m.assignment;
    }
    // surfaces: the subject's true maps are sampled on both hemispheres as the personalized ones were
    std::optional<anatomy::SurfaceSpace> space;
    std::optional<anatomy::VolumeToSurface> projLeft, projRight;
    if (o.personalize.surfaces) {
        space = anatomy::loadSurfaceSpace(o.personalize.surfaceSpace);
        projLeft.emplace(space->left, bundle.grid);
        projRight.emplace(space->right, bundle.grid);
    }
    // both hemispheres' values of maps given on the mask (k × p) → k × (V_left + V_right)
    auto onSurfaces = [&](const Eigen::MatrixXf& maps) {
        const Eigen::MatrixXf l = projLeft->projectValues(maps.transpose(), bundle.maskVoxels);
        const Eigen::MatrixXf r = projRight->projectValues(maps.transpose(), bundle.maskVoxels);
        Eigen::MatrixXf out(maps.rows(), l.rows() + r.rows());
        out << l.transpose(), r.transpose();
        return out;
    };
    std::vector<io::BidsDataset> bids;
    if (o.contrasts)
        for (const auto& d : datasets) bids.push_back(io::readBidsDataset(d, inputs.filter));
    std::vector<SubjectContrasts> contrastMaps;
    progress.plan({{"personalize", 1}});
    progress.begin("personalize");
    for (std::size_t si = 0; si < subjects.size(); ++si) {
        const auto& subj = *subjects[si];
        report.subjects.push_back(subj.key);
        const std::string label = subj.key.substr(subj.key.rfind("sub-") + 4);
        auto child = progress.child();
        align::PersonalizeOptions po = o.personalize;
        po.compareConnectivity = o.variant;
        decompose::CohortSubject training = subj;
        std::optional<decompose::CohortSubject> heldRun;
        if (o.heldOutRun && subj.runs.size() >= 2) {
            heldRun = subj;
            heldRun->runs = {subj.runs.back()};
            training.runs.pop_back();
        }
        const align::PersonalizeResult r = align::personalize(bundle, o.bundle, training, po, child);
        report.contrastsSeen = report.contrastsSeen || !r.contrastConcepts.empty();
        if (o.contrasts) {
            semantics::EffectOptions eo;
            eo.preprocess = inputs.preprocess;
            eo.cacheDir = po.cacheDir;
            eo.voxels = true;
            eo.scales = {bundle.scales.front().components};
            auto c = progress.child();
            const auto ce = semantics::componentEffects(bundle, {subj}, bids, eo, c);
            if (ce.voxelEffects && !ce.samples.empty()) {
                SubjectContrasts sc;
                for (const auto& e : ce.samples)
                    sc.labels.push_back(ce.conditions[std::size_t(e.condition)].first + "/" +
                                        ce.conditions[std::size_t(e.condition)].second);
                sc.identity = ce.voxelEffects->transpose();
                sc.fugw = r.toGroup(sc.identity);
                contrastMaps.push_back(std::move(sc));
            }
        }
        if (heldRun) {
            signal::BrainMask mask;
            mask.geometry = bundle.grid;
            mask.voxels = bundle.maskVoxels;
            const decompose::SubjectStore store(po.cacheDir.empty() ? paths::cacheDir() / "learn" : po.cacheDir, mask,
                                                inputs.preprocess);
            const signal::RowMatrixF x = store.load(*heldRun);
            const std::string runName = heldRun->runs.front().bold.filename().string();
            for (const align::SubjectMaps* m : {&r.identity, &r.dualRegression, &r.procrustes, &r.fugwVariant, &r.fugw}) {
                if (m->scales.size() != bundle.scales.size()) continue;
                for (std::size_t s = 0; s < bundle.scales.size(); ++s) {
                    const decompose::RowMatrixF maps = m->scales[s];
                    decompose::LeastSquaresProjector projector(maps);
                    projector.accumulate(x);
                    report.heldOutRuns.push_back(
                        {subj.key, runName, m->method, bundle.scales[s].components, projector.explainedVariance()});
                }
            }
        }
        const auto sdir = truthDir / ("sub-" + label);
        for (std::size_t s = 0; s < bundle.scales.size(); ++s) {
            if (!st[s].present) continue;
            const int k = bundle.scales[s].components;
            const auto file = sdir / ("sub-" + label + "_scale-" + std::to_string(k) + "_maps.npz");
            if (!std::filesystem::exists(file)) continue;
            const Eigen::MatrixXf truth = subjectTruth(file, bundle);
            auto score = [&](const std::string& method, const Eigen::MatrixXf& maps, const Eigen::MatrixXf& truthMaps) {
                std::vector<double> rs;
                for (int c = 0; c < k; ++c) {
                    const int t = st[s].assignment[std::size_t(c)];
                    if (t < 0 || t >= truthMaps.rows()) continue;
                    rs.push_back(pearson(maps.row(c).transpose(), truthMaps.row(t).transpose()));
                }
                PersonalizationScore sc;
                sc.subject = subj.key;
                sc.method = method;
                sc.components = k;
                sc.pairs = int(rs.size());
                double sum = 0;
                for (double x : rs) sum += x;
                sc.meanCorrelation = rs.empty() ? std::nan("") : sum / double(rs.size());
                sc.medianCorrelation = median(rs);
                report.scores.push_back(sc);
            };
            for (const align::SubjectMaps* m : {&r.identity, &r.dualRegression, &r.procrustes, &r.fugwVariant, &r.fugw})
                if (m->scales.size() == bundle.scales.size()) score(m->method, m->scales[s], truth);
            if (r.surfaceLeft && r.surfaceRight) {
                // on the cortex (both hemispheres' vertices): the group's projection, the subject's
                // dual-regression maps projected, FUGW on the surface
                const Eigen::MatrixXf truthSurface = onSurfaces(truth);
                auto both = [](const Eigen::MatrixXf& l, const Eigen::MatrixXf& rr) {
                    Eigen::MatrixXf out(l.rows(), l.cols() + rr.cols());
                    out << l, rr;
                    return out;
                };
                score("surface: identity", both(r.surfaceLeft->identity[s], r.surfaceRight->identity[s]), truthSurface);
                score("surface: dual regression", onSurfaces(r.dualRegression.scales[s]), truthSurface);
                score("surface: fugw (volume)", onSurfaces(r.fugw.scales[s]), truthSurface);
                score("surface: fugw", both(r.surfaceLeft->fugw[s], r.surfaceRight->fugw[s]), truthSurface);
            }
        }
        // displacement: the simulator's subject map at x is the group map at x + D(x), so the group's
        // content at y moves to about y − D(y)
        const auto dfile = sdir / ("sub-" + label + "_deformation.nii.gz");
        if (std::filesystem::exists(dfile)) {
            const Volume d = io::readNifti(dfile);
            if (d.frames != 3 || !d.geometry.sameGrid(bundle.grid))
                throw fileError(dfile, "grid", "expected 3 frames on the atlas's grid");
            std::vector<double> err, id;
            double mx = 0;
            for (Eigen::Index v = 0; v < p; ++v) {
                const auto g = std::size_t(bundle.maskVoxels[std::size_t(v)]);
                const Eigen::Vector3f truthVec(-d.frame(0)[g], -d.frame(1)[g], -d.frame(2)[g]);
                err.push_back((r.displacementVectors.row(v).transpose() - truthVec).norm());
                id.push_back(truthVec.norm());
                mx = std::max(mx, double(truthVec.norm()));
            }
            report.displacement.push_back({subj.key, median(err), median(id), mx, r.seconds, r.coarseToFine, r.planEntries});
        }
        progress.update(si + 1, subjects.size(), "personalized " + subj.key);
    }
    if (o.contrasts) {
        if (contrastMaps.size() >= 2) {
            report.contrasts.push_back(contrastScore("identity", contrastMaps, &SubjectContrasts::identity));
            report.contrasts.push_back(contrastScore("fugw", contrastMaps, &SubjectContrasts::fugw));
        } else {
            report.contrastsSkipped = std::to_string(contrastMaps.size()) +
                                      " subject(s) with task runs (the contrast measures need two or more)";
        }
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

} // namespace nm::validate
