#pragma once
// Reference parcellations of the default template (Debian mricron-data): AAL (Tzourio-Mazoyer et
// al. 2002, 116 regions) and the Harvard–Oxford cortical atlas (Desikan et al. 2006 / FSL, 48
// bilateral regions, split at the midline into 96 as nilearn's symmetric_split does). Used as fixed
// dictionaries in reconstruction baselines and to name learned components by anatomy.
#include "io/Volume.hpp"

#include <Eigen/Core>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace nm::anatomy {

struct Parcellation {
    std::string id;                      ///< "AAL", "HarvardOxford"
    Volume labels;                       ///< integer labels (0 = background)
    std::map<int, std::string> names;
};

/// Names of a label volume from its mricron sidecar "<file stem>.txt" ("<label> <name> ..."
/// lines); empty if there is none.
std::map<int, std::string> readLabelSidecar(const std::filesystem::path& labelVolume);

/// Throws nm::InputError naming the missing file (install mricron-data) when absent.
Parcellation loadAal();
/// `symmetricSplit`: left (x < 0) and right halves become separate regions ("Left …"/"Right …").
Parcellation loadHarvardOxford(bool symmetricSplit = true);
/// "aal" or "harvard-oxford" (case-insensitive); throws nm::InputError otherwise.
Parcellation loadParcellation(const std::string& name);

/// The regions as a dictionary on `maskVoxels` of `grid` (nearest-neighbour resampling of the
/// labels, as nilearn's NiftiLabelsMasker): one row per region present, 1 inside, 0 outside.
struct ParcelDictionary {
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> maps;  ///< regions × voxels
    std::vector<int> labels;             ///< label of each row
};
ParcelDictionary parcelDictionary(const Parcellation& parcellation, const VolumeGeometry& grid,
                                  const std::vector<std::int64_t>& maskVoxels);

/// Label of each mask voxel (nearest neighbour), 0 outside every region.
std::vector<int> labelsOnVoxels(const Parcellation& parcellation, const VolumeGeometry& grid,
                                const std::vector<std::int64_t>& maskVoxels);

} // namespace nm::anatomy
