#include "common/Error.hpp"
#include "decompose/Learning.hpp"
#include "io/AtlasBundle.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <filesystem>
#include <fstream>
#include <random>

using namespace nm;

namespace {
/// A two-scale bundle on a 6×5×4 grid with random sparse maps; scale 8 split from scale 4.
io::AtlasBundle smallBundle() {
    io::AtlasBundle b;
    b.templateId = "test-grid";
    b.grid.dims = {6, 5, 4};
    b.grid.affine = Eigen::Matrix4d::Identity();
    b.grid.affine.diagonal().head<3>().setConstant(2.0);
    for (std::int64_t v = 0; v < 120; v += 2) b.maskVoxels.push_back(v);
    const auto p = Eigen::Index(b.maskVoxels.size());
    std::mt19937 rng(4);
    std::uniform_real_distribution<float> u(0, 1);
    for (int k : {4, 8}) {
        io::AtlasScale s;
        s.components = k;
        Eigen::MatrixXf dense = Eigen::MatrixXf::Zero(k, p);
        // Component j of scale 8 covers half of component j/2 of scale 4: a clean hierarchy.
        for (int j = 0; j < k; ++j)
            for (Eigen::Index i = j * p / k; i < (j + 1) * p / k; ++i) dense(j, i) = 0.2f + u(rng);
        s.maps = dense.sparseView().cast<float>();
        for (int j = 0; j < k; ++j) s.names.push_back("c" + std::to_string(k) + "é_" + std::to_string(j));  // UTF-8 survives
        s.centroids = Eigen::MatrixXf::Random(k, 3);
        s.explainedVariance = Eigen::VectorXf::Random(k).cwiseAbs();
        s.size = Eigen::VectorXi::Constant(k, int(p / k));
        s.parent.assign(std::size_t(k), -1);
        const Eigen::MatrixXf c = Eigen::MatrixXf::Random(k, k);
        s.correlation = c;
        s.partialCorrelation = c.transpose();
        if (k == 8) decompose::linkScales(s, b.scales.back());
        b.scales.push_back(std::move(s));
    }
    b.provenance = {{"seed", 3}, {"inputs", {"/data/a", "/data/b"}}};
    return b;
}

void setSchemaVersion(const std::filesystem::path& f, long long version) {
    const hid_t file = H5Fopen(f.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    const hid_t a = H5Aopen(file, "schema_version", H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_LLONG, &version);
    H5Aclose(a);
    H5Fclose(file);
}

void unlink(const std::filesystem::path& f, const char* path) {
    const hid_t file = H5Fopen(f.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    H5Ldelete(file, path, H5P_DEFAULT);
    H5Fclose(file);
}
} // namespace

TEST_CASE("atlas bundles round-trip every field", "[io][atlas]") {
    test::TempDir dir;
    const auto b = smallBundle();
    // The hierarchy: each fine map lies inside one coarse map, which must be its parent.
    for (int j = 0; j < 8; ++j) CHECK(b.scales[1].parent[std::size_t(j)] == j / 2);
    const Eigen::MatrixXf fine(b.scales[1].maps), coarse(b.scales[0].maps);
    const float cosine = fine.row(3).dot(coarse.row(1)) / (fine.row(3).norm() * coarse.row(1).norm());
    CHECK(b.scales[1].overlap.coeff(3, 1) == Approx(cosine).epsilon(1e-5));
    CHECK(b.scales[1].overlap.coeff(3, 0) == 0.0f);

    io::writeAtlasBundle(dir / "a.nmatlas.h5", b);
    const auto r = io::readAtlasBundle(dir / "a.nmatlas.h5");
    CHECK(r.templateId == "test-grid");
    CHECK(r.grid.dims == b.grid.dims);
    CHECK(r.grid.affine == b.grid.affine);
    CHECK(r.maskVoxels == b.maskVoxels);
    REQUIRE(r.scales.size() == 2);
    for (std::size_t s = 0; s < 2; ++s) {
        const auto &x = b.scales[s], &y = r.scales[s];
        CHECK(y.components == x.components);
        CHECK(Eigen::MatrixXf(y.maps) == Eigen::MatrixXf(x.maps));
        CHECK(y.names == x.names);
        CHECK(y.centroids == x.centroids);
        CHECK(y.explainedVariance == x.explainedVariance);
        CHECK(y.size == x.size);
        CHECK(y.parent == x.parent);
        CHECK(y.correlation == x.correlation);
        CHECK(y.partialCorrelation == x.partialCorrelation);
        CHECK(Eigen::MatrixXf(y.overlap) == Eigen::MatrixXf(x.overlap));
    }
    CHECK(r.provenance == b.provenance);
    CHECK(r.scale(8).components == 8);
    CHECK_THROWS_WITH(r.scale(16), Catch::Contains("no scale with 16") && Catch::Contains("4, 8"));
    // Dense maps on the grid: mask voxels carry the values, the others are 0.
    const Volume v = r.mapsVolume(1);
    CHECK(v.frames == 8);
    CHECK(v.frame(0)[0] == b.scales[1].maps.coeff(0, 0));
    CHECK(v.frame(0)[1] == 0.0f);
}

TEST_CASE("labels round-trip; a schema-1 bundle (before labels) still opens", "[io][atlas][labels]") {
    test::TempDir dir;
    auto b = smallBundle();
    io::ScaleLabels l;
    l.concepts = {"face perception", "motor response (left hand)"};
    l.conceptIds = {"trm_4a3fd79d0a300", ""};
    l.selectionFrequency = (Eigen::MatrixXf(8, 2) << 0.9f, 0, 0.1f, 0.75f, 0, 0, 0, 0, 0.7f, 0.7f, 0, 0, 0, 0, 0, 0).finished();
    l.coefficient = l.selectionFrequency;
    l.coefficient(4, 1) = -0.5f;  // selected, but a negative association
    l.forwardEffect = Eigen::MatrixXf::Random(8, 2);
    l.forwardT = Eigen::MatrixXf::Random(8, 2);
    l.threshold = 0.7;
    l.expectedFalseSelections = 0.42;
    l.subsamples = 100;
    l.literatureR = Eigen::MatrixXf::Random(8, 3);
    for (int i = 0; i < 24; ++i) {
        l.literatureTerms.push_back("term " + std::to_string(i));
        l.literatureConcepts.push_back(i % 2 ? "" : "face perception");
    }
    l.agreement = Eigen::VectorXf::Constant(8, std::numeric_limits<float>::quiet_NaN());
    l.agreement[0] = 1.0f;
    l.literatureSource = "neuroquery_v1 (4220 terms)";
    b.scales[1].labels = l;
    io::writeAtlasBundle(dir / "l.nmatlas.h5", b);
    const auto r = io::readAtlasBundle(dir / "l.nmatlas.h5");
    CHECK_FALSE(r.scales[0].labels);
    REQUIRE(r.scales[1].labels);
    const auto& y = *r.scales[1].labels;
    CHECK(y.concepts == l.concepts);
    CHECK(y.conceptIds == l.conceptIds);
    CHECK(y.selectionFrequency == l.selectionFrequency);
    CHECK(y.coefficient == l.coefficient);
    CHECK(y.forwardEffect == l.forwardEffect);
    CHECK(y.forwardT == l.forwardT);
    CHECK(y.threshold == 0.7);
    CHECK(y.expectedFalseSelections == 0.42);
    CHECK(y.subsamples == 100);
    CHECK(y.literatureR == l.literatureR);
    CHECK(y.literatureTerms == l.literatureTerms);
    CHECK(y.literatureConcepts == l.literatureConcepts);
    CHECK(y.agreement[0] == 1.0f);
    CHECK(std::isnan(y.agreement[1]));
    CHECK(y.literatureSource == l.literatureSource);
    // Labels of a component: π at or above the threshold with a positive coefficient, by π.
    CHECK(y.labelsOf(0) == std::vector<std::pair<int, float>>{{0, 0.9f}});
    CHECK(y.labelsOf(1) == std::vector<std::pair<int, float>>{{1, 0.75f}});
    CHECK(y.labelsOf(4) == std::vector<std::pair<int, float>>{{0, 0.7f}});
    CHECK(y.labelsOf(4, false).size() == 2);
    // Old bundles: schema 1 had no labels and still reads.
    io::writeAtlasBundle(dir / "old.nmatlas.h5", smallBundle());
    setSchemaVersion(dir / "old.nmatlas.h5", 1);
    const auto old = io::readAtlasBundle(dir / "old.nmatlas.h5");
    CHECK(old.schemaVersion == 1);
    CHECK_FALSE(old.scales[1].labels);
    // Labels of the wrong shape are refused on write.
    b.scales[1].labels->forwardT.resize(7, 2);
    CHECK_THROWS_WITH(io::writeAtlasBundle(dir / "bad.nmatlas.h5", b), Catch::Contains("labels"));
}

TEST_CASE("corrupt or incompatible atlas bundles are clear errors", "[io][atlas]") {
    test::TempDir dir;
    const auto good = dir / "good.nmatlas.h5";
    io::writeAtlasBundle(good, smallBundle());

    CHECK_THROWS_WITH(io::readAtlasBundle(dir / "missing.nmatlas.h5"), Catch::Contains("missing.nmatlas.h5"));
    std::ofstream(dir / "text.nmatlas.h5") << "not an atlas";
    CHECK_THROWS_AS(io::readAtlasBundle(dir / "text.nmatlas.h5"), InputError);
    CHECK_THROWS_WITH(io::readAtlasBundle(dir / "text.nmatlas.h5"), Catch::Contains("text.nmatlas.h5") && Catch::Contains("not an HDF5"));

    // Truncated: the tail of the file is lost.
    const auto size = std::filesystem::file_size(good);
    std::filesystem::copy_file(good, dir / "cut.nmatlas.h5");
    std::filesystem::resize_file(dir / "cut.nmatlas.h5", size / 2);
    CHECK_THROWS_AS(io::readAtlasBundle(dir / "cut.nmatlas.h5"), InputError);

    // A newer schema than this version reads.
    std::filesystem::copy_file(good, dir / "new.nmatlas.h5");
    setSchemaVersion(dir / "new.nmatlas.h5", 99);
    CHECK_THROWS_WITH(io::readAtlasBundle(dir / "new.nmatlas.h5"), Catch::Contains("schema_version") && Catch::Contains("99"));

    // A missing dataset is named by its path.
    std::filesystem::copy_file(good, dir / "hole.nmatlas.h5");
    unlink(dir / "hole.nmatlas.h5", "/scales/scale-8/centroids");
    CHECK_THROWS_WITH(io::readAtlasBundle(dir / "hole.nmatlas.h5"),
                      Catch::Contains("hole.nmatlas.h5") && Catch::Contains("/scales/scale-8/centroids"));

    // Inconsistent content is refused on write, naming the scale.
    auto bad = smallBundle();
    bad.scales[1].parent[0] = 7;  // scale 4 has no component 7
    CHECK_THROWS_WITH(io::writeAtlasBundle(dir / "bad.nmatlas.h5", bad), Catch::Contains("scale-8") && Catch::Contains("parent"));
    bad = smallBundle();
    bad.scales[0].names.pop_back();
    CHECK_THROWS_WITH(io::writeAtlasBundle(dir / "bad.nmatlas.h5", bad), Catch::Contains("names"));
    CHECK_FALSE(std::filesystem::exists(dir / "bad.nmatlas.h5"));
}
