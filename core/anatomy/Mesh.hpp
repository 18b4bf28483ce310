#pragma once
// A triangle surface mesh (vertices in world RAS+ mm) with named per-vertex scalar arrays.
#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace nm {

using Vertices = Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>;
using Triangles = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor>;

struct Mesh {
    Vertices vertices;
    Triangles triangles;
    /// Per-vertex arrays (e.g. "sulc", "curv"), each of length vertexCount().
    std::map<std::string, Eigen::VectorXf> scalars;

    [[nodiscard]] Eigen::Index vertexCount() const { return vertices.rows(); }
    [[nodiscard]] Eigen::Index triangleCount() const { return triangles.rows(); }
    /// Throws nm::Error if triangle indices are out of range, coordinates are not finite or a
    /// scalar array has the wrong length; `what` names the mesh in the message.
    void validate(const std::string& what) const;
};

/// Compact binary mesh file used by the cache ("NMMESH1"): counts, vertices, triangles, scalars.
void writeMeshBinary(const std::filesystem::path& file, const Mesh& mesh);
Mesh readMeshBinary(const std::filesystem::path& file);

} // namespace nm
