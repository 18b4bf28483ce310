#pragma once
// Runs heavy work as `neuromosaic-cli ... --progress json` child processes (QProcess) and turns
// their JSON-lines stream into job state (nm::jobs::JobStreamParser, Qt-free). A crashing or
// failing child never takes the GUI down: the job is marked failed with its last message.
#include "jobs/ProgressStream.hpp"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>

namespace nm::widgets {

class JobManager : public QObject {
    Q_OBJECT
public:
    using Status = nm::jobs::JobSnapshot::Status;

    explicit JobManager(QObject* parent = nullptr);
    ~JobManager() override;

    /// The CLI executable: $NEUROMOSAIC_CLI, else neuromosaic-cli next to the running program,
    /// else on PATH.
    static QString cliPath();

    /// Starts `neuromosaic-cli --progress json <arguments>`; returns the job id.
    int start(const QString& title, const QStringList& arguments);
    /// Cooperative cancel: SIGTERM, then SIGKILL if the child has not stopped after `graceMs`.
    void cancel(int id, int graceMs = 5000);
    void cancelAll();
    /// Removes finished jobs from the list.
    void clearFinished();

    [[nodiscard]] QList<int> jobIds() const;
    [[nodiscard]] bool contains(int id) const { return jobs_.count(id) != 0; }
    [[nodiscard]] QString title(int id) const;
    [[nodiscard]] QStringList arguments(int id) const;
    [[nodiscard]] const nm::jobs::JobSnapshot& snapshot(int id) const;
    [[nodiscard]] bool isRunning(int id) const;
    [[nodiscard]] int runningCount() const;
    [[nodiscard]] double elapsedSeconds(int id) const;

signals:
    void jobAdded(int id);
    void jobUpdated(int id);
    void jobFinished(int id, nm::jobs::JobSnapshot::Status status);
    /// Every log line of every job, for the application log (level: nm::jobs::LogLevel as int).
    void logLine(int id, const QString& text, int level);

private:
    struct Job {
        QString title;
        QStringList arguments;
        std::unique_ptr<QProcess> process;
        nm::jobs::JobStreamParser parser;
        QByteArray stdoutBuffer, stderrBuffer;
        bool cancelRequested = false;
        bool finished = false;
        QElapsedTimer clock;
        double finalSeconds = 0.0;
    };
    void readOutput(int id, bool fromStderr);
    void consumeLines(int id, QByteArray& buffer, bool fromStderr, bool flush);
    void finish(int id, bool crashed, int exitCode);

    std::map<int, std::unique_ptr<Job>> jobs_;
    int nextId_ = 1;
};

} // namespace nm::widgets
