// The catalogue of bad input (docs/bad-input.md), end to end: each class of bad input the project
// has met, given to the command a user would run, must exit with code 2 and print the error that
// names the file (or option), the field and what was expected. The table in docs/bad-input.md is
// this one; keep them together.
#include "TestSupport.hpp"

#include "io/Nifti.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using nm::test::run;
using nm::test::shellQuote;

namespace {
struct BadInput {
    const char* what;
    const char* file;         ///< written into the scratch folder ("" for none)
    std::string content;
    std::string command;      ///< {F}: the file, {D}: the scratch folder, {BOLD}/{EVENTS}: a simulated run
    const char* expected;     ///< a fragment of the message
};

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}
} // namespace

TEST_CASE("bad input: every catalogued class exits 2 with the field it breaks", "[cli][badinput]") {
    nm::test::TempDir dir;
    const std::string cli = nm::test::cliCommand() + " --progress none";
    REQUIRE(run(cli + " simulate --preset tiny --subjects 1 --out " + shellQuote(dir / "tiny")).exitCode == 0);
    std::string bold, events;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "tiny")) {
        const std::string p = e.path().string();
        if (bold.empty() && p.find("task-") != std::string::npos && p.size() > 12 && p.compare(p.size() - 12, 12, "_bold.nii.gz") == 0) {
            bold = p;
            events = p.substr(0, p.size() - 12) + "_events.tsv";
        }
    }
    REQUIRE(!bold.empty());
    std::string truncated;
    {
        std::ifstream in(bold, std::ios::binary);
        truncated.resize(2000);
        in.read(truncated.data(), 2000);
    }
    // An all-zero mask on the runs' grid.
    {
        nm::Volume zero;
        zero.geometry = nm::io::readNiftiInfo(bold).geometry;
        zero.data.assign(zero.voxelCount(), 0.0f);
        nm::io::writeNifti(dir / "empty_mask.nii.gz", zero);
    }
    const std::string gifti5 =
        R"(<?xml version="1.0" encoding="UTF-8"?><GIFTI Version="1.0" NumberOfDataArrays="1"><DataArray Intent="NIFTI_INTENT_NONE" )"
        R"(DataType="NIFTI_TYPE_FLOAT32" ArrayIndexingOrder="RowMajorOrder" Dimensionality="1" Dim0="5" Encoding="ASCII" Endian="LittleEndian">)"
        R"(<Data>1 2 3 4 5</Data></DataArray></GIFTI>)";
    const std::vector<BadInput> cases = {
        {"truncated gzip NIfTI", "cut.nii.gz", truncated, "glm {F} --events {EVENTS} --contrast A -o {D}/z.nii.gz", "more than the compressed file can hold"},
        {"not a NIfTI (wrong magic)", "junk.nii", "hello, world", "glm {F} --events {EVENTS} --contrast A -o {D}/z.nii.gz", "sizeof_hdr: expected 348"},
        {"missing file", "", "", "glm {D}/nowhere.nii.gz --contrast A -o {D}/z.nii.gz", "does not exist"},
        {"events without trial_type", "sub-01_task-x_events.tsv", "onset\tduration\n0\t1\n", "glm {BOLD} --events {F} --contrast A -o {D}/z.nii.gz", "no trial_type"},
        {"unknown trial type in a contrast", "", "", "glm {BOLD} --events {EVENTS} --contrast NOSUCH -o {D}/z.nii.gz", "'NOSUCH' has no event"},
        {"empty brain mask", "", "", "learn {D}/tiny --mask {D}/empty_mask.nii.gz --scales 2 --out {D}/a.nmatlas.h5", "empty_mask.nii.gz: mask: no voxel above"},
        {"ragged matrix", "ragged.csv", "0,1\n1,0,1\n", "graph metrics {F}", "has 3 values, the first row has 2"},
        {"non-square adjacency", "rect.csv", "0,1,1\n1,0,1\n", "graph metrics {F}", "expected a square matrix"},
        {"non-finite weight", "nan.csv", "0,nan\nnan,0\n", "graph metrics {F}", "weight is not finite"},
        {"NaN coordinates", "xyz.csv", "nan,0,0\n1,1,1\n0,1,0\n2,2,2\n", "theory spatial " + std::string("{D}/path4.csv") + " --coords {F} --repetitions 0",
         "coordinate is not finite"},
        {"coordinates for another network", "xy.csv", "0,1\n1,0\n", "theory spatial {D}/path4.csv --coords {F} --repetitions 0", "2 coordinates for 4 nodes"},
        {"edge list with absurd node ids", "e.edges", "0 1000000000\n", "graph metrics {F}", "node ids"},
        {"overlay vs mesh vertex count", "lh.bad.func.gii", gifti5, "render --space fsaverage5 --overlay {F} --out {D}/x.png", "overlay has 5 vertices"},
        {"GIFTI element out of place", "lh.misplaced.func.gii", replaceAll(gifti5, "<DataArray", "<MetaData/><MetaData/><DataArray"),
         "render --space fsaverage5 --overlay {F} --out {D}/x.png", "appears twice"},
        {"session value out of range", "s.nmsession.json", R"({"format": "neuromosaic-session", "version": 1, "layers": [{"file": "x.nii.gz", "opacity": 7}]})",
         "render --session {F} --out {D}/x.png", "layers[0].opacity: expected a value in [0, 1]"},
        {"session number out of range", "n.nmsession.json", R"({"format": "neuromosaic-session", "version": 1e3080})", "render --session {F} --out {D}/x.png",
         "not valid JSON"},
        {"not an atlas bundle", "fake.nmatlas.h5", "x", "export {F} -o {D}/out", "not an HDF5 file"},
    };
    { std::ofstream(dir / "path4.csv") << "0,1,0,0\n1,0,1,0\n0,1,0,1\n0,0,1,0\n"; }
    for (const auto& c : cases) {
        if (*c.file) std::ofstream(dir / c.file, std::ios::binary) << c.content;
        std::string command = replaceAll(c.command, "{F}", shellQuote(dir / c.file));
        command = replaceAll(replaceAll(replaceAll(command, "{D}", dir.path().string()), "{BOLD}", shellQuote(bold)), "{EVENTS}", shellQuote(events));
        const auto r = run(cli + " " + command);
        INFO(c.what << ": " << command << "\n" << r.err);
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains(c.expected));
        CHECK(r.err.find("terminate called") == std::string::npos);
    }
}
