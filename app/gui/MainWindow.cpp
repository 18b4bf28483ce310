#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

#include "MainWindow.hpp"

#include "JobManager.hpp"
#include "JobsPanel.hpp"
#include "LogPanel.hpp"
#include "SurfaceActors.hpp"
#include "VtkOutputCapture.hpp"
#include "VtkViewport.hpp"
#include "anatomy/Isosurface.hpp"
#include "anatomy/TemplateBrain.hpp"
#include "common/Error.hpp"
#include "common/Version.hpp"
#include "io/Nifti.hpp"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QColorDialog>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

namespace nm::gui {

QElapsedTimer& startupClock() {
    static QElapsedTimer clock;
    if (!clock.isValid()) clock.start();
    return clock;
}

namespace {
constexpr int kMaxRecentFiles = 10;
enum LogLevelInt { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

struct MeshResult {
    nm::Mesh mesh;
    QString error;
    bool fromCache = false;
    double seconds = 0.0;
};

QString colorCss(const std::array<double, 3>& c) {
    return QColor::fromRgbF(float(c[0]), float(c[1]), float(c[2])).name();
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

    buildActions();
    buildDocks();
    buildMenus();

    frameLabel_ = new QLabel(this);
    frameLabel_->setObjectName("frameLabel");
    statusBar()->addPermanentWidget(frameLabel_);
    connect(viewport_, &widgets::VtkViewport::frameRendered, this, [this](double ms) {
        frameLabel_->setText(tr("frame %1 ms").arg(ms, 0, 'f', 1));
        if (brainActorAdded_ && brainShownSeconds_ < 0.0) {
            brainShownSeconds_ = startupClock().elapsed() / 1000.0;
            log(kInfo, tr("first frame with the template brain %1 s after start").arg(brainShownSeconds_, 0, 'f', 2));
            emit templateBrainShown(brainShownSeconds_);
        }
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
    if (options_.loadTemplateBrain) loadTemplateBrain();
    statusBar()->showMessage(tr("Ready"), 3000);
}

MainWindow::~MainWindow() {
    widgets::VtkOutputCapture::install().setListener({});
}

void MainWindow::buildActions() {
    openAction_ = new QAction(tr("&Open…"), this);
    openAction_->setShortcut(QKeySequence::Open);
    openAction_->setStatusTip(tr("Open a session (.nmsession.json) or a NIfTI volume"));
    connect(openAction_, &QAction::triggered, this, &MainWindow::onOpen);
    saveSessionAction_ = new QAction(tr("&Save Session…"), this);
    saveSessionAction_->setShortcut(QKeySequence::Save);
    connect(saveSessionAction_, &QAction::triggered, this, &MainWindow::onSaveSession);
    exportAction_ = new QAction(tr("&Export Figure…"), this);
    exportAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction_->setStatusTip(tr("Save the current view as a high-resolution PNG"));
    connect(exportAction_, &QAction::triggered, this, &MainWindow::onExportFigure);
    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::buildDocks() {
    setDockNestingEnabled(true);
    // Left: data browser.
    layersTree_ = new QTreeWidget(this);
    layersTree_->setObjectName("layersTree");
    layersTree_->setHeaderLabels({tr("Layer"), tr("Source")});
    layersTree_->setRootIsDecorated(false);
    layersTree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    connect(layersTree_, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int column) {
        if (column != 0) return;
        for (auto& l : layers_)
            if (l.item == item) {
                l.settings.visible = item->checkState(0) == Qt::Checked;
                applyLayerSettings(l);
                updatePropertiesPanel();
            }
    });
    connect(layersTree_, &QTreeWidget::currentItemChanged, this, [this] { updatePropertiesPanel(); });
    auto* dataDock = new QDockWidget(tr("Data"), this);
    dataDock->setObjectName("dataDock");
    dataDock->setWidget(layersTree_);
    addDockWidget(Qt::LeftDockWidgetArea, dataDock);

    // Right: properties of the selected layer.
    auto* props = new QWidget(this);
    props->setObjectName("propertiesPanel");
    propertiesTitle_ = new QLabel(tr("No layer selected"), props);
    propertiesTitle_->setWordWrap(true);
    visibleBox_ = new QCheckBox(tr("Visible"), props);
    opacitySlider_ = new QSlider(Qt::Horizontal, props);
    opacitySlider_->setRange(0, 100);
    opacitySlider_->setToolTip(tr("Opacity of the selected layer"));
    colorButton_ = new QPushButton(props);
    colorButton_->setToolTip(tr("Surface colour of the selected layer"));
    auto* form = new QFormLayout;
    form->addRow(visibleBox_);
    form->addRow(tr("Opacity"), opacitySlider_);
    form->addRow(tr("Colour"), colorButton_);
    auto* propsLayout = new QVBoxLayout(props);
    propsLayout->addWidget(propertiesTitle_);
    propsLayout->addLayout(form);
    propsLayout->addStretch(1);
    connect(visibleBox_, &QCheckBox::toggled, this, [this](bool on) {
        if (auto* l = selectedLayer()) {
            l->item->setCheckState(0, on ? Qt::Checked : Qt::Unchecked);
        }
    });
    connect(opacitySlider_, &QSlider::valueChanged, this, [this](int v) {
        if (auto* l = selectedLayer()) {
            l->settings.opacity = v / 100.0;
            applyLayerSettings(*l);
        }
    });
    connect(colorButton_, &QPushButton::clicked, this, [this] {
        auto* l = selectedLayer();
        if (!l) return;
        const auto& c = l->settings.color;
        const QColor chosen = QColorDialog::getColor(QColor::fromRgbF(float(c[0]), float(c[1]), float(c[2])), this);
        if (!chosen.isValid()) return;
        l->settings.color = {chosen.redF(), chosen.greenF(), chosen.blueF()};
        applyLayerSettings(*l);
        updatePropertiesPanel();
    });
    auto* propsDock = new QDockWidget(tr("Properties"), this);
    propsDock->setObjectName("propertiesDock");
    propsDock->setWidget(props);
    addDockWidget(Qt::RightDockWidgetArea, propsDock);

    // Bottom: jobs and log.
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
    jobsDock->raise();
    resizeDocks({dataDock, propsDock}, {260, 260}, Qt::Horizontal);
    resizeDocks({jobsDock}, {200}, Qt::Vertical);
    connect(jobs_, &widgets::JobManager::jobAdded, jobsDock, [jobsDock] {
        jobsDock->show();
        jobsDock->raise();
    });
    updatePropertiesPanel();
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openAction_);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName("recentMenu");
    file->addSeparator();
    file->addAction(saveSessionAction_);
    file->addAction(exportAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    const std::pair<const char*, const char*> views[] = {
        {"left", "Lateral &Left"}, {"right", "Lateral &Right"}, {"anterior", "&Anterior"},
        {"posterior", "&Posterior"}, {"superior", "&Dorsal (superior)"}, {"inferior", "&Ventral (inferior)"},
        {"oblique", "&Oblique"}};
    int key = Qt::Key_1;
    for (const auto& [name, label] : views) {
        auto* a = viewMenu_->addAction(tr(label));
        a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(key++)));
        connect(a, &QAction::triggered, this, [this, n = std::string(name)] { setView(n); });
    }
    viewMenu_->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>()) viewMenu_->addAction(dock->toggleViewAction());

