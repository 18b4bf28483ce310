#include "common/Error.hpp"
#include "io/Gifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

namespace {
Mesh tetrahedron() {
    Mesh m;
    m.vertices.resize(4, 3);
    m.vertices << 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1.5f;
    m.triangles.resize(4, 3);
    m.triangles << 0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3;
    return m;
}
} // namespace

TEST_CASE("GIFTI surfaces, data and labels round-trip in every encoding", "[io][gifti]") {
    test::TempDir dir;
    const Mesh m = tetrahedron();
    for (auto enc : {io::GiftiEncoding::Ascii, io::GiftiEncoding::Base64Binary, io::GiftiEncoding::GZipBase64Binary}) {
        for (const char* ext : {".gii", ".gii.gz"}) {
            const auto f = dir / (std::string("s") + std::to_string(int(enc)) + ext);
            io::writeGiftiSurface(f, m, "CortexLeft", enc);
            const Mesh r = io::readGiftiSurface(f);
            CHECK(r.vertices == m.vertices);
            CHECK(r.triangles == m.triangles);
        }
        Eigen::MatrixXf data(4, 2);
        data << 1, -1, 2.5f, 0, 3, 7, 4, 1e-3f;
        const auto df = dir / ("d" + std::to_string(int(enc)) + ".func.gii");
        io::writeGiftiData(df, data, "NIFTI_INTENT_NONE", enc);
        CHECK(io::readGiftiData(df, 4) == data);
        CHECK_THROWS_WITH(io::readGiftiData(df, 5), Catch::Contains("4 vertices") && Catch::Contains("surface has 5"));

        io::SurfaceLabels labels;
        labels.labels = Eigen::Vector4i(0, 1, 1, 2);
        labels.table = {{0, "???", {0, 0, 0, 0}}, {1, "V1", {1, 0, 0, 1}}, {2, "MT", {0, 0.5f, 1, 1}}};
        const auto lf = dir / ("l" + std::to_string(int(enc)) + ".label.gii");
        io::writeGiftiLabels(lf, labels, enc);
        const auto lr = io::readGiftiLabels(lf);
        CHECK(lr.labels == labels.labels);
        REQUIRE(lr.table.size() == 3);
        CHECK(lr.table[2].name == "MT");
        CHECK(lr.table[2].rgba[1] == Approx(0.5f));
    }
}

TEST_CASE("the fsaverage5 GIFTI files from nilearn", "[io][gifti][data]") {
    auto data = test::sharedData();
    if (!data) NM_SKIP("../shared/data not found");
    const auto dir = *data / "surfaces/fsaverage5";
    if (!std::filesystem::exists(dir / "pial_left.gii.gz")) NM_SKIP("fsaverage5 missing");
    for (const char* surf : {"pial", "white", "infl", "sphere", "flat"}) {
        for (const char* hemi : {"left", "right"}) {
            const Mesh m = io::readGiftiSurface(dir / (std::string(surf) + "_" + hemi + ".gii.gz"));
            CHECK(m.vertexCount() == 10242);
            CHECK(m.triangleCount() == (std::string(surf) == "flat" ? m.triangleCount() : 20480));
        }
    }
    const Mesh sphere = io::readGiftiSurface(dir / "sphere_left.gii.gz");
    const Eigen::VectorXf r = sphere.vertices.rowwise().norm();
    CHECK(r.minCoeff() == Approx(100.0f).epsilon(0.01));  // FreeSurfer spheres have radius 100
    const Eigen::MatrixXf sulc = io::readGiftiData(dir / "sulc_left.gii.gz", 10242);
    CHECK(sulc.cols() == 1);
    CHECK(sulc.minCoeff() == Approx(-1.49372f));  // nibabel: darrays[0].data.min()
    CHECK(sulc.maxCoeff() == Approx(1.80691f));
    const Mesh pial = io::readGiftiSurface(dir / "pial_left.gii.gz");
    CHECK(pial.vertices.col(0).maxCoeff() < 5.0f);  // left hemisphere: x < 0 (MNI305)
}

TEST_CASE("bad GIFTI files name the file and the problem", "[io][gifti]") {
    test::TempDir dir;
    { std::ofstream(dir / "x.gii") << "<?xml version='1.0'?><NotGifti/>"; }
    CHECK_THROWS_WITH(io::readGifti(dir / "x.gii"), Catch::Contains("x.gii") && Catch::Contains("not a GIFTI"));
    { std::ofstream(dir / "y.gii") << "<?xml version='1.0'?><GIFTI Version='1.0' NumberOfDataArrays='1'><DataArray"; }
    CHECK_THROWS_AS(io::readGifti(dir / "y.gii"), InputError);
    CHECK_THROWS_WITH(io::readGifti(dir / "none.gii"), Catch::Contains("none.gii") && Catch::Contains("does not exist"));
    io::writeGiftiData(dir / "d.gii", Eigen::MatrixXf::Ones(3, 1));
    CHECK_THROWS_WITH(io::readGiftiSurface(dir / "d.gii"), Catch::Contains("POINTSET"));
}
