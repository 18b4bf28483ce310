#pragma once
// The main window: data browser (left), 3-D viewport (centre), properties (right), jobs and log
// (bottom); menus, status bar, sessions, figure export and window state kept between runs.
#include "io/Session.hpp"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>

#include <vtkSmartPointer.h>

#include <vector>

class QAction;
class QMenu;
class QTreeWidget;
class QTreeWidgetItem;
class QLabel;
class QSlider;
class QCheckBox;
class QPushButton;
class vtkActor;

namespace nm::widgets {
class VtkViewport;
class JobManager;
class JobsPanel;
class LogPanel;
} // namespace nm::widgets

namespace nm::gui {

/// Wall clock since the process started (set by main before anything else).
QElapsedTimer& startupClock();

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        bool restoreWindowState = true;   ///< geometry and docks from the last run
        bool loadTemplateBrain = true;    ///< show the MNI brain at start
        bool confirmQuitWithJobs = true;  ///< ask before quitting while jobs run
    };
    explicit MainWindow(Options options, QWidget* parent = nullptr);
    explicit MainWindow(QWidget* parent = nullptr) : MainWindow(Options{}, parent) {}
    ~MainWindow() override;

    [[nodiscard]] widgets::VtkViewport* viewport() const { return viewport_; }
    [[nodiscard]] widgets::JobManager* jobManager() const { return jobs_; }
    [[nodiscard]] widgets::JobsPanel* jobsPanel() const { return jobsPanel_; }
    [[nodiscard]] widgets::LogPanel* logPanel() const { return logPanel_; }
    [[nodiscard]] bool isTemplateBrainShown() const { return brainShownSeconds_ >= 0.0; }
    [[nodiscard]] double templateBrainShownSeconds() const { return brainShownSeconds_; }
    [[nodiscard]] int layerCount() const { return int(layers_.size()); }
    [[nodiscard]] QStringList recentFiles() const;
    [[nodiscard]] QString aboutText() const;

    /// Opens a session (.nmsession.json) or a volume (.nii, .nii.gz, shown as an isosurface).
    /// Problems are shown in a non-blocking error dialog and logged; the window keeps running.
    void openFile(const QString& path);
    bool saveSession(const QString& path);
    bool exportFigure(const QString& path, int scale, int dotsPerInch);
    [[nodiscard]] nm::io::Session currentSession() const;
    void applySession(const nm::io::Session& session);

    /// Starts `neuromosaic-cli selftest` with extra arguments as a background job.
    int startSelfTest(const QStringList& extraArguments = {});

    /// Shows an error without blocking the event loop (window-modal, deleted on close).
    void showError(const QString& title, const QString& message);

signals:
    /// The first frame showing the template brain was drawn, `seconds` after process start.
    void templateBrainShown(double seconds);
    void layerLoaded(const QString& path);
    void layerFailed(const QString& path, const QString& error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct Layer {
        QString name;
        QString file;          ///< empty for the template brain
        nm::io::SessionLayer settings;
        vtkSmartPointer<vtkActor> actor;
        QTreeWidgetItem* item = nullptr;
    };

    void buildActions();
    void buildMenus();
    void buildDocks();
    void loadTemplateBrain();
    void loadVolumeLayer(const nm::io::SessionLayer& settings);
    void addLayer(Layer layer);
    void removeAllFileLayers();
    void updatePropertiesPanel();
    void applyLayerSettings(Layer& layer);
    [[nodiscard]] Layer* selectedLayer();
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void log(int level, const QString& text);
    void setView(const std::string& name);
    void onOpen();
    void onSaveSession();
    void onExportFigure();
    void onAbout();

    Options options_;
    widgets::VtkViewport* viewport_ = nullptr;
    widgets::JobManager* jobs_ = nullptr;
    widgets::JobsPanel* jobsPanel_ = nullptr;
    widgets::LogPanel* logPanel_ = nullptr;
    QTreeWidget* layersTree_ = nullptr;
    QLabel* propertiesTitle_ = nullptr;
    QCheckBox* visibleBox_ = nullptr;
    QSlider* opacitySlider_ = nullptr;
    QPushButton* colorButton_ = nullptr;
    QLabel* frameLabel_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* saveSessionAction_ = nullptr;
    QAction* exportAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    std::vector<Layer> layers_;
    double brainShownSeconds_ = -1.0;
    bool brainActorAdded_ = false;
    int pendingLoads_ = 0;
};

} // namespace nm::gui
