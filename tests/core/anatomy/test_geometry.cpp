#include "anatomy/MeshGeometry.hpp"
#include "anatomy/VolumeOps.hpp"
#include "common/Error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace nm;
using namespace nm::anatomy;

namespace {
double greatCircle(const Eigen::Vector3f& a, const Eigen::Vector3f& b, double r) {
    return r * std::acos(std::clamp(double(a.normalized().dot(b.normalized())), -1.0, 1.0));
}
} // namespace

TEST_CASE("icosphere, adjacency, normals, areas and volume", "[anatomy][geometry]") {
    const Mesh s = icosphere(4, 50.0);
    CHECK(s.vertexCount() == 10 * 256 + 2);
    CHECK(s.triangleCount() == 20 * 256);
    const Adjacency adj = vertexAdjacency(s);
    int five = 0;
    for (std::size_t v = 0; v < adj.vertexCount(); ++v) {
        CHECK((adj.degree(v) == 5 || adj.degree(v) == 6));
        five += adj.degree(v) == 5;
    }
    CHECK(five == 12);  // the icosahedron's vertices
    CHECK(surfaceArea(s) == Approx(4 * M_PI * 2500).epsilon(0.01));
    CHECK(signedVolume(s) == Approx(4.0 / 3.0 * M_PI * 125000).epsilon(0.01));
    const Vertices n = vertexNormals(s);
    for (Eigen::Index v = 0; v < s.vertexCount(); v += 97) CHECK(n.row(v).dot(s.vertices.row(v).normalized()) > 0.999f);
    std::vector<int> labels;
    CHECK(meshComponents(s, labels) == 1);
}

TEST_CASE("closed, consistently oriented meshes and their defects", "[anatomy][geometry]") {
    Mesh s = icosphere(3, 10.0);
    CHECK(orientationDefects(s) == 0);
    CHECK(isClosedOriented(s));
    // Flipping every triangle keeps the mesh closed and consistent (inward now: negative volume).
    flipOrientation(s);
    CHECK(isClosedOriented(s));
    CHECK(signedVolume(s) < 0);
    flipOrientation(s);
    // One flipped triangle: its three edges now run the same way as their neighbours' (3 × 2 defects).
    Mesh one = s;
    std::swap(one.triangles(7, 1), one.triangles(7, 2));
    CHECK(orientationDefects(one) == 6);
    // A hole (one triangle removed): its three edges lose their reverse.
    Mesh holed = s;
    holed.triangles = s.triangles.bottomRows(s.triangleCount() - 1);
    CHECK(orientationDefects(holed) == 3);
    CHECK_FALSE(isClosedOriented(holed));
    // A single triangle is open on all sides; an out-of-range index is reported, not read.
    Mesh tri;
    tri.vertices = Vertices::Zero(3, 3);
    tri.triangles.resize(1, 3);
    tri.triangles << 0, 1, 2;
    CHECK(orientationDefects(tri) == 3);
    tri.triangles << 0, 1, 3;
    CHECK(orientationDefects(tri) == -1);
}

TEST_CASE("mean curvature of a sphere is 1/R, negative by FreeSurfer's convention", "[anatomy][geometry]") {
    const Mesh s = icosphere(4, 20.0);
    const Eigen::VectorXf h = meanCurvature(s);
    // A convex sphere bends towards its inside: gyral-like, so negative as FreeSurfer's curv.
    CHECK(h.mean() == Approx(-1.0 / 20.0).epsilon(0.02));
    CHECK((h.array() + 0.05f).abs().maxCoeff() < 0.01f);  // worst at the 12 degree-5 vertices
}

TEST_CASE("geodesic distances on a sphere match great circles", "[anatomy][geometry]") {
    const double r = 100.0;
    const Mesh s = icosphere(5, r);  // 10242 vertices, like fsaverage5
    const std::vector<std::int32_t> source{0};
    const Eigen::VectorXd dijkstra = graphGeodesic(s, source);
    const HeatGeodesic heat(s);
    const Eigen::VectorXd hd = heat.distances(source);
    double errGraph = 0.0, errHeat = 0.0;
    for (Eigen::Index v = 0; v < s.vertexCount(); ++v) {
        const double truth = greatCircle(s.vertices.row(0), s.vertices.row(v), r);
        errGraph += std::abs(dijkstra[v] - truth) / (truth + 1.0);
        errHeat += std::abs(hd[v] - truth) / (truth + 1.0);
        // Edge paths are never shorter than the straight chord between their ends.
        CHECK(dijkstra[v] >= double((s.vertices.row(0) - s.vertices.row(v)).norm()) - 1e-4);
    }
    errGraph /= double(s.vertexCount());
    errHeat /= double(s.vertexCount());
    INFO("mean relative error: graph " << errGraph << ", heat " << errHeat);
    CHECK(errHeat < 0.02);
    CHECK(errHeat < errGraph);  // the heat method is the better geodesic
    CHECK(hd[0] == Approx(0.0).margin(1e-9));
    CHECK(hd.maxCoeff() == Approx(M_PI * r).epsilon(0.03));  // the antipode
    CHECK_THROWS_AS(heat.distances({-1}), InputError);
}

