// End to end: an atlas learned on a simulated cohort is personalized to subjects it never saw;
// FUGW's maps correlate better with the subjects' true maps than the group maps (identity) and
// dual regression; the subject bundle opens like any atlas and carries its displacement.
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <tuple>

using nm::test::run;
using nm::test::shellQuote;
constexpr auto q = [](const std::filesystem::path& p) { return shellQuote(p); };
using nlohmann::json;

namespace {
std::string cli() { return nm::test::cliCommand(); }

/// The tiny preset with deformations of 10-16 mm (larger than its 8 mm voxels) and an atlas
/// learned with 30 % of the subjects held out.
void cohortAndAtlas(const std::filesystem::path& data, const std::filesystem::path& atlas, const std::filesystem::path& cache) {
    auto r = run(cli() + " simulate --preset tiny --subjects 10 --seed 4 --deformation 10,16 --progress none --out " + q(data));
    REQUIRE(r.exitCode == 0);
    r = run(cli() + " learn " + q(data) + " --scales 16,64 --held-out 0.3 --no-surfaces --progress none --cache " + q(cache) +
            " --out " + q(atlas));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
}
} // namespace

TEST_CASE("personalize an atlas to held-out simulated subjects", "[cli][personalize]") {
    if (!nm::test::mricronFile("ch2bet.nii.gz")) NM_SKIP("mricron-data is not installed (simulator needs the MNI template)");
    nm::test::TempDir dir;
    const auto data = dir / "cohort";
    const auto atlas = dir / "atlas.nmatlas.h5";
    cohortAndAtlas(data, atlas, dir / "cache");
    nm::test::ProcessResult r;

    // under the sanitizers (10× slower) fewer iterations: the memory checks, not the figures
    const bool sanitized = nm::test::slowdown() > 1;
    const std::string quick = sanitized ? " --bcd 2 --inner 3" : "";
    // the surfaces of fsaverage5 (10,242 vertices per hemisphere; the template's 40k take ~35 s each)
    const auto shared = nm::test::sharedData();
    // (not under the sanitizers: two coarse-to-fine surface problems would take most of the time limit)
    const bool surfaces = !sanitized && shared && std::filesystem::exists(*shared / "surfaces" / "fsaverage5");
    const std::string surfaceOptions = surfaces ? " --surfaces --surface-space fsaverage5" : "";
    if (!surfaces && !sanitized) WARN("fsaverage5 not in the shared test data: the surface personalization is not tested");
    const int subjects = sanitized ? 1 : 2;  // two for the contrast measures across subjects
    r = run(cli() + " validate personalization " + q(atlas) + " --subjects " + std::to_string(subjects) + " --no-variant --anatomy 0" + quick + surfaceOptions +
            " --progress none --cache " + q(dir / "cache") + " -o " + q(dir / "pers.json") + " --tsv " + q(dir / "pers.tsv"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json report = json::parse(std::ifstream(dir / "pers.json"));
    std::map<std::pair<int, std::string>, double> mean;
    for (const auto& s : report["summary"]) mean[{s["components"].get<int>(), s["method"].get<std::string>()}] = s["mean_r"];
    for (int k : sanitized ? std::vector<int>{} : std::vector<int>{16, 64}) {
        const double id = mean[{k, "identity"}], dr = mean[{k, "dual regression"}], fu = mean[{k, "fugw"}];
        INFO("k=" << k << " identity " << id << " dual regression " << dr << " fugw " << fu);
        CHECK(mean[{k, "fugw"}] > mean[{k, "dual regression"}]);
        CHECK(mean[{k, "fugw"}] > 0.5);
    }
    if (!sanitized) CHECK(mean[{64, "fugw"}] > mean[{64, "identity"}] + 0.01);  // the finest scale gains most
    if (surfaces && !sanitized) {
        // on the cortex: FUGW on the mesh beats the subject's dual-regression maps sampled there, and
        // keeps up with the group's projection
        const double sid = mean[{64, "surface: identity"}], sdr = mean[{64, "surface: dual regression"}],
                     sfu = mean[{64, "surface: fugw"}];
        INFO("surface: identity " << sid << " dual regression " << sdr << " fugw " << sfu);
        CHECK(sfu > sdr);
        CHECK(sfu > sid - 0.01);
    }
    // a run the personalization did not see: every method scored by its explained variance; dual
    // regression, fitted to the other runs' noise, explains it worst
    std::map<std::pair<int, std::string>, double> ev;
    for (const auto& s : report["held_out_runs"]["summary"])
        ev[{s["components"].get<int>(), s["method"].get<std::string>()}] = s["explained_variance"];
    REQUIRE(ev.count({64, "fugw"}));
    const double eid = ev[{64, "identity"}], edr = ev[{64, "dual regression"}], efu = ev[{64, "fugw"}];
    INFO("held-out run EV at 64: identity " << eid << " dual regression " << edr << " fugw " << efu);
    CHECK(efu > 0.05);
    if (!sanitized) CHECK(efu > edr);
    CHECK(report["held_out_runs"]["runs"][0]["run"].get<std::string>().find("_bold") != std::string::npos);
    // contrast maps of the two subjects: aligned to the group by their plans, they agree better
    // across subjects than as they are, and each run's condition is told from the other subject's maps
    std::map<std::string, json> contrast;
    for (const auto& c : report["contrasts"]["scores"]) contrast[c["method"].get<std::string>()] = c;
    if (sanitized) CHECK(report["contrasts"]["skipped"].get<std::string>().find("two or more") != std::string::npos);
    if (!sanitized) {
        REQUIRE(contrast.count("identity"));
        REQUIRE(contrast.count("fugw"));
        const double rid = contrast["identity"]["between_subject_r"], rfu = contrast["fugw"]["between_subject_r"];
        INFO("between-subject r of contrast maps: identity " << rid << ", fugw " << rfu);
        CHECK(rfu > rid);
        CHECK(contrast["fugw"]["samples"].get<int>() > 0);
        CHECK(contrast["fugw"]["decoding_accuracy"].get<double>() > contrast["fugw"]["chance"].get<double>());
    }
    REQUIRE(report["displacement"].size() == std::size_t(subjects));
    CHECK(report["displacement"][0]["max_true_mm"].get<double>() > 8.0);

    // the personalize command on that subject: a bundle with every scale, its displacement, provenance
    const std::string subject = report["subjects"][0].get<std::string>();
    const auto folder = data / subject.substr(subject.find('/') + 1);
    const auto out = dir / "subject.nmatlas.h5";
    r = run(cli() + " personalize " + q(atlas) + " " + q(folder) + quick + " --progress none --cache " + q(dir / "cache") + " -o " +
            q(out) + " --displacement " + q(dir / "disp.nii.gz"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const auto group = nm::io::readAtlasBundle(atlas);
    const auto b = nm::io::readAtlasBundle(out);
    REQUIRE(b.scales.size() == group.scales.size());
    CHECK(b.scales[1].names == group.scales[1].names);
    REQUIRE(b.displacementMm);
    CHECK(b.displacementMm->size() == Eigen::Index(group.maskVoxels.size()));
    CHECK(b.provenance["personalization"]["subject"].get<std::string>() == subject);
    CHECK(b.scales[1].correlation.rows() == 64);
    CHECK(std::filesystem::exists(dir / "disp.nii.gz"));
    CHECK_FALSE(b.scales[1].surfaceLeft);  // the group's projections do not describe the subject's maps

    if (surfaces) {
        // on the surfaces too: the bundle's surface maps are the transported ones, per-vertex displacement
        const auto out2 = dir / "subject-surf.nmatlas.h5";
        r = run(cli() + " personalize " + q(atlas) + " " + q(folder) + quick + surfaceOptions + " --progress none --cache " +
                q(dir / "cache") + " -o " + q(out2) + " --surface-displacement " + q(dir / "sdisp"));
        INFO(r.out << r.err);
        REQUIRE(r.exitCode == 0);
        const auto bs = nm::io::readAtlasBundle(out2);
        CHECK(bs.surfaceSpace == "fsaverage5");
        REQUIRE(bs.scales[1].surfaceLeft);
        REQUIRE(bs.scales[1].surfaceRight);
        CHECK(bs.scales[1].surfaceLeft->rows() == 64);
        CHECK(bs.scales[1].surfaceLeft->cols() == 10242);
        CHECK(bs.scales[1].surfaceLeft->nonZeros() > 0);
        CHECK(std::filesystem::exists(dir / "sdisp_hemi-L.func.gii"));
        CHECK(std::filesystem::exists(dir / "sdisp_hemi-R.func.gii"));
        CHECK(bs.provenance["personalization"]["surfaces"]["left"]["vertices"].get<int>() == 10242);
    }
    r = run(cli() + " personalize " + q(atlas) + " " + q(folder) + " --surface-displacement x --progress none -o " +
            q(dir / "y.nmatlas.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--surface-displacement needs --surfaces") != std::string::npos);

    // bad input is named
    r = run(cli() + " personalize " + q(atlas) + " " + q(dir.path()) + " --progress none -o " + q(dir / "x.nmatlas.h5"));
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("not a BIDS subject folder") != std::string::npos);
}

TEST_CASE("personalize a labelled atlas from contrast maps alone and with contrast features", "[cli][personalize]") {
    if (!nm::test::mricronFile("ch2bet.nii.gz")) NM_SKIP("mricron-data is not installed (simulator needs the MNI template)");
    nm::test::TempDir dir;
    const auto data = dir / "cohort";
    const auto atlas = dir / "atlas.nmatlas.h5";
    cohortAndAtlas(data, atlas, dir / "cache");
    const bool sanitized = nm::test::slowdown() > 1;
    const std::string quick = sanitized ? " --bcd 2 --inner 3" : "";
    const auto shared = nm::test::sharedData();
    const bool surfaces = !sanitized && shared && std::filesystem::exists(*shared / "surfaces" / "fsaverage5");
    const auto group = nm::io::readAtlasBundle(atlas);
    const std::string subject = group.provenance["inputs"]["held_out_subjects"][0].get<std::string>();
    const auto folder = data / subject.substr(subject.find('/') + 1);
    nm::test::ProcessResult r;
    // a labelled atlas personalized from the subject's contrast maps alone (NIfTI t maps of two
    // conditions, named by the concepts the atlas labels); the group's network is kept
    const auto labelled = dir / "labelled.nmatlas.h5";
    r = run(cli() + " label " + q(atlas) + " --progress none --cache " + q(dir / "cache") + " -o " + q(labelled));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const std::string label = subject.substr(subject.rfind("sub-"));
    for (const auto& [task, condition, file] : {std::tuple{"motor", "LH", "lh.nii.gz"}, std::tuple{"faces", "face perception", "face.nii.gz"}}) {
        r = run(cli() + " glm " + q(folder / "func" / (label + "_task-" + task + "_run-1_bold.nii.gz")) + " --contrast " +
                shellQuote(std::string(condition)) + " --progress none -o " + q(dir / file));
        INFO(r.out << r.err);
        REQUIRE(r.exitCode == 0);
    }
    const auto fromMaps = dir / "from-maps.nmatlas.h5";
    r = run(cli() + " personalize " + q(labelled) + " --contrast " + shellQuote("motor response (left hand)=" + (dir / "lh.nii.gz").string()) +
            " --contrast " + shellQuote("face perception=" + (dir / "face.nii.gz").string()) + quick + " --progress none -o " + q(fromMaps));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    {
        const auto bm = nm::io::readAtlasBundle(fromMaps);
        const auto& pers = bm.provenance["personalization"];
        CHECK(pers["contrasts"].size() == 2);
        CHECK(pers["contrast_features"].size() == 2);
        CHECK(pers["volumes"].get<int>() == 0);
        CHECK(bm.scales[1].correlation.isApprox(group.scales[1].correlation));  // no signals: the group's network
        REQUIRE(bm.displacementMm);
        CHECK(bm.displacementMm->maxCoeff() > 0);
    }
    if (surfaces) {
        // the same contrast on the surfaces (GIFTI, both hemispheres), put on the atlas grid's ribbon
        const auto space = nm::anatomy::loadSurfaceSpace("fsaverage5");
        const nm::Volume lh = nm::io::readNifti(dir / "lh.nii.gz");
        nm::io::writeGiftiData(dir / "lh_L.func.gii", nm::anatomy::VolumeToSurface(space.left, lh.geometry).project(lh));
        nm::io::writeGiftiData(dir / "lh_R.func.gii", nm::anatomy::VolumeToSurface(space.right, lh.geometry).project(lh));
        r = run(cli() + " personalize " + q(labelled) + " --contrast " +
                shellQuote("motor response (left hand)=" + (dir / "lh_L.func.gii").string() + "+" + (dir / "lh_R.func.gii").string()) +
                " --surface-space fsaverage5" + quick + " --progress none -o " + q(dir / "from-gifti.nmatlas.h5"));
        INFO(r.out << r.err);
        REQUIRE(r.exitCode == 0);
        CHECK(nm::io::readAtlasBundle(dir / "from-gifti.nmatlas.h5").provenance["personalization"]["contrasts"].size() == 1);
        r = run(cli() + " personalize " + q(labelled) + " --contrast " +
                shellQuote("motor response (left hand)=" + (dir / "lh_L.func.gii").string()) + " --progress none -o " + q(dir / "z.nmatlas.h5"));
        CHECK(r.exitCode == 2);
        CHECK(r.err.find("needs both hemispheres") != std::string::npos);
    }
    // bad contrast specifications are named, and nothing is written
    for (const auto& [atlasFile, spec, expected] :
         {std::tuple{labelled, "no such concept=" + (dir / "lh.nii.gz").string(), std::string("labels no concept of that name (expected one of: ")},
          std::tuple{labelled, (dir / "lh.nii.gz").string(), std::string("expected CONCEPT=FILE.nii.gz")},
          std::tuple{atlas, "face perception=" + (dir / "face.nii.gz").string(), std::string("has no labels")}}) {
        r = run(cli() + " personalize " + q(atlasFile) + " --contrast " + shellQuote(spec) + " --progress none -o " + q(dir / "z.nmatlas.h5"));
        INFO(spec);
        CHECK(r.exitCode == 2);
        CHECK(r.err.find(expected) != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(dir / "z.nmatlas.h5"));
    // from the subject's runs with --contrast-features: its task contrasts of the labelled concepts join the features
    r = run(cli() + " personalize " + q(labelled) + " " + q(folder) + " --contrast-features" + quick + " --progress none --cache " +
            q(dir / "cache") + " -o " + q(dir / "with-contrasts.nmatlas.h5"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(nm::io::readAtlasBundle(dir / "with-contrasts.nmatlas.h5").provenance["personalization"]["contrast_features"].size() >= 2);

}
