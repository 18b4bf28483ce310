#pragma once
// Geometry of triangle meshes: adjacency, normals, areas, smoothing, curvature, connected
// components, geodesic distances (graph Dijkstra and the heat method), parcel borders and centroids.
#include "anatomy/Mesh.hpp"

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstdint>
#include <memory>
#include <vector>

namespace nm::anatomy {

/// A geodesic sphere: a subdivided icosahedron (10·4^n + 2 vertices), outward oriented.
Mesh icosphere(int subdivisions, double radius = 1.0);

/// Vertex adjacency in compressed-row form: neighbours of v are indices[offsets[v] .. offsets[v+1]).
struct Adjacency {
    std::vector<std::int64_t> offsets;
    std::vector<std::int32_t> indices;
    [[nodiscard]] std::size_t vertexCount() const { return offsets.empty() ? 0 : offsets.size() - 1; }
    [[nodiscard]] std::size_t degree(std::size_t v) const { return std::size_t(offsets[v + 1] - offsets[v]); }
};
Adjacency vertexAdjacency(const Mesh& mesh);

/// Area-weighted vertex normals (unit length; outward for a consistently oriented closed mesh).
Vertices vertexNormals(const Mesh& mesh);
/// One third of the area of the incident triangles (the barycentric vertex area), mm².
Eigen::VectorXd vertexAreas(const Mesh& mesh);
double surfaceArea(const Mesh& mesh);
/// Signed enclosed volume (positive when triangles are oriented outward).
double signedVolume(const Mesh& mesh);
/// Directed triangle edges (a→b) that break a closed, consistently oriented 2-manifold: those that
/// occur more than once, or whose reverse (b→a) does not occur exactly once (holes, fins, flipped
/// triangles). −1 for an index out of range or an empty mesh.
std::int64_t orientationDefects(const Mesh& mesh);
/// orientationDefects(mesh) == 0: a surface that, seen from outside, hides all its back faces.
bool isClosedOriented(const Mesh& mesh);
/// Reverses every triangle's orientation.
void flipOrientation(Mesh& mesh);

/// Connected components of the vertex graph: label per vertex (0..n-1), returns n.
int meshComponents(const Mesh& mesh, std::vector<int>& labels);

/// Umbrella-operator Laplacian smoothing: x ← x + λ (mean(neighbours) − x), `iterations` times.
void laplacianSmooth(Vertices& vertices, const Adjacency& adjacency, double lambda, int iterations);

/// Cotangent Laplacian L (negative semi-definite, rows sum to 0) and lumped (barycentric) mass
/// matrix M, as in Pinkall & Polthier 1993 / Meyer et al. 2003.
void cotanLaplacian(const Mesh& mesh, Eigen::SparseMatrix<double>& L, Eigen::SparseMatrix<double>& M);

/// Signed mean curvature per vertex from the cotangent Laplacian (H = ½ ⟨Δx, n⟩ / A), 1/mm.
/// Positive where the surface bends away from its normal (sulcal fundi of an outward-oriented
/// cortical surface), as FreeSurfer's ?h.curv.
Eigen::VectorXf meanCurvature(const Mesh& mesh);

/// Geodesic distance along mesh edges (Dijkstra from several sources at distance 0).
Eigen::VectorXd graphGeodesic(const Mesh& mesh, const std::vector<std::int32_t>& sources);

/// The heat method (Crane, Weischedel & Wardetzky 2013): smooth, accurate geodesic distances.
/// Factorises two sparse systems once; `distances` can then be called for many source sets.
class HeatGeodesic {
public:
    /// timeFactor multiplies the mean edge length squared to give the heat time t (paper: 1).
    explicit HeatGeodesic(const Mesh& mesh, double timeFactor = 1.0);
    ~HeatGeodesic();
    HeatGeodesic(HeatGeodesic&&) noexcept;
    HeatGeodesic& operator=(HeatGeodesic&&) noexcept;
    [[nodiscard]] Eigen::VectorXd distances(const std::vector<std::int32_t>& sources) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Borders between labelled regions as polylines on the surface: for every triangle whose
/// vertices carry different labels, segments join the midpoints of its edges (and its centroid
/// when three labels meet), chained into lines and loops.
struct BorderLine {
    std::vector<Eigen::Vector3f> points;
    std::vector<std::int32_t> vertices;  ///< per point, a mesh vertex next to it (of its edge or triangle)
    bool closed = false;
    int labelA = 0, labelB = 0;  ///< the two regions it separates
};
std::vector<BorderLine> parcelBorders(const Mesh& mesh, const Eigen::VectorXi& labels);

/// Cleans a parcellation for display: every connected piece of a label (labels > 0) with fewer
/// than `minVertices` vertices is given to its neighbours — each of its vertices takes the label
/// that most of its already-settled neighbours carry, growing in from the piece's border (as a
/// label dilation) — or 0 when it touches no other label. Pieces of `minVertices` or more stay,
/// so a component with several large blobs keeps them all. Returns the vertices relabelled.
std::int64_t mergeSmallIslands(const Mesh& mesh, Eigen::VectorXi& labels, int minVertices);

/// Area-weighted centroid of each label (labels < 0 ignored) and the vertex nearest to it.
struct ParcelCentroid {
    int label = 0;
    Eigen::Vector3d position = Eigen::Vector3d::Zero();
    std::int32_t nearestVertex = -1;
    double area = 0.0;
};
std::vector<ParcelCentroid> parcelCentroids(const Mesh& mesh, const Eigen::VectorXi& labels);

} // namespace nm::anatomy
