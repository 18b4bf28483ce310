#pragma once
// Exports of an atlas bundle for other tools: per scale a 4-D NIfTI of the maps (DiFuMo's
// maps.nii.gz layout: one frame per component), a labels TSV (name, parent, centroid, size,
// held-out explained variance, dominant AAL and Harvard–Oxford regions), GIFTI func files of the
// surface projections, and the component network as .npy; plus the mask and the hierarchy.
#include "io/AtlasBundle.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace nm::decompose {

/// The anatomical region holding most of each map's mass (label volumes resampled to the
/// bundle's grid by nearest neighbour). `fraction`: that region's share of the map's mass.
struct RegionAssignment {
    std::vector<std::string> region;
    std::vector<double> fraction;
};
RegionAssignment dominantRegions(const io::SparseMapsF& maps, const std::vector<int>& voxelLabels,
                                 const std::map<int, std::string>& names);

/// Names like "Precentral_L", "Precentral_L 2" (AAL region of most mass; "unlabelled" outside).
std::vector<std::string> anatomicalNames(const RegionAssignment& regions);

struct ExportOptions {
    std::vector<int> scales;             ///< empty: all
    std::string prefix = "atlas";
    bool nifti = true, labels = true, gifti = true, network = true;
    int compressionLevel = 6;
};

/// Writes into `directory` (created); returns the files written. Throws nm::Error on I/O errors.
std::vector<std::filesystem::path> exportAtlas(const io::AtlasBundle& bundle, const std::filesystem::path& directory,
                                               const ExportOptions& options);

} // namespace nm::decompose
