#pragma once
// Personalization of a multiscale atlas to one subject: the subject's preprocessed signals
// (as learning preprocessed them), dual-regression features on the group's components, FUGW from
// the group to the subject in the volume (Euclidean geometry of the mask's voxels; coarse-to-fine
// beyond a size), every component of every scale carried to the subject, labels kept, the network
// re-estimated on the subject's signals, the displacement of every voxel.
#include "align/CoarseToFine.hpp"
#include "io/AtlasBundle.hpp"
#include "signal/Preprocess.hpp"

#include <Eigen/Core>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}
namespace nm::decompose {
struct CohortSubject;
}

namespace nm::align {

/// A contrast map of the subject (mask voxels) for a concept (or condition) name.
struct SubjectContrast {
    std::string name;     ///< the concept (or condition) it shows
    Eigen::VectorXf map;
    std::string source;   ///< the file, or "<task>/<trial_type> (n runs)"
};

/// Expected group map of a concept the atlas labels: Σ_k forwardEffect(k, c) g_k at the finest
/// labelled scale that has it (case-insensitive name match); empty when no scale labels it.
Eigen::VectorXf groupConceptMap(const io::AtlasBundle& group, const std::string& conceptName);
/// The concepts some scale of the atlas labels (sorted, unique).
std::vector<std::string> labelledConcepts(const io::AtlasBundle& group);

struct PersonalizeOptions {
    std::vector<int> featureScales;   ///< scales whose dual-regression maps are the features (default: ≤ 256 components)
    CoarseToFineOptions solver;       ///< coarse (and dense) and fine FUGW parameters
    Eigen::Index maxDense = 6000;     ///< voxels up to which the plan is dense
    /// Anatomical prior: the voxel coordinates join the features, scaled so that a displacement of
    /// this many mm costs as much as the median feature mismatch at the identity (0: off; < 0:
    /// 2.5 voxel sizes). The group and the subject share the template space, so a match far away
    /// is unlikely; with noisy dual-regression maps (short runs, fine grids) FUGW without it moves
    /// mass too far (docs/personalization.md).
    double anatomyMm = -1.0;
    double mapThreshold = 0.01;
    /// Connectivity profiles join the features: each voxel's correlation with the components' time
    /// courses at the finest feature scale (the group side: its maps × the stored group
    /// correlation). Off by default: measured, they lower the gain (docs/personalization.md).
    bool connectivityFeatures = false;
    /// Also run FUGW with the other choice of features (`fugwVariant`; validation; doubles the time).
    bool compareConnectivity = false;       ///< transported map values below this × the map's peak set to 0
    /// Contrast features: the subject's contrast maps for the concepts the atlas labels (from its
    /// task runs, or given as files) join the features against the group's expected concept maps
    /// (groupConceptMap); the contrast block weighs `contrastWeight` × the dual-regression block
    /// (on its own when there are no signals). Off by default with signals: measured on held-out
    /// simulated subjects they lower the correlation with the true maps (docs/personalization.md).
    bool contrastFeatures = false;
    double contrastWeight = 1.0;
    std::filesystem::path cacheDir;   ///< preprocessed subjects ("": <cache>/learn, shared with learn)
    /// Also personalize on the cortical surfaces of `surfaceSpace` (both hemispheres): the same
    /// features sampled on each hemisphere's ribbon, FUGW coarse-to-fine on the mesh (Landmark-MDS
    /// geodesic geometry of the mid-thickness surface), every scale's surface maps transported;
    /// they replace the bundle's surface projections (what the app shows on the brain).
    bool surfaces = false;
    std::string surfaceSpace = "template";
    int surfaceLandmarks = 100;       ///< LMDS landmarks of the surface geometry
    int surfaceDims = 3;              ///< LMDS dimensions
    PersonalizeOptions();
};

/// Maps of one method for one subject, every scale (k × p, dense, mask voxels).
struct SubjectMaps {
    std::string method;                     ///< "identity", "dual regression", "procrustes", "fugw"
    std::vector<Eigen::MatrixXf> scales;    ///< in the bundle's scale order
};

/// Surface personalization of one hemisphere.
struct SurfaceHemisphereResult {
    std::vector<Eigen::MatrixXf> identity, fugw;  ///< per scale, k × vertices (group projection, transported)
    Eigen::VectorXf displacementMm;               ///< per vertex, to the barycentre of its mass (mid-thickness, mm)
    FugwLoss loss;
    std::int64_t planEntries = 0;
    double seconds = 0.0;
};

struct PersonalizeResult {
    io::AtlasBundle bundle;                 ///< the personalized atlas
    SubjectMaps identity, dualRegression, procrustes, fugw, fugwVariant;
    Eigen::VectorXf displacementMm;         ///< per mask voxel
    Eigen::MatrixXf displacementVectors;    ///< per mask voxel, barycentre − voxel (mm, x y z)
    FugwLoss loss;                          ///< at the end (fine level when coarse-to-fine)
    std::optional<SurfaceHemisphereResult> surfaceLeft, surfaceRight;  ///< with PersonalizeOptions::surfaces
    Eigen::MatrixXf densePlan;              ///< group → subject plan in the volume (dense problems)
    SparsePlan sparsePlan;                  ///< or coarse-to-fine
    /// Maps in the subject's space (mask voxels × m) carried back to the group's by the plan.
    [[nodiscard]] Eigen::MatrixXf toGroup(const Eigen::MatrixXf& subjectMaps) const;
    double seconds = 0.0;
    std::int64_t planEntries = 0;
    bool coarseToFine = false;
    std::vector<std::string> contrastConcepts;  ///< concepts whose contrasts were features
};

/// Dense k × p maps of a scale.
Eigen::MatrixXf denseScaleMaps(const io::AtlasScale& scale, Eigen::Index voxels);

/// Dual regression (Beckmann et al. 2009): time courses T = X Gᵀ(G Gᵀ)⁻¹ by spatial regression of
/// the group maps G (k × p) on the data X (t × p), then subject maps (TᵀT)⁻¹TᵀX (k × p).
Eigen::MatrixXf dualRegression(const signal::RowMatrixF& data, const Eigen::MatrixXf& groupMaps);

/// Piecewise scaled-orthogonal Procrustes (fmralign's default alignment; Haxby et al. 2011's
/// hyperalignment within parcels): in every parcel (labels ≥ 0, p voxels), the orthogonal R
/// minimising ‖X R − Y‖ for source and target samples X, Y (samples × parcel voxels), by the SVD of
/// XᵀY; returns every set of maps (k × p) with each parcel's columns multiplied by its R.
std::vector<Eigen::MatrixXf> piecewiseProcrustes(const Eigen::MatrixXf& source, const Eigen::MatrixXf& target,
                                                 const Eigen::VectorXi& parcels, const std::vector<Eigen::MatrixXf>& mapSets);

/// Personalizes `group` (read from `groupFile`) to one subject's runs; `given` contrast maps (files)
/// replace the contrasts of the same concept computed from the runs.
PersonalizeResult personalize(const io::AtlasBundle& group, const std::filesystem::path& groupFile,
                              const decompose::CohortSubject& subject, const PersonalizeOptions& options,
                              jobs::Progress& progress, const std::vector<SubjectContrast>& given = {});

/// The same from already preprocessed signals (t × mask voxels) and optional contrast maps. With
/// no signals (0 rows) the contrasts are the only features: no dual regression, no Procrustes, and
/// the group's network is kept.
PersonalizeResult personalizeSignals(const io::AtlasBundle& group, const signal::RowMatrixF& data,
                                     const PersonalizeOptions& options, jobs::Progress& progress,
                                     const std::vector<SubjectContrast>& contrasts = {});

/// The subject's contrast maps of the concepts the atlas labels, from its task runs: the voxel-level
/// GLM effect of every run and condition (semantics::componentEffects), averaged over the runs of
/// each concept a condition maps to (its Cognitive Atlas concepts and their ancestors).
std::vector<SubjectContrast> subjectContrasts(const io::AtlasBundle& group, const std::filesystem::path& groupFile,
                                              const decompose::CohortSubject& subject, const PersonalizeOptions& options,
                                              jobs::Progress& progress);

} // namespace nm::align
