#pragma once
// Voxel-grid operations used to build anatomy: smoothing, morphology, connected components,
// hole filling, exact Euclidean distance transforms with nearest-feature propagation, tissue
// classes by k-means, and trilinear sampling.
#include "io/Volume.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace nm::anatomy {

/// A binary or label image on a grid (same layout as Volume: i fastest).
struct Mask {
    std::array<int, 3> dims{0, 0, 0};
    std::vector<std::uint8_t> data;
    [[nodiscard]] std::size_t size() const { return data.size(); }
    [[nodiscard]] std::size_t index(int i, int j, int k) const {
        return std::size_t(i) + std::size_t(dims[0]) * (std::size_t(j) + std::size_t(dims[1]) * std::size_t(k));
    }
    [[nodiscard]] std::size_t count() const;
};
Mask makeMask(const std::array<int, 3>& dims, bool value = false);

/// Separable Gaussian smoothing of one frame in place; sigma in voxels per axis (0 skips an axis).
void gaussianSmooth(std::vector<float>& values, const std::array<int, 3>& dims, const std::array<double, 3>& sigmaVoxels);

/// 6-connected components; returns labels (0 = background, 1..n) and sizes[label].
std::vector<std::int32_t> connectedComponents(const Mask& mask, std::vector<std::size_t>& sizes);
/// Keeps the largest 6-connected component.
Mask largestComponent(const Mask& mask);
/// Fills cavities: background not 6-connected to the grid border becomes foreground.
Mask fillHoles(const Mask& mask);
/// Morphology with the 3×3×3 (26-neighbour) structuring element, `iterations` times.
Mask dilate(const Mask& mask, int iterations = 1);
Mask erode(const Mask& mask, int iterations = 1);
Mask closing(const Mask& mask, int iterations = 1);

/// Exact squared Euclidean distance (in mm, anisotropic spacing) from every voxel to the nearest
/// foreground voxel of `features` (Felzenszwalb & Huttenlocher 2012), with the linear index of
/// that nearest feature voxel in `nearest` (the "Voronoi map"). Foreground voxels have distance 0.
void distanceTransform(const Mask& features, const std::array<double, 3>& spacingMm, std::vector<float>& squaredDistance,
                       std::vector<std::int64_t>& nearest);

/// 1-D k-means (Lloyd) of values, initialised at evenly spaced quantiles; returns sorted centres.
std::vector<double> kMeans1D(std::vector<float> values, int k, int iterations = 50);

/// Trilinear interpolation of a frame at continuous voxel coordinates; `outside` beyond the grid.
float sampleTrilinear(const Volume& volume, const Eigen::Vector3d& voxel, int frame = 0, float outside = 0.0f);

} // namespace nm::anatomy
