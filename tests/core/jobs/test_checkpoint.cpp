#include "common/Error.hpp"
#include "jobs/Checkpoint.hpp"
#include "jobs/SelfTest.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

using namespace nm::jobs;

TEST_CASE("checkpoints round-trip and are tied to their fingerprint", "[jobs][checkpoint]") {
    nm::test::TempDir dir;
    CheckpointStore store(dir.path() / "ck", fingerprintOf("params A"));
    CHECK_FALSE(store.load("state").has_value());
    CHECK(store.lastSkipReason() == "no checkpoint");
    const std::string blob("binary\0data\n", 12);
    store.save("state", blob);
    auto loaded = store.load("state");
    REQUIRE(loaded.has_value());
    CHECK(*loaded == blob);
    // No temporary left behind by the atomic write.
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "ck")) {
        (void)e;
        ++files;
    }
    CHECK(files == 1);

    CheckpointStore other(dir.path() / "ck", fingerprintOf("params B"));
    CHECK_FALSE(other.load("state").has_value());
    CHECK_THAT(other.lastSkipReason(), Catch::Contains("other parameters"));
    store.remove("state");
    CHECK_FALSE(store.load("state").has_value());
}

TEST_CASE("fingerprints are stable FNV-1a hashes", "[jobs][checkpoint]") {
    // Reference value of 64-bit FNV-1a for "a" (published test vector).
    CHECK(fingerprintOf("a") == "af63dc4c8601ec8c");
    CHECK(fingerprintOf("") == "cbf29ce484222325");
}

TEST_CASE("a job resumed from its checkpoint ends as an uninterrupted run", "[jobs][checkpoint]") {
    nm::test::TempDir dir;
    SelfTestOptions o;
    o.durationSeconds = 0.0;
    o.steps = 40;
    Progress quiet;
    const auto reference = runSelfTest(o, quiet);
    CHECK(reference.stepsDone == 40);
    CHECK(reference.resumedFromStep == 0);

    o.checkpointDir = dir.path();
    o.failAt = 0.5;
    Progress p1;
    CHECK_THROWS_AS(runSelfTest(o, p1), nm::Error);
    o.failAt = -1.0;
    Progress p2;
    const auto resumed = runSelfTest(o, p2);
    CHECK(resumed.resumedFromStep == 20);
    CHECK(resumed.stepsDone == 40);
    CHECK(resumed.checksum == reference.checksum);  // bit-identical
}

TEST_CASE("selftest rejects bad parameters as input errors", "[jobs]") {
    SelfTestOptions o;
    o.steps = 0;
    Progress p;
    CHECK_THROWS_AS(runSelfTest(o, p), nm::InputError);
}
