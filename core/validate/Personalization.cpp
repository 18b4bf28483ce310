#include "validate/Personalization.hpp"

#include "common/Error.hpp"
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"
#include "jobs/Progress.hpp"
#include "validate/Matching.hpp"
#include "validate/Reconstruction.hpp"

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

} // namespace

double PersonalizationReport::mean(const std::string& method, int components) const {
    double s = 0;
    int n = 0;
    for (const auto& x : scores)
        if (x.method == method && x.components == components) s += x.meanCorrelation, ++n;
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
    for (const auto& [k, m] : keys) summary.push_back({{"components", k}, {"method", m}, {"mean_r", mean(m, k)}});
    for (const auto& d : displacement)
        dis.push_back({{"subject", d.subject}, {"median_error_mm", d.medianErrorMm},
                       {"median_identity_error_mm", d.medianIdentityErrorMm}, {"max_true_mm", d.maxTrueMm},
                       {"seconds", d.seconds}, {"coarse_to_fine", d.coarseToFine}, {"plan_entries", d.planEntries}});
    return {{"kind", "personalization"}, {"subjects", subjects}, {"truth", truth.string()}, {"summary", summary}, {"correlation", sc},
            {"displacement", dis}, {"seconds", seconds},
            {"measure", "Pearson r over the mask between each personalized component and the subject's true map of "
                        "the true component it matches at the group level (Hungarian matching)"}};
}

io::Table PersonalizationReport::toTable() const {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : scores)
        rows.push_back({s.subject, s.method, std::to_string(s.components), std::to_string(s.meanCorrelation),
                        std::to_string(s.medianCorrelation), std::to_string(s.pairs)});
    return io::Table({"subject", "method", "components", "mean_r", "median_r", "pairs"}, rows);
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
    const auto cohort = decompose::discoverCohort(datasets, inputs.filter);
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
    progress.plan({{"personalize", 1}});
    progress.begin("personalize");
    for (std::size_t si = 0; si < subjects.size(); ++si) {
        const auto& subj = *subjects[si];
        report.subjects.push_back(subj.key);
        const std::string label = subj.key.substr(subj.key.rfind("sub-") + 4);
        auto child = progress.child();
        align::PersonalizeOptions po = o.personalize;
        po.compareConnectivity = o.variant;
        const align::PersonalizeResult r = align::personalize(bundle, o.bundle, subj, po, child);
        const auto sdir = truthDir / ("sub-" + label);
        for (std::size_t s = 0; s < bundle.scales.size(); ++s) {
            if (!st[s].present) continue;
            const int k = bundle.scales[s].components;
            const auto file = sdir / ("sub-" + label + "_scale-" + std::to_string(k) + "_maps.npz");
            if (!std::filesystem::exists(file)) continue;
            const Eigen::MatrixXf truth = subjectTruth(file, bundle);
            for (const align::SubjectMaps* m : {&r.identity, &r.dualRegression, &r.procrustes, &r.fugwVariant, &r.fugw}) {
                if (m->scales.size() != bundle.scales.size()) continue;
                std::vector<double> rs;
                for (int c = 0; c < k; ++c) {
                    const int t = st[s].assignment[std::size_t(c)];
                    if (t < 0 || t >= truth.rows()) continue;
                    rs.push_back(pearson(m->scales[s].row(c).transpose(), truth.row(t).transpose()));
                }
                PersonalizationScore sc;
                sc.subject = subj.key;
                sc.method = m->method;
                sc.components = k;
                sc.pairs = int(rs.size());
                double sum = 0;
                for (double x : rs) sum += x;
                sc.meanCorrelation = rs.empty() ? std::nan("") : sum / double(rs.size());
                sc.medianCorrelation = median(rs);
                report.scores.push_back(sc);
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
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

} // namespace nm::validate
