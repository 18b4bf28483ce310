#pragma once
// Literature maps from coordinate databases (Neurosynth v7, NeuroQuery v1, in the layout the
// neurosynth-data and neuroquery_data repositories publish): for every term of a vocabulary, the
// MKDA chi-square maps of Wager, Lindquist & Kaplan 2007 as Neurosynth and NiMARE's `MKDAChi2`
// compute them — each study's activation map is the union (max, not sum) of 10 mm binary spheres
// at its peaks; the association (reverse inference, p(term | activation)) test is the two-way χ²
// of term × activation per voxel, the uniformity (forward) test the one-way χ² of the term's
// studies' activation counts against their mean; z = √χ² signed; p-values from χ²(1) and the
// Benjamini–Hochberg threshold per term, reported (never silently skipped, NiMARE #1119).
//
// All terms in one pass: the per-voxel activation counts of each term's studies are the product
// of the sparse study × voxel activation matrix with the study × term indicator, accumulated
// voxel block by voxel block (O(p × terms) memory, not O(studies × voxels × terms)). The
// association z-maps are cached (int16, z × 100, voxel-major) keyed by the database files, the
// grid and the parameters, so a decoder reads one file and runs one matrix-vector product.
#include "io/Volume.hpp"
#include "jobs/Progress.hpp"
#include "semantics/Ontology.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::semantics {

/// The files of one database in a literature folder.
struct LiteratureFiles {
    std::string name;                      ///< "neuroquery_v1", "neurosynth_v7"
    std::filesystem::path coordinates, metadata;
    std::vector<std::filesystem::path> features;  ///< one or more sources (abstract, title, keywords), summed
    std::filesystem::path vocabulary;
    std::string vocabularyName;            ///< "neuroquery7547", "terms", "LDA50"
    std::string featureType;               ///< "count", "tfidf", "weight"
};

/// The databases found in `dir` (itself a database folder or a folder of them), with the preferred
/// vocabulary of each (terms before topics). Empty when none.
std::vector<LiteratureFiles> findLiteratureDatabases(const std::filesystem::path& dir);
/// The database of `dir` whose name starts with the first of `preferences` present ("neuroquery",
/// "neurosynth"), else the first found. Throws nm::InputError naming `dir` when it holds none.
LiteratureFiles chooseLiteratureDatabase(const std::filesystem::path& dir, const std::vector<std::string>& preferences);
/// `dir` if given, else $NEUROMOSAIC_LITERATURE, else the shared test data's copy; nullopt when none.
std::optional<std::filesystem::path> findLiteratureDir(const std::optional<std::filesystem::path>& dir = std::nullopt);

struct LiteratureDatabase {
    std::string name, vocabularyName;
    std::vector<std::string> studyIds;
    Eigen::MatrixXd peaks;                 ///< peaks × 3, MNI mm (Talairach peaks converted, Lancaster et al. 2007)
    std::vector<int> peakStudy;            ///< study index of each peak
    std::vector<std::string> terms;
    Eigen::SparseMatrix<float, Eigen::RowMajor> features;  ///< studies × terms (sources summed)
    double featureThreshold = 0.0;         ///< a study "has" a term when its feature exceeds this
    int talairachStudies = 0, droppedPeaks = 0;
};

/// Reads a database. Throws nm::InputError naming the file and column when malformed (missing
/// columns, feature rows ≠ studies, vocabulary length ≠ feature columns).
LiteratureDatabase readLiteratureDatabase(const LiteratureFiles& files);

struct TermMapOptions {
    double radiusMm = 10.0;                ///< MKDA sphere
    int minStudies = 5;                    ///< terms in fewer studies get no map
    double fdrQ = 0.01;                    ///< Benjamini–Hochberg level reported per term
};

/// Association z-maps of every term on a grid's mask voxels.
struct TermMaps {
    std::string database, vocabulary;
    std::vector<std::string> terms;        ///< terms with a map (≥ minStudies studies)
    std::vector<int> studies;              ///< studies of each term
    std::vector<float> fdrZ;               ///< |z| threshold of the BH-FDR at fdrQ per term (+∞: none survive)
    std::vector<int> fdrVoxels;            ///< voxels surviving it per term
    Eigen::VectorXf sum, norm;             ///< per term: Σ_v z, ‖z − mean z‖
    /// voxels × terms, association z × 100 as int16 (voxel-major: a voxel's terms are contiguous).
    Eigen::Matrix<std::int16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> z100;
    int voxels() const { return int(z100.rows()); }
    double buildSeconds = 0.0;
    bool fromCache = false;
    /// The z-map of one term (mask voxels), for display and export.
    [[nodiscard]] Eigen::VectorXf termMap(int term) const;
    /// Pearson r of each map (rows of `maps`, mask voxels) with every term map: rows × terms.
    [[nodiscard]] Eigen::MatrixXf correlate(const Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>& maps) const;
    [[nodiscard]] Eigen::VectorXf correlate(const Eigen::VectorXf& map) const;
};

/// Builds all term maps in one pass (the full statistics; `uniformity` and p-values too when
/// asked). `maskVoxels` are grid indices.
struct MkdaStatistics {
    Eigen::MatrixXf associationZ, uniformityZ;   ///< voxels × terms (only when asked)
    Eigen::MatrixXf associationP;                ///< voxels × terms
};
TermMaps buildTermMaps(const LiteratureDatabase& db, const VolumeGeometry& grid, const std::vector<std::int64_t>& maskVoxels,
                       const TermMapOptions& options, jobs::Progress& progress, MkdaStatistics* full = nullptr);

/// buildTermMaps through the cache (<cache>/literature): rebuilt when the files, grid or options change.
TermMaps cachedTermMaps(const LiteratureFiles& files, const VolumeGeometry& grid, const std::vector<std::int64_t>& maskVoxels,
                        const TermMapOptions& options, jobs::Progress& progress);

/// Benjamini–Hochberg: the largest p-value threshold with p_(i) ≤ q i / m (0 when none).
double benjaminiHochbergThreshold(std::vector<double> pValues, double q);

/// Talairach → MNI (Lancaster et al. 2007, the tal2icbm transform for "other" normalisations).
Eigen::Vector3d talairachToMni(const Eigen::Vector3d& tal);

/// The default grid of literature maps without an atlas: MNI, 4 mm, 46 × 55 × 46.
VolumeGeometry defaultLiteratureGrid();

} // namespace nm::semantics
