#include "DemoAtlas.hpp"

#include "JobManager.hpp"
#include "common/Paths.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace nm::widgets {

DemoAtlas::DemoAtlas(JobManager* jobs, Recipe recipe, QObject* parent) : QObject(parent), jobs_(jobs), recipe_(std::move(recipe)) {
    connect(jobs_, &JobManager::jobFinished, this, [this](int id, JobManager::Status status) {
        if (id != simulateJob_ && id != learnJob_ && id != labelJob_) return;
        const bool ok = status == JobManager::Status::Succeeded;
        const QString error = QString::fromStdString(jobs_->snapshot(id).lastError);
        if (id == simulateJob_) {
            simulateJob_ = 0;
            if (ok) {
                QFile marker(dir() + "/cohort.complete");  // an interrupted build later skips the simulation
                marker.open(QIODevice::WriteOnly);
                startLearn();
            }
            else emit failed(tr("simulating the demo cohort failed: %1").arg(error.isEmpty() ? tr("cancelled") : error));
        } else if (id == learnJob_) {
            learnJob_ = 0;
            if (ok && QFileInfo::exists(atlasPath())) startLabel();
            else emit failed(tr("learning the demo atlas failed: %1").arg(error.isEmpty() ? tr("cancelled") : error));
        } else {
            labelJob_ = 0;
            if (ok) {
                QFile marker(dir() + "/labels.complete");
                marker.open(QIODevice::WriteOnly);
            }
            if (ok && exists()) emit ready(atlasPath());
            else emit failed(tr("labelling the demo atlas failed: %1").arg(error.isEmpty() ? tr("cancelled") : error));
        }
    });
}

DemoAtlas::Recipe DemoAtlas::Recipe::fromEnvironment() {
    Recipe r;
    const QString preset = qEnvironmentVariable("NEUROMOSAIC_DEMO_PRESET"), scales = qEnvironmentVariable("NEUROMOSAIC_DEMO_SCALES");
    if (!preset.isEmpty()) {
        r.preset = preset;
        r.name = preset == "demo" ? QString("demo") : preset + "-demo";
    }
    if (!scales.isEmpty()) r.scales = scales;
    return r;
}

QString DemoAtlas::dir() const { return QString::fromStdString((paths::cacheDir() / recipe_.name.toStdString()).string()); }

QString DemoAtlas::atlasPath() const { return dir() + "/" + recipe_.name + ".nmatlas.h5"; }

bool DemoAtlas::exists() const { return QFileInfo::exists(atlasPath()) && QFileInfo::exists(dir() + "/labels.complete"); }

void DemoAtlas::build() {
    if (building()) return;
    if (exists()) {
        emit ready(atlasPath());
        return;
    }
    QDir().mkpath(dir());
    // Learned but not labelled (interrupted, or cached by a version without labels).
    if (QFileInfo::exists(atlasPath())) {
        startLabel();
        return;
    }
    const QString cohort = dir() + "/cohort";
    // A complete cohort from an earlier, interrupted build is reused.
    if (QFileInfo::exists(dir() + "/cohort.complete")) {
        startLearn();
        return;
    }
    simulateJob_ = jobs_->start(tr("Simulate the %1 cohort").arg(recipe_.preset), {"simulate", "--preset", recipe_.preset, "--out", cohort, "--seed", "1"});
    emit stageStarted("simulate", simulateJob_);
}

void DemoAtlas::startLearn() {
    const QString cohort = dir() + "/cohort";
    learnJob_ = jobs_->start(tr("Learn the %1 atlas (%2)").arg(recipe_.name, recipe_.scales),
                             {"learn", cohort, "--scales", recipe_.scales, "--out", atlasPath(), "--checkpoint", dir() + "/checkpoint"});
    emit stageStarted("learn", learnJob_);
}

void DemoAtlas::startLabel() {
    // In place (atomically); the literature columns fill when a literature folder is configured.
    labelJob_ = jobs_->start(tr("Label the %1 atlas").arg(recipe_.name), {"label", atlasPath(), "--checkpoint", dir() + "/label-checkpoint"});
    emit stageStarted("label", labelJob_);
}

} // namespace nm::widgets
