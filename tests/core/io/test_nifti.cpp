#include "common/Error.hpp"
#include "io/Nifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace nm;

namespace {
Volume makeVolume(int nx, int ny, int nz, int frames) {
    Volume v;
    v.geometry.dims = {nx, ny, nz};
    // An oblique, anisotropic affine with a flipped axis: the hard case for RAS/LPS handling.
    Eigen::Matrix4d a = Eigen::Matrix4d::Identity();
    const double c = std::cos(0.3), s = std::sin(0.3);
    a.topLeftCorner<3, 3>() << -2.0 * c, -3.0 * s, 0, 2.0 * s, -3.0 * c, 0, 0, 0, 4.0;
    a.topRightCorner<3, 1>() << 90.0, -126.0, -72.0;
    v.geometry.affine = a;
    v.frames = frames;
    v.repetitionTime = frames > 1 ? 2.5 : 0.0;
    v.data.resize(v.voxelCount() * std::size_t(frames));
    for (std::size_t i = 0; i < v.data.size(); ++i) v.data[i] = float(std::fmod(double(i) * 0.37, 200.0) - 50.0);
    return v;
}
} // namespace

TEST_CASE("NIfTI round trip keeps data, affine and frames", "[io][nifti]") {
    test::TempDir dir;
    for (const char* name : {"v.nii", "v.nii.gz"}) {
        for (int frames : {1, 5}) {
            const Volume v = makeVolume(7, 6, 5, frames);
            const auto path = dir / name;
            io::writeNifti(path, v);
            const Volume r = io::readNifti(path);
            CHECK(r.geometry.dims == v.geometry.dims);
            CHECK(r.frames == frames);
            CHECK((r.geometry.affine - v.geometry.affine).cwiseAbs().maxCoeff() < 1e-4);
            REQUIRE(r.data.size() == v.data.size());
            CHECK(std::equal(r.data.begin(), r.data.end(), v.data.begin()));
            CHECK(r.sourceDataType == "float32");
            if (frames > 1) CHECK(r.repetitionTime == Approx(2.5));
        }
    }
}

TEST_CASE("NIfTI integer storage rounds values", "[io][nifti]") {
    test::TempDir dir;
    Volume v = makeVolume(4, 4, 4, 1);
    for (auto& x : v.data) x = std::round(x);
    io::writeNifti(dir / "labels.nii.gz", v, io::NiftiStorage::Int16);
    const Volume r = io::readNifti(dir / "labels.nii.gz");
    CHECK(r.sourceDataType == "int16");
    CHECK(std::equal(r.data.begin(), r.data.end(), v.data.begin()));
}

TEST_CASE("the real MNI templates read as nibabel reads them", "[io][nifti][data]") {
    auto ch2 = test::mricronFile("ch2bet.nii.gz");
    if (!ch2) NM_SKIP("mricron-data is not installed");
    const Volume v = io::readNifti(*ch2);
    CHECK(v.geometry.dims == std::array<int, 3>{181, 217, 181});
    CHECK(v.sourceDataType == "uint8");
    Eigen::Matrix4d expected = Eigen::Matrix4d::Identity();
    expected.topRightCorner<3, 1>() << -90, -125, -71;  // nibabel's affine for ch2bet
    CHECK((v.geometry.affine - expected).cwiseAbs().maxCoeff() < 1e-4);
    double sum = 0.0;
    std::size_t nonzero = 0;
    for (float x : v.data) {
        sum += x;
        nonzero += x > 0;
    }
    CHECK(sum == 158526435.0);  // nibabel: d.sum()
    CHECK(nonzero == 1737193);
    CHECK(v.at(90, 108, 90) == 33.0f);
    CHECK(v.at(60, 100, 80) == 113.0f);

    auto ho = test::mricronFile("HarvardOxford-cort-maxprob-thr0-1mm.nii.gz");
    if (!ho) NM_SKIP("Harvard-Oxford atlas missing");
    const Volume h = io::readNifti(*ho);
    Eigen::Matrix4d hoAffine = Eigen::Matrix4d::Identity();
    hoAffine(0, 0) = -1;  // radiological x
    hoAffine.topRightCorner<3, 1>() << 90, -126, -72;
    CHECK(h.geometry.dims == std::array<int, 3>{182, 218, 182});
    CHECK((h.geometry.affine - hoAffine).cwiseAbs().maxCoeff() < 1e-4);
}

