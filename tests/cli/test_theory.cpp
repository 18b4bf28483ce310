// neuromosaic-cli theory: where the worm sits (its modularity far above what random graphs of its
// size and density reach — the Guimerà prediction matching the sampled graphs —, its modules above
// the resolution limit and the Kesten–Stigum bound), the detectability sweep's table, bad input.
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using nm::test::run;
using nm::test::shellQuote;
using nlohmann::json;

TEST_CASE("theory network and detectability", "[cli][theory]") {
    nm::test::TempDir dir;
    const std::string cli = nm::test::cliCommand() + " --progress none";
    auto r = run(cli + " theory detectability --sizes 400 --ratios 0.5,1.5,2.2 --repetitions 2 -o " + shellQuote(dir / "det.tsv") + " --json " +
                 shellQuote(dir / "det.json"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json d = json::parse(std::ifstream(dir / "det.json"));
    REQUIRE(d["points"].size() == 3);
    CHECK(d["points"][2]["overlap_bethe_hessian"].get<double>() > 0.8);  // λ = 2.2: recovered
    CHECK(d["epsilon_at_bound"].get<double>() == Approx((std::sqrt(6.0) - 1) / (std::sqrt(6.0) + 1)));
    r = run(cli + " theory detectability --sizes 400 --ratios 3 --degree 2 -o " + shellQuote(dir / "x.tsv"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("c_out < 0"));

    const auto data = nm::test::sharedData();
    if (!data) NM_SKIP("shared data not found (connectomes)");
    const auto worm = *data / "connectomes/celegans277/celegans277matrix.csv";
    r = run(cli + " theory network " + shellQuote(worm) + " -o " + shellQuote(dir / "worm.json"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json w = json::parse(std::ifstream(dir / "worm.json"))[0];
    CHECK(w["nodes"] == 277);
    CHECK(w["edges"] == 1918);                                   // binarised, symmetrised (shared-data README)
    CHECK(w["q"].get<double>() == Approx(0.406).margin(0.01));    // the README's Leiden Q
    CHECK(w["q_guimera"].get<double>() == Approx(w["q_random_mean"].get<double>()).epsilon(0.05));
    CHECK(w["z_random"].get<double>() > 10);
    CHECK(w["kesten_stigum_ratio"].get<double>() > 1);
    CHECK(w["modules_below_resolution_limit"] == 0);

    // The spatial rule on the worm's own positions: the annealed prediction of where Q rises
    // against the simulated growth (10 networks per η: −1.43 vs −1.40).
    r = run(cli + " theory spatial " + shellQuote(worm) + " --coords " + shellQuote(*data / "connectomes/celegans277/celegans277positions.csv") +
            " --repetitions 4 --json " + shellQuote(dir / "spatial.json"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json sp = json::parse(std::ifstream(dir / "spatial.json"));
    CHECK(sp["predicted_half_rise"].get<double>() == Approx(sp["simulated_half_rise"].get<double>()).margin(0.15));
    r = run(cli + " theory spatial " + shellQuote(worm) + " --repetitions 0");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("coordinates"));

    // The phase diagram over densities: the onset η* rises (wiring needs to be less local) as the
    // network gets denser, the prediction follows the simulation at every density (measured with 4
    // networks per point: −2.06 / −1.93 at 2 %, −1.43 / −1.40 at the worm's 5 %, −0.71 / −0.67 at
    // 20 %), and random graphs of each density stay below the most local spatial networks.
    r = run(cli + " theory phase-diagram " + shellQuote(worm) + " --coords " +
            shellQuote(*data / "connectomes/celegans277/celegans277positions.csv") + " --densities 0.02,0.2 --repetitions 3 --json " +
            shellQuote(dir / "phase.json") + " -o " + shellQuote(dir / "phase.tsv") + " --svg " + shellQuote(dir / "phase.svg"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json ph = json::parse(std::ifstream(dir / "phase.json"));
    REQUIRE(ph["points"].size() == 3);  // 2 %, the worm's own 5 %, 20 %
    CHECK(ph["points"][1]["own_density"].get<bool>());
    double previous = -1e9;
    for (const auto& p : ph["points"]) {
        const double predicted = p["predicted_onset_eta"], simulated = p["simulated_onset_eta"];
        CHECK(predicted > previous);
        previous = predicted;
        CHECK(predicted == Approx(simulated).margin(0.25));
        CHECK(p["q_local_predicted"].get<double>() > p["q_random"].get<double>());
    }
    CHECK(std::filesystem::file_size(dir / "phase.svg") > 1000);
    // Where the worm sits at its own density: its Q needs wiring more local than the onset.
    CHECK(ph["network_position"]["side"] == "modular");
    CHECK(ph["network_position"]["eta_at_own_q"].get<double>() < ph["network_position"]["onset_eta"].get<double>());
    r = run(cli + " theory phase-diagram " + shellQuote(worm) + " --densities 2");
    CHECK(r.exitCode == 2);
    r = run(cli + " theory phase-diagram --model spatial");  // neither a network nor --sizes
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("give one network"));
    r = run(cli + " theory phase-diagram --model tree " + shellQuote(worm));
    CHECK(r.exitCode == 2);

    // The planted-partition diagram with the worm placed on it at its own size, number of modules
    // and mean degree (measured with 10 graphs per point: half-recovered from λ 1.21, the worm's
    // modules at 1.78, planted overlap 0.95 there).
    r = run(cli + " theory phase-diagram --model sbm --sizes 300 --repetitions 3 " + shellQuote(worm) + " --json " + shellQuote(dir / "sbm.json") +
            " -o " + shellQuote(dir / "sbm.tsv") + " --svg " + shellQuote(dir / "sbm.svg"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json sb = json::parse(std::ifstream(dir / "sbm.json"));
    REQUIRE(sb["finite_size"].size() == 1);
    REQUIRE(sb["networks"].size() == 1);
    const auto& placed = sb["networks"][0];
    CHECK(placed["groups_simulated"].get<int>() >= 4);
    CHECK(placed["recovery_ratio_at_its_size"].get<double>() > 1.0);  // finite size: recovery needs more than the bound
    CHECK(placed["recovery_ratio_at_its_size"].get<double>() < placed["kesten_stigum_ratio"].get<double>());
    CHECK(placed["planted_overlap_at_its_ratio"].get<double>() > 0.8);
    CHECK(placed["side"].get<std::string>().rfind("recoverable", 0) == 0);
}

TEST_CASE("theory phase-diagram finite size", "[cli][theory]") {
    // The spatial prediction's error against n on nodes in the unit cube (mean degree 10): it falls
    // as n grows (measured, 1 layout × 6 networks per η: 0.53 at n = 100, 0.22 at 400, 0.17 at 800).
    nm::test::TempDir dir;
    const std::string cli = nm::test::cliCommand() + " --progress none";
    auto r = run(cli + " theory phase-diagram --model spatial --sizes 100,400 --layouts 1 --repetitions 4 --etas -4,-3,-2.5,-2,-1.5,-1,-0.5,0 --json " +
                 shellQuote(dir / "fs.json") + " --svg " + shellQuote(dir / "fs.svg"));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json f = json::parse(std::ifstream(dir / "fs.json"));
    REQUIRE(f["points"].size() == 2);
    CHECK(f["points"][1]["gap"].get<double>() < f["points"][0]["gap"].get<double>());
    CHECK(f["points"][1]["gap"].get<double>() < 0.4);
    CHECK(f["gap_exponent"].get<double>() > 0);
    CHECK(std::filesystem::file_size(dir / "fs.svg") > 1000);
    r = run(cli + " theory phase-diagram --model spatial --sizes 20 --degree 30 --repetitions 2");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("does not fit"));
}
