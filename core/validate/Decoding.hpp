#pragma once
// Validation of the semantics (`neuromosaic-cli validate decoding`): on the simulator's cohort,
// whose concept → component weights are known, the recovery of the (component, concept) pairs by
// the learned labels — each learned component matched to a true one (Hungarian matching of the
// maps), the truth of a coarse component the union of its descendants' concepts — as precision
// and recall at the labels' threshold and the AUC of π over all pairs, per scale; the concepts the
// labels miss; the agreement of the data-driven labels with the literature; and the decoding
// table (multi-study decoder against per-study voxel- and component-level decoders).
#include "io/Table.hpp"
#include "jobs/Progress.hpp"
#include "semantics/Decoder.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::validate {

struct DecodingValidationOptions {
    std::filesystem::path bundle;                      ///< a labelled bundle (neuromosaic-cli label)
    std::vector<std::filesystem::path> datasets;       ///< default: those the atlas was learned from
    std::optional<std::filesystem::path> truth;        ///< default: <dataset>/derivatives/ground_truth when present
    bool decoders = true;                              ///< the multi-study decoding table
    semantics::DecoderOptions decoder;
    std::filesystem::path cacheDir;
};

struct LabelRecoveryScore {
    int components = 0, truthComponents = 0;
    double auc = 0.0, precision = 0.0, recall = 0.0;
    /// The labels' other views of a pair: the forward (encoding) t of the concept's effect on the
    /// component alone, and the label ranking — π first, pairs of equal π ordered by that t.
    double aucForward = 0.0, aucRanking = 0.0;
    int truePairs = 0, predictedPairs = 0, hits = 0, concepts = 0;
    double matchCorrelation = 0.0;                     ///< mean r of the matched maps
    std::vector<std::string> missedConcepts;           ///< true concepts with no recovered pair
    struct ConceptDetail {
        std::string name;
        std::vector<int> trueComponents;               ///< learned components matched to a true carrier
        std::vector<double> truePi;                    ///< their π (positive associations)
        std::vector<std::pair<int, double>> top;       ///< the three largest π (component, π)
    };
    std::vector<ConceptDetail> details;
};

struct LiteratureAgreement {
    int components = 0, compared = 0;
    double meanAgreement = 0.0;                        ///< over components with labels and named terms
};

struct DecodingReport {
    std::vector<LabelRecoveryScore> recovery;
    std::vector<LiteratureAgreement> literature;
    std::optional<semantics::DecodingTable> decoding;
    std::optional<std::filesystem::path> truth;
    double seconds = 0.0;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Long format: measure, method, components, study, value.
    [[nodiscard]] io::Table toTable() const;
};

DecodingReport validateDecoding(const DecodingValidationOptions& options, jobs::Progress& progress);

/// Area under the ROC curve of `scores` for binary `labels` (ties count one half; Mann–Whitney).
double rocAuc(const std::vector<double>& scores, const std::vector<int>& labels);

/// The true concepts of each component of a simulated scale: from concept_components.tsv at the
/// finest truth scale, propagated to coarser ones through hierarchy.tsv (a parent carries every
/// concept of its children). Result: components × concept names (possibly empty).
std::vector<std::vector<std::string>> truthConcepts(const std::filesystem::path& truthDir, int components);

} // namespace nm::validate
