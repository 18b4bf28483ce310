#include "CliSupport.hpp"

#include "common/Error.hpp"
#include "signal/Confounds.hpp"

#include <csignal>
#include <cstdlib>
#include <vector>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace nm::cli {

namespace {
std::atomic<bool> gCancelRequested{false};

extern "C" void onTerminationSignal(int sig) {
    if (gCancelRequested.load()) {
        // Second signal: the user insists; stop now with the conventional status.
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    gCancelRequested.store(true);
}
} // namespace

const std::atomic<bool>& installCancellationHandlers() {
    struct sigaction sa {};
    sa.sa_handler = onTerminationSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    return gCancelRequested;
}

ProgressMode resolveProgressMode(const std::string& option) {
    if (option == "json") return ProgressMode::Json;
    if (option == "text") return ProgressMode::Text;
    if (option == "none") return ProgressMode::None;
    return ::isatty(STDERR_FILENO) ? ProgressMode::Text : ProgressMode::None;
}

JobContext::JobContext(const GlobalOptions& options)
    : mode_(resolveProgressMode(options.progress)), token_(&installCancellationHandlers()),
      quiet_(options.quiet) {
    if (mode_ == ProgressMode::Json) sink_ = std::make_unique<jobs::JsonLinesSink>(std::cout);
    else if (mode_ == ProgressMode::Text && !quiet_) sink_ = std::make_unique<jobs::TextSink>(std::cerr);
    progress_ = jobs::Progress(sink_.get(), &token_);
}

void JobContext::succeed(const std::string& message, const nlohmann::json& outputs) {
    if (mode_ == ProgressMode::Json) static_cast<jobs::JsonLinesSink*>(sink_.get())->result("ok", message, outputs);
}

void JobContext::print(const std::string& text) const {
    if (mode_ == ProgressMode::Json || quiet_) return;
    std::cout << text;
    std::cout.flush();
}

namespace {
std::vector<std::string>& storedCommandLine() {
    static std::vector<std::string> args;
    return args;
}
} // namespace

void setCommandLine(int argc, char** argv) {
    storedCommandLine().assign(argv, argv + argc);
}

const std::vector<std::string>& commandLine() { return storedCommandLine(); }

void ensureDisplayOrReexec() {
    const char* display = std::getenv("DISPLAY");
    if (display && *display) return;
    const char* guard = std::getenv("NEUROMOSAIC_NO_XVFB");
    const bool haveXvfb = std::system("command -v xvfb-run >/dev/null 2>&1") == 0;
    if (!guard && haveXvfb && !commandLine().empty()) {
        ::setenv("NEUROMOSAIC_NO_XVFB", "1", 1);
        std::vector<std::string> args = {"xvfb-run", "-a", "-s", "-screen 0 1920x1080x24 -noreset"};
        args.insert(args.end(), commandLine().begin(), commandLine().end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execvp("xvfb-run", argv.data());
    }
    throw Error("rendering needs an X display (Debian's VTK is built for X only) and xvfb-run was not found: "
                "install xvfb and xauth, or run under an X server");
}

int runGuarded(const GlobalOptions& options, const std::function<int()>& body) {
    const bool json = resolveProgressMode(options.progress) == ProgressMode::Json;
    auto report = [&](const std::string& status, const std::string& message) {
        std::cerr << "neuromosaic-cli: " << message << std::endl;
        if (json) {
            jobs::JsonLinesSink sink(std::cout);
            sink.result(status, message);
        }
    };
    try {
        return body();
    } catch (const Cancelled&) {
        report("cancelled", "cancelled");
        return 1;
    } catch (const InputError& e) {
        report("failed", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        report("failed", "out of memory");
        return 1;
    } catch (const std::exception& e) {
        report("failed", e.what());
        return 1;
    }
}

} // namespace nm::cli

namespace nm::cli {

void DenoiseCli::add(CLI::App* app, const std::string& columnsOption) {
    const std::string g = "Denoising (fMRIPrep confounds; nilearn's load_confounds)";
    app->add_option("--denoise", preset,
                    "Preset: simple (motion 24 + WM/CSF), scrubbing (motion 24 + WM/CSF 8 + FD/DVARS scrubbing), compcor "
                    "(motion 24 + aCompCor), motion6, motion24, none (default: the six motion parameters when a table exists)")
        ->group(g);
    app->add_option("--motion", motion, "Motion terms: none, basic (6), power2 (12), derivatives (12), full (24)")->group(g);
    app->add_option("--wm-csf", wmCsf, "White matter and CSF signals: none, basic (2), power2, derivatives, full (8)")->group(g);
    app->add_option("--global-signal", globalSignal, "Global signal: none, basic (1), power2, derivatives, full (4)")->group(g);
    app->add_option("--compcor", compcor, "CompCor: anat_combined, anat_separated, temporal, temporal_anat_combined, temporal_anat_separated")
        ->group(g);
    app->add_option("--n-compcor", nCompcor, "CompCor components per mask (default: all fMRIPrep kept)")->check(CLI::NonNegativeNumber)->group(g);
    app->add_flag("--scrub", scrub, "Censor volumes with framewise displacement or std DVARS above threshold (Power et al. 2014)")->group(g);
    app->add_option("--fd-threshold", fdThreshold, "Scrubbing: framewise displacement threshold in mm (default 0.2)")->check(CLI::PositiveNumber)->group(g);
    app->add_option("--std-dvars-threshold", stdDvarsThreshold, "Scrubbing: standardised DVARS threshold (default 3)")->check(CLI::PositiveNumber)->group(g);
    app->add_option("--scrub-segment", scrubSegment, "Scrubbing: also censor kept segments shorter than this (default 5; 0: none)")
        ->check(CLI::NonNegativeNumber)->group(g);
    app->add_option(columnsOption, columns, "Further confound columns, exact or prefix* (alone: exactly these columns)")->delimiter(',')->group(g);
    app->add_flag("--no-confounds", none, "Regress no confounds and censor nothing")->group(g);
    app->add_flag("--keep-non-steady-state", keepNonSteadyState, "Do not censor fMRIPrep's non-steady-state volumes")->group(g);
}

signal::ConfoundStrategy DenoiseCli::finish() const {
    using signal::ConfoundStrategy;
    const bool detailed = !motion.empty() || !wmCsf.empty() || !globalSignal.empty() || !compcor.empty() || nCompcor || scrub ||
                          fdThreshold || stdDvarsThreshold || scrubSegment;
    if (none && (detailed || !preset.empty() || !columns.empty()))
        throw InputError("--no-confounds: cannot be combined with --denoise, --motion, --confounds … (choose one)");
    if (none) return ConfoundStrategy::none();
    ConfoundStrategy s = preset.empty() ? ConfoundStrategy() : ConfoundStrategy::preset(preset);
    if (preset.empty() && !columns.empty() && motion.empty()) s.motion = signal::ConfoundTerms::None;  // exactly these columns
    if (!motion.empty()) s.motion = signal::parseConfoundTerms(motion, "--motion");
    if (!wmCsf.empty()) s.wmCsf = signal::parseConfoundTerms(wmCsf, "--wm-csf");
    if (!globalSignal.empty()) s.globalSignal = signal::parseConfoundTerms(globalSignal, "--global-signal");
    if (!compcor.empty()) s.compcor = compcor;
    if (nCompcor) s.compcorComponents = *nCompcor;
    if (scrub || fdThreshold || stdDvarsThreshold || scrubSegment) s.scrub = true;
    if (fdThreshold) s.fdThreshold = *fdThreshold;
    if (stdDvarsThreshold) s.stdDvarsThreshold = *stdDvarsThreshold;
    if (scrubSegment) s.scrubMinSegment = *scrubSegment;
    if (keepNonSteadyState) s.nonSteadyState = false;
    s.columns.insert(s.columns.end(), columns.begin(), columns.end());
    if (detailed || !columns.empty()) s.required = true;
    // Validates the CompCor name (the JSON reader is the one place that knows them).
    return ConfoundStrategy::fromJson(s.toJson(), "--compcor");
}

} // namespace nm::cli
