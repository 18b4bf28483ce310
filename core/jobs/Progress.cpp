#include "jobs/Progress.hpp"

#include "common/Error.hpp"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <stdexcept>

namespace nm::jobs {

std::string_view toString(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "info";
}

LogLevel logLevelFromString(std::string_view s) {
    if (s == "debug") return LogLevel::Debug;
    if (s == "warning" || s == "warn") return LogLevel::Warning;
    if (s == "error") return LogLevel::Error;
    return LogLevel::Info;
}

struct Progress::Shared {
    ProgressSink* sink = nullptr;
    const CancellationToken* cancel = nullptr;
    Clock::time_point start = Clock::now();
    Clock::time_point lastEmit{};
    std::string lastStage;
    double lastFraction = -1.0;
    std::chrono::duration<double> minInterval{0.1};
    std::chrono::duration<double> checkpointInterval{0.0};
    Clock::time_point lastCheckpoint = Clock::now();
    std::mutex mutex;
};

Progress::Progress(ProgressSink* sink, const CancellationToken* cancel)
    : shared_(std::make_shared<Shared>()) {
    shared_->sink = sink;
    shared_->cancel = cancel;
}

Progress::Progress(std::shared_ptr<Shared> shared, double base, double span, std::string prefix)
    : shared_(std::move(shared)), base_(base), span_(span), prefix_(std::move(prefix)),
      stageBase_(base), stageSpan_(span), overall_(base) {}

void Progress::plan(std::vector<std::pair<std::string, double>> stages) {
    double total = 0.0;
    for (const auto& [name, weight] : stages) {
        if (!(weight > 0.0)) throw std::logic_error("Progress::plan: stage '" + name + "' has weight <= 0");
        total += weight;
    }
    stages_ = std::move(stages);
    stageStarts_.assign(stages_.size() + 1, 0.0);
    double acc = 0.0;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
        stageStarts_[i] = acc / total;
        acc += stages_[i].second;
    }
    stageStarts_.back() = 1.0;
    current_ = -1;
}

std::string Progress::stagePath() const {
    std::string name = current_ >= 0 ? stages_[std::size_t(current_)].first : adhocStage_;
    if (prefix_.empty()) return name;
    if (name.empty()) return prefix_;
    return prefix_ + "/" + name;
}

void Progress::begin(std::string_view stage, std::string_view message) {
    checkCancelled();
    if (stages_.empty()) {
        adhocStage_ = std::string(stage);
        current_ = -1;
        stageBase_ = base_;
        stageSpan_ = span_;
    } else {
        auto it = std::find_if(stages_.begin(), stages_.end(),
                               [&](const auto& s) { return s.first == stage; });
        if (it == stages_.end())
            throw std::logic_error("Progress::begin: stage '" + std::string(stage) + "' is not in the plan");
        current_ = int(it - stages_.begin());
        stageBase_ = base_ + span_ * stageStarts_[std::size_t(current_)];
        stageSpan_ = span_ * (stageStarts_[std::size_t(current_) + 1] - stageStarts_[std::size_t(current_)]);
    }
    overall_ = std::max(overall_, stageBase_);
    publish(message, true);
}

void Progress::update(double stageFraction, std::string_view message) {
    checkCancelled();
    stageFraction = std::clamp(stageFraction, 0.0, 1.0);
    overall_ = std::max(overall_, stageBase_ + stageSpan_ * stageFraction);
    publish(message, false);
}

void Progress::update(std::size_t done, std::size_t total, std::string_view message) {
    update(total == 0 ? 1.0 : double(done) / double(total), message);
}

void Progress::finish(std::string_view message) {
    overall_ = base_ + span_;
    publish(message, true);
}

Progress Progress::child() const {
    Progress c(shared_, stageBase_, stageSpan_, stagePath());
    c.overall_ = overall_;
    return c;
}

void Progress::log(LogLevel level, const std::string& message) const {
    if (!shared_->sink) return;
    std::lock_guard lock(shared_->mutex);
    shared_->sink->log(level, stagePath(), message);
}

bool Progress::cancelRequested() const noexcept {
    return shared_->cancel && shared_->cancel->requested();
}

void Progress::checkCancelled() const {
    if (cancelRequested()) throw Cancelled();
}

double Progress::elapsedSeconds() const {
    return std::chrono::duration<double>(Clock::now() - shared_->start).count();
}

void Progress::setCheckpointInterval(std::chrono::duration<double> interval) {
    std::lock_guard lock(shared_->mutex);
    shared_->checkpointInterval = interval;
}

bool Progress::checkpointDue() const {
    std::lock_guard lock(shared_->mutex);
    if (shared_->checkpointInterval.count() <= 0.0) return false;
    return Clock::now() - shared_->lastCheckpoint >= shared_->checkpointInterval;
}

void Progress::checkpointWritten() {
    std::lock_guard lock(shared_->mutex);
    shared_->lastCheckpoint = Clock::now();
}

void Progress::setMinimumEmitInterval(std::chrono::duration<double> interval) {
    std::lock_guard lock(shared_->mutex);
    shared_->minInterval = interval;
}

void Progress::publish(std::string_view message, bool force) {
    if (!shared_->sink) return;
    const auto now = Clock::now();
    std::lock_guard lock(shared_->mutex);
    const std::string stage = stagePath();
    const bool complete = overall_ >= 1.0 && shared_->lastFraction < 1.0;
    if (!force && !complete && stage == shared_->lastStage &&
        now - shared_->lastEmit < shared_->minInterval)
        return;
    // Progress is monotone across the whole job even when children report concurrently.
    const double fraction = std::clamp(std::max(overall_, shared_->lastFraction), 0.0, 1.0);
    ProgressEvent e;
    e.stage = stage;
    e.fraction = fraction;
    const double elapsed = std::chrono::duration<double>(now - shared_->start).count();
    // Linear extrapolation over the weighted stages; unknown until 1 % and half a second are done.
    e.etaSeconds = fraction >= 1.0                     ? 0.0
                   : (fraction > 0.01 && elapsed > 0.5) ? elapsed * (1.0 - fraction) / fraction
                                                        : -1.0;
    e.message = std::string(message);
    shared_->lastEmit = now;
    shared_->lastStage = stage;
    shared_->lastFraction = fraction;
    shared_->sink->progress(e);
}

} // namespace nm::jobs
