#include "semantics/Labelling.hpp"

#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "common/Version.hpp"
#include "decompose/Cohort.hpp"
#include "jobs/Checkpoint.hpp"
#include "semantics/Literature.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

namespace nm::semantics {

nlohmann::json LabelReport::toJson() const {
    nlohmann::json j;
    j["out"] = out.string();
    j["samples"] = samples;
    j["subjects"] = subjects;
    j["task_runs"] = taskRuns;
    j["effect_seconds"] = effectSeconds;
    j["seconds"] = seconds;
    j["concepts"] = concepts;
    j["skipped_concepts"] = skippedConcepts;
    j["notes"] = notes;
    j["literature"] = literature;
    nlohmann::json conds = nlohmann::json::array();
    for (const auto& c : conditions) {
        nlohmann::json names = nlohmann::json::array(), ancestors = nlohmann::json::array();
        for (const auto& r : c.concepts) names.push_back({{"name", r.name}, {"cognitive_atlas_id", r.id}});
        for (const auto& r : c.ancestors) ancestors.push_back(r.name);
        conds.push_back({{"task", c.task}, {"trial_type", c.trialType}, {"concepts", names}, {"ancestors", ancestors},
                         {"source", c.source}, {"events", c.events}, {"runs", c.runs}, {"mapped", !c.concepts.empty()}});
    }
    j["conditions"] = conds;
    nlohmann::json sc = nlohmann::json::array();
    for (const auto& s : scales)
        sc.push_back({{"components", s.components}, {"labelled_components", s.labelledComponents}, {"labels", s.labels},
                      {"expected_false_selections", s.expectedFalseSelections}, {"fits", s.fits}, {"seconds", s.seconds}});
    j["scales"] = sc;
    return j;
}

namespace {

/// Column z-scores over the samples (constant columns → 0).
Eigen::MatrixXd standardised(const Eigen::MatrixXf& x) {
    Eigen::MatrixXd z = x.cast<double>();
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
        const double m = z.col(j).mean();
        z.col(j).array() -= m;
        const double sd = std::sqrt(z.col(j).squaredNorm() / double(z.rows()));
        if (sd > 1e-12) z.col(j) /= sd;
        else z.col(j).setZero();
    }
    return z;
}

nlohmann::json labelsToJson(const io::ScaleLabels& l) {
    auto mat = [](const Eigen::MatrixXf& m) {
        std::vector<float> v(m.data(), m.data() + m.size());
        return nlohmann::json{{"rows", m.rows()}, {"cols", m.cols()}, {"data", v}};
    };
    return {{"concepts", l.concepts}, {"ids", l.conceptIds}, {"pi", mat(l.selectionFrequency)}, {"coef", mat(l.coefficient)},
            {"fwd", mat(l.forwardEffect)}, {"t", mat(l.forwardT)}, {"threshold", l.threshold},
            {"efs", l.expectedFalseSelections}, {"subsamples", l.subsamples}};
}

io::ScaleLabels labelsFromJson(const nlohmann::json& j) {
    auto mat = [](const nlohmann::json& m) {
        const auto v = m.at("data").get<std::vector<float>>();
        return Eigen::MatrixXf(Eigen::Map<const Eigen::MatrixXf>(v.data(), m.at("rows").get<Eigen::Index>(), m.at("cols").get<Eigen::Index>()));
    };
    io::ScaleLabels l;
    l.concepts = j.at("concepts").get<std::vector<std::string>>();
    l.conceptIds = j.at("ids").get<std::vector<std::string>>();
    l.selectionFrequency = mat(j.at("pi"));
    l.coefficient = mat(j.at("coef"));
    l.forwardEffect = mat(j.at("fwd"));
    l.forwardT = mat(j.at("t"));
    l.threshold = j.at("threshold");
    l.expectedFalseSelections = j.at("efs");
    l.subsamples = j.at("subsamples");
    return l;
}

/// Each component's top literature terms, their concepts, and the agreement with its labels: a
/// label agrees when a term naming its concept ranks in the top 5 % of the component's terms.
void addLiterature(io::ScaleLabels& l, const io::AtlasScale& scale, const TermMaps& terms, const Ontology& ontology, int m) {
    const Eigen::MatrixXf r = terms.correlate(scale.maps);
    const int k = scale.components;
    const auto T = Eigen::Index(terms.terms.size());
    m = std::min<int>(m, int(T));
    l.literatureR.resize(k, m);
    l.literatureTerms.assign(std::size_t(k) * std::size_t(m), "");
    l.literatureConcepts.assign(std::size_t(k) * std::size_t(m), "");
    l.agreement = Eigen::VectorXf::Constant(k, std::numeric_limits<float>::quiet_NaN());
    std::vector<std::string> termConcept(terms.terms.size());
    if (!ontology.empty())
        for (std::size_t t = 0; t < terms.terms.size(); ++t)
            if (const auto match = ontology.lookup(terms.terms[t])) termConcept[t] = ontology.concepts()[std::size_t(match.index)].name;
    // The terms that name each label concept: by Cognitive Atlas match or by normalised string.
    std::vector<std::vector<Eigen::Index>> conceptTerms(l.concepts.size());
    for (std::size_t c = 0; c < l.concepts.size(); ++c) {
        const std::string n = normaliseTerm(l.concepts[c]);
        for (Eigen::Index t = 0; t < T; ++t)
            if (termConcept[std::size_t(t)] == l.concepts[c] || normaliseTerm(terms.terms[std::size_t(t)]) == n) conceptTerms[c].push_back(t);
    }
    const Eigen::Index topRank = std::max<Eigen::Index>(1, T / 20);
    std::vector<int> order(terms.terms.size());
    for (int j = 0; j < k; ++j) {
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + m, order.end(), [&](int a, int b) { return r(j, a) > r(j, b); });
        for (int i = 0; i < m; ++i) {
            const auto t = std::size_t(order[std::size_t(i)]);
            l.literatureR(j, i) = r(j, Eigen::Index(t));
            l.literatureTerms[std::size_t(j) * std::size_t(m) + std::size_t(i)] = terms.terms[t];
            l.literatureConcepts[std::size_t(j) * std::size_t(m) + std::size_t(i)] = termConcept[t];
        }
        int compared = 0, agree = 0;
        for (const auto& [c, pi] : l.labelsOf(j)) {
            if (conceptTerms[std::size_t(c)].empty()) continue;
            ++compared;
            // Rank of the concept's best term among the component's correlations.
            float best = -2;
            for (auto t : conceptTerms[std::size_t(c)]) best = std::max(best, r(j, t));
            Eigen::Index above = 0;
            for (Eigen::Index t = 0; t < T; ++t) above += r(j, t) > best;
            agree += above < topRank;
        }
        if (compared) l.agreement[j] = float(agree) / float(compared);
    }
    l.literatureSource = terms.database + " (" + std::to_string(terms.terms.size()) + " terms, vocabulary " + terms.vocabulary + ")";
}

} // namespace

