// neuromosaic-cli selftest: a timed dummy job that exercises the job machinery (progress,
// cancellation, checkpoints, failure and crash reporting). The GUI's tests drive it.
#include "CliSupport.hpp"

#include "jobs/SelfTest.hpp"

#include <sstream>

namespace nm::cli {

Command makeSelfTestCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("selftest", "Run a timed dummy job to test progress reporting, "
                                                "cancellation and checkpoints");
    auto o = std::make_shared<jobs::SelfTestOptions>();
    auto checkpoint = std::make_shared<std::string>();
    app->add_option("--duration", o->durationSeconds, "Seconds the work stage takes")
        ->check(CLI::Range(0.0, 86400.0))
        ->capture_default_str();
    app->add_option("--steps", o->steps, "Number of work steps")->check(CLI::Range(1, 1000000))->capture_default_str();
    app->add_option("--fail-at", o->failAt, "Fail with an error at this fraction of the work (0..1)")
        ->check(CLI::Range(0.0, 1.0));
    app->add_option("--crash-at", o->crashAt, "Crash (abort) at this fraction of the work (0..1)")
        ->check(CLI::Range(0.0, 1.0));
    app->add_option("--checkpoint", *checkpoint,
                    "Directory for checkpoints: saved after each step, resumed from on restart");
    return {app, [o, checkpoint, &options] {
                if (!checkpoint->empty()) o->checkpointDir = *checkpoint;
                JobContext job(options);
                const auto r = jobs::runSelfTest(*o, job.progress());
                std::ostringstream msg;
                msg.precision(12);
                msg << "selftest: " << r.stepsDone << " steps";
                if (r.resumedFromStep > 0) msg << " (resumed at step " << r.resumedFromStep << ")";
                msg << ", checksum " << r.checksum;
                job.succeed(msg.str(), {{"steps", r.stepsDone},
                                        {"resumed_from", r.resumedFromStep},
                                        {"checksum", r.checksum}});
                job.print(msg.str() + "\n");
                return 0;
            }};
}

} // namespace nm::cli
