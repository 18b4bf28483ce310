#pragma once
// The cortical surfaces of a space, per hemisphere: white, pial, mid-thickness, inflated and
// sphere (one triangulation, several vertex sets), with sulcal depth, curvature and thickness.
//
// The default space is built from Debian's mricron-data (the MNI ch2bet template and the AAL
// atlas) by `buildTemplateSurfaces` and cached; fsaverage (nilearn's GIFTI files or a FreeSurfer
// subject directory) can be loaded instead.
#include "anatomy/Mesh.hpp"
#include "jobs/Progress.hpp"

#include <filesystem>
#include <string>

namespace nm::anatomy {

enum class Hemisphere { Left, Right };
std::string toString(Hemisphere h);  ///< "left" / "right"

struct HemisphereSurfaces {
    Mesh white, pial, midthickness, inflated, sphere;  ///< identical triangles and vertex order
    Eigen::VectorXf sulc, curv, thickness;             ///< per vertex (FreeSurfer conventions:
                                                       ///< sulc and curv > 0 in sulci)
    [[nodiscard]] Eigen::Index vertexCount() const { return white.vertexCount(); }
    /// "white", "pial", "midthickness" (or "mid"), "inflated", "sphere"; throws nm::InputError.
    [[nodiscard]] const Mesh& surface(const std::string& name) const;
};

struct SurfaceSpace {
    std::string id;                    ///< "template", "fsaverage5", or the source path
    HemisphereSurfaces left, right;
    [[nodiscard]] const HemisphereSurfaces& hemisphere(Hemisphere h) const { return h == Hemisphere::Left ? left : right; }
    [[nodiscard]] HemisphereSurfaces& hemisphere(Hemisphere h) { return h == Hemisphere::Left ? left : right; }
};

struct TemplateSurfaceOptions {
    std::filesystem::path t1;          ///< default <mricron>/ch2bet.nii.gz (skull-stripped, 1 mm)
    std::filesystem::path atlas;       ///< default <mricron>/aal.nii.gz (cerebrum vs cerebellum)
    int targetVertices = 40000;        ///< per hemisphere
    double maskSmoothingMm = 0.8;      ///< Gaussian σ applied to the white-matter mask
    int inflationIterations = 400;     ///< umbrella smoothing steps for the inflated surface
    int sphereIterations = 1500;       ///< further smoothing before projection to the sphere
};

struct SurfaceBuildReport {
    bool fromCache = false;
    double seconds = 0.0;
    std::filesystem::path cacheDirectory;
    double thresholdGreyMatter = 0.0, thresholdWhiteMatter = 0.0;  ///< T1 intensities (k-means)
};

/// Loads the template surfaces from the cache, or builds them (≈ 10–30 s) and caches them under
/// <cache>/anatomy/template-surfaces-<hash of inputs and options>.
SurfaceSpace loadTemplateSurfaces(const TemplateSurfaceOptions& options = {}, jobs::Progress* progress = nullptr,
                                  SurfaceBuildReport* report = nullptr);

/// Builds without the cache (the pipeline itself; see Surfaces.cpp for the steps).
SurfaceSpace buildTemplateSurfaces(const TemplateSurfaceOptions& options, jobs::Progress* progress,
                                   SurfaceBuildReport* report = nullptr);

/// fsaverage-like surfaces from a directory holding either nilearn's files
/// ({pial,white,infl,sphere,sulc,curv,thick}_{left,right}.gii[.gz]) or a FreeSurfer subject
/// (surf/{lh,rh}.{white,pial,inflated,sphere,sulc,curv,thickness}).
SurfaceSpace loadSurfaceDirectory(const std::filesystem::path& directory, const std::string& id = "");

/// "template" (default space), "fsaverage5" (resolved through $NEUROMOSAIC_FSAVERAGE5_DIR or the
/// shared test data), or a directory path.
SurfaceSpace loadSurfaceSpace(const std::string& spec, jobs::Progress* progress = nullptr);

/// Keeps the largest vertex-connected component (re-indexing vertices and scalars).
Mesh largestMeshComponent(const Mesh& mesh);

} // namespace nm::anatomy
