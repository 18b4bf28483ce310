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

QElapsedTimer& startupClock() {
    static QElapsedTimer clock;
    if (!clock.isValid()) clock.start();
    return clock;
}

namespace {
constexpr int kMaxRecentFiles = 10;

bool isSurfaceFile(const QString& path) {
    const QString name = QFileInfo(path).fileName().toLower();
    for (const char* s : {"pial", "white", "infl", "sphere", "smoothwm", "midthickness"})
        if (name.contains(s) && (name.endsWith(".gii") || name.endsWith(".gii.gz") || !name.contains('.') ||
                                 name.startsWith("lh.") || name.startsWith("rh.")))
            return !name.contains("sulc") && !name.contains("curv") && !name.contains("thick");
    return false;
}
/// Shows a job dialog without blocking; `start` runs when it is accepted; the dialog deletes itself.
template <class Dialog, class Start>
void openJobDialog(Dialog* dialog, Start start) {
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &QDialog::accepted, dialog, [dialog, start] { start(dialog); });
    dialog->open();
}
} // namespace

MainWindow::MainWindow(Options options, QWidget* parent) : QMainWindow(parent), options_(options) {
    setObjectName("mainWindow");
    setWindowTitle(QStringLiteral("NeuroMosaic"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/neuromosaic.svg")));
    resize(1400, 900);

    viewport_ = new widgets::VtkViewport(this);
    viewport_->setObjectName("viewport");
    setCentralWidget(viewport_);
    jobs_ = new widgets::JobManager(this);
    scene_ = new widgets::SceneController(viewport_, this);

    buildActions();
    buildDocks();
    buildMenus();

    hoverLabel_ = new QLabel(this);
    hoverLabel_->setObjectName("hoverLabel");
    statusBar()->addPermanentWidget(hoverLabel_, 1);
    connect(viewport_, &widgets::VtkViewport::hovered, this, [this](const QPointF& p) { hoverLabel_->setText(describeVertexAt(p)); });
    connect(viewport_, &widgets::VtkViewport::clicked, this, [this](const QPointF& p) {
        // Clicking the surface selects the component that loads most there (linked with the table and graphs).
        const int c = componentAt(p);
        if (c < 0) return;
        const int idx = atlasLayer(atlasPanel_->atlasPath());
        if (idx >= 0 && scene_->layer(idx).mosaic) {
            atlasPanel_->selectComponent(c, true);
            graphPanel_->setSelected(c);
            if (graphPanel_->show3D()) updateGraph3D();
        } else {
            showComponent(atlasPanel_->currentScale(), c);
        }
    });
    frameLabel_ = new QLabel(this);
    frameLabel_->setObjectName("frameLabel");
    statusBar()->addPermanentWidget(frameLabel_);
    connect(viewport_, &widgets::VtkViewport::frameRendered, this, [this](double ms) {
        frameLabel_->setText(tr("frame %1 ms").arg(ms, 0, 'f', 1));
        if (selectionPending_ && scene_->pending() == 0) {
            selectionPending_ = false;
            selectionMs_ = selectionClock_.nsecsElapsed() / 1e6;
        }
        if (sceneShown_ && startViewSeconds_ < 0.0) {
            startViewSeconds_ = startupClock().elapsed() / 1000.0;
            log(kInfo, tr("first frame of the start view %1 s after start").arg(startViewSeconds_, 0, 'f', 2));
            emit startViewShown(startViewSeconds_);
        }
    });
    connect(scene_, &widgets::SceneController::spaceLoaded, this, [this](double seconds, bool fromCache) {
        const auto* s = scene_->space();
        spaceLabel_->setText(tr("Space: <b>%1</b> — %2 + %3 vertices")
                                 .arg(QString::fromStdString(s->id))
                                 .arg(s->left.vertexCount())
                                 .arg(s->right.vertexCount()));
        log(kInfo, tr("surfaces of space '%1' %2 in %3 s")
                       .arg(QString::fromStdString(s->id), fromCache ? tr("loaded from the cache") : tr("built"))
                       .arg(seconds, 0, 'f', 2));
        sceneShown_ = true;
        statusBar()->showMessage(tr("Ready"), 3000);
    });
    connect(scene_, &widgets::SceneController::layerAdded, this, [this](int index) {
        const QString file = QString::fromStdString(scene_->layer(index).file);
        addRecentFile(file);
        refreshLayerList();
        layerList_->setCurrentRow(index);
        statusBar()->showMessage(tr("Loaded %1").arg(file), 5000);
        log(kInfo, tr("layer %1 (%2)").arg(file, scene_->layerData(index).categorical ? tr("labels") : tr("values")));
        emit layerLoaded(file);
    });
    connect(scene_, &widgets::SceneController::layersChanged, this, [this] { refreshLayerList(); });
    connect(scene_, &widgets::SceneController::layerAdded, this, [this](int index) {
        const QString file = QString::fromStdString(scene_->layer(index).file);
        if (file.toLower().endsWith(".nmatlas.h5") && file != atlasPanel_->atlasPath()) atlasPanel_->setAtlas(file);
    });
    connect(scene_, &widgets::SceneController::failed, this, [this](const QString& what, const QString& error) {
        showError(tr("Cannot open"), error);
        emit layerFailed(what, error);
    });
    connect(scene_, &widgets::SceneController::busyChanged, this, [this](bool busy) {
        if (busy) statusBar()->showMessage(tr("Loading…"));
        else statusBar()->showMessage(tr("Ready"), 2000);
    });

    // VTK's warnings and errors go to the log instead of a terminal nobody reads.
    widgets::VtkOutputCapture::install().setListener([this](const widgets::VtkMessage& m) {
        const int level = m.kind == widgets::VtkMessage::Kind::Error ? kError
                          : m.kind == widgets::VtkMessage::Kind::Text ? kInfo
                                                                      : kWarning;
        QMetaObject::invokeMethod(this, [this, level, text = QString::fromStdString(m.text)] {
            logPanel_->append(level, QStringLiteral("vtk"), text);
        }, Qt::QueuedConnection);
    });
    connect(jobs_, &widgets::JobManager::logLine, this, [this](int id, const QString& text, int level) {
        logPanel_->append(level, QStringLiteral("job %1").arg(id), text);
    });
    connect(jobs_, &widgets::JobManager::jobFinished, this, [this](int id, widgets::JobManager::Status status) {
        const QString title = jobs_->title(id);
        const bool ok = status == widgets::JobManager::Status::Succeeded;
        if (auto it = relabelWhenDone_.find(id); it != relabelWhenDone_.end()) {
            if (ok) {
                // The labels are in the bundle: the browser rereads it (the maps did not change).
                if (it->second == atlasPanel_->atlasPath()) atlasPanel_->setAtlas(it->second);
                else openFile(it->second);
            }
            relabelWhenDone_.erase(it);
        }
        if (auto it = reportWhenDone_.find(id); it != reportWhenDone_.end()) {
            if (ok && validationPanel_->bundle() == atlasPanel_->atlasPath() && validationPanel_->loadReport(it->second))
                if (auto* dock = qobject_cast<QDockWidget*>(validationPanel_->parentWidget())) {
                    dock->show();
                    dock->raise();
                    if (dock->height() < 340) resizeDocks({dock}, {340}, Qt::Vertical);
                }
            reportWhenDone_.erase(it);
        }
        if (auto it = openWhenDone_.find(id); it != openWhenDone_.end()) {
            if (ok) openFile(it->second);
            openWhenDone_.erase(it);
        }
        if (auto it = displacementWhenDone_.find(id); it != displacementWhenDone_.end()) {
            if (ok && QFileInfo::exists(it->second)) {
                nm::io::SessionLayer layer;
                layer.file = it->second.toStdString();
                layer.name = tr("displacement (mm): %1").arg(QFileInfo(it->second).fileName()).toStdString();
                layer.colormap = "viridis";
                layer.threshold = 0.5;
                layer.sign = "positive";
                scene_->addLayer(layer);
            }
            displacementWhenDone_.erase(it);
        }
        if (auto it = compareWhenDone_.find(id); it != compareWhenDone_.end()) {
            if (ok) {
                if (comparison_) comparison_->close();
                comparison_ = new widgets::ComparisonWindow(it->second.first, it->second.second,
                                                            QString::fromStdString(widgets::displacementFile(it->second.second.toStdString()).string()),
                                                            {}, this);
                comparison_->setAttribute(Qt::WA_DeleteOnClose);
                comparison_->show();
            }
            compareWhenDone_.erase(it);
        }
        if (auto it = learnAfter_.find(id); it != learnAfter_.end()) {
            if (ok) {
                // The cohort is ready: offer to learn an atlas from it.
                auto* d = new widgets::LearnDialog(this);
                d->setDatasets(it->second);
                d->setOutputFile(it->second + ".nmatlas.h5");
                openJobDialog(d, [this](widgets::LearnDialog* dialog) { startLearn(dialog->arguments(), dialog->outputFile()); });
            }
            learnAfter_.erase(it);
        }
        if (status == widgets::JobManager::Status::Failed)
            showError(tr("Job failed"), tr("%1: %2").arg(title, QString::fromStdString(jobs_->snapshot(id).lastError)));
        if (status == widgets::JobManager::Status::Failed)
            statusBar()->showMessage(tr("Job failed: %1 — %2").arg(title, QString::fromStdString(jobs_->snapshot(id).lastError)), 10000);
        else
            statusBar()->showMessage(tr("Job %1: %2").arg(title, QString::fromUtf8(nm::jobs::toString(status).data())), 5000);
    });

    if (options_.restoreWindowState) {
        QSettings settings;
        restoreGeometry(settings.value("window/geometry").toByteArray());
        restoreState(settings.value("window/state").toByteArray());
    }
    rebuildRecentMenu();
    log(kInfo, tr("NeuroMosaic %1 started").arg(QString::fromStdString(nm::version())));
    if (options_.loadDefaultSpace) {
        statusBar()->showMessage(tr("Loading the template surfaces (built once from mricron-data, then cached)…"));
        scene_->loadSpace(QStringLiteral("template"));
    }
    graph3d_ = std::make_unique<render::GraphActors>();
    graph3d_->addTo(viewport_->renderer());
    connect(scene_, &widgets::SceneController::sceneChanged, this, &MainWindow::applyGraphSurface);

    demo_ = new widgets::DemoAtlas(jobs_, this);
    connect(demo_, &widgets::DemoAtlas::ready, this, [this](const QString& path) {
        log(kInfo, tr("demo atlas ready: %1").arg(path));
        startupAtlas_ = path;
        openFile(path);
    });
    connect(demo_, &widgets::DemoAtlas::failed, this, [this](const QString& error) {
        showError(tr("Demo atlas"), error);
        finishStartup();
    });
    connect(atlasPanel_, &widgets::AtlasPanel::atlasLoaded, this, [this](const QString& path) {
        if (startupDone_ || path != startupAtlas_) return;
        if (demo_->exists() && path == demo_->atlasPath() && !startupFromSession_) {
            // The demo's start view: its best component (largest explained variance) at the
            // coarsest scale, on the lateral view of its hemisphere.
            const auto& s = atlasPanel_->bundle()->scales.front();
            Eigen::Index best = 0;
            if (s.explainedVariance.size() == s.components) s.explainedVariance.maxCoeff(&best);
            showComponent(s.components, int(best));
            if (s.centroids.rows() == s.components)
                scene_->setView(render::View::Lateral, s.centroids(best, 0) < 0 ? render::Hemisphere::Left : render::Hemisphere::Right);
        }
        finishStartup();
    });
    if (options_.firstStart) QTimer::singleShot(0, this, &MainWindow::startupFlow);
}

QString MainWindow::lastSessionPath() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/last.nmsession.json");
}

void MainWindow::startupFlow() {
    const QString last = lastSessionPath();
    if (QFileInfo::exists(last)) {
        log(kInfo, tr("reopening the last session %1").arg(last));
        try {
            const auto session = nm::io::readSession(last.toStdString());
            for (const auto& l : session.layers)
                if (QString::fromStdString(l.file).toLower().endsWith(".nmatlas.h5")) startupAtlas_ = QString::fromStdString(l.file);
            startupFromSession_ = true;
            scene_->applySession(session);
            if (startupAtlas_.isEmpty()) finishStartup();
            return;
        } catch (const std::exception& e) {
            log(kWarning, tr("the last session cannot be reopened: %1").arg(QString::fromStdString(e.what())));
        }
    }
    if (demo_->exists() || options_.buildDemo) {
        buildDemoAtlas();
        return;
    }
    // Nothing to show yet: offer the demo atlas without blocking the window.
    auto* box = new QMessageBox(QMessageBox::Question, tr("Welcome to NeuroMosaic"),
                                tr("No atlas is open. Build the demo atlas now? A simulated cohort (20 subjects, 4 studies) is generated "
                                   "and an atlas is learned from it at 64, 256 and 1024 components — a few minutes in the background "
                                   "(progress in the Jobs panel). It is kept for later starts."),
                                QMessageBox::NoButton, this);
    auto* build = box->addButton(tr("Build the demo atlas"), QMessageBox::AcceptRole);
    box->addButton(tr("Not now"), QMessageBox::RejectRole);
    box->setObjectName("demoOffer");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::NonModal);
    connect(box, &QMessageBox::buttonClicked, this, [this, build](QAbstractButton* b) {
        if (b == build) buildDemoAtlas();
    });
    box->show();
    finishStartup();
}

