// Hostile input found by fuzzing the readers (fuzz/README.md), rebuilt here by hand: each must be
// refused with an nm::InputError that names the file's field, before anything large is allocated.
// (The fuzzers' own inputs are replayed byte for byte by the `fuzz/<target> regression inputs` tests.)
#include "common/Error.hpp"
#include "io/Connectome.hpp"
#include "io/FreeSurfer.hpp"
#include "io/Gifti.hpp"
#include "io/Session.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

namespace {
std::filesystem::path write(const test::TempDir& dir, const std::string& name, const std::string& text) {
    const auto f = dir / name;
    std::ofstream(f, std::ios::binary) << text;
    return f;
}
template <typename F>
std::string inputError(F&& read) {
    try {
        read();
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}
} // namespace

TEST_CASE("hostile input is refused with the field it breaks", "[io][fuzz]") {
    test::TempDir dir;
    // An edge list whose ids would make a 10^9 × 10^9 matrix out of one edge.
    CHECK_THAT(inputError([&] { io::readConnectome(write(dir, "a.edges", "0 1000000000\n")); }), Catch::Contains("node ids"));
    // GML nested deeper than any graph needs (recursion must not overflow the stack).
    std::string deep = "graph [ ";
    for (int i = 0; i < 100000; ++i) deep += "a [ ";
    CHECK_THAT(inputError([&] { io::readConnectome(write(dir, "deep.gml", deep)); }), Catch::Contains("nested more than 64"));
    CHECK_THAT(inputError([&] { io::readConnectome(write(dir, "id.gml", "graph [ node [ id 1e300 ] ]")); }), Catch::Contains("integer id"));
    // A FreeSurfer label announcing 10^17 vertices in 60 bytes.
    CHECK_THAT(inputError([&] { io::readFreeSurferLabel(write(dir, "lh.x.label", "#!ascii\n111111111111111111\n0 1 2 3 0\n")); }),
               Catch::Contains("line 2"));
    // A session with a number no double holds: a JSON error, named as the file's, not a library exception.
    CHECK_THAT(inputError([&] { io::readSession(write(dir, "s.nmsession.json", R"({"format": "neuromosaic-session", "version": 1e3080})")); }),
               Catch::Contains("not valid JSON"));
    // GIFTI whose structure libgiftiio trusts (it crashed inside the library on these).
    const std::string head = R"(<?xml version="1.0" encoding="UTF-8"?><GIFTI Version="1.0" NumberOfDataArrays="1">)";
    const std::string da = R"(<DataArray Intent="NIFTI_INTENT_NONE" DataType="NIFTI_TYPE_FLOAT32" ArrayIndexingOrder="RowMajorOrder" )"
                           R"(Dimensionality="1" Dim0="2" Encoding="ASCII" Endian="LittleEndian"><Data>1 2</Data></DataArray>)";
    CHECK_NOTHROW(io::readGifti(write(dir, "ok.func.gii", head + da + "</GIFTI>")));
    CHECK_THAT(inputError([&] { io::readGifti(write(dir, "m.func.gii", head + "<MetaData/><MetaData/>" + da + "</GIFTI>")); }),
               Catch::Contains("appears twice"));
    CHECK_THAT(inputError([&] { io::readGifti(write(dir, "d.func.gii", head + "<Data>1</Data></GIFTI>")); }),
               Catch::Contains("<Data>: not allowed inside <GIFTI>"));
    std::string big = da;
    big.replace(big.find(R"(Dim0="2")"), 8, R"(Dim0="2000000000")");
    CHECK_THAT(inputError([&] { io::readGifti(write(dir, "b.func.gii", head + big + "</GIFTI>")); }), Catch::Contains("more than 2 GiB"));
    std::string ext = da;
    ext.replace(ext.find(R"(Encoding="ASCII")"), 16, R"(Encoding="ExternalFileBinary" ExternalFileName="/etc/passwd")");
    CHECK_THAT(inputError([&] { io::readGifti(write(dir, "e.func.gii", head + ext + "</GIFTI>")); }), Catch::Contains("ExternalFileBinary"));
    CHECK_THAT(inputError([&] { io::readGifti(write(dir, "n.func.gii", R"(<?xml version="1.0"?><GIFTI NumberOfDataArrays="2">)" + da + "</GIFTI>")); }),
               Catch::Contains("2 declared, 1 present"));
}
