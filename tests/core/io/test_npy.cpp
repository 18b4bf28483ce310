#include "common/Error.hpp"
#include "io/Npy.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

TEST_CASE("npy round trip and Fortran order", "[io][npy]") {
    test::TempDir dir;
    Eigen::MatrixXd m(2, 3);
    m << 1, 2, 3, 4, 5, 6.5;
    io::writeNpy(dir / "m.npy", m);
    const auto a = io::readNpy(dir / "m.npy");
    CHECK(a.dtype == "<f8");
    CHECK(a.shape == std::vector<std::size_t>{2, 3});
    CHECK(a.matrix() == m);

    // Hand-made Fortran-order int16 big-endian array [[1,2,3],[4,5,6]]
    std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
    std::string header = "{'descr': '>i2', 'fortran_order': True, 'shape': (2, 3), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ');
    header += '\n';
    const std::uint16_t len = std::uint16_t(header.size());
    bytes.append(reinterpret_cast<const char*>(&len), 2);
    bytes += header;
    for (int v : {1, 4, 2, 5, 3, 6}) {  // column-major
        bytes.push_back(char(0));
        bytes.push_back(char(v));
    }
    const auto f = io::parseNpy(bytes, "f.npy");
    CHECK(f.fortranOrder);
    const Eigen::MatrixXd expected = (Eigen::MatrixXd(2, 3) << 1, 2, 3, 4, 5, 6).finished();
    CHECK(f.matrix() == expected);

    CHECK_THROWS_WITH(io::parseNpy("not numpy", "x.npy"), Catch::Contains("x.npy") && Catch::Contains("magic"));
    CHECK_THROWS_WITH(io::parseNpy(bytes.substr(0, bytes.size() - 3), "t.npy"), Catch::Contains("truncated"));
}

TEST_CASE("npz archives and scipy sparse matrices round-trip", "[io][npy]") {
    test::TempDir dir;
    io::SparseMatrix s(3, 4);
    s.insert(0, 1) = 2.5;
    s.insert(2, 3) = -1.0;
    s.insert(2, 0) = 7.0;
    io::writeSparseNpz(dir / "s.npz", s);
    const auto r = io::readSparseNpz(dir / "s.npz");
    CHECK(r.rows() == 3);
    CHECK(r.cols() == 4);
    CHECK(r.nonZeros() == 3);
    CHECK(Eigen::MatrixXd(r) == Eigen::MatrixXd(s));
    CHECK_THROWS_WITH(io::readSparseNpz(dir / "missing.npz"), Catch::Contains("missing.npz"));
    { std::ofstream(dir / "junk.npz") << "PK junk"; }
    CHECK_THROWS_WITH(io::readNpz(dir / "junk.npz"), Catch::Contains("junk.npz") && Catch::Contains("zip"));
}

TEST_CASE("scipy sparse matrices from NeuroQuery and Neurosynth", "[io][npy][data]") {
    auto data = test::sharedData();
    if (!data) NM_SKIP("../shared/data not found");
    const auto nq = *data / "literature/neuroquery_v1/data-neuroquery_version-1_vocab-neuroquery7547_source-abstract_type-count_features.npz";
    if (!std::filesystem::exists(nq)) NM_SKIP(nq.string() << " missing");
    const auto m = io::readSparseNpz(nq);
    CHECK(m.rows() == 13459);  // studies (README)
    CHECK(m.cols() == 7547);   // vocabulary
    CHECK(m.nonZeros() == 712311);  // numpy: indices.shape
    const auto ns = io::readSparseNpz(*data / "literature/neurosynth_v7/data-neurosynth_version-7_vocab-LDA50_source-abstract_type-weight_features.npz");
    CHECK(ns.rows() == 14371);
    CHECK(ns.cols() == 50);
}

TEST_CASE("bctpy's sample matrices (float64, Fortran order)", "[io][npy][data]") {
    auto data = test::sharedData();
    if (!data) NM_SKIP("../shared/data not found");
    const auto f = *data / "connectomes/bctpy_samples/sample_data.npy";
    if (!std::filesystem::exists(f)) NM_SKIP(f.string() << " missing");
    const auto a = io::readNpy(f);
    const auto m = a.matrix();
    CHECK(m.rows() == 138);
    CHECK(m.cols() == 138);
    CHECK((m - m.transpose()).cwiseAbs().maxCoeff() < 1e-12);  // undirected
}

TEST_CASE("npy rows stream to a file whose row count is known at the end", "[io][npy]") {
    test::TempDir dir;
    const float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {7, 8, 9.5f};
    {
        io::NpyRowWriter w(dir / "s.npy", 3);
        w.append(a, 2);
        w.append(b, 1);
        CHECK_FALSE(std::filesystem::exists(dir / "s.npy"));  // only complete files appear
        w.close();
    }
    const auto r = io::readNpy(dir / "s.npy");
    CHECK(r.dtype == "<f4");
    CHECK(r.shape == std::vector<std::size_t>{3, 3});
    CHECK(r.matrix()(2, 2) == 9.5);
    CHECK(r.matrix()(1, 0) == 4.0);
    { io::NpyRowWriter abandoned(dir / "t.npy", 2); }
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}
