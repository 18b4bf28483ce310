#include "JobManager.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QStandardPaths>
#include <QTimer>

namespace nm::widgets {

JobManager::JobManager(QObject* parent) : QObject(parent) {}

JobManager::~JobManager() {
    // Do not leave orphans behind: stop every child before the manager goes away.
    for (auto& [id, job] : jobs_) {
        if (job->process && job->process->state() != QProcess::NotRunning) {
            job->process->disconnect(this);
            job->process->terminate();
            if (!job->process->waitForFinished(2000)) {
                job->process->kill();
                job->process->waitForFinished(1000);
            }
        }
    }
}

QString JobManager::cliPath() {
    const QByteArray env = qgetenv("NEUROMOSAIC_CLI");
    if (!env.isEmpty()) return QString::fromLocal8Bit(env);
    const QString sibling = QDir(QCoreApplication::applicationDirPath()).filePath("neuromosaic-cli");
    if (QFileInfo(sibling).isExecutable()) return sibling;
    const QString onPath = QStandardPaths::findExecutable("neuromosaic-cli");
    return onPath.isEmpty() ? sibling : onPath;
}

int JobManager::start(const QString& title, const QStringList& arguments) {
    const int id = nextId_++;
    auto job = std::make_unique<Job>();
    job->title = title;
    job->arguments = arguments;
    job->process = std::make_unique<QProcess>();
    QProcess* p = job->process.get();
    p->setProgram(cliPath());
    p->setArguments(QStringList{"--progress", "json"} + arguments);
    p->setProcessChannelMode(QProcess::SeparateChannels);
    connect(p, &QProcess::readyReadStandardOutput, this, [this, id] { readOutput(id, false); });
    connect(p, &QProcess::readyReadStandardError, this, [this, id] { readOutput(id, true); });
    connect(p, &QProcess::finished, this, [this, id](int code, QProcess::ExitStatus status) {
        finish(id, status == QProcess::CrashExit, code);
    });
    connect(p, &QProcess::errorOccurred, this, [this, id](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart) return;  // the others end in finished()
        auto& j = *jobs_.at(id);
        j.parser.feedStderrLine(("could not start " + cliPath() + ": " + j.process->errorString()).toStdString());
        finish(id, true, -1);
    });
    job->clock.start();
    jobs_.emplace(id, std::move(job));
    emit jobAdded(id);
    emit logLine(id, QStringLiteral("started: neuromosaic-cli %1").arg(arguments.join(' ')),
                 int(nm::jobs::LogLevel::Info));
    p->start();
    return id;
}

void JobManager::readOutput(int id, bool fromStderr) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    auto& job = *it->second;
    QByteArray& buffer = fromStderr ? job.stderrBuffer : job.stdoutBuffer;
    buffer += fromStderr ? job.process->readAllStandardError() : job.process->readAllStandardOutput();
    consumeLines(id, buffer, fromStderr, false);
}

void JobManager::consumeLines(int id, QByteArray& buffer, bool fromStderr, bool flush) {
    auto& job = *jobs_.at(id);
    bool changed = false;
    for (;;) {
        int nl = buffer.indexOf('\n');
        if (nl < 0) {
            if (!flush || buffer.isEmpty()) break;
            nl = int(buffer.size());
        }
        const QByteArray line = buffer.left(nl);
        buffer.remove(0, std::min<qsizetype>(nl + 1, buffer.size()));
        const std::size_t before = job.parser.snapshot().log.size();
        if (fromStderr) job.parser.feedStderrLine(line.toStdString());
        else job.parser.feedStdoutLine(line.toStdString());
        const auto& log = job.parser.snapshot().log;
        for (std::size_t i = std::min(before, log.size()); i < log.size(); ++i)
            emit logLine(id, QString::fromStdString(log[i].text), int(log[i].level));
        changed = true;
    }
    if (changed) emit jobUpdated(id);
}

void JobManager::finish(int id, bool crashed, int exitCode) {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second->finished) return;
    auto& job = *it->second;
    if (job.process) {
        job.stdoutBuffer += job.process->readAllStandardOutput();
        job.stderrBuffer += job.process->readAllStandardError();
    }
    consumeLines(id, job.stdoutBuffer, false, true);
    consumeLines(id, job.stderrBuffer, true, true);
    job.finished = true;
    job.finalSeconds = job.clock.elapsed() / 1000.0;
    const std::size_t before = job.parser.snapshot().log.size();
    job.parser.finish(crashed, exitCode, job.cancelRequested);
    const auto& snap = job.parser.snapshot();
    for (std::size_t i = before; i < snap.log.size(); ++i)
        emit logLine(id, QString::fromStdString(snap.log[i].text), int(snap.log[i].level));
    emit logLine(id,
                 QStringLiteral("%1 %2 after %3 s")
                     .arg(job.title, QString::fromUtf8(nm::jobs::toString(snap.status).data()))
                     .arg(job.finalSeconds, 0, 'f', 1),
                 int(snap.status == Status::Failed ? nm::jobs::LogLevel::Error : nm::jobs::LogLevel::Info));
    emit jobUpdated(id);
    emit jobFinished(id, snap.status);
}

void JobManager::cancel(int id, int graceMs) {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second->finished) return;
    auto& job = *it->second;
    job.cancelRequested = true;
    emit logLine(id, QStringLiteral("cancelling %1").arg(job.title), int(nm::jobs::LogLevel::Info));
    if (job.process->state() == QProcess::NotRunning) return;
    job.process->terminate();
    QPointer<QProcess> process(job.process.get());
    QTimer::singleShot(graceMs, this, [process] {
        if (process && process->state() != QProcess::NotRunning) process->kill();
    });
}

void JobManager::cancelAll() {
    for (auto& [id, job] : jobs_)
        if (!job->finished) cancel(id);
}

void JobManager::clearFinished() {
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        if (it->second->finished) it = jobs_.erase(it);
        else ++it;
    }
}

QList<int> JobManager::jobIds() const {
    QList<int> ids;
    for (const auto& [id, job] : jobs_) ids.push_back(id);
    return ids;
}

QString JobManager::title(int id) const { return jobs_.at(id)->title; }
QStringList JobManager::arguments(int id) const { return jobs_.at(id)->arguments; }
const nm::jobs::JobSnapshot& JobManager::snapshot(int id) const { return jobs_.at(id)->parser.snapshot(); }
bool JobManager::isRunning(int id) const { return contains(id) && !jobs_.at(id)->finished; }

int JobManager::runningCount() const {
    int n = 0;
    for (const auto& [id, job] : jobs_) n += job->finished ? 0 : 1;
    return n;
}

double JobManager::elapsedSeconds(int id) const {
    const auto& job = *jobs_.at(id);
    return job.finished ? job.finalSeconds : job.clock.elapsed() / 1000.0;
}

} // namespace nm::widgets
