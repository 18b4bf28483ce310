#pragma once
// Per-vertex overlays for a surface space from any supported file: volumes (NIfTI, MGH/MGZ) are
// projected onto both hemispheres; surface files (GIFTI func/shape/label, FreeSurfer curv/sulc/
// thickness, .annot, MGH N×1×1) are per hemisphere, which is inferred from the file name
// (lh./rh., left/right, hemi-L/hemi-R) or the GIFTI AnatomicalStructurePrimary. Atlas bundles
// (*.nmatlas.h5) give the maps of one scale: their stored projections when they were made on this
// space, otherwise the volume maps projected.
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nm::anatomy {

struct SurfaceOverlay {
    std::string name;
    Eigen::MatrixXf left, right;       ///< vertices × maps (0 columns: not on that hemisphere)
    bool categorical = false;          ///< integer labels (parcellations, annotations)
    std::map<int, std::array<float, 3>> labelColors;
    std::map<int, std::string> labelNames;
    std::string source;                ///< "volume" (projected) or "surface"
    std::vector<std::string> mapNames; ///< per map, when the file names them (atlas components)
    /// Atlas mosaics: per vertex, the winner's value over its map's peak (0–1), for soft alpha.
    Eigen::VectorXf leftWeight, rightWeight;
};

struct OverlayOptions {
    std::optional<bool> labels;        ///< force categorical (true) or continuous (false)
    std::optional<Hemisphere> hemisphere;  ///< for surface files whose name does not tell
    ProjectionOptions projection;      ///< for volumes (labels use nearest + max automatically)
    int atlasScale = 0;                ///< atlas bundles: components of the scale (0 = coarsest)
    /// Atlas bundles: one categorical map, each vertex labelled with the component that loads most
    /// on it (winner-take-all, 1-based; 0 where no map reaches `mosaicThreshold` of its peak).
    bool atlasMosaic = false;
    float mosaicThreshold = 0.1f;
    /// Mosaic: pieces of a parcel smaller than this fraction of the median parcel (in vertices)
    /// are merged into their neighbours (mergeSmallIslands); 0 keeps every piece.
    float mosaicMinIsland = 0.05f;
};

/// Winner-take-all labels of maps (vertices × k): the 1-based index of the largest value per
/// vertex, 0 where it is below `threshold` × that map's peak — `peaks` (1 × k, e.g. the maps'
/// maxima in the volume) or else the maximum over these vertices; `weight` gets the winning value.
Eigen::VectorXf winnerTakeAll(const Eigen::MatrixXf& maps, float threshold, Eigen::VectorXf* weight = nullptr,
                              const Eigen::RowVectorXf* peaks = nullptr);

/// Throws nm::InputError naming the file: unknown type, vertex count ≠ surface, hemisphere unknown.
SurfaceOverlay loadSurfaceOverlay(const std::filesystem::path& file, const SurfaceSpace& space,
                                  const OverlayOptions& options = {});

/// Merges a per-hemisphere overlay into another (e.g. lh.* and rh.* files of one map).
void mergeOverlay(SurfaceOverlay& into, const SurfaceOverlay& other);

/// Hemisphere named by a file name, if any.
std::optional<Hemisphere> hemisphereFromName(const std::string& filename);

} // namespace nm::anatomy
