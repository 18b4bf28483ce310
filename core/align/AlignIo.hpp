#pragma once
// Files of the alignment: features read from GIFTI or NIfTI (on a mask), transport plans (HDF5)
// and the matches table.
#include "align/CoarseToFine.hpp"
#include "align/Fugw.hpp"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace nm::align {

/// Per-vertex features from GIFTI files (each contributes its data arrays as columns), checked
/// against the mesh's vertex count. Errors name the file.
Eigen::MatrixXf readSurfaceFeatures(const std::vector<std::filesystem::path>& files, Eigen::Index vertices);

struct VolumeFeatures {
    Eigen::MatrixXf features;       ///< in-mask voxels × (frames of every file)
    Eigen::MatrixXd coordinatesMm;  ///< in-mask voxels × 3 (world, mm)
    std::vector<std::int64_t> voxels;  ///< linear indices of the mask's voxels
};
/// Features of NIfTI images (3-D or 4-D; every frame a feature) on the voxels of a mask (> 0),
/// all on the mask's grid. Errors name the file that is on another grid.
VolumeFeatures readVolumeFeatures(const std::vector<std::filesystem::path>& files, const std::filesystem::path& mask);

/// A plan file (HDF5): /plan (source × target, float32, chunked, deflate), /loss (iterations ×
/// 6: wasserstein, gromov_wasserstein, marginal_source, marginal_target, regularization, total)
/// and the attribute "metadata" (JSON: parameters, inputs, timings).
void writePlan(const std::filesystem::path& file, const FugwResult& result, const nlohmann::json& metadata);
/// A sparse (coarse-to-fine) plan: the group /plan_csr holds scipy's CSR arrays — indptr (int64,
/// rows + 1), indices (int32), data (float32) — and shape (int64 × 2), so that
/// `scipy.sparse.csr_matrix((data, indices, indptr), shape)` reads it; /loss and "metadata" as above.
void writePlan(const std::filesystem::path& file, const SparsePlan& plan, const std::vector<FugwLoss>& loss,
               const nlohmann::json& metadata);
struct PlanFile {
    bool sparse = false;
    Eigen::MatrixXf plan;         ///< dense plans
    SparsePlan sparsePlan;        ///< sparse plans (checked: monotone indptr, indices within the shape)
    nlohmann::json metadata;
};
PlanFile readPlan(const std::filesystem::path& file);

/// matches.tsv: source_vertex, target_vertex, mass (the target receiving most of each source's mass).
void writeMatches(const std::filesystem::path& file, const std::vector<Match>& matches);

} // namespace nm::align
