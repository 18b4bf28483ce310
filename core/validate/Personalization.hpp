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
    std::vector<std::string> subjects;
    std::filesystem::path truth;
    double seconds = 0.0;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Long format: subject, method, components, mean_r, median_r, pairs.
    [[nodiscard]] io::Table toTable() const;
    /// Mean over subjects of meanCorrelation, per (method, components).
    [[nodiscard]] double mean(const std::string& method, int components) const;
};

PersonalizationReport validatePersonalization(const PersonalizationOptions& options, jobs::Progress& progress);

} // namespace nm::validate