TEST_CASE("real EPI data from the shared data set", "[io][nifti][data]") {
    auto data = test::sharedData();
    if (!data) NM_SKIP("../shared/data not found (set NEUROMOSAIC_TEST_DATA)");
    const auto f = *data / "fmri" / "nipy_functional.nii.gz";
    if (!std::filesystem::exists(f)) NM_SKIP(f.string() << " missing");
    const auto info = io::readNiftiInfo(f);
    CHECK(info.geometry.dims == std::array<int, 3>{17, 21, 3});
    CHECK(info.frames == 20);
    CHECK(info.geometry.voxelSize().isApprox(Eigen::Vector3d(4, 4, 8), 1e-4));
}

TEST_CASE("bad NIfTI files give errors naming the file and the problem", "[io][nifti]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(io::readNifti(dir / "missing.nii.gz"), Catch::Contains("missing.nii.gz") && Catch::Contains("does not exist"));
    {
        std::ofstream(dir / "junk.nii") << std::string(400, 'x');
    }
    CHECK_THROWS_AS(io::readNifti(dir / "junk.nii"), InputError);
    CHECK_THROWS_WITH(io::readNifti(dir / "junk.nii"), Catch::Contains("junk.nii"));
    CHECK_THROWS_WITH(io::readNifti(dir / "x.txt"), Catch::Contains("x.txt"));

    // Truncated uncompressed file: detected from the header before allocating.
    const Volume v = makeVolume(20, 20, 20, 1);
    io::writeNifti(dir / "full.nii", v);
    const auto size = std::filesystem::file_size(dir / "full.nii");
    std::filesystem::copy_file(dir / "full.nii", dir / "cut.nii");
    std::filesystem::resize_file(dir / "cut.nii", size / 2);
    CHECK_THROWS_WITH(io::readNifti(dir / "cut.nii"), Catch::Contains("cut.nii") && Catch::Contains("truncated"));

    // Truncated gzip stream.
    io::writeNifti(dir / "full.nii.gz", v);
    const auto gzSize = std::filesystem::file_size(dir / "full.nii.gz");
    std::filesystem::copy_file(dir / "full.nii.gz", dir / "cut.nii.gz");
    std::filesystem::resize_file(dir / "cut.nii.gz", gzSize / 2);
    CHECK_THROWS_AS(io::readNifti(dir / "cut.nii.gz"), InputError);
    CHECK_THROWS_WITH(io::readNifti(dir / "cut.nii.gz"), Catch::Contains("cut.nii.gz"));
}

namespace {
// Hand-made headers, byte by byte as the NIfTI-1/-2 standards lay them out.
template <typename T>
void put(std::string& buf, std::size_t offset, T value, bool bigEndian = false) {
    auto* b = reinterpret_cast<unsigned char*>(&value);
    if (bigEndian) std::reverse(b, b + sizeof(T));
    std::memcpy(buf.data() + offset, b, sizeof(T));
}
} // namespace

