#pragma once
// Starting dictionaries for the online learner, from data.
#include "decompose/OnlineDictionaryLearner.hpp"

#include <cstdint>

namespace nm::decompose {

/// Spatial clustering of voxels by their time courses (spherical k-means on the z-scored
/// columns of `samples`, n × p, k-means++ seeding): the cluster indicators are the starting maps.
/// Voxels that covary fall in one map, which places the non-convex learner near a good optimum
/// (random volumes mix every component and lead to mixtures).
RowMatrixF clusterInitialization(const RowMatrixF& samples, int components, std::uint64_t seed, int iterations = 15);

/// Random volumes, positive part (the simple alternative).
RowMatrixF sampleInitialization(const RowMatrixF& samples, int components, std::uint64_t seed);

/// The top right-singular vectors of the samples, each signed to be mostly positive (reduced SVD).
RowMatrixF svdInitialization(const RowMatrixF& samples, int components);

} // namespace nm::decompose