void MainWindow::finishStartup() {
    if (startupDone_) return;
    startupDone_ = true;
    emit startupFinished();
}

void MainWindow::buildDemoAtlas() {
    if (demo_->exists()) {
        startupAtlas_ = demo_->atlasPath();
        openFile(demo_->atlasPath());
        return;
    }
    statusBar()->showMessage(tr("Building the demo atlas in the background (Jobs panel)…"), 10000);
    log(kInfo, tr("building the demo atlas into %1").arg(demo_->atlasPath()));
    demo_->build();
}

MainWindow::~MainWindow() { widgets::VtkOutputCapture::install().setListener({}); }

int MainWindow::layerCount() const { return scene_->layerCount(); }

void MainWindow::buildActions() {
    openAction_ = new QAction(tr("&Open…"), this);
    openAction_->setShortcut(QKeySequence::Open);
    openAction_->setStatusTip(tr("Open a map (volume or surface data), a surface or a session"));
    connect(openAction_, &QAction::triggered, this, &MainWindow::onOpen);
    saveSessionAction_ = new QAction(tr("&Save Session…"), this);
    saveSessionAction_->setShortcut(QKeySequence::Save);
    connect(saveSessionAction_, &QAction::triggered, this, &MainWindow::onSaveSession);
    exportAction_ = new QAction(tr("&Export Figure…"), this);
    exportAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction_->setStatusTip(tr("Save the view or a montage as a high-resolution PNG"));
    connect(exportAction_, &QAction::triggered, this, &MainWindow::onExportFigure);
    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::buildDocks() {
    setDockNestingEnabled(true);
    // Left: the space and its layers.
    auto* data = new QWidget(this);
    spaceLabel_ = new QLabel(tr("Space: loading…"), data);
    spaceLabel_->setWordWrap(true);
    layerList_ = new QListWidget(data);
    layerList_->setObjectName("layerList");
    layerList_->setToolTip(tr("Layers are drawn bottom to top; untick to hide"));
    auto* add = new QPushButton(tr("Add…"), data);
    auto* remove = new QPushButton(tr("Remove"), data);
    auto* up = new QPushButton(tr("Up"), data);
    auto* down = new QPushButton(tr("Down"), data);
    connect(add, &QPushButton::clicked, this, &MainWindow::onOpen);
    connect(remove, &QPushButton::clicked, this, [this] { scene_->removeLayer(layerList_->currentRow()); });
    connect(up, &QPushButton::clicked, this, [this] {
        const int r = layerList_->currentRow();
        scene_->moveLayer(r, r + 1);
        layerList_->setCurrentRow(r + 1);
    });
    connect(down, &QPushButton::clicked, this, [this] {
        const int r = layerList_->currentRow();
        scene_->moveLayer(r, r - 1);
        layerList_->setCurrentRow(r - 1);
    });
    auto* buttons = new QHBoxLayout;
    for (auto* b : {add, remove, up, down}) buttons->addWidget(b);
    auto* dataLayout = new QVBoxLayout(data);
    dataLayout->addWidget(spaceLabel_);
    dataLayout->addWidget(layerList_);
    dataLayout->addLayout(buttons);
    connect(layerList_, &QListWidget::currentRowChanged, this, [this](int row) { layerPanel_->setCurrentLayer(row); });
    connect(layerList_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        const int row = layerList_->row(item);
        if (row < 0 || row >= scene_->layerCount()) return;
        auto l = scene_->layer(row);
        const bool visible = item->checkState() == Qt::Checked;
        if (l.visible == visible) return;
        l.visible = visible;
        scene_->setLayer(row, l);
    });
    auto* dataDock = new QDockWidget(tr("Data"), this);
    dataDock->setObjectName("dataDock");
    dataDock->setWidget(data);
    addDockWidget(Qt::LeftDockWidgetArea, dataDock);

    layerPanel_ = new widgets::LayerPanel(scene_, this);
    layerPanel_->setObjectName("propertiesPanel");
    auto* propsDock = new QDockWidget(tr("Properties"), this);
    propsDock->setObjectName("propertiesDock");
    // Scrollable, so that the docks stacked on the right can share a small window.
    auto* propsScroll = new QScrollArea(this);
    propsScroll->setWidget(layerPanel_);
    propsScroll->setWidgetResizable(true);
    propsScroll->setFrameShape(QFrame::NoFrame);
    propsDock->setWidget(propsScroll);
    addDockWidget(Qt::RightDockWidgetArea, propsDock);

    atlasPanel_ = new widgets::AtlasPanel(this);
    auto* atlasDock = new QDockWidget(tr("Atlas"), this);
    atlasDock->setObjectName("atlasDock");
    atlasDock->setWidget(atlasPanel_);
    addDockWidget(Qt::LeftDockWidgetArea, atlasDock);
    tabifyDockWidget(dataDock, atlasDock);
    dataDock->raise();
    connect(atlasPanel_, &widgets::AtlasPanel::componentSelected, this, &MainWindow::showComponent);
    connect(atlasPanel_, &widgets::AtlasPanel::mosaicToggled, this, [this](bool on) {
        const int idx = atlasLayer(atlasPanel_->atlasPath());
        if (idx < 0) return;
        auto l = scene_->layer(idx);
        if (l.mosaic == on) return;
        l.mosaic = on;
        l.borders = on;
        scene_->setLayer(idx, l);
    });
    connect(atlasPanel_, &widgets::AtlasPanel::scaleChanged, this, [this](int components) { showComponent(components, 0); });
    connect(atlasPanel_, &widgets::AtlasPanel::atlasLoaded, this, [this, atlasDock](const QString& path) {
        atlasDock->show();
        atlasDock->raise();
        log(kInfo, tr("atlas %1 in the browser").arg(path));
        // Follow the layer's scale and component.
        const int idx = atlasLayer(path);
        if (idx >= 0) {
            const auto& l = scene_->layer(idx);
            atlasPanel_->showScale(l.scale > 0 ? l.scale : atlasPanel_->bundle()->scales.front().components, true);
            atlasPanel_->selectComponent(l.map, true);
        }
    });
    connect(atlasPanel_, &widgets::AtlasPanel::failed, this, [this](const QString&, const QString& error) { showError(tr("Cannot read the atlas"), error); });

    graphPanel_ = new widgets::GraphPanel(this);
    auto* graphDock = new QDockWidget(tr("Component Graph"), this);
    graphDock->setObjectName("graphDock");
    graphDock->setWidget(graphPanel_);
    addDockWidget(Qt::RightDockWidgetArea, graphDock);
    connect(atlasPanel_, &widgets::AtlasPanel::atlasLoaded, this, [this] {
        graphPanel_->setScale(atlasPanel_->sharedBundle(), atlasPanel_->currentScale());
        graphPanel_->setSelected(atlasPanel_->currentComponent());
    });
    connect(atlasPanel_, &widgets::AtlasPanel::scaleChanged, this, [this](int components) {
        graphPanel_->setScale(atlasPanel_->sharedBundle(), components);
    });
    connect(graphPanel_, &widgets::GraphPanel::componentSelected, this, [this](int c) { showComponent(atlasPanel_->currentScale(), c); });
    connect(graphPanel_, &widgets::GraphPanel::graphChanged, this, [this] {
        if (const auto g = graphPanel_->graph()) atlasPanel_->setModules(graphPanel_->components(), g->module);
        updateGraph3D();
    });
    connect(graphPanel_, &widgets::GraphPanel::show3DChanged, this, [this](bool show) {
        if (show) {
            // Centroids are anatomical: the graph sits in the white-matter surface, made translucent.
            surfaceBeforeGraph_ = scene_->state().surface;
            if (surfaceBeforeGraph_ != "white" && surfaceBeforeGraph_ != "pial" && surfaceBeforeGraph_ != "midthickness") scene_->setSurface("white");
        } else if (!surfaceBeforeGraph_.empty() && surfaceBeforeGraph_ != scene_->state().surface) {
            scene_->setSurface(surfaceBeforeGraph_);
        }
        // The new surface gets its frame first, the balls and sticks the next one: two short
        // blocks of the GUI thread instead of one long one (1024 nodes: ~75 ms together).
        graph3DQueued_ = true;
        QTimer::singleShot(0, this, [this] {
            graph3DQueued_ = false;
            updateGraph3D();
        });
    });

    semanticsPanel_ = new widgets::SemanticsPanel(this);
    auto* semanticsDock = new QDockWidget(tr("Semantics"), this);
    semanticsDock->setObjectName("semanticsDock");
    // Scrollable like the properties, so that it does not raise the window's minimum size.
    auto* semanticsScroll = new QScrollArea(this);
    semanticsScroll->setWidget(semanticsPanel_);
    semanticsScroll->setWidgetResizable(true);
    semanticsScroll->setFrameShape(QFrame::NoFrame);
    semanticsDock->setWidget(semanticsScroll);
    addDockWidget(Qt::RightDockWidgetArea, semanticsDock);
    tabifyDockWidget(graphDock, semanticsDock);
    graphDock->raise();
    connect(atlasPanel_, &widgets::AtlasPanel::atlasLoaded, this, [this] {
        semanticsPanel_->showComponent(atlasPanel_->sharedBundle(), atlasPanel_->currentScale(), atlasPanel_->currentComponent());
    });
    connect(semanticsPanel_, &widgets::SemanticsPanel::conceptActivated, this, &MainWindow::showConcept);

    validationPanel_ = new widgets::ValidationPanel(this);
    auto* validationDock = new QDockWidget(tr("Validation"), this);
    validationDock->setObjectName("validationDock");
    validationDock->setWidget(validationPanel_);
    addDockWidget(Qt::BottomDockWidgetArea, validationDock);
    connect(atlasPanel_, &widgets::AtlasPanel::atlasLoaded, this, [this](const QString& path) {
        if (validationPanel_->bundle() != path) validationPanel_->setBundle(path);
    });
    connect(validationPanel_, &widgets::ValidationPanel::reportFailed, this,
            [this](const QString&, const QString& message) { showError(tr("Cannot read the validation report"), message); });
    connect(validationPanel_, &widgets::ValidationPanel::reportsChanged, this, [this] {
        widgets::AtlasPanel::ComponentFigures figures;
        for (const auto& r : validationPanel_->reports())
            for (const auto& c : r.componentColumns) figures.push_back(c);
        atlasPanel_->setComponentFigures(figures);
    });
    connect(validationPanel_, &widgets::ValidationPanel::validateRequested, this, [this] { startValidation(atlasPanel_->atlasPath()); });

    jobsPanel_ = new widgets::JobsPanel(jobs_, this);
    jobsPanel_->setObjectName("jobsPanel");
    auto* jobsDock = new QDockWidget(tr("Jobs"), this);
    jobsDock->setObjectName("jobsDock");
    jobsDock->setWidget(jobsPanel_);
    addDockWidget(Qt::BottomDockWidgetArea, jobsDock);
    logPanel_ = new widgets::LogPanel(this);
    logPanel_->setObjectName("logPanel");
    auto* logDock = new QDockWidget(tr("Log"), this);
    logDock->setObjectName("logDock");
    logDock->setWidget(logPanel_);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    tabifyDockWidget(jobsDock, logDock);
    // The charts want width: the dashboard shares the bottom area with the jobs and the log.
    tabifyDockWidget(jobsDock, validationDock);
    jobsDock->raise();
    resizeDocks({dataDock, propsDock}, {260, 280}, Qt::Horizontal);
    resizeDocks({jobsDock}, {180}, Qt::Vertical);
    connect(jobs_, &widgets::JobManager::jobAdded, jobsDock, [jobsDock] {
        jobsDock->show();
        jobsDock->raise();
    });
}

