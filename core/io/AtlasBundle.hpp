#pragma once
// The atlas bundle (*.nmatlas.h5): the learned multiscale atlas in one HDF5 file — the space
// (grid, mask, template id), one group per scale (sparse maps, names, centroids, explained
// variance, sizes, parents, component network, optional surface projections), the hierarchy and
// the provenance. Schema: docs/file-formats.md#atlas-bundle (versioned; readers check it).
#include "io/Volume.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nm::io {

using SparseMapsF = Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>;  ///< components × voxels

/// The cognitive labels of one scale (`neuromosaic-cli label`, core/semantics): for every
/// (component, concept) pair the stability-selection frequency π and the signed mean coefficient
/// of the L1 logistic model (reverse inference), the forward effect and its t across subjects; and
/// each component's top literature terms with their correlation (correlation decoder).
struct ScaleLabels {
    std::vector<std::string> concepts;        ///< c concept names (Cognitive Atlas names when there)
    std::vector<std::string> conceptIds;      ///< c Cognitive Atlas ids, "" outside it
    Eigen::MatrixXf selectionFrequency;       ///< k × c, π in [0, 1]
    Eigen::MatrixXf coefficient;              ///< k × c, mean coefficient where selected (standardised features)
    Eigen::MatrixXf forwardEffect;            ///< k × c, mean effect of the concept (z-scored signal units)
    Eigen::MatrixXf forwardT;                 ///< k × c, its t statistic across subjects
    double threshold = 0.7;                   ///< π at or above which a pair is a label
    double expectedFalseSelections = 0.0;     ///< Meinshausen–Bühlmann bound E[V] at the threshold, per concept
    int subsamples = 0;
    /// Literature (correlation decoder): k × m, best first; empty when no database was given.
    std::vector<std::string> literatureTerms; ///< row-major k × m
    Eigen::MatrixXf literatureR;              ///< k × m
    std::vector<std::string> literatureConcepts; ///< row-major k × m: the Cognitive Atlas concept a term names, or ""
    Eigen::VectorXf agreement;                ///< k: share of a component's labels whose concept's term ranks in its top 5 % of terms (NaN: nothing to compare)
    std::string literatureSource;             ///< "neuroquery_v1 (7547 terms)", or why it is empty
    [[nodiscard]] int literatureCount() const { return int(literatureR.cols()); }
    /// Labels of component j: concepts with π ≥ threshold and a positive coefficient, by π.
    [[nodiscard]] std::vector<std::pair<int, float>> labelsOf(int component, bool positiveOnly = true) const;
};

/// The sparse Gaussian graphical model of one scale (core/connectivity; `learn`, `network`): the
/// penalty and how it was chosen, the group precision and partial correlation, the training
/// subjects' own precisions (group-sparse: one shared support), the modules of the graph of
/// positive partial correlations, the fit's diagnostics and its relation to the parent scale.
struct ScaleSparseNetwork {
    std::string method;                       ///< "group-sparse" or "graphical-lasso"
    double alpha = 0.0;
    bool crossValidated = false;
    std::string alphaSelection;               ///< "cv", "given", or "inherited from <k>" (the α of a cross-validated coarser scale)
    std::vector<double> cvAlphas, cvScores;   ///< mean held-out log-likelihood per α (when cross-validated)
    SparseMapsF precision;                    ///< k × k: the model's precision (group: sample-weighted mean of the subjects')
    SparseMapsF partialCorrelation;           ///< k × k, off-diagonal (group: weighted mean of the subjects')
    std::vector<std::string> subjects;        ///< of subjectPrecisions
    std::vector<SparseMapsF> subjectPrecisions;
    std::vector<int> module;                  ///< 1-based consensus modules of the positive partial-correlation graph
    double modularity = 0.0;
    double objective = 0.0, dualityGap = 0.0;
    int iterations = 0;
    bool converged = false;
    std::int64_t edges = 0;                   ///< pairs i < j in the support
    double seconds = 0.0;                     ///< estimation time (cross-validation included)
    /// Across scales: Pearson r between the parent scale's partial correlations and the children's
    /// aggregated ones (mean over child pairs of each parent pair), and the share of parent edges
    /// with at least one child edge between their children. NaN at the top scale.
    double parentCorrelation = std::numeric_limits<double>::quiet_NaN();
    double parentSupportRecall = std::numeric_limits<double>::quiet_NaN();
    [[nodiscard]] int moduleCount() const;
};

struct AtlasScale {
    int components = 0;
    SparseMapsF maps;                       ///< k × mask voxels
    std::vector<std::string> names;
    Eigen::MatrixXf centroids;              ///< k × 3, mm (RAS)
    Eigen::VectorXf explainedVariance;      ///< per component, fraction of held-out variance
    Eigen::VectorXi size;                   ///< voxels of each map
    std::vector<int> parent;                ///< component of the previous (coarser) scale, −1 at the top
    /// k × k_previous: cosine overlap of each map with the maps of the previous (coarser) scale,
    /// entries ≥ 0.01 kept (empty at the top). parent[j] is the argmax of row j.
    SparseMapsF overlap;
    Eigen::MatrixXf correlation;            ///< k × k (Ledoit–Wolf, group mean), may be empty
    Eigen::MatrixXf partialCorrelation;     ///< k × k, may be empty
    std::optional<SparseMapsF> surfaceLeft, surfaceRight;  ///< k × vertices of the template surfaces
    std::optional<ScaleLabels> labels;      ///< cognitive labels (schema ≥ 2), absent until labelled
    std::optional<ScaleSparseNetwork> sparseNetwork;  ///< network/sparse (optional group; readers without it ignore it)
};

struct AtlasBundle {
    static constexpr int kSchemaVersion = 2;  ///< 2: optional labels per scale
    int schemaVersion = kSchemaVersion;
    std::string templateId = "MNI152-ch2";
    std::string surfaceSpace;               ///< space of the surface projections ("template"), "" if none
    VolumeGeometry grid;
    std::vector<std::int64_t> maskVoxels;   ///< grid indices of the p voxels, increasing
    std::vector<AtlasScale> scales;         ///< coarse to fine
    nlohmann::json provenance = nlohmann::json::object();
    /// A personalized bundle (`personalize`): per mask voxel, the distance (mm) between the voxel
    /// and the barycentre of the mass the group sent from it to the subject.
    std::optional<Eigen::VectorXf> displacementMm;

    [[nodiscard]] const AtlasScale& scale(int components) const;  ///< throws InputError if absent
    [[nodiscard]] AtlasScale& scale(int components);
    /// Dense maps of one scale on the full grid (frames = components), for export and display.
    [[nodiscard]] Volume mapsVolume(std::size_t scaleIndex) const;
    void validate(const std::string& what) const;
};

/// Writes atomically. Throws nm::Error on failure.
void writeAtlasBundle(const std::filesystem::path& file, const AtlasBundle& bundle);
/// Throws nm::InputError naming the file and the dataset (not HDF5, not an atlas, newer schema,
/// inconsistent sizes).
AtlasBundle readAtlasBundle(const std::filesystem::path& file);

} // namespace nm::io
