#pragma once
// The ITK side of core, behind an interface free of Eigen and of exceptions.
//
// ITK 5.2 bundles its own Eigen 3.3.9 (itkeigen) in namespace Eigen, while core uses the system
// Eigen 3.4. Keeping them in separate translation units is not enough: both emit inline and
// template instantiations with the same mangled names, and a static link keeps one of them (an
// ODR violation: UBSan caught Eigen 3.3.9's Redux running inside Eigen 3.4's eigen solver). So
// every file that includes an ITK header is named `*Itk.cpp` and is built into the shared library
// `libnmitk.so` with hidden visibility (core/CMakeLists.txt): its instantiations bind inside that
// library and only the functions declared NM_ITK_API here are exported. The ctest
// `build/ITK's Eigen and ours never meet` checks this on the built objects (tests/check_eigen_isolation.sh).
#include <array>
#include <cstdint>
#include <string>

#define NM_ITK_API __attribute__((visibility("default")))

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

enum class Interpolator { Nearest, Linear };

/// Resamples a 3-D float image (i fastest) from `source` geometry onto `target` geometry with an
/// identity transform in physical space; voxels outside the source get `outside`. Returns an empty
/// string on success, otherwise ITK's description of the failure (no exception crosses the
/// library boundary).
NM_ITK_API std::string resample(const RawImageInfo& source, const float* sourceData, const RawImageInfo& target,
                                float* targetData, Interpolator interpolator, float outside) noexcept;

/// ITK's version string ("5.2.1").
NM_ITK_API std::string itkVersion();

} // namespace nm::io::itkbridge
