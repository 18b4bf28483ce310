#pragma once
// Volume ↔ surface projection. Volume → surface samples each vertex at several depths of the
// cortical ribbon (white → pial), or along the normal, with nearest or trilinear interpolation,
// and reduces the samples by mean or max — nilearn's vol_to_surf ("line" kernel) semantics.
// Surface → volume assigns each ribbon voxel the mean of the vertices whose samples fall in it.
// Both precompute a sparse sampling matrix, so projecting many maps costs one sparse product each.
#include "anatomy/Surfaces.hpp"
#include "io/Volume.hpp"

#include <Eigen/SparseCore>

namespace nm::anatomy {

struct ProjectionOptions {
    enum class Sampling { Ribbon, Normal };
    enum class Interpolation { Nearest, Trilinear };
    enum class Reduction { Mean, Max, Mode };  ///< Mode: most frequent non-zero value (labels)
    Sampling sampling = Sampling::Ribbon;
    Interpolation interpolation = Interpolation::Trilinear;
    Reduction reduction = Reduction::Mean;
    int depths = 5;              ///< samples per vertex (ribbon: fractions 0..1 of white→pial)
    double normalRadiusMm = 3.0; ///< Normal sampling: from −r to +r along the normal of the mid surface
};

class VolumeToSurface {
public:
    VolumeToSurface(const HemisphereSurfaces& surfaces, const VolumeGeometry& grid, const ProjectionOptions& options = {});
    /// vertices × frames. Samples outside the grid are ignored (a vertex with none gets 0).
    /// Throws nm::InputError when the volume's grid differs from the one given at construction.
    [[nodiscard]] Eigen::MatrixXf project(const Volume& volume) const;
    [[nodiscard]] Eigen::Index vertexCount() const { return vertices_; }
    /// Projects sparse maps given over a subset of grid voxels (maps: k × voxels.size(),
    /// `voxels`: grid indices), `chunk` maps at a time; values below `threshold` × each map's
    /// peak become 0. Returns k × vertices, sparse.
    [[nodiscard]] Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t> projectSparse(
        const Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>& maps, const std::vector<std::int64_t>& voxels,
        float threshold = 0.01f) const;

    /// Dense values over a subset of grid voxels (voxels.size() × F, signed) → vertices × F, the
    /// mean over the ribbon's samples (the Mean reduction; voxels not listed count as 0).
    [[nodiscard]] Eigen::MatrixXf projectValues(const Eigen::MatrixXf& values, const std::vector<std::int64_t>& voxels) const;

private:
    /// Column of the sampling matrix of every listed voxel (−1: the ribbon never samples it).
    [[nodiscard]] std::vector<int> samplingColumns(const std::vector<std::int64_t>& voxels) const;
    VolumeGeometry grid_;
    ProjectionOptions options_;
    Eigen::Index vertices_ = 0;
    std::vector<std::int64_t> usedVoxels_;                    ///< columns of sampling_ → voxel index
    Eigen::SparseMatrix<float, Eigen::RowMajor> sampling_;    ///< (vertices·depths) × used voxels
    Eigen::VectorXf sampleCount_;                             ///< valid samples per vertex
};

/// Per-vertex values of both hemispheres back to a volume on `grid` (frames = columns).
/// Voxels the ribbon does not reach are 0.
Volume surfaceToVolume(const SurfaceSpace& space, const Eigen::MatrixXf& left, const Eigen::MatrixXf& right,
                       const VolumeGeometry& grid, int depths = 5);

} // namespace nm::anatomy
