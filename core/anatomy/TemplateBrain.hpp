#pragma once
// A first rendering of the MNI template brain: a smoothed isosurface of the skull-stripped
// ch2bet template from Debian's mricron-data, built once and cached. (The cortical surfaces per
// hemisphere — white, pial, inflated, sphere — are built by the anatomy pipeline.)
#include "anatomy/Mesh.hpp"
#include "jobs/Progress.hpp"

#include <filesystem>

namespace nm::anatomy {

struct TemplateBrainOptions {
    std::filesystem::path t1;          ///< default: <mricron templates>/ch2bet.nii.gz
    double isoLevel = 40.0;            ///< intensity of the brain boundary in ch2bet (0..133)
    double smoothingSigmaMm = 1.0;     ///< Gaussian pre-smoothing of the volume
    int targetTriangles = 160000;      ///< decimation target
};

struct CachedMesh {
    Mesh mesh;
    bool fromCache = false;
    double seconds = 0.0;              ///< wall time of this call
    std::filesystem::path cacheFile;
};

/// Loads the cached surface or builds it (≈ a few seconds cold). Throws nm::InputError naming the
/// template file when mricron-data is missing.
CachedMesh loadTemplateBrain(const TemplateBrainOptions& options = {}, jobs::Progress* progress = nullptr);

/// Cache key for a file-derived product: file identity (path, size, mtime) + parameters.
std::string cacheKey(const std::filesystem::path& input, const std::string& parameters);

} // namespace nm::anatomy
