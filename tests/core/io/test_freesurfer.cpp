#include "common/Error.hpp"
#include "io/FreeSurfer.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

namespace {
bool haveNibabel() { return std::system("/usr/bin/python3 -c 'import nibabel' 2>/dev/null") == 0; }
} // namespace

TEST_CASE("FreeSurfer surface, curv, annot, label and MGH round-trip", "[io][freesurfer]") {
    test::TempDir dir;
    Mesh m;
    m.vertices.resize(4, 3);
    m.vertices << 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1;
    m.triangles.resize(4, 3);
    m.triangles << 0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3;
    io::writeFreeSurferSurface(dir / "lh.white", m);
    const Mesh s = io::readFreeSurferSurface(dir / "lh.white");
    CHECK(s.vertices == m.vertices);
    CHECK(s.triangles == m.triangles);

    const Eigen::VectorXf curv = Eigen::Vector4f(0.1f, -0.2f, 0.3f, 4);
    io::writeFreeSurferCurv(dir / "lh.curv", curv, 4);
    CHECK(io::readFreeSurferCurv(dir / "lh.curv", 4) == curv);
    CHECK_THROWS_WITH(io::readFreeSurferCurv(dir / "lh.curv", 10), Catch::Contains("4 vertices"));

    io::Annotation a;
    a.labels = Eigen::Vector4i(0, 1, -1, 1);
    a.table = {{"unknown", {25, 5, 25, 0}, 0}, {"precentral", {60, 20, 220, 0}, 0}};
    io::writeFreeSurferAnnot(dir / "lh.aparc.annot", a);
    const auto ar = io::readFreeSurferAnnot(dir / "lh.aparc.annot", 4);
    CHECK(ar.labels == a.labels);
    REQUIRE(ar.table.size() == 2);
    CHECK(ar.table[1].name == "precentral");
    CHECK(ar.table[1].annotationValue == 60 + 20 * 256 + 220 * 65536);

    io::SurfaceLabel l;
    l.vertices = Eigen::Vector2i(3, 1);
    l.coordinates.resize(2, 3);
    l.coordinates << 1, 2, 3, 4, 5, 6;
    l.values = Eigen::Vector2f(0.5f, 1);
    io::writeFreeSurferLabel(dir / "lh.V1.label", l);
    const auto lr = io::readFreeSurferLabel(dir / "lh.V1.label");
    CHECK(lr.vertices == l.vertices);
    CHECK(lr.coordinates == l.coordinates);

    Volume v;
    v.geometry.dims = {3, 4, 5};
    v.geometry.affine << -2, 0, 0, 10, 0, 0, 2, -20, 0, -2, 0, 30, 0, 0, 0, 1;
    v.frames = 2;
    v.repetitionTime = 2.0;
    v.data.resize(v.voxelCount() * 2);
    for (std::size_t i = 0; i < v.data.size(); ++i) v.data[i] = float(i) * 0.5f;
    for (const char* name : {"v.mgh", "v.mgz"}) {
        io::writeMgh(dir / name, v);
        const Volume r = io::readMgh(dir / name);
        CHECK(r.geometry.dims == v.geometry.dims);
        CHECK((r.geometry.affine - v.geometry.affine).cwiseAbs().maxCoeff() < 1e-4);
        CHECK(r.data == v.data);
        CHECK(r.repetitionTime == Approx(2.0));
    }
}

TEST_CASE("our FreeSurfer files agree with nibabel's readers and writers", "[io][freesurfer][peer]") {
    if (!haveNibabel()) NM_SKIP("python3-nibabel not installed");
    test::TempDir dir;
    const std::string py = R"(
import nibabel as nib, numpy as np, sys
d = sys.argv[1]
v = np.array([[0,0,0],[10,0,0],[0,10,0],[0,0,10]], float); f = np.array([[0,2,1],[0,1,3],[0,3,2],[1,2,3]])
nib.freesurfer.write_geometry(d + '/lh.nib', v, f)
nib.freesurfer.write_morph_data(d + '/lh.nibcurv', np.array([1.5, -2, 3, 0.25], np.float32))
ctab = np.array([[25,5,25,0,0],[60,20,220,0,0]]); ctab[:,4] = ctab[:,0] + ctab[:,1]*256 + ctab[:,2]*65536
nib.freesurfer.write_annot(d + '/lh.nib.annot', np.array([0,1,1,-1]), ctab, [b'unknown', b'precentral'])
img = nib.MGHImage(np.arange(24, dtype=np.float32).reshape(2,3,4), np.array([[-1,0,0,5],[0,0,1,-6],[0,-1,0,7],[0,0,0,1.]]))
img.to_filename(d + '/nib.mgz')
np.savetxt(d + '/affine.txt', img.affine)
)";
    {
        std::ofstream s(dir / "make.py");
        s << py;
    }
    const auto r = test::run("/usr/bin/python3 " + test::shellQuote((dir / "make.py").string()) + " " + test::shellQuote(dir.path().string()));
    REQUIRE(r.exitCode == 0);
    const Mesh m = io::readFreeSurferSurface(dir / "lh.nib");
    CHECK(m.vertices(1, 0) == 10.0f);
    CHECK(m.triangles(3, 2) == 3);
    const auto c = io::readFreeSurferCurv(dir / "lh.nibcurv");
    CHECK(c[0] == 1.5f);
    const auto a = io::readFreeSurferAnnot(dir / "lh.nib.annot");
    CHECK(a.labels == Eigen::Vector4i(0, 1, 1, -1));
    CHECK(a.table[1].name == "precentral");
    const Volume v = io::readMgh(dir / "nib.mgz");
    CHECK(v.geometry.dims == std::array<int, 3>{2, 3, 4});
    CHECK(v.at(1, 2, 3) == 23.0f);
    std::ifstream aff(dir / "affine.txt");
    Eigen::Matrix4d expected;
    for (int i = 0; i < 16; ++i) aff >> expected(i / 4, i % 4);
    CHECK((v.geometry.affine - expected).cwiseAbs().maxCoeff() < 1e-4);
}

TEST_CASE("bad FreeSurfer files name the file and the field", "[io][freesurfer]") {
    test::TempDir dir;
    { std::ofstream(dir / "x.white", std::ios::binary) << std::string("\xff\xff\xfe" "created\n\n\0\0\0\x09\0\0\0\x01", 19); }
    CHECK_THROWS_WITH(io::readFreeSurferSurface(dir / "x.white"), Catch::Contains("x.white") && Catch::Contains("truncated"));
    { std::ofstream(dir / "y.curv") << "nope"; }
    CHECK_THROWS_WITH(io::readFreeSurferCurv(dir / "y.curv"), Catch::Contains("magic"));
    { std::ofstream(dir / "z.mgh") << std::string(10, '\0'); }
    CHECK_THROWS_WITH(io::readMgh(dir / "z.mgh"), Catch::Contains("z.mgh"));
}
