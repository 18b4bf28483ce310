#pragma once
// The demo atlas, built on first start: the simulator's demo cohort, the atlas learned from it at
// three scales, then its cognitive labels — three background jobs (neuromosaic-cli simulate,
// learn, label) in the jobs panel. The result is cached (<cache>/demo/demo.nmatlas.h5, with a
// "labels.complete" marker) and reused by later starts; an interrupted build resumes (the cohort
// is kept, learning and labelling checkpoint; an atlas cached by an older version is labelled).
#include <QObject>
#include <QString>
#include <QStringList>

namespace nm::widgets {

class JobManager;

class DemoAtlas : public QObject {
    Q_OBJECT
public:
    struct Recipe {
        QString preset = "demo";
        QString scales = "64,256,1024";
        QString name = "demo";       ///< cache sub-directory and file stem
        /// The default, unless $NEUROMOSAIC_DEMO_PRESET / $NEUROMOSAIC_DEMO_SCALES say otherwise
        /// (tests build a tiny one).
        static Recipe fromEnvironment();
    };
    DemoAtlas(JobManager* jobs, Recipe recipe, QObject* parent = nullptr);
    explicit DemoAtlas(JobManager* jobs, QObject* parent = nullptr) : DemoAtlas(jobs, Recipe::fromEnvironment(), parent) {}

    /// Where the atlas is (or will be) cached.
    [[nodiscard]] QString atlasPath() const;
    [[nodiscard]] bool exists() const;
    [[nodiscard]] bool building() const { return simulateJob_ > 0 || learnJob_ > 0 || labelJob_ > 0; }
    /// Starts (or continues) the build; emits ready when the atlas exists. No-op while building.
    void build();

signals:
    void ready(const QString& path);
    void failed(const QString& error);
    void stageStarted(const QString& stage, int jobId);

private:
    void startLearn();
    void startLabel();
    [[nodiscard]] QString dir() const;

    JobManager* jobs_;
    Recipe recipe_;
    int simulateJob_ = 0, learnJob_ = 0, labelJob_ = 0;
};

} // namespace nm::widgets
