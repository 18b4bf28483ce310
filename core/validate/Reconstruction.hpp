#pragma once
// Validation of a learned atlas (neuromosaic-cli validate reconstruction): explained variance of
// held-out subjects by each scale's maps (least-squares codes), against baselines fitted on the
// same training subjects — PCA with the same k (randomised subspace iteration, Halko et al. 2011,
// streamed over subjects) and the AAL / Harvard–Oxford parcellations as fixed dictionaries —;
// on simulated data the recovery of the true components (Hungarian matching, spatial
// correlation); and the stability of the maps across runs with other seeds.
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"
#include "io/Table.hpp"
#include "jobs/Progress.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::validate {

struct ReconstructionOptions {
    std::filesystem::path bundle;
    std::vector<std::filesystem::path> compare;       ///< bundles learned with other seeds (stability)
    std::vector<std::filesystem::path> datasets;      ///< default: the bundle's provenance
    std::optional<std::filesystem::path> truth;       ///< ground-truth directory (default: <dataset>/derivatives/ground_truth)
    std::vector<std::string> baselines{"pca", "aal", "harvard-oxford"};
    int powerIterations = 2;                          ///< PCA: passes of subspace iteration after the first
    std::filesystem::path cacheDir;                   ///< preprocessed subjects ("": <cache>/learn, shared with learn)
    std::uint64_t seed = 0;
};

struct ExplainedVarianceScore {
    std::string method;                               ///< "atlas", "pca", "aal", "harvard-oxford", "truth" (simulated data)
    int components = 0;
    double explainedVariance = 0.0;                   ///< held-out R²
};

struct RecoveryScore {
    int components = 0, truthComponents = 0;
    double meanCorrelation = 0.0, medianCorrelation = 0.0;
    double fractionAbove05 = 0.0;                     ///< matched pairs with r > 0.5
    std::vector<double> correlations;                 ///< every matched pair's r (the distribution)
    std::vector<double> componentCorrelation;         ///< per learned component: its match's r (NaN: unmatched)
};

struct StabilityScore {
    int components = 0;
    std::string other;                                ///< the other bundle
    double meanCorrelation = 0.0;
    std::vector<double> componentCorrelation;         ///< per component: r with its match in the other run
};

struct ReconstructionReport {
    std::vector<ExplainedVarianceScore> explainedVariance;
    std::vector<RecoveryScore> recovery;
    std::vector<StabilityScore> stability;
    std::vector<std::string> heldOutSubjects;
    std::int64_t heldOutVolumes = 0, trainVolumes = 0;
    std::optional<std::filesystem::path> truth;
    double seconds = 0.0;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Long format, one measurement per row: measure, method, components, reference_components, value.
    [[nodiscard]] io::Table toTable() const;
};

ReconstructionReport validateReconstruction(const ReconstructionOptions& options, jobs::Progress& progress);

/// A dictionary to score: the atlas's maps of one scale or a baseline's (k × mask voxels).
struct Dictionary {
    std::string method;               ///< "atlas", "pca", "aal", "harvard-oxford"
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> maps;
};
/// The atlas scales, then the baselines: PCA of the training subjects with each scale's k (streamed
/// randomised subspace iteration), the parcellations as fixed dictionaries.
std::vector<Dictionary> atlasAndBaselines(const io::AtlasBundle& bundle, const decompose::SubjectStore& store,
                                          const std::vector<const decompose::CohortSubject*>& train, const std::vector<std::string>& baselines,
                                          int powerIterations, std::uint64_t seed, jobs::Progress& progress);

/// Dense maps of the mask voxels (k × p) from an atlas scale.
Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> denseMaps(const io::AtlasScale& scale);

/// Ground-truth maps of a simulated cohort at `components` (scale-<k>_maps.nii.gz in `truthDir`)
/// on the bundle's mask voxels (resampled when the grids differ). Throws nm::InputError if absent.
Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> truthMaps(const std::filesystem::path& truthDir, int components,
                                                                                const io::AtlasBundle& bundle);

/// The ground truth of a simulated cohort: `given` when set, else the first dataset with a
/// derivatives/ground_truth folder (holding `requiredFile` when not empty); nullopt if none.
std::optional<std::filesystem::path> findGroundTruth(const std::optional<std::filesystem::path>& given,
                                                     const std::vector<std::filesystem::path>& datasets,
                                                     const std::string& requiredFile = "");

/// Recovery of `truth` (kt × p) by `learned` (k × p): Hungarian matching of the smaller set.
RecoveryScore recovery(const Eigen::MatrixXf& learned, const Eigen::MatrixXf& truth);

} // namespace nm::validate
