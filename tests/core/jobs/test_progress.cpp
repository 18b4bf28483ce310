#include "common/Error.hpp"
#include "jobs/Progress.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace nm::jobs;

TEST_CASE("weighted stages map stage fractions onto the overall fraction", "[jobs][progress]") {
    RecordingSink sink;
    Progress p(&sink);
    p.setMinimumEmitInterval(std::chrono::seconds(0));
    p.plan({{"load", 1.0}, {"work", 8.0}, {"save", 1.0}});
    p.begin("load");
    CHECK(p.fraction() == Approx(0.0));
    p.update(1.0);
    CHECK(p.fraction() == Approx(0.1));
    p.begin("work");
    p.update(0.5);
    CHECK(p.fraction() == Approx(0.5));
    p.update(std::size_t(3), std::size_t(4));
    CHECK(p.fraction() == Approx(0.1 + 0.8 * 0.75));
    p.begin("save");
    CHECK(p.fraction() == Approx(0.9));
    p.finish("done");
    CHECK(p.fraction() == Approx(1.0));
    REQUIRE(!sink.events.empty());
    CHECK(sink.events.back().fraction == Approx(1.0));
    CHECK(sink.events.back().etaSeconds == 0.0);
    CHECK(sink.events.back().message == "done");
    for (std::size_t i = 1; i < sink.events.size(); ++i)
        CHECK(sink.events[i].fraction >= sink.events[i - 1].fraction);
}

TEST_CASE("a child progress subdivides its parent's current stage", "[jobs][progress]") {
    RecordingSink sink;
    Progress p(&sink);
    p.setMinimumEmitInterval(std::chrono::seconds(0));
    p.plan({{"a", 1.0}, {"b", 3.0}});
    p.begin("b");
    auto child = p.child();
    child.plan({{"x", 1.0}, {"y", 1.0}});
    child.begin("y");
    child.update(0.5);
    // b spans [0.25, 1]; y is its second half [0.625, 1]; halfway = 0.8125
    CHECK(child.fraction() == Approx(0.8125));
    CHECK(sink.events.back().stage == "b/y");
}

TEST_CASE("fractions never go backwards and are clamped", "[jobs][progress]") {
    RecordingSink sink;
    Progress p(&sink);
    p.setMinimumEmitInterval(std::chrono::seconds(0));
    p.begin("only");
    p.update(0.6);
    p.update(0.2);
    CHECK(p.fraction() == Approx(0.6));
    p.update(7.0);
    CHECK(p.fraction() == Approx(1.0));
}

TEST_CASE("unknown stages and bad weights are programming errors", "[jobs][progress]") {
    Progress p;
    p.plan({{"a", 1.0}});
    CHECK_THROWS_AS(p.begin("b"), std::logic_error);
    CHECK_THROWS_AS(p.plan({{"a", 0.0}}), std::logic_error);
}

TEST_CASE("cancellation is cooperative and raises nm::Cancelled at the next check", "[jobs][progress]") {
    CancellationToken token;
    Progress p(nullptr, &token);
    p.begin("work");
    p.update(0.1);
    token.request();
    CHECK(p.cancelRequested());
    CHECK_THROWS_AS(p.update(0.2), nm::Cancelled);
    CHECK_THROWS_AS(p.checkCancelled(), nm::Cancelled);
}

TEST_CASE("an external flag (signal handler) cancels too", "[jobs][progress]") {
    std::atomic<bool> flag{false};
    CancellationToken token(&flag);
    Progress p(nullptr, &token);
    CHECK_NOTHROW(p.checkCancelled());
    flag = true;
    CHECK_THROWS_AS(p.checkCancelled(), nm::Cancelled);
}

TEST_CASE("events are throttled but stage changes and completion always pass", "[jobs][progress]") {
    RecordingSink sink;
    Progress p(&sink);
    p.setMinimumEmitInterval(std::chrono::hours(1));
    p.plan({{"a", 1.0}, {"b", 1.0}});
    p.begin("a");
    for (int i = 0; i < 100; ++i) p.update(i / 100.0);
    p.begin("b");
    p.update(0.5);
    p.finish();
    // begin(a), begin(b), finish — the 100 updates and the mid-b update are throttled
    REQUIRE(sink.events.size() == 3);
    CHECK(sink.events[0].stage == "a");
    CHECK(sink.events[1].stage == "b");
    CHECK(sink.events[2].fraction == Approx(1.0));
}

TEST_CASE("ETA is unknown at first, then extrapolated from the elapsed time", "[jobs][progress]") {
    RecordingSink sink;
    Progress p(&sink);
    p.setMinimumEmitInterval(std::chrono::seconds(0));
    p.begin("work");
    p.update(0.001);
    CHECK(sink.events.back().etaSeconds < 0.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    p.update(0.5);
    // elapsed ≈ 0.6 s at 50 % → ETA ≈ 0.6 s
    CHECK(sink.events.back().etaSeconds == Approx(p.elapsedSeconds()).epsilon(0.2));
}

TEST_CASE("checkpoints become due after their interval", "[jobs][progress]") {
    Progress p;
    CHECK_FALSE(p.checkpointDue());  // disabled by default
    p.setCheckpointInterval(std::chrono::milliseconds(50));
    p.checkpointWritten();
    CHECK_FALSE(p.checkpointDue());
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    CHECK(p.checkpointDue());
    p.checkpointWritten();
    CHECK_FALSE(p.checkpointDue());
}

TEST_CASE("logs reach the sink with the stage path", "[jobs][progress]") {
    RecordingSink sink;
    Progress p(&sink);
    p.plan({{"load", 1.0}});
    p.begin("load");
    p.warn("slow disk");
    REQUIRE(sink.logs.size() == 1);
    CHECK(sink.logs[0].level == LogLevel::Warning);
    CHECK(sink.logs[0].stage == "load");
    CHECK(sink.logs[0].message == "slow disk");
}
