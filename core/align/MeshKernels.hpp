#pragma once
// Geometry kernels for FUGW from meshes and volumes: all-pairs geodesic distances (dense), and
// Landmark-MDS embeddings of geodesics (de Silva & Tenenbaum 2004) whose squared distances give a
// low-rank kernel without any n × n matrix (as fugw's coarse-to-fine solver).
#include "align/Fugw.hpp"
#include "anatomy/Mesh.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::align {

/// Geodesic distances between every pair of vertices by the heat method (Crane et al. 2013),
/// symmetrised ((D + Dᵀ)/2), in mm. O(n²) memory: meant for n up to ~10k.
Eigen::MatrixXf geodesicMatrix(const Mesh& mesh, jobs::Progress* progress = nullptr);

/// `count` landmarks by farthest-point sampling of geodesic distances, from vertex `first`.
std::vector<std::int32_t> farthestPointLandmarks(const Mesh& mesh, int count, std::int32_t first = 0);

struct LandmarkEmbedding {
    Eigen::MatrixXd points;                 ///< n × d; ‖x_i − x_k‖ ≈ geodesic(i, k), mm
    std::vector<std::int32_t> landmarks;
    Eigen::VectorXd eigenvalues;            ///< of the landmarks' double-centred squared distances
    double correlation = 0;                 ///< of embedded vs geodesic distances on landmark pairs
};
/// Landmark MDS: heat-method geodesics from the landmarks only (L × n), classical MDS of the
/// landmarks, then the distance-based triangulation of every other vertex.
LandmarkEmbedding landmarkEmbedding(const Mesh& mesh, int landmarks = 100, int dims = 3,
                                    jobs::Progress* progress = nullptr);

/// The geometry of a mesh: dense geodesic distances (`dense`), or the low-rank kernel of squared
/// Landmark-MDS distances otherwise. Both divided by their maximum.
Geometry meshGeometry(const Mesh& mesh, bool dense, int landmarks = 100, int dims = 3,
                      jobs::Progress* progress = nullptr);

} // namespace nm::align
