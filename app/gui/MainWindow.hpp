#pragma once
// The main window: data (layers) on the left, the 3-D surface view in the centre, properties on
// the right, jobs and log at the bottom; menus, status bar, sessions, figure export and window
// state kept between runs.
#include "io/Session.hpp"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>

#include <map>
#include <memory>
#include <string>

class QAction;
class QLabel;
class QListWidget;
class QMenu;

namespace nm::widgets {
class AtlasPanel;
class ComparisonWindow;
class DemoAtlas;
class GraphPanel;
class JobManager;
class JobsPanel;
class LayerPanel;
class LogPanel;
class SceneController;
class SemanticsPanel;
class ValidationPanel;
class DecodeDialog;
class VtkViewport;
} // namespace nm::widgets

namespace nm::render {
struct FigureSpec;
class GraphActors;
}

namespace nm::gui {

/// Wall clock since the process started (set by main before anything else).
QElapsedTimer& startupClock();

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        bool restoreWindowState = true;   ///< geometry and docks from the last run
        bool loadDefaultSpace = true;     ///< show the template surfaces at start
        bool confirmQuitWithJobs = true;  ///< ask before quitting while jobs run
        /// First start: reopen the last session, else the cached demo atlas, else offer to build
        /// it; the session is saved on quit for the next start.
        bool firstStart = false;
        bool buildDemo = false;           ///< build the demo atlas without asking (run.sh)
    };
    explicit MainWindow(Options options, QWidget* parent = nullptr);
    explicit MainWindow(QWidget* parent = nullptr) : MainWindow(Options{}, parent) {}
    ~MainWindow() override;

    [[nodiscard]] widgets::VtkViewport* viewport() const { return viewport_; }
    [[nodiscard]] widgets::JobManager* jobManager() const { return jobs_; }
    [[nodiscard]] widgets::JobsPanel* jobsPanel() const { return jobsPanel_; }
    [[nodiscard]] widgets::LogPanel* logPanel() const { return logPanel_; }
    [[nodiscard]] widgets::SceneController* scene() const { return scene_; }
    [[nodiscard]] widgets::LayerPanel* layerPanel() const { return layerPanel_; }
    [[nodiscard]] widgets::AtlasPanel* atlasPanel() const { return atlasPanel_; }
    [[nodiscard]] widgets::GraphPanel* graphPanel() const { return graphPanel_; }
    [[nodiscard]] widgets::SemanticsPanel* semanticsPanel() const { return semanticsPanel_; }
    [[nodiscard]] widgets::ValidationPanel* validationPanel() const { return validationPanel_; }
    [[nodiscard]] widgets::DecodeDialog* decodeDialog() const { return decodeDialog_; }
    [[nodiscard]] render::GraphActors* graph3D() const { return graph3d_.get(); }
    /// True between switching the 3-D graph on or off and its actors being updated (next event-loop turn).
    [[nodiscard]] bool graph3DQueued() const { return graph3DQueued_; }
    /// Index of the layer showing the atlas bundle `path` (−1: none).
    [[nodiscard]] int atlasLayer(const QString& path) const;
    /// Shows component `component` of the scale with `components` components of the open atlas
    /// (what selecting it in the atlas table does).
    void showComponent(int components, int component);
    /// What the status bar says about the vertex under a viewport position: the components that
    /// load on it (the atlas layer's maps, strongest first), or the mosaic's winner. Empty off the brain.
    QString describeVertexAt(const QPointF& position);
    /// The component that loads most on the vertex under a viewport position (−1: none).
    int componentAt(const QPointF& position);
    /// Milliseconds from the last showComponent to its first frame (−1 before any).
    [[nodiscard]] double lastSelectionMilliseconds() const { return selectionMs_; }
    [[nodiscard]] bool isStartViewShown() const { return startViewSeconds_ >= 0.0; }
    [[nodiscard]] double startViewShownSeconds() const { return startViewSeconds_; }
    [[nodiscard]] int layerCount() const;
    [[nodiscard]] QStringList recentFiles() const;
    [[nodiscard]] QString aboutText() const;

    /// Opens a session (.nmsession.json), a map (volume: projected onto the surfaces; surface
    /// overlay: GIFTI, FreeSurfer curv/annot, MGH) or a surface file (its directory becomes the
    /// space). Problems are shown in a non-blocking error dialog and logged.
    void openFile(const QString& path);
    bool saveSession(const QString& path);
    /// The current view at `scale` × its size, with the DPI stored.
    bool exportFigure(const QString& path, int scale, int dotsPerInch);
    /// The selected atlas component: as a NIfTI volume (path ends .nii or .nii.gz) or as two GIFTI
    /// files of its map on the surfaces (path ends .gii: <stem>_hemi-L.func.gii, _hemi-R).
    /// Returns the files written (empty on failure, with the error shown).
    QStringList exportComponent(const QString& path);
    /// The current view as PDF or SVG (vector text and colour bar, surfaces as an image behind them).
    bool exportVector(const QString& path);
    /// A montage rendered off-screen (the CLI's code path).
    bool exportMontage(const QString& path, const io::FigureSettings& settings);

    /// Builds (or opens, when cached) the demo atlas: simulate + learn as background jobs.
    void buildDemoAtlas();
    [[nodiscard]] widgets::DemoAtlas* demoAtlas() const { return demo_; }
    /// The session saved on quit and reopened at the next start.
    static QString lastSessionPath();
    /// Whether the start-up flow (last session, demo atlas) has shown what it opens.
    [[nodiscard]] bool startupDone() const { return startupDone_; }

    /// Starts `simulate` / `learn` jobs with these arguments (as the Jobs menu's dialogs do); a
    /// learned atlas opens when its job succeeds. Returns the job id.
    int startSimulate(const QStringList& arguments, const QString& outputDirectory);
    int startLearn(const QStringList& arguments, const QString& atlasFile);
    /// Starts a `label` job; the labelled atlas is reloaded (or opened) when it succeeds.
    int startLabel(const QStringList& arguments, const QString& labelledFile);
    /// Jobs ▸ Validate Atlas…: the validation jobs of the atlas in the browser (reconstruction; the
    /// network when its cohort has a true network; decoding when labelled); their reports fill the
    /// Validation panel as each finishes. `oneReport` (Jobs ▸ Validate Atlas, One Report…): a single
    /// `validate all` job instead, its all.json (every section, the readings) shown when done.
    /// Returns the job ids.
    QList<int> startValidation(const QString& bundle, bool oneReport = false);
    /// Starts a `personalize` job (File ▸ Personalize Subject…); the subject's atlas opens when it
    /// succeeds, with its displacement map as a layer.
    int startPersonalize(const QStringList& arguments, const QString& subjectBundle, const QString& displacementMap);
    /// The side-by-side window of the last personalization (null before one).
    [[nodiscard]] widgets::ComparisonWindow* comparisonWindow() const;
    /// Shows the components of the open atlas that carry a concept as one layer (Σ π · map).
    void showConcept(int components, int concept_);
    /// Opens a map as a layer and decodes it (worker thread) against the literature and the open
    /// atlas's labels; the result appears in the Decode dialog. Emits mapDecoded.
    void decodeMap(const QString& path);
    /// The literature folder (setting, else $NEUROMOSAIC_LITERATURE); "" when none.
    [[nodiscard]] QString literatureFolder() const;

    /// Starts `neuromosaic-cli selftest` with extra arguments as a background job.
    int startSelfTest(const QStringList& extraArguments = {});
    /// Shows an error without blocking the event loop (window-modal, deleted on close).
    void showError(const QString& title, const QString& message);

