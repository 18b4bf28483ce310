#pragma once
// The ITK side of resampling, behind an interface free of Eigen: ITK bundles its own copy of Eigen
// (itkeigen) that cannot share a translation unit with the system Eigen we use everywhere else.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nm::io::itkbridge {

struct RawImageInfo {
    int dimensions = 3;                  ///< 2, 3 or 4
    std::array<std::size_t, 4> size{1, 1, 1, 1};
    std::array<double, 9> direction{};   ///< LPS, row-major, column = axis
    std::array<double, 3> origin{};      ///< LPS mm
    std::array<double, 4> spacing{1, 1, 1, 1};
    std::string dataType;                ///< "uint8" ... "float64"
    std::uintmax_t dataBytes = 0;        ///< bytes of voxel data in the file's type
};

} // namespace nm::io::itkbridge

namespace nm::io::itkbridge {

enum class Interpolator { Nearest, Linear };
/// Resamples a 3-D float image (i fastest) from `source` geometry onto `target` geometry with an
/// identity transform in physical space; voxels outside the source get `outside`.
void resample(const RawImageInfo& source, const float* sourceData, const RawImageInfo& target, float* targetData,
              Interpolator interpolator, float outside);

} // namespace nm::io::itkbridge