void MainWindow::updateGraph3D() {
    const auto g = graphPanel_->graph();
    const auto* bundle = atlasPanel_->bundle();
    const bool show = graphPanel_->show3D() && g && bundle;
    if (show) {
        const io::AtlasScale* scale = nullptr;
        for (const auto& s : bundle->scales)
            if (s.components == graphPanel_->components()) scale = &s;
        if (scale && scale->centroids.rows() == g->layout.rows()) {
            render::GraphDrawing d;
            d.positions = scale->centroids.cast<double>();
            d.edges = g->edges;
            d.weights = g->weights;
            d.nodeSize = graphPanel_->sizeByStrength() ? g->strength : g->degree;
            d.module = g->module;
            d.selected = atlasPanel_->currentComponent();
            const double scaleMm = scale->components > 300 ? 0.5 : scale->components > 100 ? 0.75 : 1.0;
            d.minRadius *= scaleMm;
            d.maxRadius *= scaleMm;
            d.edgeRadius *= scaleMm;
            graph3d_->set(d);
        }
    }
    graph3d_->setVisible(show);
    applyGraphSurface();
    viewport_->requestRender();
}

void MainWindow::applyGraphSurface() {
    if (!scene_->scene()) return;
    const double opacity = graphPanel_ && graphPanel_->show3D() ? 0.25 : 1.0;
    for (auto h : {render::Hemisphere::Left, render::Hemisphere::Right})
        if (auto* a = scene_->scene()->surfaceActor(h)) a->GetProperty()->SetOpacity(opacity);
}

