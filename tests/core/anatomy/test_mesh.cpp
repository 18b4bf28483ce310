#include "anatomy/Isosurface.hpp"
#include "anatomy/Mesh.hpp"
#include "anatomy/VtkMesh.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace nm;

TEST_CASE("binary meshes round-trip and reject truncation", "[anatomy][mesh]") {
    test::TempDir dir;
    Mesh m;
    m.vertices.resize(4, 3);
    m.vertices << 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1;
    m.triangles.resize(4, 3);
    m.triangles << 0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3;
    m.scalars["sulc"] = Eigen::Vector4f(1, 2, 3, 4);
    writeMeshBinary(dir / "m.nmmesh", m);
    const Mesh r = readMeshBinary(dir / "m.nmmesh");
    CHECK(r.vertices == m.vertices);
    CHECK(r.triangles == m.triangles);
    CHECK(r.scalars.at("sulc") == m.scalars.at("sulc"));

    std::filesystem::copy_file(dir / "m.nmmesh", dir / "cut.nmmesh");
    std::filesystem::resize_file(dir / "cut.nmmesh", 40);
    CHECK_THROWS_WITH(readMeshBinary(dir / "cut.nmmesh"), Catch::Contains("cut.nmmesh"));

    m.triangles(0, 0) = 9;
    CHECK_THROWS_WITH(writeMeshBinary(dir / "bad.nmmesh", m), Catch::Contains("out of range"));
}

TEST_CASE("the isosurface of a ball lies on its sphere", "[anatomy][isosurface]") {
    Volume v;
    v.geometry.dims = {41, 41, 41};
    v.geometry.affine = Eigen::Matrix4d::Identity();
    v.geometry.affine.topLeftCorner<3, 3>() *= 2.0;  // 2 mm voxels
    v.geometry.affine.topRightCorner<3, 1>() << -40, -40, -40;
    v.data.resize(v.voxelCount());
    const double radius = 24.0;
    for (int k = 0; k < 41; ++k)
        for (int j = 0; j < 41; ++j)
            for (int i = 0; i < 41; ++i) {
                const Eigen::Vector3d p = v.geometry.worldOf(i, j, k);
                v.at(i, j, k) = p.norm() < radius ? 100.0f : 0.0f;
            }
    anatomy::IsosurfaceOptions o;
    o.level = 50.0;
    o.smoothingSigmaMm = 0.0;
    o.targetTriangles = 0;
    o.smoothingIterations = 0;
    const Mesh m = anatomy::extractIsosurface(v, o);
    REQUIRE(m.vertexCount() > 1000);
    const Eigen::VectorXf r = m.vertices.rowwise().norm();
    CHECK(r.mean() == Approx(radius).margin(1.0));  // within half a voxel
    CHECK(r.maxCoeff() < radius + 2.0);
    CHECK(r.minCoeff() > radius - 2.0);
    // Otsu on a two-valued image lands between the two values.
    const double t = anatomy::otsuThreshold(v);
    CHECK(t > 0.0);
    CHECK(t <= 100.0);
}
