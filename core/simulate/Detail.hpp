#pragma once
// Internal building blocks of the simulator (not part of the public API).
#include "io/Volume.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace nm::simulate::detail {

/// Deterministic random streams: one per (seed, purpose, index), independent of thread order.
std::mt19937_64 stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index = 0);
/// Standard normal deviates (Marsaglia's polar method: portable across standard libraries).
class Normal {
public:
    explicit Normal(std::mt19937_64& rng) : rng_(rng) {}
    double operator()();

private:
    std::mt19937_64& rng_;
    bool cached_ = false;
    double spare_ = 0.0;
};
double uniform(std::mt19937_64& rng, double lo = 0.0, double hi = 1.0);

struct Grid {
    VolumeGeometry geometry;
    std::vector<std::int64_t> voxels;        ///< brain voxel → grid index
    std::vector<std::int32_t> gridToBrain;   ///< grid index → brain voxel, −1 outside
    std::vector<int> region;                 ///< AAL label per brain voxel (0: none)
    std::vector<std::string> regionNames;    ///< by AAL label
    Eigen::MatrixXd world;                   ///< brain voxels × 3, mm
    Eigen::VectorXf baseline;                ///< EPI-like mean intensity per brain voxel
    [[nodiscard]] Eigen::Index size() const { return Eigen::Index(voxels.size()); }
};
/// The MNI brain (mricron ch2bet) and AAL labels on a grid of `voxelMm`, cropped to the brain.
Grid makeGrid(double voxelMm, std::uint64_t seed);
/// A smooth random field over the brain voxels (zero mean, unit s.d.), σ in mm.
Eigen::VectorXf smoothField(const Grid& grid, double sigmaMm, std::mt19937_64& rng);

using SparseMaps = Eigen::SparseMatrix<float>;  ///< brain voxels × components

struct Scale {
    int k = 0;
    SparseMaps maps;                 ///< soft maps, max 1 per component
    std::vector<int> hard;           ///< brain voxel → component (−1: none)
    std::vector<int> parent;         ///< component → component of the previous scale (−1 at the top)
    Eigen::MatrixXd centroids;       ///< k × 3, mm
    std::vector<int> region;         ///< dominant AAL label per component
    std::vector<int> size;           ///< voxels of the hard parcel
};
std::vector<Scale> makeComponents(const Grid& grid, const std::vector<int>& scales, std::uint64_t seed);

struct Concept {
    std::string name;
    std::vector<std::string> regions;  ///< AAL regions where it is expressed
};
const std::vector<Concept>& vocabulary();

struct Condition {
    std::string name;   ///< the study's own trial_type
    int conceptId = 0;  ///< index into vocabulary()
};
struct Study {
    std::string task, title;
    double tr = 2.0;
    bool block = true;
    bool ownNames = false;  ///< trial_type is the study's own name; the concept is in a mapping file
    std::vector<Condition> conditions;
};
const std::vector<Study>& studyCatalogue();

/// concepts × fine components, sparse positive weights (each concept: a few components in its regions).
Eigen::MatrixXf conceptWeights(const Grid& grid, const Scale& fine, std::uint64_t seed);

struct Network {
    Eigen::MatrixXd precision, covariance;  ///< k × k; covariance has unit diagonal
    std::vector<int> module;
};
Network makeNetwork(const Scale& scale, int modules, std::uint64_t seed);

} // namespace nm::simulate::detail