int MainWindow::atlasLayer(const QString& path) const {
    for (int i = scene_->layerCount() - 1; i >= 0; --i)
        if (QString::fromStdString(scene_->layer(i).file) == path) return i;
    return -1;
}

void MainWindow::showComponent(int components, int component) {
    const int idx = atlasLayer(atlasPanel_->atlasPath());
    if (idx < 0 || component < 0) return;
    semanticsPanel_->showComponent(atlasPanel_->sharedBundle(), components, component);
    auto l = scene_->layer(idx);
    const int current = l.scale > 0 ? l.scale : atlasPanel_->bundle()->scales.front().components;
    if (current == components && l.map == component) return;
    if (current != components) l.scale = components;  // a new scale reloads; a new map only re-colours
    selectionClock_.start();
    selectionPending_ = true;
    l.map = component;
    l.visible = true;
    scene_->setLayer(idx, l);
    if (atlasPanel_->currentScale() != components) atlasPanel_->showScale(components, true);
    if (atlasPanel_->currentComponent() != component) atlasPanel_->selectComponent(component, true);
    graphPanel_->setSelected(component);
    if (graphPanel_->show3D()) updateGraph3D();
}

void MainWindow::refreshLayerList() {
    QSignalBlocker block(layerList_);
    const int current = layerList_->currentRow();
    layerList_->clear();
    for (int i = 0; i < scene_->layerCount(); ++i) {
        const auto& l = scene_->layer(i);
        auto* item = new QListWidgetItem(QString::fromStdString(l.name.empty() ? std::filesystem::path(l.file).filename().string() : l.name));
        item->setToolTip(QString::fromStdString(l.file));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(l.visible ? Qt::Checked : Qt::Unchecked);
        layerList_->addItem(item);
    }
    layerList_->setCurrentRow(std::min(current, scene_->layerCount() - 1));
    layerPanel_->setCurrentLayer(layerList_->currentRow());
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openAction_);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName("recentMenu");
    file->addSeparator();
    file->addAction(saveSessionAction_);
    auto* exportComponentAction = file->addAction(tr("Export Selected &Component…"));
    exportComponentAction->setToolTip(tr("The selected atlas component as a NIfTI volume or as GIFTI surface maps"));
    connect(exportComponentAction, &QAction::triggered, this, &MainWindow::onExportComponent);
    auto* decode = file->addAction(tr("&Decode Map…"));
    decode->setToolTip(tr("Open a brain map (MNI space) and rank its concepts (the open atlas's labels) and literature terms"));
    connect(decode, &QAction::triggered, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Decode a map"), QString(), tr("NIfTI maps (*.nii *.nii.gz)"));
        if (!f.isEmpty()) decodeMap(f);
    });
    auto* personalize = file->addAction(tr("&Personalize Subject…"));
    personalize->setObjectName("personalizeAction");
    personalize->setToolTip(tr("neuromosaic-cli personalize: carry the atlas to a new subject's brain (FUGW)"));
    connect(personalize, &QAction::triggered, this, [this] {
        auto* w = new widgets::PersonalizeWizard(this);
        w->setAtlas(atlasPanel_->atlasPath());
        w->setAttribute(Qt::WA_DeleteOnClose);
        connect(w, &QDialog::accepted, this, [this, w] {
            startPersonalize(w->arguments(), w->outputFile(),
                             QString::fromStdString(widgets::displacementFile(w->outputFile().toStdString()).string()));
        });
        w->open();
    });
    auto* demo = file->addAction(tr("Build or Open the &Demo Atlas"));
    demo->setToolTip(tr("Simulated cohort → atlas at 64, 256 and 1024 components (background jobs, cached)"));
    connect(demo, &QAction::triggered, this, &MainWindow::buildDemoAtlas);
    file->addAction(exportAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    struct ViewItem {
        const char* label;
        render::View view;
        std::optional<render::Hemisphere> hemi;
    };
    const ViewItem views[] = {
        {"&Left Lateral", render::View::Lateral, render::Hemisphere::Left},
        {"Left &Medial", render::View::Medial, render::Hemisphere::Left},
        {"&Right Lateral", render::View::Lateral, render::Hemisphere::Right},
        {"Right M&edial", render::View::Medial, render::Hemisphere::Right},
        {"&Dorsal", render::View::Dorsal, std::nullopt},
        {"&Ventral", render::View::Ventral, std::nullopt},
        {"&Anterior", render::View::Anterior, std::nullopt},
        {"&Posterior", render::View::Posterior, std::nullopt}};
    int key = Qt::Key_1;
    for (const auto& v : views) {
        auto* a = viewMenu_->addAction(tr(v.label));
        a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(key++)));
        connect(a, &QAction::triggered, this, [this, v] { scene_->setView(v.view, v.hemi); });
    }
    viewMenu_->addSeparator();
    auto* surfaces = viewMenu_->addMenu(tr("&Surface"));
    for (const char* s : {"inflated", "pial", "midthickness", "white", "sphere"})
        connect(surfaces->addAction(QString::fromLatin1(s)), &QAction::triggered, this, [this, s] { scene_->setSurface(s); });
    auto* space = viewMenu_->addMenu(tr("S&pace"));
    connect(space->addAction(tr("&Template (from mricron-data)")), &QAction::triggered, this,
            [this] { scene_->loadSpace("template"); });
    connect(space->addAction(tr("&fsaverage5")), &QAction::triggered, this, [this] { scene_->loadSpace("fsaverage5"); });
    connect(space->addAction(tr("Surface &Directory…")), &QAction::triggered, this, &MainWindow::onChooseSpaceDirectory);
    viewMenu_->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>()) viewMenu_->addAction(dock->toggleViewAction());

    auto* jobsMenu = menuBar()->addMenu(tr("&Jobs"));
    auto* simulate = jobsMenu->addAction(tr("&Simulate a Cohort…"));
    simulate->setToolTip(tr("neuromosaic-cli simulate: a multi-study fMRI cohort with its ground truth"));
    connect(simulate, &QAction::triggered, this, [this] {
        openJobDialog(new widgets::SimulateDialog(this), [this](widgets::SimulateDialog* d) { startSimulate(d->arguments(), d->outputDirectory()); });
    });
    auto* learn = jobsMenu->addAction(tr("&Learn an Atlas…"));
    learn->setToolTip(tr("neuromosaic-cli learn: the multiscale atlas from BIDS datasets; it opens when done"));
    connect(learn, &QAction::triggered, this, [this] { openJobDialog(new widgets::LearnDialog(this), [this](widgets::LearnDialog* d) { startLearn(d->arguments(), d->outputFile()); }); });
    auto* label = jobsMenu->addAction(tr("Label the &Atlas…"));
    label->setObjectName("labelAtlasAction");
    label->setToolTip(tr("neuromosaic-cli label: concepts for every component, from the data's annotations and the literature"));
    connect(label, &QAction::triggered, this, [this] {
        auto* d = new widgets::LabelDialog(this);
        d->setAtlas(atlasPanel_->atlasPath());
        d->setLiterature(literatureFolder());
        openJobDialog(d, [this](widgets::LabelDialog* dialog) {
            if (!dialog->literature().isEmpty()) QSettings().setValue("literature/dir", dialog->literature());
            startLabel(dialog->arguments(), dialog->outputFile());
        });
    });
    auto* validateAtlas = jobsMenu->addAction(tr("&Validate Atlas…"));
    validateAtlas->setObjectName("validateAtlasAction");
    validateAtlas->setToolTip(tr("neuromosaic-cli validate: held-out explained variance and baselines, recovery of the truth, "
                                 "the network and the labels; the charts fill the Validation panel"));
    connect(validateAtlas, &QAction::triggered, this, [this] {
        if (atlasPanel_->atlasPath().isEmpty()) {
            showError(tr("Validate Atlas"), tr("Open an atlas bundle first (File ▸ Open, or the demo atlas)."));
            return;
        }
        startValidation(atlasPanel_->atlasPath());
    });
    auto* validateAll = jobsMenu->addAction(tr("Validate Atlas, &One Report…"));
    validateAll->setObjectName("validateAllAction");
    validateAll->setToolTip(tr("neuromosaic-cli validate all: every validation the atlas allows in one report (JSON, TSV, HTML), "
                               "shown in the Validation panel"));
    connect(validateAll, &QAction::triggered, this, [this] {
        if (!atlasPanel_->hasAtlas()) {
            showError(tr("Validate Atlas"), tr("Open an atlas bundle first (File ▸ Open, or the demo atlas)."));
            return;
        }
        startValidation(atlasPanel_->atlasPath(), true);
    });
    jobsMenu->addSeparator();
    auto* selftest = jobsMenu->addAction(tr("Run &Self-Test Job"));
    selftest->setStatusTip(tr("A short dummy job that checks progress reporting and cancellation"));
    connect(selftest, &QAction::triggered, this, [this] { startSelfTest({"--duration", "5"}); });
    auto* cancelAll = jobsMenu->addAction(tr("&Cancel All Jobs"));
    connect(cancelAll, &QAction::triggered, jobs_, &widgets::JobManager::cancelAll);
    auto* clear = jobsMenu->addAction(tr("C&lear Finished"));
    connect(clear, &QAction::triggered, this, [this] { jobs_->clearFinished(); });

    auto* help = menuBar()->addMenu(tr("&Help"));
    auto* about = help->addAction(tr("&About NeuroMosaic"));
    connect(about, &QAction::triggered, this, &MainWindow::onAbout);
}