io::ScaleLabels labelScale(const ConditionEffects& ce, std::size_t scale, const ConceptMap& concepts, const StabilityOptions& o,
                           std::vector<std::string>* skipped, int* fitsOut) {
    const Eigen::MatrixXf& effects = ce.effects.at(scale);
    const Eigen::Index n = effects.rows(), k = effects.cols();
    // Concepts of each sample.
    std::vector<std::vector<ConceptRef>> sampleConcepts(static_cast<std::size_t>(n));
    std::set<ConceptRef> present;
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& [task, trial] = ce.conditions[std::size_t(ce.samples[std::size_t(i)].condition)];
        sampleConcepts[std::size_t(i)] = concepts.conceptsOf(task, trial);
        present.insert(sampleConcepts[std::size_t(i)].begin(), sampleConcepts[std::size_t(i)].end());
    }
    std::vector<int> subject(static_cast<std::size_t>(n)), study(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
        subject[std::size_t(i)] = ce.samples[std::size_t(i)].subject;
        study[std::size_t(i)] = ce.samples[std::size_t(i)].study;
    }
    const Eigen::MatrixXd X = standardised(effects);

    io::ScaleLabels l;
    l.threshold = o.threshold;
    l.subsamples = o.subsamples;
    std::vector<ConceptRef> kept;
    std::vector<Eigen::VectorXd> ys;
    for (const auto& c : present) {
        Eigen::VectorXd y(n);
        std::set<int> positiveSubjects;
        for (Eigen::Index i = 0; i < n; ++i) {
            const auto& sc = sampleConcepts[std::size_t(i)];
            y[i] = std::find(sc.begin(), sc.end(), c) != sc.end() ? 1.0 : 0.0;
            if (y[i] > 0) positiveSubjects.insert(subject[std::size_t(i)]);
        }
        // Half-subsamples need two subjects with the concept, and samples without it.
        if (positiveSubjects.size() < 2 || y.sum() >= double(n)) {
            if (skipped) skipped->push_back(c.name);
            continue;
        }
        kept.push_back(c);
        ys.push_back(std::move(y));
    }
    const auto C = Eigen::Index(kept.size());
    l.selectionFrequency = Eigen::MatrixXf::Zero(k, C);
    l.coefficient = Eigen::MatrixXf::Zero(k, C);
    l.forwardEffect = Eigen::MatrixXf::Zero(k, C);
    l.forwardT = Eigen::MatrixXf::Zero(k, C);
    l.literatureR.resize(k, 0);
    // Concepts with the same samples (a concept and an ancestor reached only through it) share one fit.
    std::map<std::vector<double>, StabilityResult> done;
    double worstBound = 0;
    int fits = 0;
    for (Eigen::Index c = 0; c < C; ++c) {
        l.concepts.push_back(kept[std::size_t(c)].name);
        l.conceptIds.push_back(kept[std::size_t(c)].id);
        const auto& y = ys[std::size_t(c)];
        const std::vector<double> key(y.data(), y.data() + y.size());
        auto it = done.find(key);
        if (it == done.end()) {
            StabilityOptions oc = o;
            oc.seed = o.seed * 1000003ull + std::uint64_t(done.size());
            it = done.emplace(key, stabilitySelection(X, y, subject, study, oc)).first;
            fits += it->second.fits;
        }
        const auto& r = it->second;
        l.selectionFrequency.col(c) = r.frequency.cast<float>();
        l.coefficient.col(c) = r.coefficient.cast<float>();
        worstBound = std::max(worstBound, r.expectedFalseSelections);
        // Forward view: per subject, the mean effect of its samples with the concept; t across subjects.
        std::map<int, std::pair<Eigen::VectorXd, int>> perSubject;
        for (Eigen::Index i = 0; i < n; ++i) {
            if (y[i] < 0.5) continue;
            auto& [sum, count] = perSubject[subject[std::size_t(i)]];
            if (count == 0) sum = Eigen::VectorXd::Zero(k);
            sum += effects.row(i).transpose().cast<double>();
            ++count;
        }
        Eigen::VectorXd mean = Eigen::VectorXd::Zero(k), m2 = Eigen::VectorXd::Zero(k);
        const double ns = double(perSubject.size());
        for (const auto& [s, sc] : perSubject) mean += sc.first / sc.second;
        mean /= ns;
        for (const auto& [s, sc] : perSubject) m2 += (sc.first / sc.second - mean).array().square().matrix();
        l.forwardEffect.col(c) = mean.cast<float>();
        for (Eigen::Index j = 0; j < k; ++j) {
            const double sd = ns > 1 ? std::sqrt(m2[j] / (ns - 1)) : 0.0;
            l.forwardT(j, c) = sd > 0 ? float(mean[j] / (sd / std::sqrt(ns))) : 0.0f;
        }
    }
    l.expectedFalseSelections = worstBound;
    if (fitsOut) *fitsOut = fits;
    return l;
}

