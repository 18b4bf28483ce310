#pragma once
// The preprocessing stream of fMRI runs for learning: brain masking, resampling to the mask's
// grid, spatial smoothing, removal of linear trends, slow drifts (cosine high-pass) and confounds
// (BIDS confounds TSV), and per-voxel standardisation — nilearn's NiftiMasker/signal.clean steps,
// one run at a time so that nothing loads a whole collection.
#include "io/Volume.hpp"
#include "signal/Confounds.hpp"

#include <Eigen/Core>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::signal {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Voxels of a grid selected for analysis.
struct BrainMask {
    VolumeGeometry geometry;
    std::vector<std::int64_t> voxels;  ///< grid indices, increasing
    [[nodiscard]] Eigen::Index size() const { return Eigen::Index(voxels.size()); }
    /// As a uint8 volume (for writing and display).
    [[nodiscard]] Volume volume() const;
    static BrainMask fromVolume(const Volume& mask, float threshold = 0.5f);
    /// A mask file (NIfTI); an empty one is an error naming the file.
    static BrainMask fromFile(const std::filesystem::path& file, float threshold = 0.5f);
};

/// nilearn's compute_epi_mask idea: threshold the mean image at the valley of its histogram
/// between the 20th and 85th percentiles (Otsu within that range), keep the largest connected
/// component, fill holes.
BrainMask epiMask(const Volume& run);
/// nilearn's intersect_masks (threshold 0.5, connected): the voxels of `grid` inside at least
/// half of the masks (each resampled onto the grid, nearest neighbour), largest connected
/// component, holes filled. For fMRIPrep's per-run brain masks.
BrainMask intersectMasks(const std::vector<std::filesystem::path>& masks, const VolumeGeometry& grid);
/// The MNI brain (mricron ch2bet) resampled onto `grid`.
BrainMask templateMask(const VolumeGeometry& grid);

struct PreprocessOptions {
    bool detrend = true;
    double highPassSeconds = 128.0;       ///< cosine drift cutoff (0: none)
    /// What the run's fMRIPrep confounds table contributes (default: the six motion parameters;
    /// non-steady-state volumes censored). A run without a table is cleaned without, unless the
    /// strategy is `required`.
    ConfoundStrategy confounds;
    double smoothingFwhmMm = 0.0;
    bool standardize = true;              ///< z-score each voxel over time
};

struct RunFiles {
    std::filesystem::path bold;
    std::optional<std::filesystem::path> confounds;
    double repetitionTime = 0.0;          ///< from the BIDS sidecar (overrides the header)
    std::optional<std::filesystem::path> brainMask;  ///< fMRIPrep's *_desc-brain_mask, when it ships one
};

/// The nuisance model of a run: regressors (volumes × q, without the constant) — linear trend,
/// cosine drifts, the strategy's confound columns (z-scored), one one-hot column per censored
/// volume (spike regression: the fit on the other volumes is exactly the fit with the censored
/// volumes removed, and the cleaned censored volumes are zero) — and the censored volumes.
struct NuisanceModel {
    Eigen::MatrixXd regressors;
    std::vector<std::string> names;
    std::vector<int> censored;
};
NuisanceModel nuisanceModel(const RunFiles& run, int volumes, double repetitionTime, const PreprocessOptions& options);
/// nuisanceModel(…).regressors: what `preprocessRun` removes. Later models of the cleaned data
/// (the labelling GLM, `glm`) include them in their design.
Eigen::MatrixXd nuisanceRegressors(const RunFiles& run, int volumes, double repetitionTime, const PreprocessOptions& options);

/// volumes × mask voxels. Throws nm::InputError naming the file (missing confound column, TR ≤ 0…).
RowMatrixF preprocessRun(const RunFiles& run, const BrainMask& mask, const PreprocessOptions& options);

/// Cleans a (volumes × voxels) matrix in place: regresses `regressors` (volumes × q, with a
/// constant added) out of every column, then z-scores the columns (zero-variance columns → 0)
/// over the `data.rows() - censored` uncensored volumes (censored rows are zero after their spike
/// regressors).
void cleanSignals(RowMatrixF& data, const Eigen::MatrixXd& regressors, bool standardize, int censored = 0);

} // namespace nm::signal
