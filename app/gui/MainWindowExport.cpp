// MainWindow's figure and component export and its surface picking (File ▸ Export…, the hover
// text and click-to-select): split from MainWindow.cpp to keep each file about one concern.
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkActor.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

#include "MainWindow.hpp"
#include "MainWindowLog.hpp"

#include "AtlasPanel.hpp"
#include "DemoAtlas.hpp"
#include "ExportDialog.hpp"
#include "JobDialogs.hpp"
#include "PersonalizeWizard.hpp"
#include "ComparisonWindow.hpp"
#include "GraphActors.hpp"
#include "GraphPanel.hpp"
#include "Figure.hpp"
#include "JobManager.hpp"
#include "JobsPanel.hpp"
#include "LayerPanel.hpp"
#include "LogPanel.hpp"
#include "SceneController.hpp"
#include "DecodeDialog.hpp"
#include "SemanticsPanel.hpp"
#include "ValidationPanel.hpp"
#include "semantics/Decode.hpp"
#include "semantics/Literature.hpp"
#include "jobs/Progress.hpp"
#include "SessionScene.hpp"
#include "VtkOutputCapture.hpp"
#include "VtkViewport.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "common/Version.hpp"

#include <numeric>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QStatusBar>
#include <QVBoxLayout>

namespace nm::gui {

bool MainWindow::exportFigure(const QString& path, int scale, int dotsPerInch) {
    try {
        viewport_->saveCapture(path, scale, dotsPerInch);
        statusBar()->showMessage(tr("Figure exported to %1").arg(path), 5000);
        log(kInfo, tr("figure exported to %1 (scale %2, %3 dpi)").arg(path).arg(scale).arg(dotsPerInch));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot export figure"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::exportMontage(const QString& path, const io::FigureSettings& settings) {
    try {
        io::Session s = scene_->state();
        s.figure = settings;
        scene_->setFigureSettings(settings);
        const auto image = scene_->renderFigureImage(render::figureSpec(s));
        render::writePng(path.toStdString(), image, settings.dpi);
        statusBar()->showMessage(tr("Montage exported to %1").arg(path), 5000);
        log(kInfo, tr("montage exported to %1 (%2×%3 px, %4 dpi)").arg(path).arg(image.width).arg(image.height).arg(settings.dpi));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot export figure"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::onExportFigure() {
    widgets::ExportDialog dialog(scene_->state().figure, this);
    if (dialog.exec() != QDialog::Accepted) return;
    QString path = dialog.path();
    const QString lower = path.toLower();
    const auto settings = dialog.settings();
    scene_->setFigureSettings(settings);
    if (lower.endsWith(".pdf") || lower.endsWith(".svg")) {
        exportVector(path);
        return;
    }
    if (!lower.endsWith(".png")) path += ".png";
    if (dialog.montage()) exportMontage(path, settings);
    else exportFigure(path, settings.scale, int(settings.dpi));
}

void MainWindow::onExportComponent() {
    if (!atlasPanel_->hasAtlas() || atlasPanel_->currentComponent() < 0) {
        showError(tr("Export component"), tr("Select a component of an atlas first (Atlas panel)."));
        return;
    }
    const QString name = tr("component-%1-of-%2").arg(atlasPanel_->currentComponent()).arg(atlasPanel_->currentScale());
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Selected Component"), name + ".nii.gz",
                                                      tr("NIfTI volume (*.nii.gz *.nii);;GIFTI surface maps (*.gii)"));
    if (!path.isEmpty()) exportComponent(path);
}

QStringList MainWindow::exportComponent(const QString& path) {
    const auto* bundle = atlasPanel_->bundle();
    const int component = atlasPanel_->currentComponent();
    const QString lower = path.toLower();
    try {
        if (!bundle || component < 0) throw nm::Error("no atlas component is selected");
        std::size_t scaleIndex = 0;
        while (scaleIndex < bundle->scales.size() && bundle->scales[scaleIndex].components != atlasPanel_->currentScale()) ++scaleIndex;
        if (scaleIndex == bundle->scales.size()) throw nm::Error("the atlas has no scale of " + std::to_string(atlasPanel_->currentScale()) + " components");
        if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) {
            const nm::Volume all = bundle->mapsVolume(scaleIndex);
            nm::Volume one;
            one.geometry = all.geometry;
            one.frames = 1;
            one.data.assign(all.frame(component), all.frame(component) + all.voxelCount());
            io::writeNifti(path.toStdString(), one);
            log(kInfo, tr("component %1 written to %2").arg(component).arg(path));
            return {path};
        }
        if (lower.endsWith(".gii")) {
            const int idx = atlasLayer(atlasPanel_->atlasPath());
            if (idx < 0 || scene_->layer(idx).mosaic) throw nm::Error("the component's surface map is not shown (open the atlas layer, mosaic off)");
            const auto& data = scene_->layerData(idx);
            const QString stem = path.left(path.size() - 4).remove(QRegularExpression("\\.func$"));
            QStringList written;
            for (const auto& [hemi, values] : {std::pair{QString("L"), &data.left}, std::pair{QString("R"), &data.right}}) {
                if (values->cols() <= component) continue;
                const QString file = stem + "_hemi-" + hemi + ".func.gii";
                io::writeGiftiData(file.toStdString(), Eigen::MatrixXf(values->col(component)));
                written << file;
            }
            log(kInfo, tr("component %1 surface maps written: %2").arg(component).arg(written.join(", ")));
            return written;
        }
        throw nm::Error(path.toStdString() + ": expected .nii, .nii.gz or .gii");
    } catch (const std::exception& e) {
        showError(tr("Cannot export the component"), QString::fromStdString(e.what()));
        return {};
    }
}

int MainWindow::componentAt(const QPointF& position) {
    const int idx = atlasLayer(atlasPanel_->atlasPath());
    if (idx < 0 || !scene_->scene() || !atlasPanel_->hasAtlas()) return -1;
    vtkActor* actor = nullptr;
    long long vertex = -1;
    if (!viewport_->pick(position, &actor, &vertex)) return -1;
    const bool left = actor == scene_->scene()->surfaceActor(render::Hemisphere::Left);
    if (!left && actor != scene_->scene()->surfaceActor(render::Hemisphere::Right)) return -1;
    const auto& data = scene_->layerData(idx);
    const Eigen::MatrixXf& maps = left ? data.left : data.right;
    if (vertex < 0 || vertex >= maps.rows() || maps.cols() == 0) return -1;
    if (scene_->layer(idx).mosaic) return int(maps(vertex, 0)) - 1;
    Eigen::Index best = 0;
    return maps.row(vertex).maxCoeff(&best) > 0 ? int(best) : -1;
}

QString MainWindow::describeVertexAt(const QPointF& position) {
    const int idx = atlasLayer(atlasPanel_->atlasPath());
    if (idx < 0 || !scene_->scene() || !atlasPanel_->hasAtlas()) return {};
    vtkActor* actor = nullptr;
    long long vertex = -1;
    if (!viewport_->pick(position, &actor, &vertex)) return {};
    const bool left = actor == scene_->scene()->surfaceActor(render::Hemisphere::Left);
    if (!left && actor != scene_->scene()->surfaceActor(render::Hemisphere::Right)) return {};
    const auto& data = scene_->layerData(idx);
    const Eigen::MatrixXf& maps = left ? data.left : data.right;
    if (vertex < 0 || vertex >= maps.rows()) return {};
    QString text = tr("%1 vertex %2: ").arg(left ? tr("left") : tr("right")).arg(vertex);
    const auto& names = data.mapNames;
    auto name = [&](int c) { return c < int(names.size()) ? QString::fromStdString(names[std::size_t(c)]) : QString::number(c); };
    if (scene_->layer(idx).mosaic) {
        const int label = int(maps(vertex, 0));
        if (label <= 0) return text + tr("no component");
        const auto it = data.labelNames.find(label);
        return text + tr("component %1 %2").arg(label - 1).arg(it != data.labelNames.end() ? QString::fromStdString(it->second) : QString());
    }
    std::vector<int> order(static_cast<std::size_t>(maps.cols()));
    std::iota(order.begin(), order.end(), 0);
    const auto k = std::min<std::size_t>(3, order.size());
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(k), order.end(), [&](int a, int b) { return maps(vertex, a) > maps(vertex, b); });
    QStringList parts;
    for (std::size_t r = 0; r < k; ++r)
        if (maps(vertex, order[r]) > 0) parts << tr("%1 %2 (%3)").arg(order[r]).arg(name(order[r])).arg(maps(vertex, order[r]), 0, 'f', 2);
    return text + (parts.isEmpty() ? tr("no component loads here") : parts.join(QStringLiteral(", ")));
}

bool MainWindow::exportVector(const QString& path) {
    try {
        viewport_->saveVector(path);
        statusBar()->showMessage(tr("Figure exported to %1").arg(path), 5000);
        log(kInfo, tr("vector figure %1 (%2 bytes)").arg(path).arg(QFileInfo(path).size()));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot export the figure"), QString::fromStdString(e.what()));
        return false;
    }
}

} // namespace nm::gui
