// neuromosaic-cli ann: train, analyze and sweep end to end, a run killed with SIGKILL resuming to
// the same network, and the errors for bad run folders.
#include "io/Npy.hpp"
#include "io/Table.hpp"
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
const std::string kSmall = " --train-problems 256 --validation-problems 128 --test-problems 128 --lambda 0.05 --seed 4 --threads 1";
Eigen::MatrixXd recurrent(const std::filesystem::path& run) { return nm::io::readNpz(run / "network.npz").at("recurrent").matrix(); }
} // namespace

TEST_CASE("ann train writes a run folder that ann analyze reads", "[cli][ann]") {
    nm::test::TempDir dir;
    const auto out = dir / "run";
    auto r = run(cli() + " ann train --epochs 2" + kSmall + " --progress json --out " + q(out));
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    const json res = nm::test::lastJsonLine(r.out);
    CHECK(res["status"] == "ok");
    CHECK(res["outputs"]["resumed_from_epoch"] == -1);
    for (const char* f : {"run.json", "positions.tsv", "metrics.tsv", "network.npz", "summary.json", "checkpoint.pt", "weights/epoch_000.npy",
                          "weights/epoch_002.npy"})
        CHECK(std::filesystem::exists(out / f));
    const auto metrics = nm::io::readTable(out / "metrics.tsv");
    REQUIRE(metrics.rowCount() == 3);
    const auto pos = nm::io::readTable(out / "positions.tsv");
    CHECK(pos.rowCount() == 100);
    const Eigen::MatrixXd w2 = nm::io::readNpy(out / "weights/epoch_002.npy").matrix();
    CHECK(w2.isApprox(recurrent(out)));

    // Running it again finds the finished checkpoint: nothing is retrained, the network is unchanged.
    r = run(cli() + " ann train --epochs 2" + kSmall + " --progress json --out " + q(out));
    REQUIRE(r.exitCode == 0);
    CHECK(nm::test::lastJsonLine(r.out)["outputs"]["resumed_from_epoch"] == 2);
    CHECK(recurrent(out) == w2);

    // Another specification in the same folder is refused, naming the file.
    r = run(cli() + " ann train --epochs 2" + kSmall + " --regularizer l1 --out " + q(out));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("run.json") && Catch::Contains("another specification"));

    r = run(cli() + " ann analyze " + q(out) + " --nulls 10 --progress json");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto table = nm::io::readTable(out / "mesoscale.tsv");
    REQUIRE(table.rowCount() == 3);
    for (double q : table.numbers("q_binary")) CHECK((q > 0 && q < 1));
    for (double d : table.numbers("density")) CHECK((d >= 0.1 && d <= 0.2));
    CHECK(nm::test::lastJsonLine(r.out)["outputs"].contains("emergence_epoch"));

    r = run(cli() + " ann analyze " + q(out) + " --epochs 9");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("no saved weights for epoch 9"));
    r = run(cli() + " ann analyze " + q(dir.path()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("not an ann run folder"));
}

TEST_CASE("ann train killed with SIGKILL resumes to the network of an uninterrupted run", "[cli][ann][resume]") {
    nm::test::TempDir dir;
    const auto whole = dir / "whole", killed = dir / "killed";
    const std::string args = " ann train --epochs 6" + kSmall + " --out ";
    auto r = run(cli() + args + q(whole) + " --progress none");
    REQUIRE(r.exitCode == 0);
    // Kill the second run as soon as its third epoch is on disk.
    r = run("(" + cli() + args + q(killed) + " --progress none & pid=$!; for i in $(seq 1 2000); do [ -f " + q(killed / "weights/epoch_003.npy") +
            " ] && break; sleep 0.01; done; kill -9 $pid; wait $pid; echo killed $?)");
    INFO(r.out << r.err);
    REQUIRE_THAT(r.out, Catch::Contains("killed 137"));
    REQUIRE_FALSE(std::filesystem::exists(killed / "summary.json"));
    r = run(cli() + args + q(killed) + " --progress json");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(nm::test::lastJsonLine(r.out)["outputs"]["resumed_from_epoch"].get<int>() >= 2);
    CHECK(recurrent(killed) == recurrent(whole));
    for (int e = 0; e <= 6; ++e) {
        char name[32];
        std::snprintf(name, sizeof name, "weights/epoch_%03d.npy", e);
        CHECK(nm::io::readNpy(killed / name).matrix() == nm::io::readNpy(whole / name).matrix());
    }
    CHECK(nm::io::readTable(killed / "metrics.tsv").numbers("loss") == nm::io::readTable(whole / "metrics.tsv").numbers("loss"));
}

TEST_CASE("ann sweep trains and analyses every network and keeps finished ones", "[cli][ann][sweep]") {
    nm::test::TempDir dir;
    const std::string cmd = cli() + " ann sweep --regularizers l1,se1comm --lambdas 0.01 --seeds 1 --epochs 1 --train-problems 256 --validation-problems 64 "
                                    "--test-problems 64 --nulls 5 --jobs 2 --progress none --out " + q(dir / "sweep");
    auto r = run(cmd);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto t = nm::io::readTable(dir / "sweep/sweep.tsv");
    REQUIRE(t.rowCount() == 2);
    CHECK(t.strings("regularizer") == std::vector<std::string>{"l1", "se1comm"});
    const auto stamp = std::filesystem::last_write_time(dir / "sweep/l1_lambda0.01_seed1/network.npz");
    r = run(cmd);
    REQUIRE(r.exitCode == 0);
    CHECK(std::filesystem::last_write_time(dir / "sweep/l1_lambda0.01_seed1/network.npz") == stamp);
}

TEST_CASE("ann train rejects bad settings with the field named", "[cli][ann]") {
    nm::test::TempDir dir;
    auto r = run(cli() + " ann train --grid 0,5,4 --out " + q(dir / "a"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("grid"));
    r = run(cli() + " ann train --regularizer l2 --out " + q(dir / "a"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--regularizer"));
    std::filesystem::create_directories(dir / "b");
    std::ofstream(dir / "b/run.json") << "{not json";
    r = run(cli() + " ann analyze " + q(dir / "b"));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("run.json") && Catch::Contains("not valid JSON"));
}
