#include "CliSupport.hpp"

#include "common/Error.hpp"

#include <csignal>
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