void MainWindow::log(int level, const QString& text) { logPanel_->append(level, QStringLiteral("app"), text); }

void MainWindow::showError(const QString& title, const QString& message) {
    log(kError, message);
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setObjectName("errorDialog");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::openFile(const QString& path) {
    const QFileInfo info(path);
    if (!info.exists()) {
        showError(tr("Cannot open file"), tr("%1: file does not exist").arg(path));
        emit layerFailed(path, tr("file does not exist"));
        return;
    }
    try {
        const QString lower = path.toLower();
        if (info.isDir()) {
            scene_->loadSpace(info.absoluteFilePath());
        } else if (lower.endsWith(".nmsession.json") || lower.endsWith(".json")) {
            scene_->applySession(nm::io::readSession(path.toStdString()));
            addRecentFile(info.absoluteFilePath());
            statusBar()->showMessage(tr("Session %1 opened").arg(path), 5000);
        } else if (isSurfaceFile(path)) {
            scene_->loadSpace(info.absolutePath());
            addRecentFile(info.absoluteFilePath());
        } else {
            nm::io::SessionLayer layer;
            layer.file = info.absoluteFilePath().toStdString();
            if (lower.endsWith(".nmatlas.h5")) {
                // A learned atlas: its coarsest scale, first component; maps peak at 1.
                layer.colormap = "hot";
                layer.threshold = 0.1;
                layer.sign = "positive";
                addRecentFile(info.absoluteFilePath());
            }
            scene_->addLayer(layer);
        }
    } catch (const std::exception& e) {
        showError(tr("Cannot open file"), QString::fromStdString(e.what()));
        emit layerFailed(path, QString::fromStdString(e.what()));
    }
}

void MainWindow::onOpen() {
    QSettings settings;
    const QString dir = settings.value("paths/lastOpenDir").toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open"), dir,
        tr("Maps, atlases, surfaces and sessions (*.nii *.nii.gz *.gii *.gii.gz *.mgh *.mgz *.annot *.nmatlas.h5 "
           "*.nmsession.json lh.* rh.*);;Atlas bundles (*.nmatlas.h5);;Volumes (*.nii *.nii.gz *.mgz);;"
           "Surface data (*.gii *.gii.gz *.annot *.mgh lh.* rh.*);;Sessions (*.nmsession.json);;All files (*)"));
    if (path.isEmpty()) return;
    settings.setValue("paths/lastOpenDir", QFileInfo(path).absolutePath());
    openFile(path);
}