LabelReport labelAtlas(const LabelOptions& o, jobs::Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    progress.plan({{"read", 1}, {"annotations", 1}, {"signals", 8}, {"labels", 8}, {"literature", 3}, {"write", 1}});
    progress.begin("read", o.bundle.string());
    io::AtlasBundle bundle = io::readAtlasBundle(o.bundle);
    const auto inputs = decompose::bundleInputs(bundle, o.bundle);
    const auto datasetsPaths = o.datasets.empty() ? inputs.datasets : o.datasets;
    if (datasetsPaths.empty()) throw InputError(o.bundle.string() + ": provenance/inputs/datasets is empty; give the datasets on the command line");
    for (const auto& d : datasetsPaths)
        if (!std::filesystem::is_directory(d))
            throw InputError(d.string() + ": dataset not found (the atlas was learned from it; give the datasets on the command line)");
    for (int k : o.scales) (void)bundle.scale(k);
    // Checked before any work, so that a wrong folder never costs a run.
    const auto litDir = findLiteratureDir(o.literature);
    if (o.literature && !litDir)
        throw InputError(o.literature->string() + ": no Neurosynth or NeuroQuery database found there (expected "
                                                  "data-<name>_version-<v>_coordinates.tsv.gz with its metadata, features and vocabulary)");

    progress.begin("annotations");
    LabelReport report;
    std::vector<io::BidsDataset> datasets;
    for (const auto& d : datasetsPaths) datasets.push_back(io::readBidsDataset(d, inputs.filter));
    Ontology ontology;
    const auto cogat = o.cognitiveAtlas ? std::optional(*o.cognitiveAtlas) : findCognitiveAtlas(o.literature);
    if (cogat) ontology = Ontology::load(*cogat);
    else report.notes.push_back("no Cognitive Atlas found (--cognitive-atlas DIR or $NEUROMOSAIC_COGNITIVE_ATLAS): concepts keep the names the mappings give");
    const ConceptMap concepts = mapConditions(datasets, ontology, o.annotations);
    report.conditions = concepts.conditions();
    report.notes.insert(report.notes.end(), concepts.notes().begin(), concepts.notes().end());
    for (const auto* u : concepts.unmapped())
        progress.warn("condition not mapped to a concept: " + u->task + "/" + u->trialType + " (" + std::to_string(u->events) +
                      " events); add it to a mapping TSV (--mapping)");

    progress.begin("signals");
    const auto cohort = decompose::discoverCohort(datasetsPaths, inputs.filter, decompose::CohortUnit::Subject, nullptr, &inputs.studies);
    EffectOptions eo;
    eo.preprocess = inputs.preprocess;
    eo.cacheDir = o.cacheDir;
    eo.ar1 = o.ar1;
    eo.scales = o.scales;
    eo.samples = o.samples;
    auto signalsProgress = progress.child();
    const ConditionEffects ce = componentEffects(bundle, cohort, datasets, eo, signalsProgress);
    report.samples = int(ce.samples.size());
    report.subjects = int(ce.subjects.size());
    report.taskRuns = ce.taskRuns;
    report.effectSeconds = ce.seconds;

    // Checkpoints: one per labelled scale, under a fingerprint of the inputs and options.
    std::optional<jobs::CheckpointStore> store;
    if (o.checkpointDir) {
        std::ostringstream fp;
        fp << "label-v1 " << paths::cacheKey(o.bundle, "") << ' ' << o.stability.subsamples << ' ' << o.stability.weakness << ' '
           << o.stability.threshold << ' ' << o.stability.seed << ' ' << ce.samples.size();
        for (double f : o.stability.lambdaFractions) fp << ' ' << f;
        for (const auto& c : concepts.conditions())
            for (const auto& r : c.concepts) fp << '|' << c.task << '/' << c.trialType << '=' << r.name;
        store.emplace(*o.checkpointDir, jobs::fingerprintOf(fp.str()));
    }

    progress.begin("labels");
    std::set<std::string> skipped;
    for (std::size_t s = 0; s < ce.scales.size(); ++s) {
        const auto scaleStart = std::chrono::steady_clock::now();
        const int k = ce.scales[s];
        auto& scale = bundle.scale(k);
        const std::string name = "scale-" + std::to_string(k);
        std::optional<io::ScaleLabels> labels;
        int fits = 0;
        if (store)
            if (const auto saved = store->load(name)) {
                labels = labelsFromJson(nlohmann::json::parse(*saved));
                progress.info(name + ": labels resumed from the checkpoint");
            }
        if (!labels) {
            std::vector<std::string> sk;
            labels = labelScale(ce, s, concepts, o.stability, &sk, &fits);
            skipped.insert(sk.begin(), sk.end());
            if (store) store->save(name, labelsToJson(*labels).dump());
        }
        scale.labels = std::move(labels);
        ScaleLabelSummary summary;
        summary.components = k;
        summary.fits = fits;
        summary.expectedFalseSelections = scale.labels->expectedFalseSelections;
        for (int j = 0; j < k; ++j) {
            const auto lj = scale.labels->labelsOf(j);
            summary.labels += int(lj.size());
            summary.labelledComponents += lj.empty() ? 0 : 1;
        }
        summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - scaleStart).count();
        report.scales.push_back(summary);
        progress.update(s + 1, ce.scales.size(), name + ": " + std::to_string(summary.labelledComponents) + " of " + std::to_string(k) +
                                                      " components labelled");
    }
    report.skippedConcepts.assign(skipped.begin(), skipped.end());
    for (const auto& c : bundle.scales)
        if (c.labels) {
            report.concepts = c.labels->concepts;
            break;
        }

    progress.begin("literature");
    if (!litDir) {
        report.literature = "no literature database (--literature DIR or $NEUROMOSAIC_LITERATURE): the literature columns are empty";
    } else {
        const LiteratureFiles chosen = chooseLiteratureDatabase(*litDir, o.databases);
        auto litProgress = progress.child();
        const TermMaps terms = cachedTermMaps(chosen, bundle.grid, bundle.maskVoxels, {}, litProgress);
        for (std::size_t s = 0; s < ce.scales.size(); ++s) {
            auto& scale = bundle.scale(ce.scales[s]);
            addLiterature(*scale.labels, scale, terms, ontology, o.literatureTerms);
        }
        report.literature = terms.database + ": " + std::to_string(terms.terms.size()) + " term maps (" +
                            (terms.fromCache ? std::string("cached") : "built in " + std::to_string(int(terms.buildSeconds)) + " s") + ")";
    }
    for (auto& sc : bundle.scales)
        if (sc.labels && sc.labels->literatureSource.empty()) sc.labels->literatureSource = report.literature;

    progress.begin("write");
    report.out = o.out ? *o.out : o.bundle;
    nlohmann::json unmapped = nlohmann::json::array();
    for (const auto* u : concepts.unmapped()) unmapped.push_back(u->task + "/" + u->trialType);
    bundle.provenance["semantics"] = {{"software", "neuromosaic " + version()},
                                      {"datasets", [&] {
                                           nlohmann::json a = nlohmann::json::array();
                                           for (const auto& d : datasetsPaths) a.push_back(std::filesystem::absolute(d).string());
                                           return a;
                                       }()},
                                      {"cognitive_atlas", cogat ? cogat->string() : std::string()},
                                      {"literature", report.literature},
                                      {"subsamples", o.stability.subsamples},
                                      {"threshold", o.stability.threshold},
                                      {"weakness", o.stability.weakness},
                                      {"lambda_fractions", o.stability.lambdaFractions},
                                      {"seed", o.stability.seed},
                                      {"samples", report.samples},
                                      {"unmapped_conditions", unmapped}};
    io::writeAtlasBundle(report.out, bundle);
    if (store)
        for (int k : ce.scales) store->remove("scale-" + std::to_string(k));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    return report;
}

} // namespace nm::semantics
