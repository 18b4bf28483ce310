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
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nm::io {

using SparseMapsF = Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>;  ///< components × voxels

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
};

struct AtlasBundle {
    static constexpr int kSchemaVersion = 1;
    int schemaVersion = kSchemaVersion;
    std::string templateId = "MNI152-ch2";
    std::string surfaceSpace;               ///< space of the surface projections ("template"), "" if none
    VolumeGeometry grid;
    std::vector<std::int64_t> maskVoxels;   ///< grid indices of the p voxels, increasing
    std::vector<AtlasScale> scales;         ///< coarse to fine
    nlohmann::json provenance = nlohmann::json::object();

    [[nodiscard]] const AtlasScale& scale(int components) const;  ///< throws InputError if absent
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