    auto* jobsMenu = menuBar()->addMenu(tr("&Jobs"));
    auto* selftest = jobsMenu->addAction(tr("Run &Self-Test Job"));
    selftest->setStatusTip(tr("A short dummy job that checks progress reporting and cancellation"));
    connect(selftest, &QAction::triggered, this, [this] { startSelfTest({"--duration", "5"}); });
    auto* cancelAll = jobsMenu->addAction(tr("&Cancel All Jobs"));
    connect(cancelAll, &QAction::triggered, jobs_, &widgets::JobManager::cancelAll);
    auto* clear = jobsMenu->addAction(tr("C&lear Finished"));
    connect(clear, &QAction::triggered, this, [this] {
        jobs_->clearFinished();
        log(kInfo, tr("finished jobs cleared from the list"));
    });

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

void MainWindow::loadTemplateBrain() {
    statusBar()->showMessage(tr("Loading the MNI template brain…"));
    auto* watcher = new QFutureWatcher<MeshResult>(this);
    connect(watcher, &QFutureWatcher<MeshResult>::finished, this, [this, watcher] {
        watcher->deleteLater();
        MeshResult r = watcher->result();
        if (!r.error.isEmpty()) {
            showError(tr("Template brain"), r.error);
            statusBar()->showMessage(tr("No template brain: %1").arg(r.error));
            return;
        }
        Layer layer;
        layer.name = tr("MNI template brain (ch2bet)");
        layer.settings.kind = "template";
        layer.actor = widgets::makeSurfaceActor(r.mesh);
        log(kInfo, tr("template brain: %1 vertices, %2 triangles, %3 in %4 s")
                       .arg(r.mesh.vertexCount())
                       .arg(r.mesh.triangleCount())
                       .arg(r.fromCache ? tr("loaded from cache") : tr("built"))
                       .arg(r.seconds, 0, 'f', 2));
        const bool first = layers_.empty();
        addLayer(std::move(layer));
        if (first) setView("left");
        brainActorAdded_ = true;
        statusBar()->showMessage(tr("Ready"), 3000);
    });
    watcher->setFuture(QtConcurrent::run([] {
        MeshResult r;
        try {
            auto cached = nm::anatomy::loadTemplateBrain();
            r.mesh = std::move(cached.mesh);
            r.fromCache = cached.fromCache;
            r.seconds = cached.seconds;
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

void MainWindow::addLayer(Layer layer) {
    layer.item = new QTreeWidgetItem(layersTree_);
    layer.item->setText(0, layer.name);
    layer.item->setText(1, layer.file.isEmpty() ? tr("mricron-data") : QFileInfo(layer.file).fileName());
    layer.item->setToolTip(0, layer.file.isEmpty() ? layer.name : layer.file);
    layer.item->setFlags(layer.item->flags() | Qt::ItemIsUserCheckable);
    {
        QSignalBlocker block(layersTree_);
        layer.item->setCheckState(0, layer.settings.visible ? Qt::Checked : Qt::Unchecked);
    }
    viewport_->renderer()->AddActor(layer.actor);
    layers_.push_back(std::move(layer));
    applyLayerSettings(layers_.back());
    layersTree_->setCurrentItem(layers_.back().item);
    viewport_->requestRender();
}

void MainWindow::applyLayerSettings(Layer& layer) {
    if (!layer.actor) return;
    layer.actor->SetVisibility(layer.settings.visible);
    auto* p = layer.actor->GetProperty();
    p->SetOpacity(layer.settings.opacity);
    p->SetColor(layer.settings.color[0], layer.settings.color[1], layer.settings.color[2]);
    viewport_->requestRender();
}

MainWindow::Layer* MainWindow::selectedLayer() {
    auto* item = layersTree_->currentItem();
    for (auto& l : layers_)
        if (l.item == item) return &l;
    return nullptr;
}

void MainWindow::updatePropertiesPanel() {
    auto* l = selectedLayer();
    const bool on = l != nullptr;
    visibleBox_->setEnabled(on);
    opacitySlider_->setEnabled(on);
    colorButton_->setEnabled(on);
    if (!l) {
        propertiesTitle_->setText(tr("No layer selected"));
        return;
    }
    QSignalBlocker b1(visibleBox_), b2(opacitySlider_);
    propertiesTitle_->setText(QStringLiteral("<b>%1</b>").arg(l->name.toHtmlEscaped()));
    visibleBox_->setChecked(l->settings.visible);
    opacitySlider_->setValue(int(std::lround(l->settings.opacity * 100)));
    colorButton_->setStyleSheet(QStringLiteral("background-color: %1").arg(colorCss(l->settings.color)));
    colorButton_->setText(colorCss(l->settings.color));
}

void MainWindow::loadVolumeLayer(const nm::io::SessionLayer& settings) {
    const QString path = QString::fromStdString(settings.file);
    statusBar()->showMessage(tr("Loading %1…").arg(path));
    ++pendingLoads_;
    auto* watcher = new QFutureWatcher<MeshResult>(this);
    connect(watcher, &QFutureWatcher<MeshResult>::finished, this, [this, watcher, settings, path] {
        watcher->deleteLater();
        --pendingLoads_;
        MeshResult r = watcher->result();
        if (!r.error.isEmpty()) {
            showError(tr("Cannot open file"), r.error);
            emit layerFailed(path, r.error);
            return;
        }
        Layer layer;
        layer.name = QFileInfo(path).fileName();
        layer.file = path;
        layer.settings = settings;
        layer.actor = widgets::makeSurfaceActor(r.mesh);
        log(kInfo, tr("%1: isosurface with %2 triangles in %3 s").arg(path).arg(r.mesh.triangleCount()).arg(r.seconds, 0, 'f', 2));
        addLayer(std::move(layer));
        addRecentFile(path);
        statusBar()->showMessage(tr("Loaded %1").arg(path), 5000);
        emit layerLoaded(path);
    });
    watcher->setFuture(QtConcurrent::run([settings] {
        MeshResult r;
        QElapsedTimer t;
        t.start();
        try {
            const auto volume = nm::io::readNifti(settings.file);
            nm::anatomy::IsosurfaceOptions iso;
            iso.level = settings.isoLevel;
            iso.targetTriangles = 120000;
            r.mesh = nm::anatomy::extractIsosurface(volume, iso);
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        r.seconds = t.elapsed() / 1000.0;
        return r;
    }));
}

void MainWindow::openFile(const QString& path) {
    const QFileInfo info(path);
    if (!info.exists()) {
        showError(tr("Cannot open file"), tr("%1: file does not exist").arg(path));
        emit layerFailed(path, tr("file does not exist"));
        return;
    }
    const QString lower = path.toLower();
    try {
        if (lower.endsWith(".nmsession.json") || lower.endsWith(".json")) {
            applySession(nm::io::readSession(path.toStdString()));
            addRecentFile(info.absoluteFilePath());
            statusBar()->showMessage(tr("Session %1 opened").arg(path), 5000);
        } else if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) {
            nm::io::SessionLayer settings;
            settings.file = info.absoluteFilePath().toStdString();
            settings.color = {0.95, 0.55, 0.25};
            loadVolumeLayer(settings);
        } else {
            throw nm::InputError(path.toStdString() +
                                 ": unsupported file type; expected .nmsession.json, .nii or .nii.gz");
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
        tr("Sessions and volumes (*.nmsession.json *.nii *.nii.gz);;Sessions (*.nmsession.json);;"
           "NIfTI volumes (*.nii *.nii.gz);;All files (*)"));
    if (path.isEmpty()) return;
    settings.setValue("paths/lastOpenDir", QFileInfo(path).absolutePath());
    openFile(path);
}

nm::io::Session MainWindow::currentSession() const {
    nm::io::Session s;
    s.showTemplateBrain = false;
    for (const auto& l : layers_) {
        if (l.file.isEmpty()) {
            s.showTemplateBrain = l.settings.visible;
            continue;
        }
        auto settings = l.settings;
        settings.file = l.file.toStdString();
        s.layers.push_back(settings);
    }
    auto* cam = viewport_->renderer()->GetActiveCamera();
    nm::io::CameraState c;
    cam->GetPosition(c.position.data());
    cam->GetFocalPoint(c.focalPoint.data());
    cam->GetViewUp(c.viewUp.data());
    c.viewAngle = cam->GetViewAngle();
    c.parallelScale = cam->GetParallelScale();
    c.parallelProjection = cam->GetParallelProjection() != 0;
    s.camera = c;
    double bg[3];
    viewport_->renderer()->GetBackground(bg);
    s.background = {bg[0], bg[1], bg[2]};
    return s;
}

void MainWindow::removeAllFileLayers() {
    for (auto it = layers_.begin(); it != layers_.end();) {
        if (!it->file.isEmpty()) {
            viewport_->renderer()->RemoveActor(it->actor);
            delete it->item;
            it = layers_.erase(it);
        } else {
            ++it;
        }
    }
}

void MainWindow::applySession(const nm::io::Session& session) {
    removeAllFileLayers();
    for (auto& l : layers_)
        if (l.file.isEmpty()) {
            l.settings.visible = session.showTemplateBrain;
            QSignalBlocker block(layersTree_);
            l.item->setCheckState(0, session.showTemplateBrain ? Qt::Checked : Qt::Unchecked);
            applyLayerSettings(l);
        }
    viewport_->renderer()->SetBackground(session.background[0], session.background[1], session.background[2]);
    for (const auto& layer : session.layers) {
        if (layer.kind != "volume") {
            log(kWarning, tr("session layer %1: kind '%2' is not supported by this version; skipped")
                              .arg(QString::fromStdString(layer.file), QString::fromStdString(layer.kind)));
            continue;
        }
        loadVolumeLayer(layer);
    }
    if (session.camera) {
        auto* cam = viewport_->renderer()->GetActiveCamera();
        cam->SetPosition(session.camera->position.data());
        cam->SetFocalPoint(session.camera->focalPoint.data());
        cam->SetViewUp(session.camera->viewUp.data());
        cam->SetViewAngle(session.camera->viewAngle);
        cam->SetParallelScale(session.camera->parallelScale);
        cam->SetParallelProjection(session.camera->parallelProjection);
        viewport_->renderer()->ResetCameraClippingRange();
    }
    updatePropertiesPanel();
    viewport_->requestRender();
}

bool MainWindow::saveSession(const QString& path) {
    try {
        nm::io::writeSession(path.toStdString(), currentSession());
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
    QString path = QFileDialog::getSaveFileName(this, tr("Save Session"), QString(),
                                                tr("NeuroMosaic sessions (*.nmsession.json)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".nmsession.json")) path += ".nmsession.json";
    saveSession(path);
}

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

void MainWindow::onExportFigure() {
    QString path = QFileDialog::getSaveFileName(this, tr("Export Figure"), QStringLiteral("figure.png"),
                                                tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    if (!path.toLower().endsWith(".png")) path += ".png";
    bool ok = false;
    const int scale = QInputDialog::getInt(this, tr("Export Figure"),
                                           tr("Scale (the image is this many times the view's size):"), 3, 1, 8, 1, &ok);
    if (!ok) return;
    exportFigure(path, scale, 300);
}

void MainWindow::setView(const std::string& name) {
    widgets::setStandardView(viewport_->renderer(), widgets::standardViewFromString(name));
    viewport_->requestRender();
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
            text += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>")
                        .arg(QString::fromStdString(name), QString::fromStdString(ver));
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
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    event->accept();
}

} // namespace nm::gui