TEST_CASE("NIfTI-2, big-endian NIfTI-1 and qform-only headers follow nibabel's rules", "[io][nifti]") {
    test::TempDir dir;
    SECTION("NIfTI-2 with an sform, int16 data and scaling") {
        std::string h(544, '\0');
        put<std::int32_t>(h, 0, 540);
        std::memcpy(h.data() + 4, "n+2\0\r\n\032\n", 8);
        put<std::int16_t>(h, 12, 4);   // int16
        put<std::int16_t>(h, 14, 16);
        const std::int64_t dim[8] = {3, 2, 3, 4, 1, 1, 1, 1};
        for (int i = 0; i < 8; ++i) put<std::int64_t>(h, 16 + 8 * i, dim[i]);
        const double pixdim[8] = {1, 2, 2, 2, 1, 1, 1, 1};
        for (int i = 0; i < 8; ++i) put<double>(h, 104 + 8 * i, pixdim[i]);
        put<std::int64_t>(h, 168, 544);  // vox_offset
        put<double>(h, 176, 0.5);        // scl_slope
        put<double>(h, 184, 10.0);       // scl_inter
        put<std::int32_t>(h, 344, 0);    // qform_code
        put<std::int32_t>(h, 348, 2);    // sform_code
        const double srow[3][4] = {{2, 0, 0, -10}, {0, 2, 0, 20}, {0, 0, 2, -30}};
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c) put<double>(h, 400 + 32 * r + 8 * c, srow[r][c]);
        for (std::int16_t i = 0; i < 24; ++i) {
            std::string v(2, '\0');
            put<std::int16_t>(v, 0, std::int16_t(i * 3 - 20));
            h += v;
        }
        std::ofstream(dir / "n2.nii", std::ios::binary) << h;
        const Volume v = io::readNifti(dir / "n2.nii");
        CHECK(v.geometry.dims == std::array<int, 3>{2, 3, 4});
        CHECK(v.geometry.affine(0, 3) == -10);
        CHECK(v.geometry.affine(1, 1) == 2);
        CHECK(v.sourceDataType == "int16");
        CHECK(v.data[5] == Approx((5 * 3 - 20) * 0.5 + 10.0));
    }
    SECTION("big-endian NIfTI-1 with only a qform (90° rotation about z, qfac -1)") {
        std::string h(352, '\0');
        const bool be = true;
        put<std::int32_t>(h, 0, 348, be);
        const std::int16_t dim[8] = {3, 2, 2, 2, 1, 1, 1, 1};
        for (int i = 0; i < 8; ++i) put<std::int16_t>(h, 40 + 2 * i, dim[i], be);
        put<std::int16_t>(h, 70, 16, be);  // float32
        put<std::int16_t>(h, 72, 32, be);
        const float pixdim[8] = {-1, 1, 2, 3, 0, 0, 0, 0};
        for (int i = 0; i < 8; ++i) put<float>(h, 76 + 4 * i, pixdim[i], be);
        put<float>(h, 108, 352.0f, be);
        put<std::int16_t>(h, 252, 1, be);  // qform_code
        put<std::int16_t>(h, 254, 0, be);  // sform_code
        const double s = std::sqrt(0.5);   // quaternion (w, b, c, d) = (s, 0, 0, s): 90° about z
        put<float>(h, 256, 0.0f, be);
        put<float>(h, 260, 0.0f, be);
        put<float>(h, 264, float(s), be);
        put<float>(h, 268, 5.0f, be);
        put<float>(h, 272, 6.0f, be);
        put<float>(h, 276, 7.0f, be);
        std::memcpy(h.data() + 344, "n+1\0", 4);
        for (int i = 0; i < 8; ++i) {
            std::string v(4, '\0');
            put<float>(v, 0, float(i) + 0.25f, be);
            h += v;
        }
        std::ofstream(dir / "be.nii", std::ios::binary) << h;
        const Volume v = io::readNifti(dir / "be.nii");
        Eigen::Matrix4d expected;
        // R = [[0,-1,0],[1,0,0],[0,0,1]] · diag(1, 2, 3·qfac)
        expected << 0, -2, 0, 5, 1, 0, 0, 6, 0, 0, -3, 7, 0, 0, 0, 1;
        CHECK((v.geometry.affine - expected).cwiseAbs().maxCoeff() < 1e-5);
        CHECK(v.data[7] == 7.25f);
    }
}

