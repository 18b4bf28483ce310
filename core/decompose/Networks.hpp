#pragma once
// The sparse network of every scale of an atlas from its training subjects' component time courses
// (least-squares codes of the preprocessed runs on the maps): core/connectivity's estimators run
// per scale, then each scale is related to its parent. Used by `learn` and `neuromosaic-cli network ATLAS`.
#include "connectivity/SparseNetwork.hpp"
#include "io/AtlasBundle.hpp"

#include <Eigen/Core>

#include <filesystem>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::decompose {

/// Estimates the networks of the scales with index in `scaleIndices` (all when empty) from
/// `codes[scale][subject]` (samples × components) and stores them in the bundle; relates each to
/// its parent scale when that one has a network too.
void estimateBundleNetworks(io::AtlasBundle& bundle, const std::vector<std::vector<Eigen::MatrixXd>>& codes,
                            const std::vector<std::string>& subjects, const connectivity::SparseNetworkOptions& options,
                            const std::vector<std::size_t>& scaleIndices, jobs::Progress& progress);

struct SparseNetworkJob {
    std::filesystem::path bundleFile;               ///< for its provenance (datasets, subjects, preprocessing)
    std::vector<std::filesystem::path> datasets;    ///< default: the provenance's
    std::vector<int> scales;                        ///< components of the scales to estimate; default all
    std::filesystem::path cacheDir;                 ///< default: <cache>/learn
    connectivity::SparseNetworkOptions options;
};

struct SparseNetworkSummary {
    int subjects = 0;
    std::vector<int> scales;
};

/// The training subjects' component time courses of the chosen scales (indices; empty = all):
/// codes[scale][subject], samples × components; other scales stay empty.
struct ComponentCodes {
    std::vector<std::vector<Eigen::MatrixXd>> codes;
    std::vector<std::string> subjects;
    std::vector<std::size_t> scales;
};
ComponentCodes loadComponentCodes(const io::AtlasBundle& bundle, const SparseNetworkJob& job, jobs::Progress& progress);

/// Reads the training subjects named by the bundle's provenance (preprocessed as learning did,
/// from the cache), computes their codes and estimates the networks in place.
SparseNetworkSummary learnSparseNetworks(io::AtlasBundle& bundle, const SparseNetworkJob& job, jobs::Progress& progress);

} // namespace nm::decompose
