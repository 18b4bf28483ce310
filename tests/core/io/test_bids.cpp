#include "common/Error.hpp"
#include "io/Bids.hpp"
#include "io/Nifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

namespace {
void write(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

void makeDataset(const std::filesystem::path& root) {
    write(root / "dataset_description.json", R"({"Name": "toy", "BIDSVersion": "1.8.0"})");
    write(root / "task-faces_bold.json", R"({"RepetitionTime": 2.0, "TaskName": "faces"})");
    Volume v;
    v.geometry.dims = {2, 2, 2};
    v.frames = 3;
    v.data.assign(24, 1.0f);
    for (const std::string sub : {"01", "02"}) {
        const auto func = root / ("sub-" + sub) / "func";
        for (const std::string run : {"1", "2"}) {
            const std::string stem = "sub-" + sub + "_task-faces_run-" + run + "_";
            std::filesystem::create_directories(func);
            io::writeNifti(func / (stem + "bold.nii.gz"), v);
            write(func / (stem + "events.tsv"), "onset\tduration\ttrial_type\tresponse_time\n0\t2\tface\t0.5\n4\t2\thouse\tn/a\n");
        }
        // Subject 02, run 2: a more specific sidecar overrides the TR.
        if (sub == "02") write(func / "sub-02_task-faces_run-2_bold.json", R"({"RepetitionTime": 1.5})");
        write(root / "derivatives/fmriprep" / ("sub-" + sub) / "func" /
                  ("sub-" + sub + "_task-faces_run-1_desc-confounds_timeseries.tsv"),
              "trans_x\ttrans_y\n0\t0\n0.1\t0\n0.2\t0.1\n");
    }
    const auto ses = root / "sub-03/ses-a/func";
    std::filesystem::create_directories(ses);
    io::writeNifti(ses / "sub-03_ses-a_task-rest_bold.nii.gz", v);
    write(ses / "sub-03_ses-a_task-rest_bold.json", R"({"RepetitionTime": 0.72})");
}
} // namespace

TEST_CASE("BIDS file names parse into entities", "[io][bids]") {
    const auto n = io::parseBidsName("sub-01_ses-pre_task-n-back_run-2_bold.nii.gz");
    CHECK_FALSE(n.has_value());  // '-' inside a label is not BIDS
    const auto m = io::parseBidsName("sub-01_ses-pre_task-nback_run-2_bold.nii.gz");
    REQUIRE(m);
    CHECK(m->get("ses") == "pre");
    CHECK(m->get("run") == "2");
    CHECK(m->suffix == "bold");
    CHECK(m->extension == ".nii.gz");
}

TEST_CASE("BIDS datasets: runs, inherited sidecars, events, confounds and filters", "[io][bids]") {
    test::TempDir dir;
    makeDataset(dir.path());
    const auto ds = io::readBidsDataset(dir.path());
    CHECK(ds.name == "toy");
    CHECK(ds.subjects() == std::vector<std::string>{"01", "02", "03"});
    CHECK(ds.tasks() == std::vector<std::string>{"faces", "rest"});
    REQUIRE(ds.runs.size() == 5);
    CHECK(ds.runs[0].repetitionTime == 2.0);
    CHECK(ds.runs[0].taskName == "faces");
    CHECK(ds.runs[3].subject == "02");
    CHECK(ds.runs[3].run == "2");
    CHECK(ds.runs[3].repetitionTime == 1.5);  // overridden by the run's own sidecar
    CHECK(ds.runs[3].taskName == "faces");     // still inherited from the top level
    CHECK(ds.runs[4].session == "a");
    CHECK(ds.runs[4].repetitionTime == 0.72);
    REQUIRE(ds.runs[0].events);
    CHECK(ds.runs[0].confounds.has_value());
    CHECK_FALSE(ds.runs[1].confounds.has_value());
    const auto events = io::readBidsEvents(*ds.runs[0].events);
    REQUIRE(events.size() == 2);
    CHECK(events[1].onset == 4.0);
    CHECK(events[1].trialType == "house");
    CHECK(events[0].extra.at("response_time") == "0.5");

    io::BidsFilter f;
    f.subjects = {"sub-02"};
    f.runs = {"1"};
    const auto one = io::readBidsDataset(dir.path(), f);
    REQUIRE(one.runs.size() == 1);
    CHECK(one.runs[0].subject == "02");
    f = {};
    f.tasks = {"rest"};
    CHECK(io::readBidsDataset(dir.path(), f).runs.size() == 1);
    // Studies left out (leave-one-study-out): by task, dataset/task, or the whole dataset.
    const auto all = io::readBidsDataset(dir.path()).runs.size();
    const std::string name = std::filesystem::canonical(dir.path()).filename().string();
    for (const std::string& entry : std::vector<std::string>{"rest", "task-rest", name + "/rest"}) {
        f = {};
        f.excludeStudies = {entry};
        const auto without = io::readBidsDataset(dir.path(), f);
        CHECK(without.runs.size() == all - 1);
        for (const auto& r : without.runs) CHECK(r.task != "rest");
    }
    f = {};
    f.excludeStudies = {name};
    CHECK(io::readBidsDataset(dir.path(), f).runs.empty());
    f.excludeStudies = {"other/rest"};
    CHECK(io::readBidsDataset(dir.path(), f).runs.size() == all);
    CHECK(io::studyMatches("d/motor", "d", "motor"));
    CHECK_FALSE(io::studyMatches("d/motor", "e", "motor"));
}

TEST_CASE("broken BIDS datasets give errors naming the file and field", "[io][bids]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(io::readBidsDataset(dir.path()), Catch::Contains("dataset_description.json"));
    write(dir / "dataset_description.json", R"({"BIDSVersion": "1.8.0"})");
    CHECK_THROWS_WITH(io::readBidsDataset(dir.path()), Catch::Contains("Name"));
    write(dir / "dataset_description.json", R"({"Name": "x", "BIDSVersion": "1.8.0"})");
    Volume v;
    v.geometry.dims = {1, 1, 1};
    v.data = {0.0f};
    std::filesystem::create_directories(dir / "sub-01/func");
    io::writeNifti(dir / "sub-01/func/sub-01_task-x_bold.nii.gz", v);
    CHECK_THROWS_WITH(io::readBidsDataset(dir.path()), Catch::Contains("sub-01_task-x_bold.nii.gz") && Catch::Contains("RepetitionTime"));
    write(dir / "sub-01/func/sub-01_task-x_events.tsv", "onset\tduration\n1\tn/a\n");
    CHECK_THROWS_WITH(io::readBidsEvents(dir / "sub-01/func/sub-01_task-x_events.tsv"),
                      Catch::Contains("row 1") && Catch::Contains("duration"));
}

namespace {
/// A raw dataset with fMRIPrep derivatives as fMRIPrep 23 writes them: two sessions, the runs in
/// MNI152NLin2009cAsym at res-1 and res-2 and in T1w, brain masks, confounds, sidecars with the TR
/// (the raw sidecar says 3.0: fMRIPrep's own wins); events only in the raw dataset.
void makeFmriprep(const std::filesystem::path& root, bool templateSpaces = true) {
    write(root / "dataset_description.json", R"({"Name": "raw", "BIDSVersion": "1.8.0", "DatasetType": "raw"})");
    write(root / "task-nback_bold.json", R"({"RepetitionTime": 3.0, "TaskName": "nback"})");
    const auto prep = root / "derivatives/fmriprep";
    write(prep / "dataset_description.json",
          R"({"Name": "fMRIPrep - fMRI PREProcessing workflow", "BIDSVersion": "1.4.0", "DatasetType": "derivative",
              "GeneratedBy": [{"Name": "fMRIPrep", "Version": "23.1.4"}]})");
    Volume v;
    v.geometry.dims = {2, 2, 2};
    v.frames = 4;
    v.data.assign(32, 1.0f);
    Volume m;
    m.geometry.dims = {2, 2, 2};
    m.data.assign(8, 1.0f);
    for (const std::string ses : {"1", "2"}) {
        const std::string stem = "sub-01_ses-" + ses + "_task-nback_run-1_";
        const auto raw = root / "sub-01" / ("ses-" + ses) / "func";
        std::filesystem::create_directories(raw);
        io::writeNifti(raw / (stem + "bold.nii.gz"), v);
        write(raw / (stem + "events.tsv"), "onset\tduration\ttrial_type\n0\t2\t2back\n");
        const auto func = prep / "sub-01" / ("ses-" + ses) / "func";
        std::filesystem::create_directories(func);
        std::vector<std::string> spaces{"space-T1w_"};
        if (templateSpaces) spaces.insert(spaces.end(), {"space-MNI152NLin2009cAsym_res-1_", "space-MNI152NLin2009cAsym_res-2_"});
        for (const auto& sp : spaces) {
            io::writeNifti(func / (stem + sp + "desc-preproc_bold.nii.gz"), v);
            write(func / (stem + sp + "desc-preproc_bold.json"), R"({"RepetitionTime": 2.0, "SkullStripped": false})");
            io::writeNifti(func / (stem + sp + "desc-brain_mask.nii.gz"), m);
        }
        write(func / (stem + "desc-confounds_timeseries.tsv"), "trans_x\n0\n0.1\n0.2\n0.1\n");
    }
}
} // namespace

