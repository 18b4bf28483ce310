// Leave-one-study-out and `validate all` on a tiny simulated cohort: the atlas learned without the
// motor study never reads its runs (the same subjects, split and voxels; exactly the motor volumes
// fewer), still represents the motor data better than the parcellations and decodes its conditions
// well above chance; the combined report runs what the atlas allows, says why it skips the rest,
// keeps the sections that worked when one fails, and writes the TSV and the HTML summary.
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

using nm::test::run;
using nm::test::shellQuote;
constexpr auto q = [](const std::filesystem::path& p) { return shellQuote(p); };
using nlohmann::json;

namespace {
std::map<std::pair<std::string, int>, double> table(const json& entries, const char* value) {
    std::map<std::pair<std::string, int>, double> out;
    for (const auto& e : entries) out[{e["method"].get<std::string>(), e["components"].get<int>()}] = e[value].get<double>();
    return out;
}
double regions(const std::map<std::pair<std::string, int>, double>& m, const std::string& method) {
    for (const auto& [k, v] : m)
        if (k.first == method) return v;
    return -1;
}
std::string slurp(const std::filesystem::path& f) {
    std::ostringstream s;
    s << std::ifstream(f).rdbuf();
    return s.str();
}
} // namespace

TEST_CASE("leave-one-study-out and validate all", "[cli][validate][leave-out]") {
    if (!nm::test::mricronFile("ch2bet.nii.gz")) NM_SKIP("mricron-data is not installed (simulator and parcellations need it)");
    nm::test::TempDir dir;
    const std::string cli = nm::test::cliCommand() + " --progress none";
    const auto data = dir / "cohort";
    REQUIRE(run(cli + " simulate --preset tiny --subjects 6 --seed 3 --out " + q(data)).exitCode == 0);
    const auto atlas = dir / "atlas.nmatlas.h5";
    const std::string cache = " --cache " + q(dir / "cache");
    auto r = run(cli + " learn " + q(data) + " --scales 16,64 --held-out 0.2 --no-surfaces --no-sparse-network" + cache + " --out " + q(atlas));
    REQUIRE(r.exitCode == 0);

    r = run(cli + " validate leave-one-study-out " + q(atlas) + " motor" + cache + " -o " + q(dir / "loso.json") + " --tsv " + q(dir / "loso.tsv"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json rep = json::parse(std::ifstream(dir / "loso.json"));
    CHECK(rep["kind"] == "leave-one-study-out");
    REQUIRE(rep["studies"].size() == 1);
    const json& s = rep["studies"][0];
    CHECK(s["tasks"] == json::array({"cohort/motor"}));
    CHECK(s["subjects"] == 6);
    CHECK(s["reused"] == false);
    CHECK(s["conditions"].size() >= 2);

    // The atlas without motor: same voxels, the same train/held-out subjects, motor never read.
    const auto full = nm::io::readAtlasBundle(atlas);
    const auto without = nm::io::readAtlasBundle(s["atlas"].get<std::string>());
    CHECK(without.maskVoxels == full.maskVoxels);
    const auto inFull = nm::decompose::bundleInputs(full, atlas), inWithout = nm::decompose::bundleInputs(without, s["atlas"].get<std::string>());
    CHECK(inWithout.trainSubjects == inFull.trainSubjects);
    CHECK(inWithout.heldOutSubjects == inFull.heldOutSubjects);
    CHECK(inWithout.filter.excludeStudies == std::vector<std::string>{"motor"});
    nm::io::BidsFilter motorOnly;
    motorOnly.tasks = {"motor"};
    std::int64_t fullTrain = 0, motorTrain = 0;
    const std::set<std::string> trainKeys(inFull.trainSubjects.begin(), inFull.trainSubjects.end());
    for (const auto& c : nm::decompose::discoverCohort({data}, {}))
        if (trainKeys.count(c.key)) fullTrain += c.volumes;
    for (const auto& c : nm::decompose::discoverCohort({data}, motorOnly))
        if (trainKeys.count(c.key)) motorTrain += c.volumes;
    REQUIRE(motorTrain > 0);
    CHECK(s["train_volumes"].get<std::int64_t>() == fullTrain - motorTrain);

    // The unseen study: better represented than by the parcellations, decoded above chance.
    const auto ev = table(s["explained_variance"], "explained_variance");
    const auto con = table(s["contrasts"], "mean");
    CHECK(ev.at({"atlas", 64}) > regions(ev, "aal"));
    CHECK(ev.at({"atlas", 64}) > regions(ev, "harvard-oxford"));
    CHECK(ev.at({"atlas", 64}) > ev.at({"pca", 64}));
    CHECK(ev.at({"atlas", 64}) <= ev.at({"atlas (study seen)", 64}) + 0.01);  // seeing the study does not hurt
    CHECK(con.at({"atlas", 64}) > con.at({"pca", 64}));
    CHECK(con.at({"atlas", 64}) > regions(con, "harvard-oxford"));
    for (const auto& [key, v] : con) {
        CHECK(v >= -1e-9);
        CHECK(v <= 1 + 1e-9);
    }
    double accuracy = -1, chance = -1;
    for (const auto& d : s["decoding"])
        if (d["method"] == "atlas" && d["components"] == 64) {
            accuracy = d["accuracy"].get<double>();
            chance = d["chance"].get<double>();
        }
    CHECK(chance > 0);
    CHECK(accuracy > chance + 0.25);
    CHECK(slurp(dir / "loso.tsv").rfind("study\tmeasure\tmethod\tcomponents\tvalue\n", 0) == 0);

    // Again: the atlas without motor is reused.
    r = run(cli + " validate leave-one-study-out " + q(atlas) + " motor" + cache + " -o " + q(dir / "loso2.json"));
    REQUIRE(r.exitCode == 0);
    CHECK(json::parse(std::ifstream(dir / "loso2.json"))["studies"][0]["reused"] == true);
    CHECK_THAT(r.out, Catch::Contains("reused"));

    // A study the data does not hold, before anything is learned.
    r = run(cli + " validate leave-one-study-out " + q(atlas) + " nback" + cache + " -o " + q(dir / "x.json"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("'nback'") && Catch::Contains("cohort/motor"));

    // validate all: what the atlas allows, the reasons for the rest.
    r = run(cli + " validate all " + q(atlas) + " --leave-out motor --skip personalization" + cache + " -o " + q(dir / "all.json"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json all = json::parse(std::ifstream(dir / "all.json"));
    CHECK(all["kind"] == "all");
    std::map<std::string, json> section;
    for (const auto& x : all["sections"]) section[x["name"].get<std::string>()] = x;
    CHECK(section["reconstruction"]["status"] == "done");
    CHECK(section["leave-one-study-out"]["status"] == "done");
    CHECK(section["leave-one-study-out"]["report"]["studies"][0]["reused"] == true);
    CHECK(section["network"]["status"] == "done");  // the simulator writes the true network
    CHECK(section["personalization"]["status"] == "skipped");
    CHECK_THAT(section["representation"]["reason"].get<std::string>(), Catch::Contains("--literature"));
    CHECK_THAT(section["decoding"]["reason"].get<std::string>(), Catch::Contains("label"));
    // A reading per scale with its baseline: the held-out EV against PCA, as the report has it.
    bool found = false;
    for (const auto& x : all["readings"])
        if (x["section"] == "reconstruction" && x["measure"] == "held-out explained variance" && x["components"] == 64) {
            found = true;
            const auto recon = table(section["reconstruction"]["report"]["explained_variance"], "held_out_explained_variance");
            CHECK(x["value"].get<double>() == Approx(recon.at({"atlas", 64})));
            CHECK(x["baseline"].get<double>() == Approx(recon.at({"pca", 64})));
            CHECK(x["baseline_method"] == "pca");
            CHECK_THAT(x["text"].get<std::string>(), Catch::Contains("k = 64") && Catch::Contains("PCA") && Catch::Contains("points"));
        }
    CHECK(found);
    const std::string html = slurp(dir / "all.html");
    CHECK_THAT(html, Catch::Contains("<svg") && Catch::Contains("Left out motor") && Catch::Contains("skipped"));
    CHECK(slurp(dir / "all.tsv").rfind("section\tchart\tseries\tcategory\tvalue\n", 0) == 0);

    // A section that fails keeps the others and the exit status says so.
    std::ofstream(dir / "notes.txt") << "x";
    r = run(cli + " validate all " + q(atlas) + " --maps " + q(dir / "notes.txt") + " --skip personalization,network,leave-one-study-out" + cache +
            " -o " + q(dir / "all2.json"));
    CHECK(r.exitCode == 1);
    CHECK_THAT(r.err, Catch::Contains("representation") && Catch::Contains("notes.txt"));
    const json all2 = json::parse(std::ifstream(dir / "all2.json"));
    for (const auto& x : all2["sections"]) {
        if (x["name"] == "representation") CHECK(x["status"] == "failed");
        if (x["name"] == "reconstruction") CHECK(x["status"] == "done");
    }
    r = run(cli + " validate all " + q(atlas) + " --skip everything -o " + q(dir / "x.json"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--skip") && Catch::Contains("everything"));
}