TEST_CASE("parcel borders and centroids of two hemispheres of a sphere", "[anatomy][geometry]") {
    const Mesh s = icosphere(4, 10.0);
    Eigen::VectorXi labels(s.vertexCount());
    for (Eigen::Index v = 0; v < s.vertexCount(); ++v) labels[v] = s.vertices(v, 2) > 0.01f ? 1 : 2;
    const auto borders = parcelBorders(s, labels);
    REQUIRE(borders.size() == 1);
    CHECK(borders[0].closed);
    CHECK(borders[0].labelA == 1);
    CHECK(borders[0].labelB == 2);
    double length = 0.0;
    for (std::size_t i = 0; i < borders[0].points.size(); ++i)
        length += (borders[0].points[(i + 1) % borders[0].points.size()] - borders[0].points[i]).norm();
    // The equator, traced through edge midpoints: a zig-zag up to ~15 % longer than the circle.
    CHECK(length > 2 * M_PI * 10.0 * 0.95);
    CHECK(length < 2 * M_PI * 10.0 * 1.15);
    for (const auto& p : borders[0].points) CHECK(std::abs(p.z()) < 1.0f);
    // Each point comes with a vertex of its edge: within one edge length of it.
    REQUIRE(borders[0].vertices.size() == borders[0].points.size());
    for (std::size_t i = 0; i < borders[0].points.size(); ++i)
        CHECK((s.vertices.row(borders[0].vertices[i]).transpose() - borders[0].points[i]).norm() < 0.6f);
    const auto centroids = parcelCentroids(s, labels);
    REQUIRE(centroids.size() == 2);
    CHECK(centroids[0].position.z() == Approx(5.0).epsilon(0.05));  // hemisphere centroid at R/2
    CHECK(centroids[1].position.z() == Approx(-5.0).epsilon(0.05));
    CHECK(s.vertices(centroids[0].nearestVertex, 2) > 9.0f);
    CHECK(centroids[0].area == Approx(2 * M_PI * 100).epsilon(0.03));
}

TEST_CASE("exact distance transform matches brute force and carries the nearest feature", "[anatomy][volume]") {
    Mask m = makeMask({17, 13, 11});
    std::mt19937 rng(3);
    std::vector<std::size_t> features;
    for (int n = 0; n < 12; ++n) {
        const std::size_t v = rng() % m.size();
        m.data[v] = 1;
        features.push_back(v);
    }
    const std::array<double, 3> spacing{1.0, 2.0, 1.5};
    std::vector<float> d2;
    std::vector<std::int64_t> nearest;
    distanceTransform(m, spacing, d2, nearest);
    auto coords = [&](std::size_t v) {
        return Eigen::Vector3d(double(v % 17) * spacing[0], double((v / 17) % 13) * spacing[1], double(v / (17 * 13)) * spacing[2]);
    };
    for (std::size_t v = 0; v < m.size(); ++v) {
        double best = 1e30;
        for (auto f : features) best = std::min(best, (coords(v) - coords(f)).squaredNorm());
        REQUIRE(d2[v] == Approx(best).margin(1e-3));
        CHECK((coords(v) - coords(std::size_t(nearest[v]))).squaredNorm() == Approx(best).margin(1e-3));
    }
}

TEST_CASE("components, hole filling, morphology and k-means", "[anatomy][volume]") {
    Mask m = makeMask({12, 12, 12});
    // A hollow cube shell (a cavity inside) plus a separate single voxel.
    for (int k = 2; k < 9; ++k)
        for (int j = 2; j < 9; ++j)
            for (int i = 2; i < 9; ++i)
                if (i == 2 || i == 8 || j == 2 || j == 8 || k == 2 || k == 8) m.data[m.index(i, j, k)] = 1;
    m.data[m.index(10, 10, 10)] = 1;
    std::vector<std::size_t> sizes;
    connectedComponents(m, sizes);
    CHECK(sizes.size() == 3);
    const Mask big = largestComponent(m);
    CHECK(big.count() == 7 * 7 * 7 - 5 * 5 * 5);
    const Mask filled = fillHoles(big);
    CHECK(filled.count() == 7 * 7 * 7);
    CHECK(erode(filled).count() == 5 * 5 * 5);
    CHECK(dilate(filled).count() == 9 * 9 * 9);
    const auto c = kMeans1D({1, 1.1f, 0.9f, 5, 5.2f, 4.8f, 10, 10.5f, 9.5f}, 3);
    CHECK(c[0] == Approx(1.0));
    CHECK(c[1] == Approx(5.0));
    CHECK(c[2] == Approx(10.0));
}

#include "anatomy/Projection.hpp"

