#include "semantics/ComponentSignals.hpp"

#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "decompose/Reconstruction.hpp"
#include "io/Nifti.hpp"
#include "signal/Glm.hpp"
#include "signal/Hrf.hpp"

#include <Eigen/QR>

#include <chrono>
#include <limits>
#include <map>

namespace nm::semantics {

namespace {

using RowMatrixF = signal::RowMatrixF;

struct RunDesign {
    Eigen::MatrixXd design;            // volumes × (conditions + nuisance + 1)
    std::vector<int> conditions;       // global condition index of the first columns
};

/// LSS (Mumford et al. 2012): each event's effect from its own model — the event, the rest of its
/// condition, the other conditions and the nuisance (the columns of `d` after the conditions).
/// Returns events × k (rows in events order; NaN rows for events outside the run or collinear).
Eigen::MatrixXd eventEffects(const RunDesign& d, const std::vector<io::BidsEvent>& events, const std::vector<int>& eventCondition,
                             int volumes, double tr, const Eigen::MatrixXd& y) {
    const auto nc = Eigen::Index(d.conditions.size());
    const Eigen::Index rest = d.design.cols() - nc;
    Eigen::MatrixXd out = Eigen::MatrixXd::Constant(Eigen::Index(events.size()), y.cols(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t e = 0; e < events.size(); ++e) {
        const auto it = std::find(d.conditions.begin(), d.conditions.end(), eventCondition[e]);
        if (it == d.conditions.end()) continue;
        const Eigen::Index own = it - d.conditions.begin();
        const Eigen::VectorXd single = signal::convolvedRegressor({{events[e].onset, events[e].duration, 1.0}}, volumes, tr);
        if (single.cwiseAbs().maxCoeff() < 1e-6) continue;
        Eigen::MatrixXd D(volumes, 1 + nc + rest);
        D.col(0) = single;
        for (Eigen::Index c = 0; c < nc; ++c) D.col(1 + c) = c == own ? Eigen::VectorXd(d.design.col(c) - single) : Eigen::VectorXd(d.design.col(c));
        D.rightCols(rest) = d.design.rightCols(rest);
        // The rest of a condition with a single event is empty: drop that column.
        if (D.col(1 + own).cwiseAbs().maxCoeff() < 1e-9) {
            Eigen::MatrixXd D2(volumes, D.cols() - 1);
            D2 << D.leftCols(1 + own), D.rightCols(D.cols() - 2 - own);
            D = std::move(D2);
        }
        const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(D);
        if (qr.rank() < D.cols()) continue;
        // First row of the least-squares solution only.
        out.row(Eigen::Index(e)) = qr.solve(y).row(0);
    }
    return out;
}

/// The GLM design of a run: one HRF-convolved regressor per condition present, the nuisance
/// regressors the preprocessing removed (so that the fit on the cleaned data is the fit of the
/// full model, Frisch–Waugh–Lovell), a constant.
RunDesign designOf(const io::BidsRun& run, const signal::RunFiles& files, int volumes, const signal::PreprocessOptions& pre,
                   const std::vector<io::BidsEvent>& events, const std::map<std::pair<std::string, std::string>, int>& conditionIndex) {
    std::map<int, std::vector<signal::Event>> byCondition;
    for (const auto& e : events) {
        const std::string name = e.trialType.empty() ? std::string("(no trial_type)") : e.trialType;
        byCondition[conditionIndex.at({run.task, name})].push_back({e.onset, e.duration, 1.0});
    }
    const double tr = files.repetitionTime;
    const Eigen::MatrixXd nuisance = signal::nuisanceRegressors(files, volumes, tr, pre);
    std::vector<Eigen::VectorXd> cols;
    RunDesign d;
    for (const auto& [c, ev] : byCondition) {
        Eigen::VectorXd r = signal::convolvedRegressor(ev, volumes, tr);
        if (r.cwiseAbs().maxCoeff() < 1e-6) continue;  // events after the end of the run
        cols.push_back(std::move(r));
        d.conditions.push_back(c);
    }
    d.design.resize(volumes, Eigen::Index(cols.size()) + nuisance.cols() + 1);
    for (std::size_t c = 0; c < cols.size(); ++c) d.design.col(Eigen::Index(c)) = cols[c];
    d.design.middleCols(Eigen::Index(cols.size()), nuisance.cols()) = nuisance;
    d.design.col(d.design.cols() - 1).setOnes();
    return d;
}

} // namespace

ConditionEffects componentEffects(const io::AtlasBundle& bundle, const std::vector<decompose::CohortSubject>& subjects,
                                  const std::vector<io::BidsDataset>& datasets, const EffectOptions& o, jobs::Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    ConditionEffects out;
    std::vector<std::size_t> scaleIndex;
    for (std::size_t s = 0; s < bundle.scales.size(); ++s)
        if (o.scales.empty() || std::find(o.scales.begin(), o.scales.end(), bundle.scales[s].components) != o.scales.end()) {
            scaleIndex.push_back(s);
            out.scales.push_back(bundle.scales[s].components);
        }
    for (int k : o.scales)
        if (std::find(out.scales.begin(), out.scales.end(), k) == out.scales.end()) (void)bundle.scale(k);  // throws, naming the scales
    if (scaleIndex.empty()) throw InputError("the atlas has no scale to label");

    // Each BOLD file's BIDS entry (events, task) and its dataset's name.
    std::map<std::string, std::pair<const io::BidsRun*, std::string>> runOf;
    for (const auto& ds : datasets) {
        const std::string name = std::filesystem::absolute(ds.root).lexically_normal().filename().string();
        for (const auto& r : ds.runs) runOf[std::filesystem::absolute(r.bold).lexically_normal().string()] = {&r, name};
    }
    std::map<std::pair<std::string, std::string>, int> conditionIndex;
    std::map<std::string, int> studyIndex;

    signal::BrainMask mask;
    mask.geometry = bundle.grid;
    mask.voxels = bundle.maskVoxels;
    const decompose::SubjectStore store(o.cacheDir.empty() ? paths::cacheDir() / "learn" : o.cacheDir, mask, o.preprocess);
    std::vector<RowMatrixF> maps;
    std::vector<std::unique_ptr<decompose::LeastSquaresProjector>> projectors;
    for (auto s : scaleIndex) maps.emplace_back(bundle.scales[s].maps);
    for (const auto& m : maps) projectors.push_back(std::make_unique<decompose::LeastSquaresProjector>(m));

    std::vector<std::vector<Eigen::VectorXf>> effects(scaleIndex.size()), tvalues(scaleIndex.size());
    std::vector<Eigen::VectorXf> voxelRows;
    const signal::GlmOptions glm{o.ar1};
    for (std::size_t si = 0; si < subjects.size(); ++si) {
        const auto& subject = subjects[si];
        progress.update(si, subjects.size(), subject.key);
        // Which runs have events? Rest-only subjects are skipped without loading their data.
        std::vector<std::vector<io::BidsEvent>> events(subject.runs.size());
        bool any = false;
        for (std::size_t r = 0; r < subject.runs.size(); ++r) {
            const auto it = runOf.find(std::filesystem::absolute(subject.runs[r].bold).lexically_normal().string());
            if (it == runOf.end()) throw Error("internal: run " + subject.runs[r].bold.string() + " is in no dataset");
            if (it->second.first->events) events[r] = io::readBidsEvents(*it->second.first->events);
            if (events[r].empty()) ++out.skippedRuns;
            else any = true;
        }
        if (!any) continue;
        const int subjectId = int(out.subjects.size());
        out.subjects.push_back(subject.key);
        const RowMatrixF X = store.load(subject);
        std::vector<Eigen::MatrixXd> codes;
        for (const auto& p : projectors) codes.push_back(p->codes(X));
        Eigen::Index offset = 0;
        for (std::size_t r = 0; r < subject.runs.size(); ++r) {
            const int volumes = io::readNiftiInfo(subject.runs[r].bold).frames;
            const Eigen::Index at = offset;
            offset += volumes;
            if (offset > X.rows()) throw Error("internal: the cached data of " + subject.key + " is shorter than its runs");
            if (events[r].empty()) continue;
            const auto& [bids, datasetName] = runOf.at(std::filesystem::absolute(subject.runs[r].bold).lexically_normal().string());
            for (const auto& e : events[r]) {
                const auto key = std::make_pair(bids->task, e.trialType.empty() ? std::string("(no trial_type)") : e.trialType);
                if (!conditionIndex.count(key)) {
                    conditionIndex[key] = int(out.conditions.size());
                    out.conditions.push_back(key);
                }
            }
            const std::string study = datasetName + "/" + bids->task;
            if (!studyIndex.count(study)) {
                studyIndex[study] = int(out.studies.size());
                out.studies.push_back(study);
            }
            RunDesign d;
            try {
                d = designOf(*bids, subject.runs[r], volumes, o.preprocess, events[r], conditionIndex);
            } catch (const InputError& e) {
                progress.warn(subject.runs[r].bold.string() + ": skipped: " + e.what());
                ++out.skippedRuns;
                continue;
            }
            if (d.conditions.empty()) continue;
            const int runId = int(out.runs.size());
            out.runs.push_back(subject.runs[r].bold.string());
            ++out.taskRuns;
            const auto nc = Eigen::Index(d.conditions.size());
            bool fitted = true;
            std::vector<Eigen::MatrixXf> betas(codes.size()), ts(codes.size());
            for (std::size_t s = 0; s < codes.size() && fitted; ++s) {
                try {
                    const Eigen::MatrixXf y = codes[s].middleRows(at, volumes).cast<float>();
                    const auto fit = signal::fitGlm(d.design, y, glm);
                    betas[s] = fit.beta.topRows(nc).cast<float>();
                    ts[s].resize(nc, y.cols());
                    for (Eigen::Index c = 0; c < nc; ++c) {
                        Eigen::VectorXd contrast = Eigen::VectorXd::Zero(d.design.cols());
                        contrast[c] = 1;
                        ts[s].row(c) = signal::tContrast(fit, contrast).transpose().cast<float>();
                    }
                } catch (const InputError& e) {
                    progress.warn(subject.runs[r].bold.string() + ": skipped: " + e.what());
                    fitted = false;
                }
            }
            if (!fitted) continue;
            Eigen::MatrixXf voxelBeta;
            if (o.voxels) {
                const Eigen::MatrixXf y = X.middleRows(at, volumes);
                voxelBeta = signal::fitGlm(d.design, y, glm).beta.topRows(nc).cast<float>();
            }
            if (o.samples == EffectOptions::Samples::Conditions) {
                for (Eigen::Index c = 0; c < nc; ++c) {
                    out.samples.push_back({subjectId, studyIndex[study], d.conditions[std::size_t(c)], runId, -1});
                    for (std::size_t s = 0; s < codes.size(); ++s) {
                        effects[s].push_back(betas[s].row(c).transpose());
                        tvalues[s].push_back(ts[s].row(c).transpose());
                    }
                    if (o.voxels) voxelRows.push_back(voxelBeta.row(c).transpose());
                }
            } else {
                std::vector<int> eventCondition;
                for (const auto& e : events[r])
                    eventCondition.push_back(conditionIndex.at({bids->task, e.trialType.empty() ? std::string("(no trial_type)") : e.trialType}));
                std::vector<Eigen::MatrixXd> perScale;
                for (std::size_t s = 0; s < codes.size(); ++s)
                    perScale.push_back(eventEffects(d, events[r], eventCondition, volumes, subject.runs[r].repetitionTime, codes[s].middleRows(at, volumes)));
                Eigen::MatrixXd perVoxel;
                if (o.voxels)
                    perVoxel = eventEffects(d, events[r], eventCondition, volumes, subject.runs[r].repetitionTime,
                                            X.middleRows(at, volumes).cast<double>());
                for (std::size_t e = 0; e < events[r].size(); ++e) {
                    if (!perScale.front().row(Eigen::Index(e)).allFinite()) continue;
                    out.samples.push_back({subjectId, studyIndex[study], eventCondition[e], runId, int(e)});
                    for (std::size_t s = 0; s < codes.size(); ++s) {
                        effects[s].push_back(perScale[s].row(Eigen::Index(e)).transpose().cast<float>());
                        tvalues[s].push_back(Eigen::VectorXf::Zero(perScale[s].cols()));
                    }
                    if (o.voxels) voxelRows.push_back(perVoxel.row(Eigen::Index(e)).transpose().cast<float>());
                }
            }
            progress.checkCancelled();
        }
    }
    if (out.samples.empty())
        throw InputError("no task run with events found: labels need events.tsv files (sub-*/func/*_events.tsv) next to the BOLD runs");
    const auto n = Eigen::Index(out.samples.size());
    for (std::size_t s = 0; s < scaleIndex.size(); ++s) {
        const auto k = Eigen::Index(out.scales[s]);
        Eigen::MatrixXf e(n, k), t(n, k);
        for (Eigen::Index i = 0; i < n; ++i) {
            e.row(i) = effects[s][std::size_t(i)].transpose();
            t.row(i) = tvalues[s][std::size_t(i)].transpose();
        }
        out.effects.push_back(std::move(e));
        out.tValues.push_back(std::move(t));
    }
    if (o.voxels) {
        Eigen::MatrixXf v(n, Eigen::Index(bundle.maskVoxels.size()));
        for (Eigen::Index i = 0; i < n; ++i) v.row(i) = voxelRows[std::size_t(i)].transpose();
        out.voxelEffects = std::move(v);
    }
    progress.update(1.0);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

} // namespace nm::semantics