void MainWindow::onChooseSpaceDirectory() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Surface directory (fsaverage-like GIFTI files or a FreeSurfer subject)"));
    if (!dir.isEmpty()) scene_->loadSpace(dir);
}

bool MainWindow::saveSession(const QString& path) {
    try {
        nm::io::writeSession(path.toStdString(), scene_->snapshot());
        addRecentFile(QFileInfo(path).absoluteFilePath());
        statusBar()->showMessage(tr("Session saved to %1").arg(path), 5000);
        log(kInfo, tr("session saved to %1").arg(path));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot save session"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::onSaveSession() {
    QString path = QFileDialog::getSaveFileName(this, tr("Save Session"), QString(), tr("NeuroMosaic sessions (*.nmsession.json)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".nmsession.json")) path += ".nmsession.json";
    saveSession(path);
}

QStringList MainWindow::recentFiles() const { return QSettings().value("recentFiles").toStringList(); }

void MainWindow::addRecentFile(const QString& path) {
    QSettings settings;
    QStringList files = settings.value("recentFiles").toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecentFiles) files.removeLast();
    settings.setValue("recentFiles", files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList files = recentFiles();
    for (const QString& f : files) {
        auto* a = recentMenu_->addAction(QFileInfo(f).fileName());
        a->setToolTip(f);
        a->setStatusTip(f);
        connect(a, &QAction::triggered, this, [this, f] { openFile(f); });
    }
    recentMenu_->setEnabled(!files.isEmpty());
    if (!files.isEmpty()) {
        recentMenu_->addSeparator();
        auto* clear = recentMenu_->addAction(tr("Clear List"));
        connect(clear, &QAction::triggered, this, [this] {
            QSettings().remove("recentFiles");
            rebuildRecentMenu();
        });
    }
}

int MainWindow::startSimulate(const QStringList& arguments, const QString& outputDirectory) {
    const int id = jobs_->start(tr("Simulate %1").arg(QFileInfo(outputDirectory).fileName()), arguments);
    learnAfter_[id] = outputDirectory;
    return id;
}

int MainWindow::startLearn(const QStringList& arguments, const QString& atlasFile) {
    const int id = jobs_->start(tr("Learn %1").arg(QFileInfo(atlasFile).fileName()), arguments);
    openWhenDone_[id] = atlasFile;
    return id;
}

int MainWindow::startLabel(const QStringList& arguments, const QString& labelledFile) {
    const int id = jobs_->start(tr("Label %1").arg(QFileInfo(labelledFile).fileName()), arguments);
    relabelWhenDone_[id] = labelledFile;
    return id;
}

widgets::ComparisonWindow* MainWindow::comparisonWindow() const { return comparison_.data(); }

int MainWindow::startPersonalize(const QStringList& arguments, const QString& subjectBundle, const QString& displacementMap) {
    const int id = jobs_->start(tr("Personalize %1").arg(QFileInfo(subjectBundle).fileName()), arguments);
    openWhenDone_[id] = subjectBundle;
    displacementWhenDone_[id] = displacementMap;
    if (arguments.size() > 1) compareWhenDone_[id] = {arguments[1], subjectBundle};
    return id;
}

QList<int> MainWindow::startValidation(const QString& bundle, bool oneReport) {
    QList<int> ids;
    const auto b = atlasPanel_->atlasPath() == bundle ? atlasPanel_->sharedBundle() : nullptr;
    const auto jobs = oneReport ? std::vector<widgets::ValidationJob>{widgets::validateAllJob(bundle.toStdString(), literatureFolder().toStdString())}
                                : widgets::validationJobsFor(bundle.toStdString(), b.get(), literatureFolder().toStdString());
    std::error_code ec;
    std::filesystem::create_directories(widgets::validationDirectory(bundle.toStdString()), ec);
    if (ec) {
        showError(tr("Validate Atlas"), tr("Cannot create %1: %2")
                                            .arg(QString::fromStdString(widgets::validationDirectory(bundle.toStdString()).string()),
                                                 QString::fromStdString(ec.message())));
        return ids;
    }
    for (const auto& j : jobs) {
        QStringList args;
        for (const auto& a : j.arguments) args << QString::fromStdString(a);
        const int id = jobs_->start(QString::fromStdString(j.title), args);
        reportWhenDone_[id] = QString::fromStdString(j.report.string());
        ids << id;
    }
    return ids;
}

QString MainWindow::literatureFolder() const {
    const QString saved = QSettings().value("literature/dir").toString();
    if (!saved.isEmpty() && QFileInfo(saved).isDir()) return saved;
    if (const auto found = nm::semantics::findLiteratureDir()) return QString::fromStdString(found->string());
    return {};
}

void MainWindow::showConcept(int components, int concept_) {
    const auto bundle = atlasPanel_->sharedBundle();
    if (!bundle) return;
    const QString atlas = atlasPanel_->atlasPath();
    auto* watcher = new QFutureWatcher<QString>(this);
    const auto name = std::make_shared<QString>();
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, name, components] {
        watcher->deleteLater();
        const QString file = watcher->result();
        if (file.startsWith("error:")) {
            showError(tr("Cannot show the concept"), file.mid(6));
            return;
        }
        nm::io::SessionLayer layer;
        layer.file = file.toStdString();
        layer.name = tr("concept: %1 (%2)").arg(*name).arg(components).toStdString();
        layer.colormap = "viridis";
        layer.threshold = 0.05;
        layer.sign = "positive";
        scene_->addLayer(layer);
        emit conceptShown(*name, components);
    });
    // Σ π · map of the carriers (core), written as a NIfTI volume in the cache so that sessions reopen it.
    watcher->setFuture(QtConcurrent::run([bundle, components, concept_, atlas, name]() -> QString {
        try {
            const auto& l = *bundle->scale(components).labels;
            *name = QString::fromStdString(l.concepts.at(std::size_t(concept_)));
            const Volume v = nm::semantics::conceptMap(*bundle, components, concept_);
            QString stem = *name;
            stem.replace(QRegularExpression("[^A-Za-z0-9]+"), "_");
            const auto dir = nm::paths::ensureDirectory(nm::paths::cacheDir() / "concepts");
            const auto file = dir / (QFileInfo(atlas).completeBaseName().toStdString() + "_scale-" + std::to_string(components) + "_" +
                                     stem.toStdString() + ".nii.gz");
            nm::io::writeNifti(file, v);
            return QString::fromStdString(file.string());
        } catch (const std::exception& e) {
            return "error:" + QString::fromStdString(e.what());
        }
    }));
}

void MainWindow::decodeMap(const QString& path) {
    openFile(path);
    nm::semantics::DecodeOptions options;
    if (atlasPanel_->hasAtlas()) options.atlas = atlasPanel_->atlasPath().toStdString();
    const QString lit = literatureFolder();
    if (!lit.isEmpty()) options.literature = lit.toStdString();
    statusBar()->showMessage(tr("Decoding %1…").arg(QFileInfo(path).fileName()));
    auto* watcher = new QFutureWatcher<std::pair<nm::semantics::DecodeResult, QString>>(this);
    connect(watcher, &QFutureWatcher<std::pair<nm::semantics::DecodeResult, QString>>::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        const auto [result, error] = watcher->result();
        if (!error.isEmpty()) {
            showError(tr("Cannot decode the map"), error);
            emit mapDecoded(path, error);
            return;
        }
        if (!decodeDialog_) decodeDialog_ = new widgets::DecodeDialog(this);
        decodeDialog_->setResult(path, result);
        decodeDialog_->show();
        decodeDialog_->raise();
        statusBar()->showMessage(tr("%1 decoded").arg(QFileInfo(path).fileName()), 5000);
        emit mapDecoded(path, {});
    });
    watcher->setFuture(QtConcurrent::run([path, options]() -> std::pair<nm::semantics::DecodeResult, QString> {
        try {
            nm::jobs::Progress progress;
            return {nm::semantics::decodeMap(path.toStdString(), options, progress), QString()};
        } catch (const std::exception& e) {
            return {{}, QString::fromStdString(e.what())};
        }
    }));
}

