#pragma once
// Denoising strategies over fMRIPrep's confounds tables (*_desc-confounds_timeseries.tsv and its
// JSON): the noise components and parameters of nilearn's `load_confounds` and the presets of
// `load_confounds_strategy` (Ciric et al. 2017; Power et al. 2014 scrubbing; Behzadi et al. 2007
// CompCor), giving the regressors to remove and the volumes to censor (non-steady-state volumes,
// motion outliers and the short segments between them).
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::signal {

/// How many terms of a confound family: the parameters (basic), + squares (power2),
/// + temporal derivatives (derivatives), or all four (full): fMRIPrep's column suffixes
/// _power2, _derivative1, _derivative1_power2.
enum class ConfoundTerms { None, Basic, Power2, Derivatives, Full };

struct ConfoundStrategy {
    ConfoundTerms motion = ConfoundTerms::Basic;        ///< trans_x … rot_z (6, 12, 12 or 24)
    ConfoundTerms wmCsf = ConfoundTerms::None;          ///< csf, white_matter
    ConfoundTerms globalSignal = ConfoundTerms::None;   ///< global_signal
    /// "", anat_combined, anat_separated, temporal, temporal_anat_combined, temporal_anat_separated
    std::string compcor;
    int compcorComponents = -1;                         ///< per mask; -1: all fMRIPrep kept
    bool scrub = false;                                 ///< censor motion outliers (Power 2014)
    double fdThreshold = 0.2;                           ///< mm, framewise_displacement
    double stdDvarsThreshold = 3.0;                     ///< std_dvars
    int scrubMinSegment = 5;                            ///< segments shorter than this are censored too (0: none)
    bool nonSteadyState = true;                         ///< censor non_steady_state_outlier_* volumes
    /// Further columns: exact names, or prefixes ending in '*' (e.g. "cosine*", "a_comp_cor_0*").
    std::vector<std::string> columns;
    /// The strategy was asked for: a run without confounds table is then an error naming it;
    /// otherwise (the default) such a run is cleaned without confounds, with a warning.
    bool required = false;

    /// Nothing is read from the table.
    [[nodiscard]] bool empty() const;
    /// One line: "motion full + wm_csf basic + scrub (FD > 0.2 mm, std DVARS > 3, segments < 5)".
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Throws nm::InputError naming `where` and the field on a wrong type or value.
    static ConfoundStrategy fromJson(const nlohmann::json& j, const std::string& where);
    /// No confounds at all (`--no-confounds`).
    static ConfoundStrategy none();
    /// nilearn's presets: simple, scrubbing, compcor; also motion6, motion24 (motion only) and
    /// "none". Throws nm::InputError listing the names.
    static ConfoundStrategy preset(const std::string& name);
};

ConfoundTerms parseConfoundTerms(const std::string& text, const std::string& option);
std::string toString(ConfoundTerms terms);

/// What a strategy takes from one run's confounds table.
struct RunConfounds {
    Eigen::MatrixXd regressors;          ///< volumes × q, n/a → 0 (the first row of derivatives)
    std::vector<std::string> names;      ///< q column names
    std::vector<int> censored;           ///< volumes to remove, increasing
};

/// Reads `table` (its sidecar JSON beside it, needed for anat CompCor masks) for a run of
/// `volumes` volumes. Throws nm::InputError naming the file and the missing columns — and, like
/// nilearn, suggesting another strategy — or a row count that does not match the run.
RunConfounds loadConfounds(const std::filesystem::path& table, int volumes, const ConfoundStrategy& strategy);

/// Power et al. 2014 as nilearn implements it: outliers (FD > threshold or std DVARS > threshold),
/// then every segment of kept volumes shorter than `minSegment` (at the start, the end and between
/// outliers) is censored too. Returns the censored volumes, increasing.
std::vector<int> scrubVolumes(const std::vector<double>& framewiseDisplacement, const std::vector<double>& stdDvars,
                              double fdThreshold, double stdDvarsThreshold, int minSegment);

} // namespace nm::signal
