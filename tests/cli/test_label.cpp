// End to end: a simulated cohort is learned, labelled and validated against its known concept →
// component weights; bad input gets clear errors; the labels survive in the bundle.
#include "io/AtlasBundle.hpp"
#include "io/Nifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using nm::test::run;
using nm::test::shellQuote;
using nlohmann::json;

namespace {
std::string cli() { return nm::test::cliCommand(); }
std::string q(const std::filesystem::path& p) { return shellQuote(p.string()); }
bool haveMricron() { return nm::test::mricronFile("ch2bet.nii.gz").has_value(); }
} // namespace

TEST_CASE("label a learned atlas and recover the simulated concept-component pairs", "[cli][label]") {
    if (!haveMricron()) NM_SKIP("mricron-data is not installed (simulator needs the MNI template)");
    nm::test::TempDir dir;
    const auto data = dir / "tiny10";
    auto r = run(cli() + " simulate --preset tiny --subjects 10 --seed 3 --progress none --out " + q(data));
    REQUIRE(r.exitCode == 0);
    const auto bundle = dir / "atlas.nmatlas.h5";
    r = run(cli() + " learn " + q(data) + " --scales 16,64 --no-surfaces --progress none --cache " + q(dir / "cache") + " --out " + q(bundle));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);

    // Without a literature folder the labels from the annotations still work (shared data hidden).
    const auto labelled = dir / "labelled.nmatlas.h5";
    r = run("NEUROMOSAIC_TEST_DATA=/nonexistent NEUROMOSAIC_LITERATURE= " + cli() + " label " + q(bundle) + " --out " + q(labelled) +
            " --report " + q(dir / "label.json") + " --progress none --cache " + q(dir / "cache"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    json report = json::parse(std::ifstream(dir / "label.json"));
    CHECK(report["conditions"].size() == 8);  // motor and faces, 4 conditions each
    for (const auto& c : report["conditions"]) CHECK(c["mapped"] == true);
    CHECK(report["literature"].get<std::string>().find("no literature database") != std::string::npos);
    const auto b = nm::io::readAtlasBundle(labelled);
    REQUIRE(b.scales.size() == 2);
    for (const auto& s : b.scales) {
        REQUIRE(s.labels);
        CHECK(s.labels->subsamples == 100);
        CHECK(s.labels->selectionFrequency.rows() == s.components);
        CHECK(s.labels->selectionFrequency.maxCoeff() <= 1.0f);
        CHECK(s.labels->literatureCount() == 0);
    }
    CHECK(b.provenance["semantics"]["samples"].get<int>() > 50);

    // Validation against the truth: the pairs are recovered at 64 components.
    r = run(cli() + " validate decoding " + q(labelled) + " -o " + q(dir / "dec.json") + " --tsv " + q(dir / "dec.tsv") +
            " --no-voxels --epochs 100 --progress none --cache " + q(dir / "cache"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json dec = json::parse(std::ifstream(dir / "dec.json"));
    const json* k64 = nullptr;
    for (const auto& s : dec["recovery"])
        if (s["components"] == 64) k64 = &s;
    REQUIRE(k64);
    CHECK((*k64)["auc"].get<double>() >= 0.85);
    CHECK((*k64)["precision"].get<double>() >= 0.6);
    CHECK((*k64)["recall"].get<double>() >= 0.3);
    REQUIRE(dec["decoding"]["studies"].size() == 2);
    for (const auto& s : dec["decoding"]["studies"]) {
        CHECK(s["multi_study"].get<double>() > 2 * s["chance"].get<double>());
        CHECK(s["components"].get<double>() > 2 * s["chance"].get<double>());
    }

    // Decoding a true component's map with the labelled atlas names the concept that drives it.
    const auto truth = data / "derivatives" / "ground_truth";
    const std::string wanted = "face perception";
    const auto faces = nm::test::trueComponents(truth, wanted, 64);
    REQUIRE(!faces.empty());
    const int component = faces.front();
    r = run("NEUROMOSAIC_TEST_DATA=/nonexistent NEUROMOSAIC_LITERATURE= " + cli() + " decode " + q(truth / "scale-64_maps.nii.gz") + " --frame " +
            std::to_string(component) + " --atlas " + q(labelled) + " -o " + q(dir / "decoded.json") + " --progress none");
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json decoded = json::parse(std::ifstream(dir / "decoded.json"));
    REQUIRE(!decoded["concepts"].empty());
    CHECK(decoded["concepts"][0]["concept"] == wanted);
    CHECK(decoded["terms"].empty());
    // Bad maps: empty, out of MNI space, a frame that does not exist.
    r = run(cli() + " decode " + q(truth / "scale-64_maps.nii.gz") + " --frame 999 --atlas " + q(labelled) + " --progress none");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("frame") != std::string::npos);

    // An unlabelled atlas is refused with advice; a literature folder without databases is named.
    r = run(cli() + " validate decoding " + q(bundle) + " -o " + q(dir / "x.json") + " --progress none");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("run neuromosaic-cli label") != std::string::npos);
    std::filesystem::create_directories(dir / "emptylit");
    r = run(cli() + " label " + q(bundle) + " --literature " + q(dir / "emptylit") + " --out " + q(dir / "y.nmatlas.h5") +
            " --progress none --cache " + q(dir / "cache"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("emptylit") != std::string::npos);
    CHECK(r.err.find("no Neurosynth or NeuroQuery database") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "y.nmatlas.h5"));
}

TEST_CASE("glm: the left-vs-right hand t map lies on the simulated hand components; decode refuses bad maps", "[cli][glm][decode]") {
    if (!haveMricron()) NM_SKIP("mricron-data is not installed (simulator needs the MNI template)");
    nm::test::TempDir dir;
    const auto data = dir / "tiny";
    auto r = run(cli() + " simulate --preset tiny --seed 4 --progress none --out " + q(data));
    REQUIRE(r.exitCode == 0);
    const auto bold = data / "sub-001" / "func" / "sub-001_task-motor_run-1_bold.nii.gz";
    r = run(cli() + " glm " + q(bold) + " --contrast 'LH - RH' -o " + q(dir / "t.nii.gz") + " --progress none");
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const auto t = nm::io::readNifti(dir / "t.nii.gz");
    const auto truth = nm::io::readNifti(data / "derivatives" / "ground_truth" / "scale-64_maps.nii.gz");
    REQUIRE(truth.geometry.sameGrid(t.geometry));
    // Mean t over the cores (> half the peak) of the components each hand drives.
    auto meanOver = [&](const std::string& target) {
        double sum = 0;
        int n = 0;
        for (int comp : nm::test::trueComponents(data / "derivatives" / "ground_truth", target, 64)) {
            const float* f = truth.frame(comp);
            float peak = 0;
            for (std::size_t v = 0; v < truth.voxelCount(); ++v) peak = std::max(peak, f[v]);
            for (std::size_t v = 0; v < truth.voxelCount(); ++v)
                if (f[v] > 0.5f * peak) {
                    sum += t.data[v];
                    ++n;
                }
        }
        REQUIRE(n > 0);
        return sum / n;
    };
    CHECK(meanOver("motor response (left hand)") > 2.0);
    CHECK(meanOver("motor response (right hand)") < -2.0);
    r = run(cli() + " glm " + q(bold) + " --contrast 'LH - nothing' -o " + q(dir / "u.nii.gz") + " --progress none");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("'nothing'") != std::string::npos);
    CHECK(r.err.find("LH") != std::string::npos);  // the conditions there are

    // decode: an empty map and a map outside MNI space are named errors.
    nm::Volume empty = t;
    std::fill(empty.data.begin(), empty.data.end(), 0.0f);
    nm::io::writeNifti(dir / "empty.nii.gz", empty);
    r = run(cli() + " decode " + q(dir / "empty.nii.gz") + " --progress none");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("empty") != std::string::npos);
    nm::Volume shifted = t;
    shifted.geometry.affine(0, 3) += 400.0;
    nm::io::writeNifti(dir / "shifted.nii.gz", shifted);
    r = run(cli() + " decode " + q(dir / "shifted.nii.gz") + " --progress none");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("MNI space") != std::string::npos);
}
