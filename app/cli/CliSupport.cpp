#include "CliSupport.hpp"

#include "common/Error.hpp"

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
