#pragma once
// A timed dummy job that exercises the job machinery end to end: weighted stages, progress,
// logging, cancellation, checkpoint/resume, failures and crashes (`neuromosaic-cli selftest`).
#include "jobs/Progress.hpp"

#include <filesystem>
#include <optional>

namespace nm::jobs {

struct SelfTestOptions {
    double durationSeconds = 2.0;  ///< wall time of the "work" stage
    int steps = 20;                ///< work steps (each does a little real arithmetic, then sleeps)
    double failAt = -1.0;          ///< throw nm::Error when this fraction of steps is reached (<0: never)
    double crashAt = -1.0;         ///< abort() the process at this fraction (<0: never)
    std::optional<std::filesystem::path> checkpointDir;  ///< save after each step; resume from it
};

struct SelfTestResult {
    int stepsDone = 0;
    int resumedFromStep = 0;  ///< 0 when started fresh
    double checksum = 0.0;    ///< deterministic: same for an uninterrupted and a resumed run
};

SelfTestResult runSelfTest(const SelfTestOptions& options, Progress& progress);

} // namespace nm::jobs
