#pragma once
// A 3-D or 4-D image on a regular grid with its voxel → world (RAS+, mm) affine, as nibabel and
// nilearn represent NIfTI images. Voxel data keep the file's order: i fastest, then j, k, t.
#include <Eigen/Core>
#include <Eigen/Geometry>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nm {

struct VolumeGeometry {
    std::array<int, 3> dims{0, 0, 0};
    /// Voxel (i, j, k, 1) → world RAS+ millimetres.
    Eigen::Matrix4d affine = Eigen::Matrix4d::Identity();

    [[nodiscard]] std::size_t voxelCount() const {
        return std::size_t(dims[0]) * std::size_t(dims[1]) * std::size_t(dims[2]);
    }
    [[nodiscard]] Eigen::Vector3d voxelSize() const {
        return affine.topLeftCorner<3, 3>().colwise().norm().transpose();
    }
    [[nodiscard]] Eigen::Vector3d worldOf(double i, double j, double k) const {
        return (affine * Eigen::Vector4d(i, j, k, 1.0)).head<3>();
    }
    [[nodiscard]] Eigen::Vector3d voxelOf(const Eigen::Vector3d& world) const {
        return (affine.inverse() * world.homogeneous()).head<3>();
    }
    [[nodiscard]] std::size_t index(int i, int j, int k) const {
        return std::size_t(i) + std::size_t(dims[0]) * (std::size_t(j) + std::size_t(dims[1]) * std::size_t(k));
    }
    /// Same grid (dims equal, affines equal within `tolerance` mm).
    [[nodiscard]] bool sameGrid(const VolumeGeometry& other, double tolerance = 1e-3) const;
};

struct Volume {
    VolumeGeometry geometry;
    int frames = 1;                 ///< 4th dimension (time); 1 for a 3-D image
    double repetitionTime = 0.0;    ///< seconds, from pixdim[4] when the file says so; 0 if unknown
    std::string sourceDataType;     ///< the file's voxel type ("uint8", "int16", "float32", ...)
    std::vector<float> data;        ///< voxelCount() * frames values, scaled by slope/intercept

    [[nodiscard]] std::size_t voxelCount() const { return geometry.voxelCount(); }
    [[nodiscard]] float at(int i, int j, int k, int t = 0) const {
        return data[geometry.index(i, j, k) + voxelCount() * std::size_t(t)];
    }
    [[nodiscard]] float& at(int i, int j, int k, int t = 0) {
        return data[geometry.index(i, j, k) + voxelCount() * std::size_t(t)];
    }
    /// Pointer to frame t (voxelCount() contiguous values).
    [[nodiscard]] const float* frame(int t) const { return data.data() + voxelCount() * std::size_t(t); }
    [[nodiscard]] float* frame(int t) { return data.data() + voxelCount() * std::size_t(t); }
};

} // namespace nm
