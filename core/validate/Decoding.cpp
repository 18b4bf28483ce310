#include "validate/Decoding.hpp"

#include "common/Error.hpp"
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "semantics/Annotations.hpp"
#include "semantics/ComponentSignals.hpp"
#include "semantics/Ontology.hpp"
#include "validate/Matching.hpp"
#include "validate/Reconstruction.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace nm::validate {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double rocAuc(const std::vector<double>& scores, const std::vector<int>& labels) {
    if (scores.size() != labels.size()) throw std::invalid_argument("rocAuc: sizes differ");
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    // Mann–Whitney U with mid-ranks for ties.
    double rankSum = 0;
    std::size_t pos = 0, i = 0;
    while (i < order.size()) {
        std::size_t j = i;
        while (j + 1 < order.size() && scores[order[j + 1]] == scores[order[i]]) ++j;
        const double rank = 0.5 * double(i + j) + 1.0;
        for (std::size_t k = i; k <= j; ++k)
            if (labels[order[k]]) {
                rankSum += rank;
                ++pos;
            }
        i = j + 1;
    }
    const double neg = double(order.size() - pos);
    if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
    return (rankSum - double(pos) * double(pos + 1) / 2.0) / (double(pos) * neg);
}

std::vector<std::vector<std::string>> truthConcepts(const std::filesystem::path& dir, int components) {
    const auto cc = io::readTable(dir / "concept_components.tsv");
    std::map<int, std::vector<std::pair<int, std::string>>> byScale;  // scale → (component, concept)
    const auto scales = cc.numbers("scale"), comps = cc.numbers("component");
    const auto names = cc.strings("concept");
    for (std::size_t r = 0; r < cc.rowCount(); ++r) byScale[int(scales[r])].emplace_back(int(comps[r]), names[r]);
    if (byScale.empty()) throw fileError(dir / "concept_components.tsv", "no rows");
    if (byScale.count(components)) {
        std::vector<std::vector<std::string>> out(static_cast<std::size_t>(components));
        for (const auto& [c, n] : byScale[components])
            if (c >= 0 && c < components) out[std::size_t(c)].push_back(n);
        return out;
    }
    // Propagate from the finest scale up through the hierarchy (child → parent).
    const int finest = byScale.rbegin()->first;
    if (components > finest) throw InputError(dir.string() + ": no concept truth at " + std::to_string(components) + " components");
    const auto h = io::readTable(dir / "hierarchy.tsv");
    const auto hs = h.numbers("scale"), hc = h.numbers("component"), hps = h.numbers("parent_scale"), hp = h.numbers("parent");
    std::map<std::pair<int, int>, std::pair<int, int>> parent;
    for (std::size_t r = 0; r < h.rowCount(); ++r) parent[{int(hs[r]), int(hc[r])}] = {int(hps[r]), int(hp[r])};
    std::vector<std::set<std::string>> sets(static_cast<std::size_t>(components));
    for (const auto& [c, n] : byScale[finest]) {
        std::pair<int, int> at{finest, c};
        while (at.first > components) {
            const auto it = parent.find(at);
            if (it == parent.end()) break;
            at = it->second;
        }
        if (at.first == components && at.second >= 0 && at.second < components) sets[std::size_t(at.second)].insert(n);
    }
    std::vector<std::vector<std::string>> out;
    for (const auto& s : sets) out.emplace_back(s.begin(), s.end());
    return out;
}

nlohmann::json DecodingReport::toJson() const {
    nlohmann::json j;
    j["kind"] = "decoding";
    j["seconds"] = seconds;
    j["truth"] = truth ? truth->string() : std::string();
    nlohmann::json rec = nlohmann::json::array();
    for (const auto& r : recovery)
        rec.push_back({{"components", r.components}, {"truth_components", r.truthComponents}, {"auc", r.auc}, {"auc_forward", r.aucForward}, {"auc_ranking", r.aucRanking}, {"precision", r.precision},
                       {"recall", r.recall}, {"true_pairs", r.truePairs}, {"predicted_pairs", r.predictedPairs}, {"hits", r.hits},
                       {"concepts", r.concepts}, {"match_correlation", r.matchCorrelation}, {"missed_concepts", r.missedConcepts},
                       {"per_concept", [&] {
                            nlohmann::json a = nlohmann::json::array();
                            for (const auto& d : r.details) {
                                nlohmann::json top = nlohmann::json::array();
                                for (const auto& [j, pi] : d.top) top.push_back({{"component", j}, {"pi", pi}});
                                a.push_back({{"concept", d.name}, {"true_components", d.trueComponents}, {"true_pi", d.truePi}, {"top", top}});
                            }
                            return a;
                        }()}});
    j["recovery"] = rec;
    nlohmann::json lit = nlohmann::json::array();
    for (const auto& l : literature)
        lit.push_back({{"components", l.components}, {"compared", l.compared}, {"mean_agreement", l.meanAgreement}});
    j["literature_agreement"] = lit;
    if (decoding) {
        const auto& d = *decoding;
        nlohmann::json st = nlohmann::json::array();
        for (const auto& s : d.studies)
            st.push_back({{"study", s.study}, {"classes", s.classes}, {"samples", s.samples}, {"subjects", s.subjects}, {"chance", s.chance},
                          {"multi_study", s.multiStudy}, {"components", s.components},
                          {"voxels", std::isfinite(s.voxels) ? nlohmann::json(s.voxels) : nlohmann::json()}, {"scheme", s.scheme}});
        j["decoding"] = {{"components", d.components},
                         {"studies", st},
                         {"mean_gain_over_components", d.meanGainOverComponents},
                         {"mean_gain_over_voxels", d.meanGainOverVoxels},
                         {"fraction_improved_over_components", d.fractionImprovedOverComponents},
                         {"fraction_improved_over_voxels", d.fractionImprovedOverVoxels},
                         {"multi_study_choices", [&] {
                              nlohmann::json c = nlohmann::json::array();
                              for (const auto& [lr, dl] : d.multiStudyChoices) c.push_back({{"learning_rate", lr}, {"latent_dropout", dl}});
                              return c;
                          }()},
                         {"seconds", d.seconds}};
    }
    return j;
}

