#pragma once
// Known deformations of a spherical mesh (for validating alignment on real surfaces), the
// barycentres of a plan's mass on a sphere, and displacement errors.
#include "align/CoarseToFine.hpp"
#include "anatomy/Mesh.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace nm::align {

/// A smooth swirl of the sphere: points rotate about the axis `centre` by an angle that falls off
/// as a Gaussian of their angular distance to it (angle · exp(−ψ² / 2σ²)); exactly invertible
/// (a rotation about `centre` keeps ψ).
struct SphereSwirl {
    Eigen::Vector3d centre = Eigen::Vector3d::UnitX();
    double angle = 0.2;   ///< radians at the centre
    double sigma = 0.6;   ///< radians
    [[nodiscard]] Eigen::Vector3d apply(const Eigen::Vector3d& x, bool inverse = false) const;
};

/// For every point, the index of the nearest vertex (brute force, parallel; directions compared
/// on the unit sphere when `onSphere`).
std::vector<std::int32_t> nearestVertices(const Vertices& vertices, const Eigen::MatrixXd& points, bool onSphere);

struct KnownDeformation {
    Eigen::MatrixXf targetFeatures;       ///< target vertex j carries the source's features at φ⁻¹(j)
    std::vector<std::int32_t> truth;      ///< source vertex i → the target vertex nearest φ(i)
};
/// Warps per-vertex features of a mesh by a swirl of its sphere (same mesh for source and target).
KnownDeformation deformFeatures(const Mesh& sphere, const Eigen::MatrixXf& features, const SphereSwirl& swirl);

/// For every source vertex, the target vertex nearest to the barycentre of its mass computed on
/// the target's sphere (−1 when the row carries no mass).
std::vector<std::int32_t> massBarycentres(const Eigen::MatrixXf& plan, const Mesh& targetSphere);
/// The same for a sparse (coarse-to-fine) plan.
std::vector<std::int32_t> massBarycentres(const SparsePlan& plan, const Mesh& targetSphere);

/// ‖surface(a_i) − surface(b_i)‖ (mm) for two vertex assignments (−1 entries give NaN).
Eigen::VectorXd vertexDistances(const Mesh& surface, const std::vector<std::int32_t>& a,
                                const std::vector<std::int32_t>& b);

} // namespace nm::align
