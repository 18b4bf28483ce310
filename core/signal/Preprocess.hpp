#pragma once
// The preprocessing stream of fMRI runs for learning: brain masking, resampling to the mask's
// grid, spatial smoothing, removal of linear trends, slow drifts (cosine high-pass) and confounds
// (BIDS confounds TSV), and per-voxel standardisation — nilearn's NiftiMasker/signal.clean steps,
// one run at a time so that nothing loads a whole collection.
#include "io/Volume.hpp"

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
/// The MNI brain (mricron ch2bet) resampled onto `grid`.
BrainMask templateMask(const VolumeGeometry& grid);

struct PreprocessOptions {
    bool detrend = true;
    double highPassSeconds = 128.0;       ///< cosine drift cutoff (0: none)
    std::vector<std::string> confounds{"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"};
    double smoothingFwhmMm = 0.0;
    bool standardize = true;              ///< z-score each voxel over time
};

struct RunFiles {
    std::filesystem::path bold;
    std::optional<std::filesystem::path> confounds;
    double repetitionTime = 0.0;          ///< from the BIDS sidecar (overrides the header)
};

/// The nuisance regressors `preprocessRun` removes from a run of `volumes` volumes (volumes × q,
/// without the constant): linear trend, cosine drifts, the confound columns (z-scored). Later
/// models of the cleaned data (the labelling GLM) include them in their design.
Eigen::MatrixXd nuisanceRegressors(const RunFiles& run, int volumes, double repetitionTime, const PreprocessOptions& options);

/// volumes × mask voxels. Throws nm::InputError naming the file (missing confound column, TR ≤ 0…).
RowMatrixF preprocessRun(const RunFiles& run, const BrainMask& mask, const PreprocessOptions& options);

/// Cleans a (volumes × voxels) matrix in place: regresses `regressors` (volumes × q, with a
/// constant added) out of every column, then z-scores the columns (zero-variance columns → 0).
void cleanSignals(RowMatrixF& data, const Eigen::MatrixXd& regressors, bool standardize);

} // namespace nm::signal