io::Table DecodingReport::toTable() const {
    std::vector<std::vector<std::string>> rows;
    auto add = [&](const std::string& measure, const std::string& method, int k, const std::string& study, double v) {
        rows.push_back({measure, method, std::to_string(k), study, std::isfinite(v) ? std::to_string(v) : "n/a"});
    };
    for (const auto& r : recovery) {
        add("auc", "labels", r.components, "", r.auc);
        add("auc", "forward t", r.components, "", r.aucForward);
        add("auc", "labels (π, then t)", r.components, "", r.aucRanking);
        add("precision", "labels", r.components, "", r.precision);
        add("recall", "labels", r.components, "", r.recall);
    }
    for (const auto& l : literature) add("literature_agreement", "labels", l.components, "", l.meanAgreement);
    if (decoding)
        for (const auto& s : decoding->studies) {
            add("accuracy", "multi-study", decoding->components, s.study, s.multiStudy);
            add("accuracy", "components", decoding->components, s.study, s.components);
            add("accuracy", "voxels", decoding->components, s.study, s.voxels);
            add("chance", "", decoding->components, s.study, s.chance);
        }
    return io::Table({"measure", "method", "components", "study", "value"}, rows);
}

DecodingReport validateDecoding(const DecodingValidationOptions& o, jobs::Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    progress.plan({{"read", 1}, {"recovery", 2}, {"signals", 6}, {"decoders", 8}});
    progress.begin("read", o.bundle.string());
    const io::AtlasBundle bundle = io::readAtlasBundle(o.bundle);
    bool labelled = false;
    for (const auto& s : bundle.scales) labelled = labelled || s.labels.has_value();
    if (!labelled) throw InputError(o.bundle.string() + ": the atlas has no labels; run neuromosaic-cli label on it first");
    const auto inputs = decompose::bundleInputs(bundle, o.bundle);
    const auto datasets = o.datasets.empty() ? inputs.datasets : o.datasets;
    DecodingReport report;
    report.truth = findGroundTruth(o.truth, datasets, "concept_components.tsv");

    progress.begin("recovery");
    if (report.truth) {
        // Truth concept names pass through the same resolution as the labels' (Cognitive Atlas names).
        semantics::Ontology ontology;
        if (const auto cogat = semantics::findCognitiveAtlas()) ontology = semantics::Ontology::load(*cogat);
        auto resolve = [&](const std::string& name) {
            if (!ontology.empty())
                if (const auto m = ontology.lookup(name)) return ontology.concepts()[std::size_t(m.index)].name;
            return name;
        };
        std::vector<io::BidsDataset> ds;
        for (const auto& d : datasets) ds.push_back(io::readBidsDataset(d, inputs.filter));
        std::set<std::string> directConcepts;
        const auto dataConcepts = semantics::mapConditions(ds, ontology);
        for (const auto& c : dataConcepts.conditions())
            for (const auto& r : c.concepts) directConcepts.insert(r.name);
        for (const auto& sc : bundle.scales) {
            if (!sc.labels) continue;
            const auto& l = *sc.labels;
            LabelRecoveryScore score;
            score.components = sc.components;
            std::vector<std::vector<std::string>> truth;
            try {
                truth = truthConcepts(*report.truth, sc.components);
            } catch (const InputError& e) {
                progress.warn(std::string("recovery at ") + std::to_string(sc.components) + ": " + e.what());
                continue;
            }
            score.truthComponents = int(truth.size());
            const auto learned = RowMatrixF(sc.maps);
            const auto trueMaps = truthMaps(*report.truth, sc.components, bundle);
            const auto match = matchMaps(learned, trueMaps);
            score.matchCorrelation = match.meanCorrelation;
            // Pairs over the concepts the data's conditions name directly (the truth knows nothing of
            // Cognitive Atlas ancestors, and concepts no study shows cannot be learned).
            std::set<std::string> known;
            for (const auto& c : directConcepts)
                if (std::find(l.concepts.begin(), l.concepts.end(), c) != l.concepts.end()) known.insert(c);
            std::vector<double> scores, forward, ranking;
            std::vector<int> truthFlags;
            std::map<std::string, int> hitsPerConcept, truePerConcept;
            for (int j = 0; j < sc.components; ++j) {
                const int m = match.assignment[std::size_t(j)];
                std::set<std::string> trueSet;
                if (m >= 0 && m < int(truth.size()))
                    for (const auto& c : truth[std::size_t(m)]) trueSet.insert(resolve(c));
                for (std::size_t c = 0; c < l.concepts.size(); ++c) {
                    if (!known.count(l.concepts[c])) continue;
                    const bool isTrue = trueSet.count(l.concepts[c]) > 0;
                    // Score: π of positive associations (a negative coefficient is not "carries the concept").
                    const double pi = l.coefficient(j, Eigen::Index(c)) > 0 ? l.selectionFrequency(j, Eigen::Index(c)) : 0.0;
                    scores.push_back(pi);
                    const double t = l.forwardT.size() ? double(l.forwardT(j, Eigen::Index(c))) : 0.0;
                    forward.push_back(std::isfinite(t) ? t : 0.0);
                    // Lexicographic (π, t): the t term, in (0, 1e-3), only orders pairs of equal π.
                    ranking.push_back(pi + 1e-3 / (1.0 + std::exp(-(std::isfinite(t) ? t : 0.0))));
                    truthFlags.push_back(isTrue ? 1 : 0);
                    const bool predicted = float(pi) >= float(l.threshold);  // as ScaleLabels::labelsOf
                    score.truePairs += isTrue;
                    score.predictedPairs += predicted;
                    score.hits += isTrue && predicted;
                    if (isTrue) {
                        ++truePerConcept[l.concepts[c]];
                        hitsPerConcept[l.concepts[c]] += predicted;
                    }
                }
            }
            for (std::size_t c = 0; c < l.concepts.size(); ++c) {
                if (!known.count(l.concepts[c])) continue;
                LabelRecoveryScore::ConceptDetail d;
                d.name = l.concepts[c];
                std::vector<std::pair<double, int>> ranked;
                for (int j = 0; j < sc.components; ++j) {
                    const double pi = l.coefficient(j, Eigen::Index(c)) > 0 ? l.selectionFrequency(j, Eigen::Index(c)) : 0.0;
                    ranked.emplace_back(pi, j);
                    const int m = match.assignment[std::size_t(j)];
                    bool isTrue = false;
                    if (m >= 0 && m < int(truth.size()))
                        for (const auto& t : truth[std::size_t(m)]) isTrue = isTrue || resolve(t) == d.name;
                    if (isTrue) {
                        d.trueComponents.push_back(j);
                        d.truePi.push_back(pi);
                    }
                }
                std::sort(ranked.rbegin(), ranked.rend());
                for (std::size_t i = 0; i < std::min<std::size_t>(3, ranked.size()); ++i) d.top.emplace_back(ranked[i].second, ranked[i].first);
                score.details.push_back(std::move(d));
            }
            score.auc = rocAuc(scores, truthFlags);
            score.aucForward = rocAuc(forward, truthFlags);
            score.aucRanking = rocAuc(ranking, truthFlags);
            score.precision = score.predictedPairs ? double(score.hits) / score.predictedPairs : 0.0;
            score.recall = score.truePairs ? double(score.hits) / score.truePairs : 0.0;
            score.concepts = int(truePerConcept.size());
            for (const auto& [c, n] : truePerConcept)
                if (hitsPerConcept[c] == 0) score.missedConcepts.push_back(c);
            report.recovery.push_back(std::move(score));
        }
    }
    for (const auto& sc : bundle.scales) {
        if (!sc.labels || sc.labels->agreement.size() == 0) continue;
        LiteratureAgreement a;
        a.components = sc.components;
        double sum = 0;
        for (Eigen::Index j = 0; j < sc.labels->agreement.size(); ++j)
            if (std::isfinite(sc.labels->agreement[j])) {
                sum += sc.labels->agreement[j];
                ++a.compared;
            }
        a.meanAgreement = a.compared ? sum / a.compared : std::numeric_limits<double>::quiet_NaN();
        report.literature.push_back(a);
    }

    if (o.decoders) {
        progress.begin("signals");
        std::vector<io::BidsDataset> ds;
        for (const auto& d : datasets) ds.push_back(io::readBidsDataset(d, inputs.filter));
        const auto cohort = decompose::discoverCohort(datasets, inputs.filter, decompose::CohortUnit::Subject, nullptr, &inputs.studies);
        semantics::EffectOptions eo;
        eo.preprocess = inputs.preprocess;
        eo.cacheDir = o.cacheDir;
        eo.voxels = o.decoder.voxels;
        const int k = o.decoder.scale ? o.decoder.scale : bundle.scales.back().components;
        eo.scales = {k};
        auto child = progress.child();
        const auto ce = semantics::componentEffects(bundle, cohort, ds, eo, child);
        progress.begin("decoders");
        auto dchild = progress.child();
        report.decoding = semantics::evaluateDecoders(ce, 0, o.decoder, dchild);
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    return report;
}

} // namespace nm::validate
