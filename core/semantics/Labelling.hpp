#pragma once
// Cognitive labels for every component of every scale of an atlas (`neuromosaic-cli label`):
// the annotations of the data mapped to concepts (Annotations.hpp), the component effects of
// every run and condition (ComponentSignals.hpp), for each concept the stability selection of an
// L1 logistic model from the components' effects to the concept's presence (reverse inference,
// StabilitySelection.hpp) and the forward view (mean effect and t across subjects), and the
// literature terms of each map (Literature.hpp) with their agreement with the learned labels.
#include "io/AtlasBundle.hpp"
#include "jobs/Progress.hpp"
#include "semantics/Annotations.hpp"
#include "semantics/ComponentSignals.hpp"
#include "semantics/StabilitySelection.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::semantics {

struct LabelOptions {
    std::filesystem::path bundle;
    std::optional<std::filesystem::path> out;               ///< default: the bundle itself (atomically)
    std::vector<std::filesystem::path> datasets;            ///< default: those the atlas was learned from
    std::vector<int> scales;                                ///< default: all
    AnnotationOptions annotations;
    std::optional<std::filesystem::path> cognitiveAtlas;    ///< default: findCognitiveAtlas(literature)
    std::optional<std::filesystem::path> literature;        ///< Neurosynth / NeuroQuery folder (or $NEUROMOSAIC_LITERATURE)
    std::vector<std::string> databases{"neuroquery"};       ///< which literature databases name the terms
    int literatureTerms = 10;                               ///< terms kept per component
    StabilityOptions stability;
    std::filesystem::path cacheDir;                         ///< preprocessed subjects ("": <cache>/learn)
    std::optional<std::filesystem::path> checkpointDir;
    bool ar1 = true;
    EffectOptions::Samples samples = EffectOptions::Samples::Conditions;  ///< effects per run and condition, or per event/block (LSS)
};

struct ScaleLabelSummary {
    int components = 0, labelledComponents = 0, labels = 0;
    double seconds = 0.0;
    double expectedFalseSelections = 0.0;
    int fits = 0;
};

struct LabelReport {
    std::vector<ScaleLabelSummary> scales;
    std::vector<ConditionMapping> conditions;               ///< every condition and how it was mapped
    std::vector<std::string> concepts, skippedConcepts;     ///< labelled; too few subjects to subsample
    std::vector<std::string> notes;
    std::string literature;                                 ///< what the literature columns hold, or why they are empty
    int samples = 0, subjects = 0, taskRuns = 0;
    double effectSeconds = 0.0, seconds = 0.0;
    std::filesystem::path out;
    [[nodiscard]] nlohmann::json toJson() const;
};

/// Labels the concepts of one scale from its effects (`scale` indexes ce.effects). Pure: no I/O.
io::ScaleLabels labelScale(const ConditionEffects& ce, std::size_t scale, const ConceptMap& concepts, const StabilityOptions& options,
                           std::vector<std::string>* skipped = nullptr, int* fits = nullptr);

/// Reads the bundle and the data, labels every scale, writes the labelled bundle (atomically).
LabelReport labelAtlas(const LabelOptions& options, jobs::Progress& progress);

} // namespace nm::semantics
