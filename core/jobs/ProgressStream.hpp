#pragma once
// The job protocol: how a `neuromosaic-cli ... --progress json` child reports to its parent.
// One JSON object per line on stdout (documented in docs/job-protocol.md):
//   {"type":"progress","stage":"learn","fraction":0.42,"eta_s":12.5,"message":"epoch 3"}
//   {"type":"log","level":"warning","stage":"load","message":"..."}
//   {"type":"result","status":"ok"|"failed"|"cancelled","message":"...","outputs":{...}}
// Anything else the child prints (stderr, stray stdout) is kept as log text.
#include "jobs/Progress.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace nm::jobs {

/// Writes progress and log events as JSON lines, flushed after each line.
class JsonLinesSink : public ProgressSink {
public:
    explicit JsonLinesSink(std::ostream& out) : out_(out) {}
    void progress(const ProgressEvent& event) override;
    void log(LogLevel level, const std::string& stage, const std::string& message) override;
    /// The last line of a job: its status, a message and named outputs (files written, figures).
    void result(std::string_view status, std::string_view message, const nlohmann::json& outputs = {});

private:
    void writeLine(const nlohmann::ordered_json& j);
    std::ostream& out_;
    std::mutex mutex_;
};

/// Human-readable progress on a terminal: "[ 42%] learn: epoch 3 (ETA 12 s)".
class TextSink : public ProgressSink {
public:
    TextSink(std::ostream& out, LogLevel minimumLevel = LogLevel::Info) : out_(out), minimum_(minimumLevel) {}
    void progress(const ProgressEvent& event) override;
    void log(LogLevel level, const std::string& stage, const std::string& message) override;

private:
    std::ostream& out_;
    LogLevel minimum_;
    std::mutex mutex_;
};

/// State of a job as seen by its parent, rebuilt from the child's stream (Qt-free so that the
/// GUI's jobs panel logic is testable without a window).
struct JobSnapshot {
    enum class Status { Running, Succeeded, Failed, Cancelled };
    Status status = Status::Running;
    double fraction = 0.0;
    double etaSeconds = -1.0;
    std::string stage;
    std::string message;     ///< last progress or log message
    std::string lastError;   ///< last error-level log line or stderr text
    nlohmann::json outputs;  ///< from the result line
    struct LogLine {
        LogLevel level;
        std::string text;
    };
    std::vector<LogLine> log;
};

std::string_view toString(JobSnapshot::Status status);

class JobStreamParser {
public:
    /// One line from the child's stdout (JSON or not).
    void feedStdoutLine(std::string_view line);
    /// One line from the child's stderr (always plain text).
    void feedStderrLine(std::string_view line);
    /// Final state from the process exit: normal exit with `exitCode`, or a crash. A job whose
    /// cancellation was requested and that stopped ends Cancelled.
    void finish(bool crashed, int exitCode, bool cancelRequested);

    [[nodiscard]] const JobSnapshot& snapshot() const { return snapshot_; }
    /// Lines that could not be parsed as protocol JSON (kept in the log as text).
    [[nodiscard]] std::size_t plainLines() const { return plainLines_; }

private:
    void addLog(LogLevel level, std::string text);
    JobSnapshot snapshot_;
    std::string resultStatus_;
    std::size_t plainLines_ = 0;
    static constexpr std::size_t kMaxLogLines = 5000;
};

} // namespace nm::jobs
