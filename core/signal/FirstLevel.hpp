#pragma once
// A first-level model of one run with a contrast (`neuromosaic-cli glm`), as nilearn's
// FirstLevelModel computes it: the run is masked and cleaned as learning cleans it (no
// standardisation), the design holds the HRF-convolved conditions, the same nuisance regressors
// and a constant, fitted with AR(1) prewhitening; the result is the t map of the contrast — the
// NeuroVault-style statistical map that `decode` reads.
#include "io/Bids.hpp"
#include "io/Volume.hpp"
#include "signal/Preprocess.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::signal {

struct ContrastTerm {
    std::string condition;
    double weight = 1.0;
};

/// "LH - RH", "face perception - place perception", "0.5*A + 0.5*B", "LH": conditions separated by
/// " + " or " - " (spaces around the sign), each with an optional "w*" weight. Throws
/// nm::InputError naming the problem.
std::vector<ContrastTerm> parseContrast(const std::string& text);

struct FirstLevelOptions {
    PreprocessOptions preprocess{true, 128.0, {}, 0.0, false};
    std::optional<std::filesystem::path> mask;   ///< NIfTI mask (default: the run's EPI mask)
    bool ar1 = true;
};

struct FirstLevelResult {
    Volume t;                                    ///< t map on the run's grid (0 outside the mask)
    int degreesOfFreedom = 0;
    std::vector<std::string> conditions;         ///< of the design, in order
};

/// Throws nm::InputError naming the events file when a contrast condition has no event.
FirstLevelResult firstLevelContrast(const RunFiles& run, const std::vector<io::BidsEvent>& events,
                                    const std::vector<ContrastTerm>& contrast, const FirstLevelOptions& options);

} // namespace nm::signal