TEST_CASE("fMRIPrep derivatives are the data: space, resolution, masks, confounds, events from the raw dataset", "[io][bids][fmriprep]") {
    test::TempDir dir;
    const auto root = dir / "ds";
    makeFmriprep(root);
    const auto ds = io::readBidsDataset(root);
    CHECK(ds.layout == "fmriprep");
    CHECK(ds.spaces == std::vector<std::string>{"MNI152NLin2009cAsym", "T1w"});
    REQUIRE(ds.runs.size() == 2);
    for (const auto& r : ds.runs) {
        CHECK(r.space == "MNI152NLin2009cAsym");
        CHECK(r.resolution == "2");
        CHECK(r.bold.filename().string().find("_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold.nii.gz") != std::string::npos);
        CHECK(r.repetitionTime == 2.0);  // fMRIPrep's sidecar over the raw one (3.0)
        CHECK(r.taskName == "nback");    // inherited from the raw dataset
        REQUIRE(r.events);
        CHECK(r.events->parent_path().string().find("derivatives") == std::string::npos);
        REQUIRE(r.confounds);
        CHECK(r.confounds->filename().string() == "sub-01_ses-" + r.session + "_task-nback_run-1_desc-confounds_timeseries.tsv");
        REQUIRE(r.brainMask);
        CHECK(r.brainMask->filename().string() == "sub-01_ses-" + r.session + "_task-nback_run-1_space-MNI152NLin2009cAsym_res-2_desc-brain_mask.nii.gz");
    }
    CHECK(ds.runs[0].session == "1");
    CHECK(ds.runs[1].session == "2");
    io::BidsFilter f;
    f.resolution = "1";
    f.sessions = {"ses-2"};
    const auto res1 = io::readBidsDataset(root, f);
    REQUIRE(res1.runs.size() == 1);
    CHECK(res1.runs[0].resolution == "1");
    CHECK(res1.runs[0].session == "2");
    // The derivative folder given directly finds the raw dataset's events two levels up.
    const auto direct = io::readBidsDataset(root / "derivatives/fmriprep");
    REQUIRE(direct.runs.size() == 2);
    CHECK(direct.runs[0].events.has_value());
    // The raw images on request.
    f = {};
    f.space = "raw";
    const auto raw = io::readBidsDataset(root, f);
    CHECK(raw.layout == "raw");
    REQUIRE(raw.runs.size() == 2);
    CHECK(raw.runs[0].repetitionTime == 3.0);
    CHECK(raw.runs[0].confounds.has_value());
    // Errors name the folder, the entity and what is present.
    f = {};
    f.space = "MNI152NLin6Asym";
    CHECK_THROWS_WITH(io::readBidsDataset(root, f), Catch::Contains("space entity") && Catch::Contains("MNI152NLin2009cAsym, T1w"));
    f.space = "T1w";
    CHECK_THROWS_WITH(io::readBidsDataset(root, f), Catch::Contains("not a template space"));
    f = {};
    f.resolution = "3";
    CHECK_THROWS_WITH(io::readBidsDataset(root, f), Catch::Contains("res-3") && Catch::Contains("present: 1, 2"));
}

TEST_CASE("fMRIPrep outputs only in subject spaces are refused with advice", "[io][bids][fmriprep]") {
    test::TempDir dir;
    makeFmriprep(dir / "ds", false);
    CHECK_THROWS_WITH(io::readBidsDataset(dir / "ds"), Catch::Contains("none is a template space") && Catch::Contains("--space raw") &&
                                                           Catch::Contains("T1w"));
    io::BidsFilter f;
    f.space = "raw";
    CHECK(io::readBidsDataset(dir / "ds", f).runs.size() == 2);
}
