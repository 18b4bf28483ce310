#pragma once
// Shared plumbing of neuromosaic-cli subcommands: the global options, progress sinks, signal-driven
// cancellation and the mapping of errors to exit codes (0 ok, 1 runtime failure, 2 bad input).
#include "jobs/Progress.hpp"
#include "jobs/ProgressStream.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nm::cli {

enum class ProgressMode { None, Text, Json };

struct GlobalOptions {
    std::string progress = "auto";  ///< auto | none | text | json
    bool quiet = false;
    int threads = 0;                ///< 0: all cores
};

/// A subcommand: its CLI11 app and what runs when it is selected.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

/// Everything a job-running subcommand needs: a Progress wired to the chosen sink and to the
/// SIGINT/SIGTERM cancellation flag, and a way to report the final result.
class JobContext {
public:
    explicit JobContext(const GlobalOptions& options);
    jobs::Progress& progress() { return progress_; }
    [[nodiscard]] ProgressMode mode() const { return mode_; }
    /// Reports success: in JSON mode the protocol's result line with `outputs` (else nothing).
    void succeed(const std::string& message, const nlohmann::json& outputs = {});
    /// Human output (suppressed in JSON mode, where stdout belongs to the protocol).
    void print(const std::string& text) const;

private:
    ProgressMode mode_;
    std::unique_ptr<jobs::ProgressSink> sink_;
    jobs::CancellationToken token_;
    jobs::Progress progress_;
    bool quiet_;
};

/// Installs SIGINT/SIGTERM handlers that request cooperative cancellation (a second signal
/// terminates at once). Returns the flag they set.
const std::atomic<bool>& installCancellationHandlers();

ProgressMode resolveProgressMode(const std::string& option);

/// Runs `body` and maps exceptions to exit codes, printing one line on stderr (and a result line
/// on stdout in JSON mode): nm::InputError → 2, nm::Cancelled / other errors → 1.
int runGuarded(const GlobalOptions& options, const std::function<int()>& body);

/// The process's original command line (for re-running a command under xvfb-run).
void setCommandLine(int argc, char** argv);
const std::vector<std::string>& commandLine();

/// For commands that render with VTK: without an X display, re-executes this command under
/// `xvfb-run -a` when available (once: NEUROMOSAIC_NO_XVFB guards against loops). Returns
/// normally when a display is present; throws nm::Error with advice otherwise.
void ensureDisplayOrReexec();

// Subcommand factories: each lives in its own cmd_<name>.cpp.
Command makeInfoCommand(CLI::App& root, const GlobalOptions& options);
Command makeSelfTestCommand(CLI::App& root, const GlobalOptions& options);
Command makeRenderCommand(CLI::App& root, const GlobalOptions& options);
Command makeAnatomyCommand(CLI::App& root, const GlobalOptions& options);
Command makeSimulateCommand(CLI::App& root, const GlobalOptions& options);
Command makeLearnCommand(CLI::App& root, const GlobalOptions& options);
Command makeExportCommand(CLI::App& root, const GlobalOptions& options);
Command makeGraphCommand(CLI::App& root, const GlobalOptions& options);
Command makeGraphNullCommand(CLI::App& root, const GlobalOptions& options);
Command makeGraphReportCommand(CLI::App& root, const GlobalOptions& options);
Command makeGraphCommunitiesCommand(CLI::App& root, const GlobalOptions& options);
Command makeTheoryCommand(CLI::App& root, const GlobalOptions& options);
Command makeGnmCommand(CLI::App& root, const GlobalOptions& options);
/// After makeGnmCommand (adds to its `gnm` group).
Command makeGnmSweepCommand(CLI::App& root, const GlobalOptions& options);
Command makeGnmDevelopCommand(CLI::App& root, const GlobalOptions& options);
Command makeValidateCommand(CLI::App& root, const GlobalOptions& options);
Command makeLabelCommand(CLI::App& root, const GlobalOptions& options);
Command makeDecodeCommand(CLI::App& root, const GlobalOptions& options);
Command makeGlmCommand(CLI::App& root, const GlobalOptions& options);
Command makeAlignCommand(CLI::App& root, const GlobalOptions& options);
Command makeNetworkCommand(CLI::App& root, const GlobalOptions& options);
Command makePersonalizeCommand(CLI::App& root, const GlobalOptions& options);
Command makeAnnCommand(CLI::App& root, const GlobalOptions& options);
Command makeAnnAnalyzeCommand(CLI::App& root, const GlobalOptions& options);
Command makeAnnSweepCommand(CLI::App& root, const GlobalOptions& options);
} // namespace nm::cli
namespace nm::align {
struct PersonalizeOptions;
}
namespace nm::cli {
/// The FUGW options of `personalize`, shared with `validate personalization`.
void addPersonalizeSolverOptions(CLI::App* app, align::PersonalizeOptions& options);
void finishPersonalizeSolverOptions(align::PersonalizeOptions& options);

} // namespace nm::cli

namespace nm::signal {
struct ConfoundStrategy;
}
namespace nm::cli {
/// The denoising options of fMRI commands (nilearn's load_confounds / load_confounds_strategy):
/// --denoise PRESET, --motion, --wm-csf, --global-signal, --compcor, --n-compcor, --scrub,
/// --fd-threshold, --std-dvars-threshold, --scrub-segment, --confounds COLUMNS, --no-confounds,
/// --keep-non-steady-state. finish() turns them into the strategy.
struct DenoiseCli {
    std::string preset, motion, wmCsf, globalSignal, compcor;
    std::optional<int> nCompcor, scrubSegment;
    std::optional<double> fdThreshold, stdDvarsThreshold;
    bool scrub = false, none = false, keepNonSteadyState = false;
    std::vector<std::string> columns;
    /// `columnsOption`: the name of the columns option (glm's --confounds is the table itself).
    void add(CLI::App* app, const std::string& columnsOption = "--confounds");
    /// Throws nm::InputError naming the option on a bad value.
    [[nodiscard]] signal::ConfoundStrategy finish() const;
};
} // namespace nm::cli