TEST_CASE("files we write are read by nibabel with the same affine", "[io][nifti][peer]") {
    if (std::system("/usr/bin/python3 -c 'import nibabel' 2>/dev/null") != 0) NM_SKIP("python3-nibabel not installed");
    test::TempDir dir;
    const Volume v = makeVolume(7, 6, 5, 3);
    io::writeNifti(dir / "peer.nii.gz", v);
    const auto r = test::run("/usr/bin/python3 -c \"import nibabel as nib, numpy as np; im = nib.load('" +
                             (dir / "peer.nii.gz").string() +
                             "'); np.set_printoptions(precision=6, suppress=True); print(im.affine.ravel().tolist()); "
                             "print(float(np.asarray(im.dataobj)[1,2,3,2])); "
                             "print(int(np.allclose(im.get_qform(), im.affine, atol=1e-4)), int(im.header['qform_code']))\"");
    REQUIRE(r.exitCode == 0);
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    std::vector<double> affine;
    for (char& c : line)
        if (c == '[' || c == ']' || c == ',') c = ' ';
    std::istringstream nums(line);
    for (double x; nums >> x;) affine.push_back(x);
    REQUIRE(affine.size() == 16);
    for (int i = 0; i < 16; ++i) CHECK(affine[std::size_t(i)] == Approx(v.geometry.affine(i / 4, i % 4)).margin(1e-4));
    double value = 0;
    in >> value;
    CHECK(value == Approx(v.at(1, 2, 3, 2)));
    int qformMatches = 0, qformCode = 0;
    in >> qformMatches >> qformCode;
    CHECK(qformMatches == 1);  // the qform encodes the same (rigid + scaling) transform
    CHECK(qformCode == 1);
}

#include "io/Resample.hpp"

TEST_CASE("resampling onto a reference grid preserves world positions", "[io][resample]") {
    // A linear ramp in world x is reproduced exactly by linear interpolation on any grid inside it.
    Volume src;
    src.geometry.dims = {30, 20, 10};
    src.geometry.affine << -2, 0, 0, 30, 0, 2, 0, -20, 0, 0, 2, -10, 0, 0, 0, 1;  // LAS, 2 mm
    src.data.resize(src.voxelCount());
    for (int k = 0; k < 10; ++k)
        for (int j = 0; j < 20; ++j)
            for (int i = 0; i < 30; ++i) src.at(i, j, k) = float(src.geometry.worldOf(i, j, k).x() + 100.0);
    VolumeGeometry target;
    target.dims = {15, 10, 5};
    target.affine << 3, 0, 0, -20, 0, 3, 0, -15, 0, 0, 3, -6, 0, 0, 0, 1;  // RAS, 3 mm
    const Volume lin = io::resampleToGrid(src, target, io::Interpolation::Linear, -1.0f);
    for (int i = 0; i < 15; ++i) {
        const Eigen::Vector3d w = target.worldOf(i, 5, 2);
        CHECK(lin.at(i, 5, 2) == Approx(w.x() + 100.0).margin(1e-3));
    }
    // Outside the source field of view.
    VolumeGeometry far = target;
    far.affine(0, 3) = 500;
    const Volume outside = io::resampleToGrid(src, far, io::Interpolation::Nearest, -1.0f);
    CHECK(outside.data[0] == -1.0f);
    // Nearest neighbour keeps label values.
    Volume labels = src;
    for (auto& x : labels.data) x = std::floor(x / 10.0f);
    const Volume nn = io::resampleToGrid(labels, target, io::Interpolation::Nearest);
    for (float x : nn.data) CHECK(x == std::floor(x));
}

TEST_CASE("the Harvard-Oxford atlas resampled onto the AAL grid lands on grey matter", "[io][resample][data]") {
    auto ho = test::mricronFile("HarvardOxford-cort-maxprob-thr0-1mm.nii.gz");
    auto aal = test::mricronFile("aal.nii.gz");
    if (!ho || !aal) NM_SKIP("mricron-data is not installed");
    const Volume h = io::readNifti(*ho);
    const Volume a = io::readNifti(*aal);
    const Volume r = io::resampleToGrid(h, a.geometry, io::Interpolation::Nearest);
    // Cortical AAL voxels (labels 1..90) mostly carry a Harvard-Oxford cortical label too —
    // true only if the two affines (qform vs sform!) are honoured.
    std::size_t cortex = 0, both = 0;
    for (std::size_t i = 0; i < a.data.size(); ++i)
        if (a.data[i] >= 1 && a.data[i] <= 90) {
            ++cortex;
            both += r.data[i] > 0;
        }
    CHECK(double(both) / double(cortex) > 0.8);
}
