#pragma once
// Progress reporting for long computations: weighted stages (nested), cooperative cancellation,
// a structured log and checkpoint timing. Every long core function takes a `Progress&`.
//
//   Progress p(&sink, &token);
//   p.plan({{"load", 1}, {"learn", 8}, {"save", 1}});
//   p.begin("load");  ...  p.update(i, n);
//   p.begin("learn"); learn(data, p.child());   // the child maps its [0,1] onto "learn"
//
// Progress objects are cheap handles; a child shares the sink, the clock and the token with its
// parent. Updates may come from several threads: emission is serialised by the shared state.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nm::jobs {

enum class LogLevel { Debug, Info, Warning, Error };
std::string_view toString(LogLevel level);
LogLevel logLevelFromString(std::string_view s); // unknown → Info

struct ProgressEvent {
    std::string stage;       ///< current stage path, e.g. "learn/scale 256"
    double fraction = 0.0;   ///< overall completion in [0, 1]
    double etaSeconds = -1;  ///< estimated seconds left; negative when unknown
    std::string message;
};

/// Receives progress and log events (terminal printer, JSON lines, GUI, tests).
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void progress(const ProgressEvent& event) = 0;
    virtual void log(LogLevel level, const std::string& stage, const std::string& message) = 0;
};

/// Cooperative cancellation flag. It may watch an external flag (set by a signal handler).
class CancellationToken {
public:
    CancellationToken() = default;
    explicit CancellationToken(const std::atomic<bool>* external) : external_(external) {}
    void request() noexcept { own_.store(true, std::memory_order_relaxed); }
    [[nodiscard]] bool requested() const noexcept {
        return own_.load(std::memory_order_relaxed) ||
               (external_ && external_->load(std::memory_order_relaxed));
    }

private:
    std::atomic<bool> own_{false};
    const std::atomic<bool>* external_ = nullptr;
};

class Progress {
public:
    using Clock = std::chrono::steady_clock;

    /// Both pointers may be null (no reporting, never cancelled). They must outlive the Progress.
    explicit Progress(ProgressSink* sink = nullptr, const CancellationToken* cancel = nullptr);

    /// Declares this level's stages with relative weights (> 0). Replaces any earlier plan.
    void plan(std::vector<std::pair<std::string, double>> stages);
    void plan(std::initializer_list<std::pair<std::string, double>> stages) {
        plan(std::vector<std::pair<std::string, double>>(stages));
    }
    /// Starts a planned stage (or, without a plan, an ad-hoc stage spanning this level's range).
    /// Throws std::logic_error for a stage that is not in the plan. Checks for cancellation.
    void begin(std::string_view stage, std::string_view message = {});
    /// Completion of the current stage in [0, 1] (clamped; never goes backwards).
    void update(double stageFraction, std::string_view message = {});
    void update(std::size_t done, std::size_t total, std::string_view message = {});
    /// Marks this level complete (fraction = end of its range) and emits an event.
    void finish(std::string_view message = {});

    /// A sub-progress spanning the current stage; its own plan subdivides that stage.
    [[nodiscard]] Progress child() const;

    void log(LogLevel level, const std::string& message) const;
    void info(const std::string& message) const { log(LogLevel::Info, message); }
    void warn(const std::string& message) const { log(LogLevel::Warning, message); }

    [[nodiscard]] bool cancelRequested() const noexcept;
    /// Throws nm::Cancelled if cancellation was requested.
    void checkCancelled() const;

    /// Overall completion [0, 1] as last reported by this handle.
    [[nodiscard]] double fraction() const noexcept { return overall_; }
    [[nodiscard]] double elapsedSeconds() const;

    /// Checkpoint timing: `checkpointDue()` turns true when `interval` has passed since the
    /// last `checkpointWritten()` (or the start). Interval <= 0 disables checkpoints.
    void setCheckpointInterval(std::chrono::duration<double> interval);
    [[nodiscard]] bool checkpointDue() const;
    void checkpointWritten();

    /// Minimum time between emitted progress events (default 100 ms); stage changes and
    /// completion are always emitted.
    void setMinimumEmitInterval(std::chrono::duration<double> interval);

private:
    struct Shared;
    Progress(std::shared_ptr<Shared> shared, double base, double span, std::string prefix);
    void publish(std::string_view message, bool force);
    [[nodiscard]] std::string stagePath() const;

    std::shared_ptr<Shared> shared_;
    double base_ = 0.0, span_ = 1.0;
    std::string prefix_;
    std::vector<std::pair<std::string, double>> stages_;
    std::vector<double> stageStarts_;  // cumulative normalised weights
    int current_ = -1;
    std::string adhocStage_;
    double stageBase_ = 0.0, stageSpan_ = 1.0;
    double overall_ = 0.0;
};

/// Fans events out to several sinks (e.g. the terminal and a log file).
class TeeSink : public ProgressSink {
public:
    explicit TeeSink(std::vector<ProgressSink*> sinks) : sinks_(std::move(sinks)) {}
    void progress(const ProgressEvent& e) override {
        for (auto* s : sinks_) s->progress(e);
    }
    void log(LogLevel l, const std::string& st, const std::string& m) override {
        for (auto* s : sinks_) s->log(l, st, m);
    }

private:
    std::vector<ProgressSink*> sinks_;
};

/// Collects events in memory (tests, in-process callers).
class RecordingSink : public ProgressSink {
public:
    void progress(const ProgressEvent& e) override { events.push_back(e); }
    void log(LogLevel l, const std::string& st, const std::string& m) override {
        logs.push_back({l, st, m});
    }
    struct LogRecord {
        LogLevel level;
        std::string stage, message;
    };
    std::vector<ProgressEvent> events;
    std::vector<LogRecord> logs;
};

} // namespace nm::jobs