int MainWindow::startSelfTest(const QStringList& extraArguments) {
    return jobs_->start(tr("Self-test"), QStringList{"selftest"} + extraArguments);
}

QString MainWindow::aboutText() const {
    QString text = tr("<h3>NeuroMosaic %1</h3><p>Multiscale models of brain function and the emergence "
                      "of mesoscale structure.</p><table>")
                       .arg(QString::fromStdString(nm::version()));
    text += QStringLiteral("<tr><td>Qt</td><td>%1</td></tr>").arg(QString::fromLatin1(qVersion()));
    for (const auto& [name, ver] : nm::libraryVersions())
        if (name != "NeuroMosaic")
            text += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(QString::fromStdString(name), QString::fromStdString(ver));
    text += QStringLiteral("<tr><td>OpenGL</td><td>%1</td></tr>").arg(viewport_->openGLDescription().toHtmlEscaped());
    text += QStringLiteral("</table><p>Revision %1</p>").arg(QString::fromStdString(nm::gitRevision()));
    return text;
}

void MainWindow::onAbout() { QMessageBox::about(this, tr("About NeuroMosaic"), aboutText()); }

void MainWindow::closeEvent(QCloseEvent* event) {
    if (options_.confirmQuitWithJobs && jobs_->runningCount() > 0) {
        const auto answer = QMessageBox::question(
            this, tr("Quit"), tr("%n job(s) still running. Cancel them and quit?", nullptr, jobs_->runningCount()));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    jobs_->cancelAll();
    if (options_.firstStart && scene_->layerCount() > 0) {
        // Reopened at the next start.
        try {
            QDir().mkpath(QFileInfo(lastSessionPath()).absolutePath());
            nm::io::writeSession(lastSessionPath().toStdString(), scene_->snapshot());
        } catch (const std::exception& e) {
            log(kWarning, tr("the session could not be kept for the next start: %1").arg(QString::fromStdString(e.what())));
        }
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    event->accept();
}

} // namespace nm::gui
