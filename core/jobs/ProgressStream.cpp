#include "jobs/ProgressStream.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace nm::jobs {

namespace {
double rounded(double v, double scale) { return std::round(v * scale) / scale; }
} // namespace

void JsonLinesSink::writeLine(const nlohmann::ordered_json& j) {
    std::lock_guard lock(mutex_);
    out_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out_.flush();
}

void JsonLinesSink::progress(const ProgressEvent& e) {
    nlohmann::ordered_json j;
    j["type"] = "progress";
    j["stage"] = e.stage;
    j["fraction"] = rounded(e.fraction, 1e4);
    j["eta_s"] = e.etaSeconds < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(rounded(e.etaSeconds, 10));
    j["message"] = e.message;
    writeLine(j);
}

void JsonLinesSink::log(LogLevel level, const std::string& stage, const std::string& message) {
    nlohmann::ordered_json j;
    j["type"] = "log";
    j["level"] = toString(level);
    j["stage"] = stage;
    j["message"] = message;
    writeLine(j);
}

void JsonLinesSink::result(std::string_view status, std::string_view message, const nlohmann::json& outputs) {
    nlohmann::ordered_json j;
    j["type"] = "result";
    j["status"] = status;
    j["message"] = message;
    j["outputs"] = outputs.is_null() ? nlohmann::ordered_json::object() : nlohmann::ordered_json(outputs);
    writeLine(j);
}

void TextSink::progress(const ProgressEvent& e) {
    std::lock_guard lock(mutex_);
    out_ << '[' << std::setw(3) << int(std::floor(e.fraction * 100.0)) << "%] " << e.stage;
    if (!e.message.empty()) out_ << ": " << e.message;
    if (e.etaSeconds > 0.5) out_ << " (ETA " << int(std::lround(e.etaSeconds)) << " s)";
    out_ << '\n';
    out_.flush();
}

void TextSink::log(LogLevel level, const std::string& stage, const std::string& message) {
    if (int(level) < int(minimum_)) return;
    std::lock_guard lock(mutex_);
    if (level != LogLevel::Info) out_ << toString(level) << ": ";
    out_ << message << '\n';
    out_.flush();
}

std::string_view toString(JobSnapshot::Status status) {
    switch (status) {
    case JobSnapshot::Status::Running: return "running";
    case JobSnapshot::Status::Succeeded: return "succeeded";
    case JobSnapshot::Status::Failed: return "failed";
    case JobSnapshot::Status::Cancelled: return "cancelled";
    }
    return "running";
}

void JobStreamParser::addLog(LogLevel level, std::string text) {
    if (snapshot_.log.size() >= kMaxLogLines)
        snapshot_.log.erase(snapshot_.log.begin(), snapshot_.log.begin() + kMaxLogLines / 10);
    snapshot_.log.push_back({level, std::move(text)});
}

void JobStreamParser::feedStdoutLine(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (line.empty()) return;
    nlohmann::json j;
    if (line.front() == '{') j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
        ++plainLines_;
        addLog(LogLevel::Info, std::string(line));
        return;
    }
    const auto type = j["type"].get<std::string>();
    auto str = [&](const char* key) {
        return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
    };
    if (type == "progress") {
        if (j.contains("fraction") && j["fraction"].is_number())
            snapshot_.fraction = std::clamp(j["fraction"].get<double>(), 0.0, 1.0);
        snapshot_.etaSeconds =
            j.contains("eta_s") && j["eta_s"].is_number() ? j["eta_s"].get<double>() : -1.0;
        snapshot_.stage = str("stage");
        if (auto m = str("message"); !m.empty()) snapshot_.message = m;
    } else if (type == "log") {
        const auto level = logLevelFromString(str("level"));
        auto message = str("message");
        if (level == LogLevel::Error) snapshot_.lastError = message;
        snapshot_.message = message;
        addLog(level, std::move(message));
    } else if (type == "result") {
        resultStatus_ = str("status");
        if (auto m = str("message"); !m.empty()) {
            snapshot_.message = m;
            if (resultStatus_ == "failed") snapshot_.lastError = m;
        }
        if (j.contains("outputs")) snapshot_.outputs = j["outputs"];
        addLog(resultStatus_ == "failed" ? LogLevel::Error : LogLevel::Info,
               "result: " + resultStatus_ + (snapshot_.message.empty() ? "" : " — " + snapshot_.message));
    } else {
        ++plainLines_;
        addLog(LogLevel::Info, std::string(line));
    }
}

void JobStreamParser::feedStderrLine(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (line.empty()) return;
    snapshot_.lastError = std::string(line);
    addLog(LogLevel::Warning, std::string(line));
}

void JobStreamParser::finish(bool crashed, int exitCode, bool cancelRequested) {
    using S = JobSnapshot::Status;
    if (cancelRequested && (crashed || exitCode != 0 || resultStatus_ == "cancelled")) {
        snapshot_.status = S::Cancelled;
        snapshot_.message = "cancelled";
    } else if (crashed) {
        snapshot_.status = S::Failed;
        std::string why = "the process crashed";
        if (!snapshot_.lastError.empty()) why += " (last message: " + snapshot_.lastError + ")";
        else if (!snapshot_.message.empty()) why += " (last message: " + snapshot_.message + ")";
        snapshot_.lastError = why;
        addLog(LogLevel::Error, why);
    } else if (exitCode != 0 || resultStatus_ == "failed") {
        snapshot_.status = S::Failed;
        if (snapshot_.lastError.empty())
            snapshot_.lastError = "exited with code " + std::to_string(exitCode);
    } else {
        snapshot_.status = S::Succeeded;
        snapshot_.fraction = 1.0;
        snapshot_.etaSeconds = 0.0;
    }
}

} // namespace nm::jobs
