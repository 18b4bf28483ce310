#pragma once
// Validation of personalization on simulated subjects held out from learning (their true maps and
// deformations are known): per scale and method (identity = group maps, dual regression, FUGW),
// the spatial correlation of each personalized component with the subject's true map; the
// recovery of the true displacement field (mm).
#include "align/Personalize.hpp"
#include "io/Table.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::validate {

struct PersonalizationOptions {
    std::filesystem::path bundle;
    std::vector<std::filesystem::path> datasets;   ///< default: the bundle's provenance
    std::optional<std::filesystem::path> truth;    ///< default: <dataset>/derivatives/ground_truth
    align::PersonalizeOptions personalize;
    int maxSubjects = 0;                           ///< 0: every held-out subject
    bool variant = true;                           ///< also FUGW with the other choice of features
    /// Hold out each subject's last run (when it has two or more): personalize on the others,
    /// then score every method's maps by the explained variance of the held-out run.
    bool heldOutRun = true;
    /// Contrast maps of the subjects' task conditions (voxel-level GLM effects per run), brought
    /// to the group's space by each subject's plan: between-subject correlation and cross-subject
    /// decoding with and without the alignment (needs two or more subjects).
    bool contrasts = true;
};

/// Contrast maps across subjects, without alignment ("identity": each subject's maps as they are)
/// and after FUGW ("fugw": each subject's maps carried to the group's space by its plan).
struct ContrastScore {
    std::string method;
    double betweenSubjectR = 0.0;     ///< mean over conditions of the mean r over subject pairs
    double decodingAccuracy = 0.0;    ///< leave-one-subject-out correlation classifier, within each task
    double chance = 0.0;              ///< mean 1 / (conditions of the sample's task)
    int subjects = 0, conditions = 0, samples = 0;
};

/// Explained variance (least-squares R², as learning's held-out criterion) of a subject's run the
/// personalization did not see, by each method's maps.
struct HeldOutRunScore {
    std::string subject, run, method;
    int components = 0;
    double explainedVariance = 0.0;
};

struct PersonalizationScore {
    std::string subject, method;
    int components = 0;
    double meanCorrelation = 0.0, medianCorrelation = 0.0;
    int pairs = 0;
};

struct DisplacementScore {
    std::string subject;
    double medianErrorMm = 0.0;          ///< ‖FUGW displacement − true (group → subject) displacement‖
    double medianIdentityErrorMm = 0.0;  ///< ‖true displacement‖ (the identity moves nothing)
    double maxTrueMm = 0.0;
    double seconds = 0.0;
    bool coarseToFine = false;
    std::int64_t planEntries = 0;
};

struct PersonalizationReport {
    std::vector<PersonalizationScore> scores;
    std::vector<DisplacementScore> displacement;
    std::vector<HeldOutRunScore> heldOutRuns;
    std::vector<ContrastScore> contrasts;
    std::string contrastsSkipped;     ///< why the contrast measures are absent ("" when present)
    bool contrastsSeen = false;       ///< the alignment used contrast features (the measures are then not independent)
    std::vector<std::string> subjects;
    std::filesystem::path truth;
    double seconds = 0.0;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Long format: subject, method, components, mean_r, median_r, pairs.
    [[nodiscard]] io::Table toTable() const;
    /// Mean over subjects of meanCorrelation, per (method, components).
    [[nodiscard]] double mean(const std::string& method, int components) const;
    /// Mean over subjects of the held-out run's explained variance, per (method, components).
    [[nodiscard]] double meanHeldOutEv(const std::string& method, int components) const;
};

PersonalizationReport validatePersonalization(const PersonalizationOptions& options, jobs::Progress& progress);

} // namespace nm::validate
