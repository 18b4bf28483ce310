// End-to-end tests of neuromosaic-cli: exit codes, one-line errors, the JSON progress protocol,
// cancellation by signal and resume from checkpoints.
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using nm::test::run;
using nm::test::shellQuote;
using nlohmann::json;

namespace {
std::string cli() { return nm::test::cliCommand(); }

std::vector<json> jsonLines(const std::string& out) {
    std::vector<json> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) v.push_back(json::parse(l));
    return v;
}

int countLines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}
} // namespace

TEST_CASE("version and info print the library versions", "[cli]") {
    auto r = run(cli() + " --version");
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::StartsWith("neuromosaic-cli 0."));

    r = run(cli() + " info");
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("ITK: 5.2") && Catch::Contains("VTK: 9.1") && Catch::Contains("Eigen: 3.4"));
    CHECK_THAT(r.out, Catch::Contains("cache:"));

    r = run(cli() + " info --json");
    REQUIRE(r.exitCode == 0);
    const auto j = json::parse(r.out);
    CHECK(j["versions"]["ITK"].get<std::string>().rfind("5.2", 0) == 0);
    CHECK(j["paths"].contains("cache"));
}

TEST_CASE("every subcommand has --help", "[cli]") {
    for (const char* cmd : {"", " info", " selftest", " anatomy", " render", " simulate"}) {
        const auto r = run(cli() + cmd + " --help");
        CHECK(r.exitCode == 0);
        CHECK_THAT(r.out, Catch::Contains("Usage") || Catch::Contains("USAGE") || Catch::Contains("Options"));
    }
}

TEST_CASE("bad usage exits 2 with one line naming the problem", "[cli]") {
    auto r = run(cli() + " selftest --bogus");
    CHECK(r.exitCode == 2);
    CHECK(countLines(r.err) == 1);
    CHECK_THAT(r.err, Catch::Contains("--bogus"));

    r = run(cli() + " nosuchcommand");
    CHECK(r.exitCode == 2);
    CHECK(countLines(r.err) == 1);

    r = run(cli());
    CHECK(r.exitCode == 2);

    r = run(cli() + " selftest --steps 0");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--steps"));

    nm::test::TempDir dir;
    const auto blocker = dir / "file";
    { std::ofstream(blocker) << "x"; }
    r = run(cli() + " selftest --duration 0 --checkpoint " + shellQuote((blocker / "sub").string()));
    CHECK(r.exitCode == 2);
    CHECK(countLines(r.err) == 1);
    CHECK_THAT(r.err, Catch::Contains((blocker / "sub").string()));
}

TEST_CASE("JSON progress prints one protocol object per line", "[cli][protocol]") {
    const auto r = run(cli() + " selftest --duration 0.5 --steps 10 --progress json");
    REQUIRE(r.exitCode == 0);
    const auto lines = jsonLines(r.out);
    REQUIRE(lines.size() >= 4);
    double last = -1.0;
    bool sawIntermediate = false;
    for (const auto& j : lines) {
        REQUIRE(j.contains("type"));
        if (j["type"] == "progress") {
            REQUIRE(j.contains("stage"));
            REQUIRE(j.contains("fraction"));
            REQUIRE(j.contains("eta_s"));
            REQUIRE(j.contains("message"));
            const double f = j["fraction"].get<double>();
            CHECK(f >= last);
            last = f;
            sawIntermediate |= f > 0.0 && f < 1.0;
        }
    }
    CHECK(sawIntermediate);
    CHECK(last == 1.0);
    CHECK(lines.back()["type"] == "result");
    CHECK(lines.back()["status"] == "ok");
    CHECK(lines.back()["outputs"]["steps"] == 10);
}