signals:
    /// The first frame of the start view (the template surfaces) was drawn, `seconds` after start.
    void startViewShown(double seconds);
    void layerLoaded(const QString& path);
    void layerFailed(const QString& path, const QString& error);
    /// The start-up flow is done: the last session or the demo atlas is shown, or nothing was to open.
    void startupFinished();
    /// File ▸ Decode Map… finished (`error` empty on success).
    void mapDecoded(const QString& path, const QString& error);
    /// A concept layer was added (showConcept).
    void conceptShown(const QString& concept_, int components);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildMenus();
    void buildDocks();
    void refreshLayerList();
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void log(int level, const QString& text);
    void onOpen();
    void onSaveSession();
    void onExportFigure();
    void onExportComponent();
    void onAbout();
    void onChooseSpaceDirectory();
    void startupFlow();
    void finishStartup();
    void updateGraph3D();
    void applyGraphSurface();

    Options options_;
    widgets::VtkViewport* viewport_ = nullptr;
    widgets::JobManager* jobs_ = nullptr;
    widgets::JobsPanel* jobsPanel_ = nullptr;
    widgets::LogPanel* logPanel_ = nullptr;
    widgets::SceneController* scene_ = nullptr;
    widgets::LayerPanel* layerPanel_ = nullptr;
    widgets::AtlasPanel* atlasPanel_ = nullptr;
    widgets::DemoAtlas* demo_ = nullptr;
    widgets::GraphPanel* graphPanel_ = nullptr;
    widgets::SemanticsPanel* semanticsPanel_ = nullptr;
    widgets::ValidationPanel* validationPanel_ = nullptr;
    std::map<int, QString> reportWhenDone_;  ///< validation jobs → report to load
    widgets::DecodeDialog* decodeDialog_ = nullptr;
    std::map<int, QString> relabelWhenDone_;  ///< label jobs → labelled atlas to reload
    std::unique_ptr<render::GraphActors> graph3d_;
    std::string surfaceBeforeGraph_;
    bool graph3DQueued_ = false;
    QString startupAtlas_;  ///< the atlas the start-up flow waits for
    bool startupDone_ = false;
    bool startupFromSession_ = false;
    std::map<int, QString> openWhenDone_;  ///< learn jobs → atlas to open
    std::map<int, QString> displacementWhenDone_;  ///< personalize jobs → displacement map to add
    std::map<int, std::pair<QString, QString>> compareWhenDone_;  ///< personalize jobs → (group, subject) atlases
    QPointer<widgets::ComparisonWindow> comparison_;
    std::map<int, QString> learnAfter_;    ///< simulate jobs → cohort to offer learning from
    QElapsedTimer selectionClock_;
    bool selectionPending_ = false;
    double selectionMs_ = -1.0;
    QListWidget* layerList_ = nullptr;
    QLabel* spaceLabel_ = nullptr;
    QLabel* frameLabel_ = nullptr;
    QLabel* hoverLabel_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QAction *openAction_ = nullptr, *saveSessionAction_ = nullptr, *exportAction_ = nullptr, *quitAction_ = nullptr;
    double startViewSeconds_ = -1.0;
    bool sceneShown_ = false;
};

} // namespace nm::gui
