// Real-data ingestion end to end: fMRIPrep-layout datasets (simulate --layout fmriprep), raw BIDS
// without confounds, denoising strategies, a study list, and a single-subject dataset (the real
// Haxby slice written as BIDS, one run per chunk) that holds out runs.
#include "io/Nifti.hpp"
#include "io/Table.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

using nm::test::run;
using nm::test::shellQuote;
using nlohmann::json;

namespace {
std::string cli() { return nm::test::cliCommand(); }
std::string q(const std::filesystem::path& p) { return shellQuote(p.string()); }

json lastJson(const std::string& out) { return nm::test::lastJsonLine(out); }
std::string messages(const std::string& out) { return nm::test::progressMessages(out); }
bool haveMricron() { return nm::test::mricronFile("ch2bet.nii.gz").has_value(); }

std::string learnArgs(const std::filesystem::path& data, const nm::test::TempDir& dir) {
    return " learn " + q(data) + " --scales 8,16 --epochs 1 --batch 64 --seed 5 --no-surfaces --no-network --progress json --cache " +
           q(dir / "cache");
}
} // namespace

TEST_CASE("learn runs unchanged on an fMRIPrep-layout dataset, its derivative folder and the raw images", "[cli][learn][fmriprep]") {
    if (!haveMricron()) NM_SKIP("mricron-data is not installed (simulator needs the MNI template)");
    nm::test::TempDir dir;
    const auto data = dir / "fp";
    auto r = run(cli() + " simulate --preset tiny --subjects 4 --seed 3 --layout fmriprep --progress none --out " + q(data));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE(std::filesystem::exists(data / "derivatives/fmriprep/sub-001/func/sub-001_task-rest_run-1_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz"));

    r = run(cli() + learnArgs(data, dir) + " --out " + q(dir / "a.nmatlas.h5"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::string log = messages(r.out);
    CHECK(log.find("fMRIPrep derivatives") != std::string::npos);
    CHECK(log.find("space MNI152NLin2009cAsym") != std::string::npos);
    CHECK(log.find("fMRIPrep's brain masks of") != std::string::npos);
    const double ev = lastJson(r.out)["outputs"]["scales"][1]["held_out_explained_variance"].get<double>();
    CHECK(ev > 0.05);

    // The derivative folder itself, the scrubbing preset, and the raw images.
    r = run(cli() + learnArgs(data / "derivatives/fmriprep", dir) + " --denoise scrubbing --out " + q(dir / "b.nmatlas.h5"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(lastJson(r.out)["outputs"]["scales"][1]["held_out_explained_variance"].get<double>() > 0.03);
    r = run(cli() + learnArgs(data, dir) + " --space raw --out " + q(dir / "c.nmatlas.h5"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(messages(r.out).find("raw BIDS images") != std::string::npos);

    // A space that is not there, and a strategy whose columns are missing, name what is wrong.
    r = run(cli() + learnArgs(data, dir) + " --space MNI152NLin6Asym --out " + q(dir / "d.nmatlas.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("MNI152NLin6Asym") != std::string::npos);
    CHECK(r.err.find("present: MNI152NLin2009cAsym") != std::string::npos);
}

TEST_CASE("raw BIDS without confounds learns with a warning, and a denoising strategy then names the run", "[cli][learn][fmriprep]") {
    if (!haveMricron()) NM_SKIP("mricron-data is not installed (simulator needs the MNI template)");
    nm::test::TempDir dir;
    const auto data = dir / "raw";
    auto r = run(cli() + " simulate --preset tiny --subjects 3 --seed 4 --progress none --out " + q(data));
    REQUIRE(r.exitCode == 0);
    std::filesystem::remove_all(data / "derivatives/simulated_preprocessing");
    r = run(cli() + learnArgs(data, dir) + " --out " + q(dir / "a.nmatlas.h5"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(messages(r.out).find("have no confounds table") != std::string::npos);
    r = run(cli() + learnArgs(data, dir) + " --denoise simple --out " + q(dir / "b.nmatlas.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("_bold.nii.gz") != std::string::npos);
    CHECK(r.err.find("no confounds table") != std::string::npos);
    CHECK(r.err.find("--no-confounds") != std::string::npos);
    r = run(cli() + learnArgs(data, dir) + " --motion full --no-confounds --out " + q(dir / "c.nmatlas.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--no-confounds") != std::string::npos);
}

TEST_CASE("a single-subject dataset (the real Haxby slice as BIDS) holds out runs and gets a real held-out EV", "[cli][learn][haxby]") {
    const auto shared = nm::test::sharedData();
    if (!shared || !std::filesystem::exists(*shared / "fmri/haxby2001_slice/bold.nii.gz"))
        NM_SKIP("../shared/data/fmri/haxby2001_slice not found");
    nm::test::TempDir dir;
    const auto src = *shared / "fmri/haxby2001_slice";
    const auto root = dir / "haxby";
    const nm::Volume bold = nm::io::readNifti(src / "bold.nii.gz");
    std::vector<std::string> label;
    std::vector<int> chunk;
    {
        std::ifstream in(src / "attributes_literal.txt");
        std::string l;
        int c = 0;
        while (in >> l >> c) {
            label.push_back(l);
            chunk.push_back(c);
        }
    }
    REQUIRE(int(label.size()) == bold.frames);
    std::filesystem::create_directories(root / "sub-1/func");
    std::ofstream(root / "dataset_description.json") << R"({"Name": "Haxby 2001 subject 1, one slice", "BIDSVersion": "1.8.0"})";
    std::ofstream(root / "task-objects_bold.json") << R"({"RepetitionTime": 2.5, "TaskName": "objects"})";
    const int runs = chunk.back() + 1;
    for (int c = 0; c < runs; ++c) {
        std::vector<int> frames;
        for (int t = 0; t < bold.frames; ++t)
            if (chunk[std::size_t(t)] == c) frames.push_back(t);
        nm::Volume v;
        v.geometry = bold.geometry;
        v.frames = int(frames.size());
        v.repetitionTime = 2.5;
        for (int t : frames) v.data.insert(v.data.end(), bold.frame(t), bold.frame(t) + bold.voxelCount());
        const std::string stem = "sub-1_task-objects_run-" + std::to_string(c + 1) + "_";
        nm::io::writeNifti(root / "sub-1/func" / (stem + "bold.nii.gz"), v);
        // Blocks of the same category → events.
        std::vector<std::vector<std::string>> rows;
        for (std::size_t i = 0; i < frames.size();) {
            std::size_t e = i;
            while (e < frames.size() && label[std::size_t(frames[e])] == label[std::size_t(frames[i])]) ++e;
            if (label[std::size_t(frames[i])] != "rest")
                rows.push_back({std::to_string(2.5 * double(i)), std::to_string(2.5 * double(e - i)), label[std::size_t(frames[i])]});
            i = e;
        }
        nm::io::writeTable(root / "sub-1/func" / (stem + "events.tsv"), nm::io::Table({"onset", "duration", "trial_type"}, rows));
    }
    const auto r = run(cli() + " learn " + q(root) + " --scales 8,16 --epochs 2 --batch 64 --seed 1 --held-out 0.25 --no-surfaces --no-network --mask " +
                       q(src / "mask.nii.gz") + " --progress json --cache " + q(dir / "cache") + " --out " + q(dir / "h.nmatlas.h5"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(messages(r.out).find("holding out runs instead of subjects (12 of them)") != std::string::npos);
    const auto out = lastJson(r.out)["outputs"];
    CHECK(out["held_out_unit"] == "runs");
    CHECK(out["held_out_subjects"].size() == 3);
    CHECK(out["train_subjects"] == 9);
    // Measured: 0.224 / 0.280 — far above what 16 random maps explain (about 16/p = 0.03).
    CHECK(out["scales"][0]["held_out_explained_variance"].get<double>() > 0.15);
    CHECK(out["scales"][1]["held_out_explained_variance"].get<double>() > out["scales"][0]["held_out_explained_variance"].get<double>());
}

TEST_CASE("a study list mixes raw BIDS and fMRIPrep datasets with their own filters and weights", "[cli][learn][studies]") {
    if (!haveMricron()) NM_SKIP("mricron-data is not installed (simulator needs the MNI template)");
    nm::test::TempDir dir;
    auto r = run(cli() + " simulate --preset tiny --subjects 4 --seed 3 --layout fmriprep --progress none --out " + q(dir / "fp"));
    REQUIRE(r.exitCode == 0);
    r = run(cli() + " simulate --preset tiny --subjects 4 --seed 6 --progress none --out " + q(dir / "raw"));
    REQUIRE(r.exitCode == 0);
    std::ofstream(dir / "studies.tsv") << "path\tweight\ttasks\n"
                                           "fp/derivatives/fmriprep\t2\t\n"
                                           "raw\t\trest\n";
    r = run(cli() + " learn --studies " + q(dir / "studies.tsv") +
            " --scales 8,16 --epochs 1 --batch 64 --seed 5 --no-surfaces --no-network --progress json --cache " + q(dir / "cache") +
            " --out " + q(dir / "s.nmatlas.h5"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto out = lastJson(r.out)["outputs"];
    REQUIRE(out["studies"].size() == 2);
    std::map<std::string, json> byName;
    for (const auto& s : out["studies"]) byName[s["name"].get<std::string>()] = s;
    REQUIRE(byName.count("fmriprep"));
    REQUIRE(byName.count("raw"));
    // Weight 2: every training volume read twice per epoch. The raw study: its rest runs only.
    CHECK(byName["fmriprep"]["volumes_per_epoch"] == 2 * byName["fmriprep"]["train_volumes"].get<long long>());
    CHECK(byName["raw"]["volumes_per_epoch"] == byName["raw"]["train_volumes"]);
    const int restVolumes = nm::io::readNiftiInfo(dir / "raw/sub-001/func/sub-001_task-rest_run-1_bold.nii.gz").frames;
    CHECK(byName["raw"]["train_volumes"] == restVolumes * byName["raw"]["train"].get<int>());
    int held = 0;
    for (const auto& [name, s] : byName)
        if (s["held_out"].get<int>() > 0) {
            ++held;
            CHECK(s["held_out_explained_variance"].size() == 2);
            CHECK(s["held_out_explained_variance"][1].get<double>() > 0.0);
        }
    CHECK(held >= 1);
    // The recipe keeps the study filters: validating reconstruction re-reads the same runs.
    r = run(cli() + " validate reconstruction " + q(dir / "s.nmatlas.h5") + " --baselines pca --progress json --cache " + q(dir / "cache") +
            " --out " + q(dir / "rec.json"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    long long heldVolumes = 0;
    for (const auto& [name, s] : byName) heldVolumes += s["held_out_volumes"].get<long long>();
    std::ifstream recIn(dir / "rec.json");
    CHECK(json::parse(recIn)["held_out_volumes"] == heldVolumes);

    // Bad lists name the file, the row and the column.
    std::ofstream(dir / "bad.tsv") << "path\tweight\nraw\t-1\n";
    r = run(cli() + " learn --studies " + q(dir / "bad.tsv") + " --scales 8 --no-surfaces --out " + q(dir / "x.nmatlas.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("bad.tsv") != std::string::npos);
    CHECK(r.err.find("row 2, column 'weight'") != std::string::npos);
    std::ofstream(dir / "bad2.tsv") << "path\tsubject\nraw\t01\n";
    r = run(cli() + " learn --studies " + q(dir / "bad2.tsv") + " --scales 8 --no-surfaces --out " + q(dir / "x.nmatlas.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("column 'subject'") != std::string::npos);
}