TEST_CASE("a failing job exits 1 and reports the error in the stream", "[cli][protocol]") {
    const auto r = run(cli() + " selftest --duration 0 --steps 10 --fail-at 0.5 --progress json");
    CHECK(r.exitCode == 1);
    const auto lines = jsonLines(r.out);
    REQUIRE(!lines.empty());
    CHECK(lines.back()["status"] == "failed");
    CHECK_THAT(lines.back()["message"].get<std::string>(), Catch::Contains("failing on purpose"));
    CHECK(countLines(r.err) == 1);
}

TEST_CASE("a crashing job dies by a signal", "[cli]") {
    const auto r = run(cli() + " selftest --duration 0 --steps 10 --crash-at 0.3 --progress json");
    CHECK(r.signal == SIGABRT);
}

TEST_CASE("SIGTERM cancels a running job cleanly and quickly", "[cli][protocol]") {
    nm::test::TempDir dir;
    const auto out = dir / "out.jsonl";
    const std::string exe = (nm::test::binaryDir() / "neuromosaic-cli").string();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, STDOUT_FILENO);
        ::execl(exe.c_str(), exe.c_str(), "selftest", "--duration", "30", "--steps", "300", "--progress", "json",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    const auto t0 = std::chrono::steady_clock::now();
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const double stopSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    CHECK(stopSeconds < 2.0 * nm::test::slowdown());
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto lines = jsonLines(ss.str());
    REQUIRE(!lines.empty());
    CHECK(lines.back()["type"] == "result");
    CHECK(lines.back()["status"] == "cancelled");
}

TEST_CASE("a killed job resumes from its checkpoint to the same result", "[cli][checkpoint]") {
    nm::test::TempDir dir;
    const std::string ck = shellQuote((dir / "ck").string());
    const auto reference = run(cli() + " selftest --duration 0 --steps 50 --progress json");
    REQUIRE(reference.exitCode == 0);
    const double expected = jsonLines(reference.out).back()["outputs"]["checksum"].get<double>();
    // Crash halfway (as a kill -9 would), then run again with the same checkpoint directory.
    const auto crashed = run(cli() + " selftest --duration 0 --steps 50 --crash-at 0.5 --checkpoint " + ck);
    CHECK(crashed.signal == SIGABRT);
    const auto resumed = run(cli() + " selftest --duration 0 --steps 50 --progress json --checkpoint " + ck);
    REQUIRE(resumed.exitCode == 0);
    const auto result = jsonLines(resumed.out).back();
    CHECK(result["outputs"]["resumed_from"] == 25);
    CHECK(result["outputs"]["checksum"].get<double>() == expected);
}

TEST_CASE("simulate: bounded memory as subjects grow, and clear errors", "[cli][simulate]") {
    if (!std::filesystem::exists("/usr/share/mricron/templates/ch2bet.nii.gz") && !std::getenv("NEUROMOSAIC_MRICRON_DIR"))
        NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    auto peak = [&](int subjects) {
        const auto out = dir / ("large-" + std::to_string(subjects));
        const auto r = run(cli() + " simulate --preset large --subjects " + std::to_string(subjects) +
                           " --task-volumes 40 --rest-volumes 40 --progress json --out " + shellQuote(out.string()));
        REQUIRE(r.exitCode == 0);
        return jsonLines(r.out).back()["outputs"]["peak_rss_kb"].get<double>();
    };
    const double one = peak(1), four = peak(4);
    INFO("peak RSS: 1 subject " << one / 1024 << " MiB, 4 subjects " << four / 1024 << " MiB");
    CHECK(four < 1.3 * one);  // written subject by subject: memory does not grow with the cohort
    CHECK(four < 512 * 1024 * nm::test::memoryOverhead());

    auto r = run(cli() + " simulate --preset tiny --scales 64,16 --out " + shellQuote((dir / "x").string()));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--scales"));
    { std::ofstream(dir / "file") << "x"; }
    r = run(cli() + " simulate --preset tiny --out " + shellQuote((dir / "file").string()));
    CHECK(r.exitCode == 2);
    CHECK(countLines(r.err) == 1);
    CHECK_THAT(r.err, Catch::Contains((dir / "file").string()));
}
