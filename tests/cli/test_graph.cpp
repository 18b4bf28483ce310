// neuromosaic-cli graph metrics end to end on the worm connectome.
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using nm::test::run;
using nm::test::shellQuote;

TEST_CASE("graph metrics: the worm's figures, node table, and clear errors", "[cli][graph]") {
    const auto data = nm::test::sharedData();
    if (!data || !std::filesystem::exists(*data / "connectomes")) NM_SKIP("shared connectomes are not available");
    const auto cli = shellQuote((nm::test::binaryDir() / "neuromosaic-cli").string());
    nm::test::TempDir dir;
    const auto worm = *data / "connectomes/celegans277/celegans277matrix.csv";
    auto r = run(cli + " graph metrics " + shellQuote(worm.string()) + " --symmetrize --binarize -o " + shellQuote((dir / "m.json").string()) +
                 " --nodes " + shellQuote((dir / "n.tsv").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(std::ifstream(dir / "m.json"));
    CHECK(j["edges"] == 1918);
    CHECK(j["mean_clustering"].get<double>() == Approx(0.278).margin(5e-4));
    CHECK(j["global_efficiency"].get<double>() == Approx(0.421).margin(5e-4));
    CHECK(j["modularity"]["q"].get<double>() == Approx(0.406).margin(0.006));  // Leiden, best of 20 (shared data README)
    std::ifstream nodes(dir / "n.tsv");
    int lines = 0;
    for (std::string l; std::getline(nodes, l);) ++lines;
    CHECK(lines == 278);
    // Directed input: directed measures and BCT's directed modularity.
    r = run(cli + " graph metrics " + shellQuote(worm.string()) + " --nulls 5 -o " + shellQuote((dir / "d.json").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto d = nlohmann::json::parse(std::ifstream(dir / "d.json"));
    CHECK(d["directed"] == true);
    CHECK(d["edges"] == 2105);
    CHECK(d["modularity"]["method"].get<std::string>().find("community_louvain") != std::string::npos);
    CHECK(d["small_world"]["sigma"].get<double>() > 1.5);
    // Signed: community_louvain with the negative_asym objective (bctpy signed sample: Q* ≈ 0.466).
    r = run(cli + " graph metrics " + shellQuote((*data / "connectomes/bctpy_samples/sample_signed.npy").string()) + " -o " + shellQuote((dir / "s.json").string()));
    REQUIRE(r.exitCode == 0);
    const auto sg = nlohmann::json::parse(std::ifstream(dir / "s.json"));
    CHECK(sg["signed"] == true);
    CHECK(sg["modularity"]["q"].get<double>() == Approx(0.466).margin(0.01));
    CHECK(sg["mean_clustering"].is_null());
    // Nulls: degree- and length-preserving networks written as CSV matrices.
    r = run(cli + " graph null " + shellQuote((*data / "connectomes/tvb/connectivity_66.zip").string()) + " --symmetrize --model spatial --count 2 -o " +
            shellQuote((dir / "null").string()));
    INFO(r.err);
    CHECK(r.exitCode == 0);
    CHECK(std::filesystem::exists(dir / "null_002.csv"));
    r = run(cli + " graph null " + shellQuote((*data / "connectomes/tvb/connectivity_66.zip").string()) + " --model lattice -o " + shellQuote((dir / "x").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("undirected") && Catch::Contains("--symmetrize"));
    r = run(cli + " graph metrics " + shellQuote(worm.string()) + " --symmetrize --density 0.5");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("celegans277matrix.csv") && Catch::Contains("below the requested"));
    // A broken file: exit 2 naming the file.
    { std::ofstream(dir / "bad.csv") << "0,1\n1\n"; }
    r = run(cli + " graph metrics " + shellQuote((dir / "bad.csv").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("bad.csv") && Catch::Contains("line 2"));
}

TEST_CASE("gnm fit: matching beats the spatial rule on the worm, landscape written", "[cli][gnm]") {
    const auto data = nm::test::sharedData();
    if (!data || !std::filesystem::exists(*data / "connectomes")) NM_SKIP("shared connectomes are not available");
    const auto cli = shellQuote((nm::test::binaryDir() / "neuromosaic-cli").string());
    nm::test::TempDir dir;
    const auto c = *data / "connectomes/celegans277";
    auto r = run(cli + " gnm fit " + shellQuote((c / "celegans277matrix.csv").string()) + " --coords " + shellQuote((c / "celegans277positions.csv").string()) +
                 " --rules sptl,matching --eta -3,0,7 --gamma 0,1,5 --repetitions 2 -o " + shellQuote((dir / "g.json").string()) + " --landscape " +
                 shellQuote((dir / "l.tsv").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(std::ifstream(dir / "g.json"));
    const double spatial = j["best"]["sptl"]["energy"], matching = j["best"]["matching"]["energy"];
    INFO("spatial " << spatial << ", matching " << matching);
    CHECK(matching < spatial - 0.1);
    std::ifstream l(dir / "l.tsv");
    int lines = 0;
    for (std::string s; std::getline(l, s);) ++lines;
    CHECK(lines == 1 + 7 + 7 * 5);
    // No coordinates: a clear error.
    r = run(cli + " gnm fit " + shellQuote((c / "celegans277matrix.csv").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("coordinates"));
}

TEST_CASE("gnm develop, Voronoi fit and finite-size sweep on the worm", "[cli][gnm]") {
    const auto data = nm::test::sharedData();
    if (!data || !std::filesystem::exists(*data / "connectomes")) NM_SKIP("shared connectomes are not available");
    const auto cli = shellQuote((nm::test::binaryDir() / "neuromosaic-cli").string());
    nm::test::TempDir dir;
    const auto c = *data / "connectomes/celegans277";
    const std::string net = shellQuote((c / "celegans277matrix.csv").string()), coords = " --coords " + shellQuote((c / "celegans277positions.csv").string());
    const std::string birth = " --birth " + shellQuote((c / "celegans_neuron_birth_times.csv").string());
    auto r = run(cli + " gnm develop " + net + coords + birth + " --rule sptl --eta -1 --repetitions 3 -o " + shellQuote((dir / "d.json").string()) +
                 " --trajectory " + shellQuote((dir / "t.tsv").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto d = nlohmann::json::parse(std::ifstream(dir / "d.json"));
    CHECK(d["stages"] == 172);                         // distinct birth times
    REQUIRE(d["birth_times_imputed"].size() == 1);     // VC6 is not in the table
    CHECK(d["birth_times_imputed"][0].get<std::string>().rfind("VC6", 0) == 0);
    CHECK(d["energy"].get<double>() < 0.6);
    CHECK(d["adult"]["q"].get<double>() > 0.35);
    std::ifstream t(dir / "t.tsv");
    int lines = 0;
    for (std::string s; std::getline(t, s);) ++lines;
    CHECK(lines == 41);
    // Voronoi search: every evaluated point in the landscape, with its refinement step.
    r = run(cli + " gnm fit " + net + coords + " --rules sptl --search voronoi --initial 20 --steps 2 --per-step 10 --eta -4,0,2 --repetitions 1 --landscape " +
            shellQuote((dir / "v.tsv").string()) + " --best-network " + shellQuote((dir / "best.csv").string()));
    REQUIRE(r.exitCode == 0);
    r = run(cli + " graph metrics " + shellQuote((dir / "best.csv").string()) + " -o " + shellQuote((dir / "best.json").string()));
    REQUIRE(r.exitCode == 0);
    CHECK(nlohmann::json::parse(std::ifstream(dir / "best.json"))["edges"] == 1918);  // the worm's edge count
    std::ifstream v(dir / "v.tsv");
    lines = 0;
    for (std::string s; std::getline(v, s);) ++lines;
    CHECK(lines == 1 + 40);
    // Finite-size sweep: no network needed.
    r = run(cli + " gnm sweep --sizes 40,80 --mean-degree 6 --rule sptl --parameter eta --values -4,0,3 --repetitions 2 -o " + shellQuote((dir / "f.tsv").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::ifstream f(dir / "f.tsv");
    lines = 0;
    for (std::string s; std::getline(f, s);) ++lines;
    CHECK(lines == 1 + 2 * 3);
    { std::ofstream(dir / "birth.csv") << "NOPE,1\n"; }
    r = run(cli + " gnm develop " + net + coords + " --birth " + shellQuote((dir / "birth.csv").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("birth.csv"));
}

TEST_CASE("graph report: one table across species, JSON and SVG figure", "[cli][graph][report]") {
    const auto data = nm::test::sharedData();
    if (!data || !std::filesystem::exists(*data / "connectomes")) NM_SKIP("shared connectomes are not available");
    const auto cli = shellQuote((nm::test::binaryDir() / "neuromosaic-cli").string());
    nm::test::TempDir dir;
    const auto c = *data / "connectomes";
    auto r = run(cli + " graph report " + shellQuote((c / "bctcpp/macaque71.csv").string()) + " " + shellQuote((c / "tvb/connectivity_66.zip").string()) +
                 " --rules sptl,matching --nulls 6 --consensus-runs 20 --repetitions 3 -o " + shellQuote((dir / "r.json").string()) + " --table " +
                 shellQuote((dir / "r.tsv").string()) + " --figure " + shellQuote((dir / "r.svg").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto j = nlohmann::json::parse(std::ifstream(dir / "r.json"));
    REQUIRE(j["networks"].size() == 2);
    const auto& mac = j["networks"][0];
    const auto& human = j["networks"][1];
    CHECK(mac["edges"] == 438);                                  // shared data README
    CHECK(mac["modularity"]["q"].get<double>() == Approx(0.389).margin(0.01));
    CHECK(mac["generative"] == "no node coordinates");
    CHECK(human["edges"] == 658);
    CHECK(human["modularity"]["q"].get<double>() > human["null_modularity"]["mean"].get<double>());
    CHECK(human["small_world"]["sigma"].get<double>() > 1.0);
    // Issue 6: on the human 66-region network the matching rule fits better than the spatial one.
    const double sptl = human["generative"]["sptl"]["energy"], matching = human["generative"]["matching"]["energy"];
    INFO("human: sptl " << sptl << ", matching " << matching);
    CHECK(matching < sptl - 0.1);
    std::ifstream t(dir / "r.tsv");
    int lines = 0;
    for (std::string s; std::getline(t, s);) ++lines;
    CHECK(lines == 3);
    std::ifstream svg(dir / "r.svg");
    const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
    CHECK(text.rfind("<svg", 0) == 0);
    CHECK(text.find("macaque71") != std::string::npos);
    CHECK(text.find("n/a") != std::string::npos);                // no generative bar without coordinates
    r = run(cli + " graph report " + shellQuote((c / "bctcpp/macaque71.csv").string()) + " --coords nosuch=" + shellQuote((c / "bctcpp/cat_all.csv").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("no network named 'nosuch'"));
}
