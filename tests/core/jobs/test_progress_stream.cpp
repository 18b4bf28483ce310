#include "jobs/ProgressStream.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace nm::jobs;
using nlohmann::json;

namespace {
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}
} // namespace

TEST_CASE("the JSON-lines sink writes one protocol object per line", "[jobs][protocol]") {
    std::ostringstream out;
    JsonLinesSink sink(out);
    Progress p(&sink);
    p.setMinimumEmitInterval(std::chrono::seconds(0));
    p.plan({{"a", 1.0}, {"b", 1.0}});
    p.begin("a", "starting");
    p.update(0.5, "half \"quoted\"\nnewline");
    p.info("hello");
    p.begin("b");
    p.finish("done");
    sink.result("ok", "all good", {{"file", "/tmp/x"}});
    const auto ls = lines(out.str());
    REQUIRE(ls.size() == 6);
    double last = -1.0;
    for (const auto& l : ls) {
        const auto j = json::parse(l);  // throws if a line is not valid JSON
        REQUIRE(j.contains("type"));
        if (j["type"] == "progress") {
            CHECK(j.contains("stage"));
            CHECK(j.contains("eta_s"));
            CHECK(j.contains("message"));
            CHECK(j["fraction"].get<double>() >= last);
            last = j["fraction"].get<double>();
        }
    }
    CHECK(json::parse(ls[1])["message"] == "half \"quoted\"\nnewline");
    CHECK(json::parse(ls[2])["type"] == "log");
    CHECK(json::parse(ls[5])["outputs"]["file"] == "/tmp/x");
}

TEST_CASE("the stream parser rebuilds job state from the child's lines", "[jobs][protocol]") {
    std::ostringstream out;
    JsonLinesSink sink(out);
    Progress p(&sink);
    p.setMinimumEmitInterval(std::chrono::seconds(0));
    p.begin("work");
    p.update(0.4, "step 4");
    p.warn("careful");
    JobStreamParser parser;
    for (const auto& l : lines(out.str())) parser.feedStdoutLine(l);
    parser.feedStdoutLine("plain text from a library");
    CHECK(parser.snapshot().fraction == Approx(0.4));
    CHECK(parser.snapshot().stage == "work");
    CHECK(parser.snapshot().status == JobSnapshot::Status::Running);
    CHECK(parser.plainLines() == 1);
    REQUIRE(parser.snapshot().log.size() == 2);
    CHECK(parser.snapshot().log[0].level == LogLevel::Warning);

    SECTION("a clean exit with a result line succeeds") {
        std::ostringstream r;
        JsonLinesSink(r).result("ok", "done", {{"steps", 3}});
        parser.feedStdoutLine(lines(r.str()).at(0));
        parser.finish(false, 0, false);
        CHECK(parser.snapshot().status == JobSnapshot::Status::Succeeded);
        CHECK(parser.snapshot().fraction == 1.0);
        CHECK(parser.snapshot().outputs["steps"] == 3);
    }
    SECTION("a crash fails with the last message") {
        parser.feedStderrLine("Segmentation fault in foo");
        parser.finish(true, 0, false);
        CHECK(parser.snapshot().status == JobSnapshot::Status::Failed);
        CHECK_THAT(parser.snapshot().lastError, Catch::Contains("crashed") && Catch::Contains("Segmentation fault in foo"));
    }
    SECTION("a non-zero exit fails with the error line") {
        std::ostringstream r;
        JsonLinesSink(r).result("failed", "input.nii: dim[0]: expected 3 or 4");
        parser.feedStdoutLine(lines(r.str()).at(0));
        parser.finish(false, 2, false);
        CHECK(parser.snapshot().status == JobSnapshot::Status::Failed);
        CHECK(parser.snapshot().lastError == "input.nii: dim[0]: expected 3 or 4");
    }
    SECTION("a requested cancel ends cancelled, whatever the exit") {
        parser.finish(true, 0, true);
        CHECK(parser.snapshot().status == JobSnapshot::Status::Cancelled);
    }
}

TEST_CASE("malformed protocol lines are kept as text, never fatal", "[jobs][protocol]") {
    JobStreamParser parser;
    parser.feedStdoutLine("{not json");
    parser.feedStdoutLine("{\"type\": 5}");
    parser.feedStdoutLine("{\"type\":\"progress\",\"fraction\":\"x\"}");
    parser.feedStdoutLine("{\"type\":\"progress\",\"fraction\":7}");
    CHECK(parser.plainLines() == 2);
    CHECK(parser.snapshot().fraction == 1.0);  // clamped
}
