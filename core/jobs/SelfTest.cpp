#include "jobs/SelfTest.hpp"

#include "common/Error.hpp"
#include "jobs/Checkpoint.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace nm::jobs {

namespace {
// A little deterministic arithmetic per step so the checksum proves resumed == uninterrupted.
double stepValue(int step) {
    double acc = 0.0;
    for (int i = 1; i <= 1000; ++i) acc += std::sin(double(step) * 0.001 * i) / i;
    return acc;
}
} // namespace

SelfTestResult runSelfTest(const SelfTestOptions& o, Progress& progress) {
    if (o.steps < 1) throw InputError("selftest: --steps must be >= 1 (got " + std::to_string(o.steps) + ")");
    if (!(o.durationSeconds >= 0.0))
        throw InputError("selftest: --duration must be >= 0 seconds");

    progress.plan({{"prepare", 1.0}, {"work", 8.0}, {"finish", 1.0}});
    progress.begin("prepare", "starting self-test");
    SelfTestResult r;

    std::optional<CheckpointStore> store;
    if (o.checkpointDir) {
        std::ostringstream fp;
        fp << "selftest steps=" << o.steps;
        store.emplace(*o.checkpointDir, fingerprintOf(fp.str()));
        if (auto saved = store->load("selftest")) {
            std::istringstream in(*saved);
            in >> r.stepsDone >> r.checksum;
            if (!in || r.stepsDone < 0 || r.stepsDone > o.steps)
                throw InputError(store->pathOf("selftest").string() + ": corrupt checkpoint (step count)");
            r.resumedFromStep = r.stepsDone;
            progress.info("resuming from checkpoint at step " + std::to_string(r.stepsDone));
        } else if (store->lastSkipReason() != "no checkpoint") {
            progress.warn("ignoring checkpoint: " + store->lastSkipReason());
        }
    }
    progress.update(1.0);

    progress.begin("work");
    const auto stepSleep = std::chrono::duration<double>(o.durationSeconds / o.steps);
    for (int step = r.stepsDone; step < o.steps; ++step) {
        const double frac = double(step) / o.steps;
        if (o.crashAt >= 0.0 && frac >= o.crashAt) {
            progress.log(LogLevel::Error, "selftest: crashing on purpose at step " + std::to_string(step));
            std::abort();
        }
        if (o.failAt >= 0.0 && frac >= o.failAt)
            throw Error("selftest: failing on purpose at step " + std::to_string(step));
        r.checksum += stepValue(step);
        std::this_thread::sleep_for(stepSleep);
        r.stepsDone = step + 1;
        if (store) {
            std::ostringstream out;
            out.precision(17);
            out << r.stepsDone << ' ' << r.checksum;
            store->save("selftest", out.str());
            progress.checkpointWritten();
        }
        progress.update(std::size_t(r.stepsDone), std::size_t(o.steps),
                        "step " + std::to_string(r.stepsDone) + "/" + std::to_string(o.steps));
    }

    progress.begin("finish");
    if (store) store->remove("selftest");
    progress.finish("self-test complete");
    return r;
}

} // namespace nm::jobs