TEST_CASE("projection samples the ribbon: a linear field is reproduced at each vertex", "[anatomy][projection]") {
    // Two concentric spheres stand in for white and pial; the volume holds f(x) = 2x + 3y - z + 5.
    HemisphereSurfaces h;
    h.white = icosphere(3, 30.0);
    h.pial = icosphere(3, 33.0);
    h.midthickness = icosphere(3, 31.5);
    Volume v;
    v.geometry.dims = {50, 50, 50};
    v.geometry.affine << 2, 0, 0, -50, 0, 2, 0, -50, 0, 0, 2, -50, 0, 0, 0, 1;
    v.frames = 2;
    v.data.resize(v.voxelCount() * 2);
    for (int k = 0; k < 50; ++k)
        for (int j = 0; j < 50; ++j)
            for (int i = 0; i < 50; ++i) {
                const Eigen::Vector3d w = v.geometry.worldOf(i, j, k);
                v.at(i, j, k, 0) = float(2 * w.x() + 3 * w.y() - w.z() + 5);
                v.at(i, j, k, 1) = 1.0f;
            }
    const VolumeToSurface mean(h, v.geometry);
    const Eigen::MatrixXf m = mean.project(v);
    REQUIRE(m.rows() == h.white.vertexCount());
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        const Eigen::Vector3f c = 0.5f * (h.white.vertices.row(i) + h.pial.vertices.row(i)).transpose();
        CHECK(m(i, 0) == Approx(2 * c.x() + 3 * c.y() - c.z() + 5).margin(1e-2));  // linear: mean over depths = value at mid
        CHECK(m(i, 1) == Approx(1.0f));
    }
    ProjectionOptions maxOpt;
    maxOpt.reduction = ProjectionOptions::Reduction::Max;
    const Eigen::MatrixXf mx = VolumeToSurface(h, v.geometry, maxOpt).project(v);
    CHECK((mx.col(0).array() >= m.col(0).array() - 1e-3f).all());

    // Surface → volume → surface returns the values for a smooth field.
    SurfaceSpace space;
    space.left = h;
    space.right = h;
    const Volume back = surfaceToVolume(space, m.col(0), m.col(0), v.geometry);
    ProjectionOptions nearest;
    nearest.interpolation = ProjectionOptions::Interpolation::Nearest;
    const Eigen::MatrixXf again = VolumeToSurface(h, v.geometry, nearest).project(back);
    double err = 0;
    for (Eigen::Index i = 0; i < m.rows(); ++i) err += std::abs(again(i, 0) - m(i, 0));
    CHECK(err / double(m.rows()) < 3.0);  // ~ one voxel of the field's gradient
}

TEST_CASE("small pieces of a parcellation merge into their neighbours, large pieces stay", "[anatomy][geometry]") {
    const Mesh s = icosphere(4, 50.0);  // 2562 vertices
    const Eigen::Index n = s.vertexCount();
    // Two hemispheres of the sphere: 1 (z > 0) and 2 (z <= 0); a large second blob of 1 near the
    // south pole (z < -40: ~250 vertices) and specks of 3 and 4 inside region 1.
    Eigen::VectorXi labels(n);
    for (Eigen::Index v = 0; v < n; ++v) {
        const float z = s.vertices(v, 2);
        labels[v] = z > 0 ? 1 : (z < -40 ? 1 : 2);
    }
    const Adjacency adj = vertexAdjacency(s);
    Eigen::Index north = 0;
    s.vertices.col(2).maxCoeff(&north);
    labels[north] = 3;  // a one-vertex speck
    Eigen::Index speck = -1;
    for (Eigen::Index v = 0; v < n && speck < 0; ++v)
        if (s.vertices(v, 2) > 20 && s.vertices(v, 2) < 30) speck = v;
    REQUIRE(speck >= 0);
    labels[speck] = 4;
    for (auto j = adj.offsets[std::size_t(speck)]; j < adj.offsets[std::size_t(speck) + 1]; ++j) labels[adj.indices[std::size_t(j)]] = 4;  // ~7 vertices
    const int southBlob = int((labels.array() == 1).count()) - int((s.vertices.col(2).array() > 0).count()) + 1;
    REQUIRE(southBlob > 100);
    Eigen::VectorXi cleaned = labels;
    const auto changed = mergeSmallIslands(s, cleaned, 20);
    CHECK(changed == 1 + (labels.array() == 4).count());
    CHECK(cleaned[north] == 1);
    CHECK(cleaned[speck] == 1);
    CHECK((cleaned.array() == 3).count() == 0);
    CHECK((cleaned.array() == 4).count() == 0);
    // Both blobs of label 1 stay (each is larger than the limit), and region 2 is untouched.
    for (Eigen::Index v = 0; v < n; ++v)
        if (labels[v] == 1 || labels[v] == 2) CHECK(cleaned[v] == labels[v]);
    // A speck alone in unlabelled surface disappears; 0 or 1 as the limit changes nothing.
    Eigen::VectorXi lonely = Eigen::VectorXi::Zero(n);
    lonely[north] = 5;
    CHECK(mergeSmallIslands(s, lonely, 2) == 1);
    CHECK(lonely.isZero());
    Eigen::VectorXi same = labels;
    CHECK(mergeSmallIslands(s, same, 1) == 0);
    CHECK(same == labels);
    Eigen::VectorXi wrong(3);
    CHECK_THROWS_AS(mergeSmallIslands(s, wrong, 5), nm::InputError);
}

