// validate representation: maps the atlas never saw (here the simulator's true component maps, a
// 4-D NIfTI, and a folder of 3-D maps) are explained better by the learned atlas than by the AAL
// parcellation at every map; bad inputs are named.
#include "io/Nifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using nm::test::run;
using nm::test::shellQuote;
constexpr auto q = [](const std::filesystem::path& p) { return shellQuote(p); };
using nlohmann::json;

TEST_CASE("validate representation of unseen maps against PCA and parcellations", "[cli][validate][representation]") {
    if (!nm::test::mricronFile("ch2bet.nii.gz")) NM_SKIP("mricron-data is not installed (simulator and parcellations need it)");
    nm::test::TempDir dir;
    const std::string cli = nm::test::cliCommand() + " --progress none";
    const auto data = dir / "cohort";
    REQUIRE(run(cli + " simulate --preset tiny --subjects 6 --seed 3 --out " + q(data)).exitCode == 0);
    const auto atlas = dir / "atlas.nmatlas.h5";
    auto r = run(cli + " learn " + q(data) + " --scales 16,64 --held-out 0.2 --no-surfaces --no-sparse-network --cache " + q(dir / "cache") +
                 " --out " + q(atlas));
    REQUIRE(r.exitCode == 0);
    // A folder of 3-D maps: three true components written one per file.
    const auto truth = nm::io::readNifti(data / "derivatives" / "ground_truth" / "scale-64_maps.nii.gz");
    std::filesystem::create_directories(dir / "maps");
    for (int t : {3, 10, 20}) {
        nm::Volume v;
        v.geometry = truth.geometry;
        v.data.assign(truth.frame(t), truth.frame(t) + truth.voxelCount());
        nm::io::writeNifti(dir / "maps" / ("true-" + std::to_string(t) + ".nii.gz"), v);
    }
    r = run(cli + " validate representation " + q(atlas) + " --maps " + q(data / "derivatives" / "ground_truth" / "scale-64_maps.nii.gz") + " " +
            q(dir / "maps") + " --cache " + q(dir / "cache") + " -o " + q(dir / "rep.json") + " --tsv " + q(dir / "rep.tsv"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json rep = json::parse(std::ifstream(dir / "rep.json"));
    CHECK(rep["kind"] == "representation");
    REQUIRE(rep["sources"].size() == 1);
    CHECK(rep["sources"][0]["maps"].size() == 64 + 3);
    std::map<std::pair<std::string, int>, json> score;
    json aalScore;
    for (const auto& s : rep["scores"]) {
        score[{s["method"].get<std::string>(), s["components"].get<int>()}] = s;
        if (s["method"] == "aal") aalScore = s;  // its region count depends on the grid (regions the mask misses drop out)
    }
    REQUIRE(score.count({"atlas", 64}));
    REQUIRE(score.count({"pca", 64}));
    REQUIRE(aalScore.is_object());
    const auto& atlas64 = score[{"atlas", 64}]["explained"];
    const auto& aal = aalScore["explained"];
    int better = 0;
    for (std::size_t i = 0; i < atlas64.size(); ++i) {
        CHECK(atlas64[i].get<double>() <= 1.0 + 1e-9);
        CHECK(atlas64[i].get<double>() >= -1e-9);
        better += atlas64[i].get<double>() > aal[i].get<double>();
    }
    CHECK(better > int(atlas64.size()) * 4 / 5);  // the learned components represent the true ones (59 of 67 here)
    CHECK(score[{"atlas", 64}]["mean"].get<double>() > 0.6);
    CHECK(score[{"atlas", 64}]["mean"].get<double>() > score[{"atlas", 16}]["mean"].get<double>());
    REQUIRE(rep["worst"][0]["maps"].size() == 20);
    CHECK(rep["worst"][0]["maps"][0]["explained"].get<double>() <= rep["worst"][0]["maps"][1]["explained"].get<double>());

    // bad inputs, named
    std::ofstream(dir / "notes.txt") << "x";
    r = run(cli + " validate representation " + q(atlas) + " --maps " + q(dir / "notes.txt") + " --baselines aal -o " + q(dir / "x.json"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("notes.txt") && Catch::Contains("NIfTI"));
    r = run(cli + " validate representation " + q(atlas) + " --baselines aal -o " + q(dir / "x.json"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--maps"));
}
