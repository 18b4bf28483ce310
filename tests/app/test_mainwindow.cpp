// The real application window: docks, menus, the brain at start, jobs run as child processes
// (completion, cancellation, crash), error dialogs, sessions and figure export.
#include <vtkCamera.h>
#include <vtkRenderer.h>

#include "anatomy/MeshGeometry.hpp"
#include "GuiSupport.hpp"
#include "anatomy/Parcellations.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "JobManager.hpp"
#include "JobsPanel.hpp"
#include "LayerPanel.hpp"
#include "SceneController.hpp"
#include "LogPanel.hpp"
#include "MainWindow.hpp"
#include "TestSupport.hpp"
#include "VtkViewport.hpp"

#include <catch2/catch.hpp>

#include <QDockWidget>
#include <QElapsedTimer>
#include <QImageReader>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QPainter>
#include <QSvgRenderer>
#include <QTimer>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QLineEdit>
#include <QTreeWidget>
#include <QComboBox>
#include "AtlasPanel.hpp"
#include "DemoAtlas.hpp"
#include "JobDialogs.hpp"
#include "GraphActors.hpp"
#include "GraphPanel.hpp"
#include <QCheckBox>
#include <vtkActor.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSlider>
#include <fstream>

using nm::gui::MainWindow;
using Status = nm::widgets::JobManager::Status;

namespace {
MainWindow::Options testOptions(bool brain = true) {
    MainWindow::Options o;
    o.restoreWindowState = false;
    o.loadDefaultSpace = brain;
    o.confirmQuitWithJobs = false;
    return o;
}

struct Window {
    MainWindow w;
    explicit Window(bool brain = true) : w(testOptions(brain)) {
        w.resize(1200, 800);
        w.show();
        REQUIRE(QTest::qWaitForWindowExposed(&w));
    }
};

bool waitFinished(nm::widgets::JobManager* jobs, int id, int timeoutMs) {
    return nm::test::waitUntil([&] { return !jobs->isRunning(id); }, timeoutMs);
}
} // namespace

TEST_CASE("the window opens with its docks and menus and shows the brain", "[app][gui]") {
    if (!nm::test::mricronFile("ch2bet.nii.gz")) NM_SKIP("mricron-data is not installed");
    Window t;
    for (const char* dock : {"dataDock", "propertiesDock", "jobsDock", "logDock"})
        CHECK(t.w.findChild<QDockWidget*>(dock) != nullptr);
    QStringList menus;
    for (auto* a : t.w.menuBar()->actions()) menus << a->text().remove('&');
    CHECK(menus == QStringList{"File", "View", "Jobs", "Help"});
    QStringList fileItems;
    for (auto* a : t.w.menuBar()->actions().first()->menu()->actions()) fileItems << a->text().remove('&');
    for (const char* item : {"Open…", "Open Recent", "Save Session…", "Export Figure…", "Quit"})
        CHECK(fileItems.contains(item));

    REQUIRE(nm::test::waitUntil([&] { return t.w.isStartViewShown(); }, 60000));
    const QImage shot = t.w.viewport()->grabFramebuffer();
    const auto stats = nm::test::imageStats(shot, qRgb(255, 255, 255));
    CHECK(stats.opaque);
    CHECK(stats.foregroundFraction > 0.15);  // a brain fills a good part of the view...
    CHECK(stats.foregroundFraction < 0.75);  // ...but not all of it
    CHECK(stats.luminanceStdDev > 20.0);     // shaded, not a flat silhouette
    // The centre of the view is brain, not background.
    const QColor centre = shot.pixelColor(shot.width() / 2, shot.height() / 2);
    CHECK(centre != QColor(255, 255, 255));
    INFO("time to the first frame of the start view: " << t.w.startViewShownSeconds() << " s");
    REQUIRE(t.w.scene()->space());
    CHECK(t.w.scene()->space()->left.vertexCount() > 20000);  // the template cortical surfaces
    CHECK(t.w.layerCount() == 0);
}

TEST_CASE("Help > About names the Qt, VTK, ITK and Eigen versions", "[app][gui]") {
    Window t(false);
    const QString about = t.w.aboutText();
    CHECK(about.contains(QString("<td>Qt</td><td>") + qVersion()));
    CHECK(about.contains("<td>VTK</td><td>9.1"));
    CHECK(about.contains("<td>ITK</td><td>5.2"));
    CHECK(about.contains("<td>Eigen</td><td>3.4"));
}

TEST_CASE("a selftest job started from the jobs panel reaches 100 %", "[app][gui][jobs]") {
    Window t(false);
    auto* jobs = t.w.jobManager();
    std::vector<double> seen;
    QObject::connect(jobs, &nm::widgets::JobManager::jobUpdated, [&](int id) { seen.push_back(jobs->snapshot(id).fraction); });
    const int id = t.w.startSelfTest({"--duration", "1.5", "--steps", "15"});
    REQUIRE(waitFinished(jobs, id, 30000));
    CHECK(jobs->snapshot(id).status == Status::Succeeded);
    CHECK(t.w.jobsPanel()->progressBar(id)->value() == 1000);
    CHECK(t.w.jobsPanel()->statusText(id) == "succeeded");
    CHECK_FALSE(t.w.jobsPanel()->cancelButton(id)->isEnabled());
    // The bar moved through intermediate values, in order.
    CHECK(std::any_of(seen.begin(), seen.end(), [](double f) { return f > 0.2 && f < 0.9; }));
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    t.w.jobsPanel()->selectJob(id);
    CHECK(t.w.jobsPanel()->logText().contains("result: ok"));
}

TEST_CASE("Cancel in the jobs panel stops a running job", "[app][gui][jobs]") {
    Window t(false);
    auto* jobs = t.w.jobManager();
    const int id = t.w.startSelfTest({"--duration", "60", "--steps", "600"});
    REQUIRE(nm::test::waitUntil([&] { return jobs->snapshot(id).fraction > 0.12; }, 20000));
    QElapsedTimer clock;
    clock.start();
    QPushButton* cancel = t.w.jobsPanel()->cancelButton(id);
    REQUIRE(cancel);
    REQUIRE(cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    REQUIRE(waitFinished(jobs, id, 10000));
    CHECK(clock.elapsed() < 3000 * nm::test::slowdown());  // cooperative cancellation, no need for SIGKILL
    CHECK(jobs->snapshot(id).status == Status::Cancelled);
    CHECK(t.w.jobsPanel()->statusText(id) == "cancelled");
}

TEST_CASE("a crashing child is reported as failed and the GUI stays responsive", "[app][gui][jobs]") {
    Window t(false);
    auto* jobs = t.w.jobManager();
    // A timer measures how long the event loop is ever blocked while the child runs and dies.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worstGap = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        worstGap = std::max(worstGap, now - last);
        last = now;
    });
    ticker.start(10);
    const int id = t.w.startSelfTest({"--duration", "2", "--steps", "20", "--crash-at", "0.4"});
    REQUIRE(waitFinished(jobs, id, 30000));
    ticker.stop();
    const auto& snap = jobs->snapshot(id);
    CHECK(snap.status == Status::Failed);
    CHECK_THAT(snap.lastError, Catch::Contains("crashed") && Catch::Contains("crashing on purpose"));
    CHECK(t.w.jobsPanel()->statusText(id).startsWith("failed"));
    CHECK(worstGap < 100);  // the GUI thread never blocked for 100 ms
    // And the application still runs jobs afterwards.
    const int next = t.w.startSelfTest({"--duration", "0.2", "--steps", "2"});
    REQUIRE(waitFinished(jobs, next, 30000));
    CHECK(jobs->snapshot(next).status == Status::Succeeded);
}

TEST_CASE("a child that fails is marked failed with its error", "[app][gui][jobs]") {
    Window t(false);
    auto* jobs = t.w.jobManager();
    const int id = t.w.startSelfTest({"--duration", "0.2", "--steps", "10", "--fail-at", "0.5"});
    REQUIRE(waitFinished(jobs, id, 30000));
    CHECK(jobs->snapshot(id).status == Status::Failed);
    CHECK_THAT(jobs->snapshot(id).lastError, Catch::Contains("failing on purpose"));
    // Bad arguments: the CLI exits 2 with one line, shown as the failure reason.
    const int bad = jobs->start("bad", {"selftest", "--steps", "-3"});
    REQUIRE(waitFinished(jobs, bad, 30000));
    CHECK(jobs->snapshot(bad).status == Status::Failed);
    CHECK_THAT(jobs->snapshot(bad).lastError, Catch::Contains("--steps"));
}

TEST_CASE("opening a bad file shows an error dialog and the window keeps running", "[app][gui]") {
    if (!nm::test::mricronFile("ch2bet.nii.gz")) NM_SKIP("mricron-data is not installed");
    Window t;
    REQUIRE(nm::test::waitUntil([&] { return t.w.isStartViewShown(); }, 120000));
    nm::test::TempDir dir;
    { std::ofstream(dir / "broken.nii.gz") << "definitely not gzip"; }
    { std::ofstream(dir / "notes.txt") << "x"; }
    for (const auto& path : {dir / "missing.nii.gz", dir / "broken.nii.gz", dir / "notes.txt"}) {
        bool failed = false;
        QObject context;  // the connection dies with `failed`
        QObject::connect(&t.w, &MainWindow::layerFailed, &context, [&](const QString& p, const QString&) {
            failed |= p == QString::fromStdString(path.string());
        });
        t.w.openFile(QString::fromStdString(path.string()));
        REQUIRE(nm::test::waitUntil([&] { return failed; }, 20000));
        QMessageBox* box = nullptr;
        REQUIRE(nm::test::waitUntil([&] {
            box = t.w.findChild<QMessageBox*>("errorDialog");
            return box && box->isVisible();
        }, 5000));
        CHECK(box->text().contains(QString::fromStdString(path.filename().string())));
        box->close();
        QTest::qWait(20);
    }
    CHECK(t.w.isVisible());
    CHECK(t.w.layerCount() == 0);
    CHECK(t.w.logPanel()->text().contains("missing.nii.gz"));
}

namespace {
/// Waits for the template surfaces and a layer opened from `file`.
void openLayer(MainWindow& w, const std::filesystem::path& file) {
    REQUIRE(nm::test::waitUntil([&] { return w.isStartViewShown(); }, 120000));
    bool loaded = false;
    // Disconnected before `loaded` goes out of scope: a later reload emits layerLoaded again.
    const auto connection = QObject::connect(&w, &MainWindow::layerLoaded, [&] { loaded = true; });
    w.openFile(QString::fromStdString(file.string()));
    const bool ok = nm::test::waitUntil([&] { return loaded; }, 60000);
    QObject::disconnect(connection);
    REQUIRE(ok);
}

double colourfulFraction(const QImage& img) {
    std::size_t n = 0, total = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QColor c = img.pixelColor(x, y);
            ++total;
            n += c.hsvSaturation() > 80 && c.value() > 60;
        }
    return double(n) / double(total);
}
} // namespace

TEST_CASE("an atlas volume is projected onto the surfaces and drawn in colour", "[app][gui]") {
    auto ho = nm::test::mricronFile("HarvardOxford-cort-maxprob-thr0-1mm.nii.gz");
    if (!ho) NM_SKIP("mricron-data is not installed");
    Window t;
    openLayer(t.w, *ho);
    CHECK(t.w.layerCount() == 1);
    CHECK(t.w.scene()->layerData(0).categorical);
    CHECK(t.w.recentFiles().value(0) == QString::fromStdString(ho->string()));
    const int frames = t.w.viewport()->framesRendered();
    REQUIRE(nm::test::waitUntil([&] { return t.w.viewport()->framesRendered() > frames; }, 5000));
    const double colourful = colourfulFraction(t.w.viewport()->grabFramebuffer());
    INFO("colourful pixels: " << colourful);
    CHECK(colourful > 0.15);  // the parcels, not a grey brain
    // Hiding the layer in the list returns to grey.
    auto* list = t.w.findChild<QListWidget*>("layerList");
    REQUIRE(list);
    list->item(0)->setCheckState(Qt::Unchecked);
    QTest::qWait(100);
    CHECK(colourfulFraction(t.w.viewport()->grabFramebuffer()) < 0.01);
}

namespace {
/// A two-scale bundle on the AAL grid whose maps are AAL regions (3 and 6 components: precentral,
/// postcentral, … of both hemispheres), with a correlation network of two blocks.
void writeAalBundle(const std::filesystem::path& file) {
    const auto aal = nm::anatomy::loadAal();
    nm::io::AtlasBundle b;
    b.grid = aal.labels.geometry;
    std::vector<int> labelOf;
    for (std::size_t v = 0; v < aal.labels.data.size(); ++v)
        if (aal.labels.data[v] > 0) {
            b.maskVoxels.push_back(std::int64_t(v));
            labelOf.push_back(int(aal.labels.data[v]));
        }
    for (int k : {3, 6}) {
        nm::io::AtlasScale s;
        s.components = k;
        std::vector<Eigen::Triplet<float, std::int64_t>> t;
        for (std::size_t c = 0; c < labelOf.size(); ++c)
            if (labelOf[c] <= k) t.emplace_back(labelOf[c] - 1, std::int64_t(c), 1.0f);
        s.maps.resize(k, std::int64_t(labelOf.size()));
        s.maps.setFromTriplets(t.begin(), t.end());
        for (int j = 0; j < k; ++j) s.names.push_back(aal.names.at(j + 1));
        // Centroids: mean mm position of each region's voxels.
        s.centroids = Eigen::MatrixXf::Zero(k, 3);
        Eigen::VectorXf count = Eigen::VectorXf::Zero(k);
        const auto& dims = b.grid.dims;
        for (std::size_t c = 0; c < labelOf.size(); ++c)
            if (labelOf[c] <= k) {
                const auto v = b.maskVoxels[c];
                const auto i = v % dims[0], j = (v / dims[0]) % dims[1], kk = v / (std::int64_t(dims[0]) * dims[1]);
                s.centroids.row(labelOf[c] - 1) += b.grid.worldOf(double(i), double(j), double(kk)).cast<float>().transpose();
                count[labelOf[c] - 1] += 1;
            }
        for (int j = 0; j < k; ++j) s.centroids.row(j) /= std::max(1.0f, count[j]);
        s.explainedVariance = Eigen::VectorXf::LinSpaced(k, 0.01f, 0.05f);
        s.size = Eigen::VectorXi::LinSpaced(k, 10, 10 * k);
        s.parent.assign(std::size_t(k), -1);
        if (k == 6)
            for (int j = 0; j < 6; ++j) s.parent[std::size_t(j)] = j % 3;
        s.correlation = Eigen::MatrixXf::Identity(k, k);
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j)
                if (i != j) s.correlation(i, j) = (i % 2 == j % 2) ? 0.6f : -0.1f;
        if (k == 6) {
            // A stored sparse model: chains 0–2–4 and 1–3–5, one negative link between them.
            nm::io::ScaleSparseNetwork n;
            n.method = "group-sparse";
            n.alpha = 0.05;
            Eigen::MatrixXd pc = Eigen::MatrixXd::Zero(6, 6);
            for (const auto& [a, c] : {std::pair{0, 2}, std::pair{2, 4}, std::pair{1, 3}, std::pair{3, 5}}) pc(a, c) = pc(c, a) = 0.3;
            pc(0, 1) = pc(1, 0) = -0.2;
            Eigen::MatrixXd prec = -pc;
            prec.diagonal().setOnes();
            n.partialCorrelation = nm::io::SparseMapsF(pc.sparseView().cast<float>());
            n.precision = nm::io::SparseMapsF(prec.sparseView().cast<float>());
            n.module = {1, 2, 1, 2, 1, 2};
            n.edges = 5;
            s.sparseNetwork = n;
        }
        b.scales.push_back(std::move(s));
    }
    nm::io::writeAtlasBundle(file, b);
}

/// Samples the viewport: of the saturated (map-coloured) pixels over the brain, how many and how
/// many lie where `component` is the one that loads most (MainWindow::componentAt).
std::pair<int, int> colouredWhereComponentLoads(MainWindow& w, int component) {
    const QImage frame = w.viewport()->grabFramebuffer();
    const double r = w.viewport()->devicePixelRatioF();
    int hits = 0, agree = 0;
    for (int y = 0; y < frame.height(); y += 7)
        for (int x = 0; x < frame.width(); x += 7) {
            const QColor c = frame.pixelColor(x, y);
            if (c.hsvSaturation() <= 80 || c.value() <= 60) continue;
            const int at = w.componentAt(QPointF(x / r, y / r));
            if (at < 0) continue;  // the colour bar, not the brain
            ++hits;
            agree += at == component;
        }
    return {hits, agree};
}

QPointF colourfulCentroid(const QImage& img) {
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QColor c = img.pixelColor(x, y);
            if (c.hsvSaturation() > 80 && c.value() > 60) sx += x, sy += y, ++n;
        }
    return n > 0 ? QPointF(sx / n, sy / n) : QPointF(-1, -1);
}

/// Writes the AAL bundle into `dir` and opens it in the window; returns its path.
std::filesystem::path openAalBundle(MainWindow& w, const nm::test::TempDir& dir) {
    const auto file = dir / "regions.nmatlas.h5";
    writeAalBundle(file);
    openLayer(w, file);
    return file;
}
} // namespace

TEST_CASE("an atlas bundle opens as a layer of component maps", "[app][gui][atlas]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    Window t;
    openAalBundle(t.w, dir);
    REQUIRE(t.w.layerCount() == 1);
    CHECK(t.w.scene()->mapCount(0) == 3);  // the coarsest scale
    CHECK_FALSE(t.w.scene()->layerData(0).categorical);
    CHECK(t.w.scene()->layerData(0).mapNames.at(0) == "Precentral_L");
    CHECK(t.w.scene()->layer(0).colormap == "hot");
    const int frames = t.w.viewport()->framesRendered();
    REQUIRE(nm::test::waitUntil([&] { return t.w.viewport()->framesRendered() > frames; }, 5000));
    const double colourful = colourfulFraction(t.w.viewport()->grabFramebuffer());
    INFO("colourful pixels: " << colourful);
    CHECK(colourful > 0.01);  // the left precentral gyrus in hot colours
    // Another scale through the session layer.
    auto layer = t.w.scene()->layer(0);
    layer.scale = 6;
    layer.map = 0;
    nm::io::Session session = t.w.scene()->state();
    session.layers = {layer};
    t.w.scene()->applySession(session);
    REQUIRE(nm::test::waitUntil([&] { return t.w.layerCount() == 1 && t.w.scene()->pending() == 0 && t.w.scene()->mapCount(0) == 6; }, 60000));
}

TEST_CASE("the properties panel edits the layer's colour map, threshold and opacity", "[app][gui]") {
    auto ch2 = nm::test::mricronFile("ch2bet.nii.gz");
    if (!ch2) NM_SKIP("mricron-data is not installed");
    Window t;
    openLayer(t.w, *ch2);  // T1 intensities: a continuous map
    auto* panel = t.w.layerPanel();
    REQUIRE(panel->currentLayer() == 0);
    CHECK_FALSE(t.w.scene()->layerData(0).categorical);
    panel->colormapBox()->setCurrentText("viridis");
    CHECK(t.w.scene()->layer(0).colormap == "viridis");
    panel->thresholdBox()->setValue(90.0);
    CHECK(t.w.scene()->layer(0).threshold == 90.0);
    const auto colours = t.w.scene()->scene()->vertexColors(nm::render::Hemisphere::Left);
    const auto& values = t.w.scene()->scene()->layers()[0].left;
    std::size_t grey = 0, below = 0;
    for (Eigen::Index v = 0; v < values.size(); ++v)
        if (std::abs(values[v]) < 90.0f) {
            ++below;
            const auto c = colours[std::size_t(v)];
            grey += c[0] == c[1] && c[1] == c[2];
        }
    CHECK(below > 0);
    CHECK(grey == below);  // thresholded vertices show the grey background
    panel->opacitySlider()->setValue(40);
    CHECK(t.w.scene()->layer(0).opacity == Approx(0.4));
}

TEST_CASE("sessions restore space, layers and camera, and the CLI renders the same figure", "[app][gui]") {
    auto ho = nm::test::mricronFile("HarvardOxford-cort-maxprob-thr0-1mm.nii.gz");
    if (!ho) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    const QString session = QString::fromStdString((dir / "s.nmsession.json").string());
    double saved[3];
    {
        Window t;
        openLayer(t.w, *ho);
        auto l = t.w.scene()->layer(0);
        l.borders = true;
        l.opacity = 0.8;
        t.w.scene()->setLayer(0, l);
        t.w.scene()->setSurface("pial");
        auto* cam = t.w.viewport()->renderer()->GetActiveCamera();
        cam->Azimuth(40);
        cam->Elevation(15);
        cam->GetPosition(saved);
        nm::io::FigureSettings fig;
        fig.scale = 1;
        fig.title = "Harvard-Oxford";
        t.w.scene()->setFigureSettings(fig);
        REQUIRE(t.w.saveSession(session));
        // The GUI's montage export…
        REQUIRE(t.w.exportMontage(QString::fromStdString((dir / "gui.png").string()), fig));
    }
    Window t2(false);
    t2.w.openFile(session);
    REQUIRE(nm::test::waitUntil([&] { return t2.w.layerCount() == 1 && t2.w.scene()->pending() == 0; }, 120000));
    CHECK(t2.w.scene()->state().surface == "pial");
    CHECK(t2.w.scene()->layer(0).borders);
    CHECK(t2.w.scene()->layer(0).opacity == Approx(0.8));
    double restored[3];
    t2.w.viewport()->renderer()->GetActiveCamera()->GetPosition(restored);
    CHECK(restored[0] == Approx(saved[0]));
    CHECK(restored[1] == Approx(saved[1]));
    CHECK(restored[2] == Approx(saved[2]));
    // …and `neuromosaic-cli render --session` headless give the same pixels.
    const auto cli = nm::test::shellQuote((nm::test::binaryDir() / "neuromosaic-cli").string());
    const auto r = nm::test::run(cli + " render --session " + nm::test::shellQuote(session.toStdString()) + " --out " +
                                 nm::test::shellQuote((dir / "cli.png").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const QImage gui(QString::fromStdString((dir / "gui.png").string())), headless(QString::fromStdString((dir / "cli.png").string()));
    REQUIRE(gui.size() == headless.size());
    std::size_t differing = 0;
    for (int y = 0; y < gui.height(); ++y)
        for (int x = 0; x < gui.width(); ++x) {
            const QColor a = gui.pixelColor(x, y), b = headless.pixelColor(x, y);
            differing += std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue()) > 12;
        }
    CHECK(double(differing) / double(gui.width() * gui.height()) < 0.001);
}

TEST_CASE("export of the current view at scale 3 gives a 3x image with its DPI", "[app][gui]") {
    if (!nm::test::mricronFile("ch2bet.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    Window t;
    REQUIRE(nm::test::waitUntil([&] { return t.w.isStartViewShown(); }, 120000));
    const QString png = QString::fromStdString((dir / "fig.png").string());
    REQUIRE(t.w.exportFigure(png, 3, 300));
    QImageReader reader(png);
    const QImage img = reader.read();
    const QSize viewPixels = t.w.viewport()->size() * t.w.viewport()->devicePixelRatioF();
    CHECK(img.size() == viewPixels * 3);
    CHECK(std::lround(img.dotsPerMeterX() * 0.0254) == 300);
    const auto stats = nm::test::imageStats(img, qRgb(255, 255, 255));
    CHECK(stats.foregroundFraction > 0.15);
}

TEST_CASE("vector export of the current view writes PDF and SVG", "[app][gui][export]") {
    Window t;
    REQUIRE(nm::test::waitUntil([&] { return t.w.isStartViewShown(); }, 120000));
    nm::test::TempDir dir;
    const bool withMap = nm::test::mricronFile("aal.nii.gz").has_value();
    if (withMap) {  // a component map: the colour bar's labels are vector text
        openAalBundle(t.w, dir);
        REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0; }, 60000));
    }
    for (const char* name : {"view.pdf", "view.svg"}) {
        const QString path = QString::fromStdString((dir / name).string());
        REQUIRE(t.w.exportVector(path));
        QFile f(path);
        REQUIRE(f.open(QIODevice::ReadOnly));
        const QByteArray head = f.read(400);
        INFO(name << ": " << f.size() << " bytes");
        CHECK(f.size() > 1000);
        CHECK((std::string(name).find("pdf") != std::string::npos ? head.startsWith("%PDF") : head.contains("<svg")));
        if (qEnvironmentVariableIsSet("NEUROMOSAIC_TEST_SCREENSHOTS")) QFile::copy(path, qEnvironmentVariable("NEUROMOSAIC_TEST_SCREENSHOTS") + "/" + name);
        if (std::string(name).find("pdf") != std::string::npos) {
            f.seek(0);
            const QByteArray pdf = f.readAll();
            CHECK(pdf.contains("/Subtype /Image"));  // the surfaces
            if (withMap) {
                CHECK(pdf.contains("/ShadingType 2"));  // the colour bar as an axial gradient
                CHECK(pdf.contains("/FontFile"));       // its labels as text
            }
        }
        if (std::string(name).find("svg") != std::string::npos) {
            f.seek(0);
            const QByteArray svg = f.readAll();
            // The surfaces as one embedded image behind the vector elements.
            CHECK(svg.count("<image") == 1);
            CHECK(svg.indexOf("<image") < svg.indexOf("<g>"));
            if (withMap) {
                CHECK(svg.count("<text") >= 2);  // colour-bar tick labels
                CHECK(svg.count("<linearGradient") == 1);  // the colour bar's colours
            }
            // Drawn by Qt's SVG renderer, and painted as the PDF is, it looks like the view.
            const QImage view = t.w.viewport()->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
            auto closeFraction = [&](const QImage& drawn) {
                double close = 0;
                for (int y = 0; y < view.height(); ++y)
                    for (int x = 0; x < view.width(); ++x) {
                        const QRgb a = view.pixel(x, y), b = drawn.pixel(x, y);
                        close += std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) + std::abs(qBlue(a) - qBlue(b)) < 60;
                    }
                return close / (view.width() * view.height());
            };
            QSvgRenderer renderer(svg);
            REQUIRE(renderer.isValid());
            QImage drawn(view.size(), QImage::Format_RGB32);
            drawn.fill(Qt::white);
            QPainter painter(&drawn);
            renderer.render(&painter);
            painter.end();
            CHECK(closeFraction(drawn) > 0.97);
            const auto figure = t.w.viewport()->vectorFigure(path);
            QImage painted(figure.page, QImage::Format_RGB32);
            painted.fill(Qt::white);
            painter.begin(&painted);
            nm::widgets::paintFigure(painter, figure);
            painter.end();
            REQUIRE(painted.size() == view.size());
            CHECK(closeFraction(painted) > 0.97);
            if (qEnvironmentVariableIsSet("NEUROMOSAIC_TEST_SCREENSHOTS")) {
                drawn.save(qEnvironmentVariable("NEUROMOSAIC_TEST_SCREENSHOTS") + "/view-svg-qt.png");
                painted.save(qEnvironmentVariable("NEUROMOSAIC_TEST_SCREENSHOTS") + "/view-pdf-painted.png");
                view.save(qEnvironmentVariable("NEUROMOSAIC_TEST_SCREENSHOTS") + "/view-grab.png");
            }
        }
    }
    CHECK_FALSE(t.w.exportVector(QString::fromStdString((dir / "view.eps").string())));  // a clear error, no crash
}

TEST_CASE("opening a surface file switches to its directory's surfaces", "[app][gui][data]") {
    auto data = nm::test::sharedData();
    if (!data) NM_SKIP("../shared/data not found");
    Window t(false);
    bool loaded = false;
    QObject::connect(t.w.scene(), &nm::widgets::SceneController::spaceLoaded, [&] { loaded = true; });
    t.w.openFile(QString::fromStdString((*data / "surfaces/fsaverage5/pial_left.gii.gz").string()));
    REQUIRE(nm::test::waitUntil([&] { return loaded; }, 30000));
    CHECK(t.w.scene()->space()->left.vertexCount() == 10242);
    t.w.openFile(QString::fromStdString((*data / "surfaces/fsaverage5/sulc_left.gii.gz").string()));
    REQUIRE(nm::test::waitUntil([&] { return t.w.layerCount() == 1; }, 30000));
    CHECK_FALSE(t.w.scene()->layerData(0).categorical);
}

TEST_CASE("the window layout is remembered between runs", "[app][gui]") {
    QByteArray geometry;
    {
        MainWindow::Options o = testOptions(false);
        o.restoreWindowState = true;
        MainWindow w(o);
        w.resize(1000, 700);
        w.move(40, 30);
        w.show();
        REQUIRE(QTest::qWaitForWindowExposed(&w));
        w.findChild<QDockWidget*>("propertiesDock")->hide();
        w.close();  // closeEvent saves geometry and dock state
    }
    MainWindow::Options o = testOptions(false);
    o.restoreWindowState = true;
    MainWindow again(o);
    again.show();
    REQUIRE(QTest::qWaitForWindowExposed(&again));
    // Under load the restored geometry's last resize can arrive after the first expose.
    QTest::qWaitFor([&] { return again.size() == QSize(1000, 700); }, 2000);
    INFO("restored size " << again.size().width() << " x " << again.size().height() << ", minimum " << again.minimumSizeHint().width() << " x " << again.minimumSizeHint().height());
    CHECK(again.size() == QSize(1000, 700));
    CHECK_FALSE(again.findChild<QDockWidget*>("propertiesDock")->isVisible());
    CHECK(again.findChild<QDockWidget*>("dataDock")->isVisible());
}

TEST_CASE("the atlas browser: scales, a searchable table, hierarchy and linked selection", "[app][gui][atlas]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    Window t;
    openAalBundle(t.w, dir);
    auto* panel = t.w.atlasPanel();
    REQUIRE(nm::test::waitUntil([&] { return panel->hasAtlas(); }, 30000));
    CHECK(panel->scaleBox()->count() == 2);
    CHECK(panel->currentScale() == 3);
    CHECK(panel->visibleRows() == 3);
    // Modules from the component graph (consensus on the correlation network): 0 and 2 together.
    REQUIRE(nm::test::waitUntil([&] { return panel->modules(3).size() == 3; }, 30000));
    const auto& mod = panel->modules(3);
    REQUIRE(mod.size() == 3);
    CHECK(mod[0] == mod[2]);
    CHECK(mod[0] != mod[1]);
    // Search filters the table.
    panel->searchBox()->setText("Precentral_R");
    CHECK(panel->visibleRows() == 1);
    panel->searchBox()->clear();
    CHECK(panel->visibleRows() == 3);
    // Selecting component 0 then 2 (left precentral → left frontal superior) moves the colours.
    REQUIRE(t.w.scene()->layer(0).map == 0);
    auto waitFrame = [&] {
        const int frames = t.w.viewport()->framesRendered();
        REQUIRE(nm::test::waitUntil([&] { return t.w.viewport()->framesRendered() > frames; }, 5000));
    };
    t.w.viewport()->requestRender();
    waitFrame();
    const QPointF before = colourfulCentroid(t.w.viewport()->grabFramebuffer());
    panel->selectComponent(2);
    CHECK(t.w.scene()->layer(0).map == 2);  // linked: table → layer
    waitFrame();
    const QPointF after = colourfulCentroid(t.w.viewport()->grabFramebuffer());
    INFO("colour centroid before (" << before.x() << ", " << before.y() << "), after (" << after.x() << ", " << after.y() << ")");
    CHECK(before.x() >= 0);
    CHECK(after.x() >= 0);
    CHECK(std::hypot(after.x() - before.x(), after.y() - before.y()) > 10);
    // The selected map's colours are where its vertices are: under a coloured pixel, the
    // component that loads most is the selected one; clicking there selects it again.
    {
        const auto [hits, agree] = colouredWhereComponentLoads(t.w, 2);
        INFO("coloured samples " << hits << ", of component 2: " << agree);
        REQUIRE(hits > 5);
        CHECK(agree >= 0.8 * hits);
    }
    // Another scale: the layer reloads with 6 maps; the hierarchy shows the parent.
    panel->showScale(6);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.layerCount() == 1 && t.w.scene()->mapCount(0) == 6; }, 60000));
    CHECK(t.w.scene()->layer(0).scale == 6);
    panel->selectComponent(4);
    CHECK(t.w.scene()->layer(0).map == 4);
    REQUIRE(panel->hierarchy()->topLevelItemCount() == 1);
    CHECK(panel->hierarchy()->topLevelItem(0)->text(0).startsWith("parent 3/1"));  // 4 % 3 = 1
    // Mosaic: all six regions at once, as labels with borders; kept in the session.
    const double one = colourfulFraction(t.w.viewport()->grabFramebuffer());
    panel->mosaicBox()->setChecked(true);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.layerCount() == 1 && t.w.scene()->layerData(0).categorical; }, 60000));
    CHECK(t.w.scene()->mapCount(0) == 1);
    CHECK(t.w.scene()->layerData(0).labelNames.at(1) == "Precentral_L");
    CHECK(t.w.scene()->layer(0).mosaic);
    CHECK(t.w.scene()->layer(0).borders);
    {
        // No speckle: no piece of a parcel below 5 % of the median parcel (merging again is a no-op).
        const auto& data = t.w.scene()->layerData(0);
        std::map<int, int> sizes;
        for (const auto* l : {&data.left, &data.right})
            for (Eigen::Index v = 0; v < l->rows(); ++v) ++sizes[int(std::lround((*l)(v, 0)))];
        sizes.erase(0);
        std::vector<int> counts;
        for (const auto& [label, count] : sizes) counts.push_back(count);
        REQUIRE(counts.size() == 6);
        std::sort(counts.begin(), counts.end());
        const int minVertices = int(std::lround(0.05 * counts[counts.size() / 2]));
        Eigen::VectorXi left = data.left.col(0).array().round().cast<int>();
        CHECK(nm::anatomy::mergeSmallIslands(t.w.scene()->space()->left.white, left, minVertices) == 0);
    }
    t.w.viewport()->requestRender();
    QTest::qWait(300);
    const double all = colourfulFraction(t.w.viewport()->grabFramebuffer());
    INFO("colourful pixels: one component " << one << ", mosaic " << all);
    CHECK(all > one);
    // Hover: over the brain the status names the components that load there; off it, nothing.
    {
        const QImage frame = t.w.viewport()->grabFramebuffer();
        QPoint onColour(-1, -1);
        for (int y = 0; y < frame.height() && onColour.x() < 0; y += 3)
            for (int x = 0; x < frame.width(); x += 3) {
                const QColor c = frame.pixelColor(x, y);
                if (c.hsvSaturation() > 80 && c.value() > 60) {
                    onColour = QPoint(x, y);
                    break;
                }
            }
        REQUIRE(onColour.x() >= 0);
        const double r = t.w.viewport()->devicePixelRatioF();
        const QString over = t.w.describeVertexAt(QPointF(onColour.x() / r, onColour.y() / r));
        INFO("hover text: " << over.toStdString());
        CHECK(over.contains("vertex"));
        CHECK(over.contains("component"));  // mosaic: the winning component there
        CHECK(t.w.describeVertexAt(QPointF(2, 2)).isEmpty());
    }
    // Export of the selected component (4 of 6): NIfTI volume and GIFTI surface maps.
    panel->mosaicBox()->setChecked(false);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.layerCount() == 1 && !t.w.scene()->layerData(0).categorical; }, 60000));
    panel->selectComponent(4);
    const QStringList nii = t.w.exportComponent(QString::fromStdString((dir / "c4.nii.gz").string()));
    REQUIRE(nii.size() == 1);
    const auto v = nm::io::readNifti(nii.front().toStdString());
    CHECK(v.frames == 1);
    CHECK(v.geometry.dims == t.w.atlasPanel()->bundle()->grid.dims);
    const auto region = std::count_if(v.data.begin(), v.data.end(), [](float x) { return x > 0.5f; });
    CHECK(region > 100);  // AAL region 5 (Frontal_Sup_Orb_L)
    const QStringList gii = t.w.exportComponent(QString::fromStdString((dir / "c4.gii").string()));
    REQUIRE(gii.size() == 2);
    CHECK(gii.front().endsWith("c4_hemi-L.func.gii"));
    const auto left = nm::io::readGiftiData(gii.front().toStdString());
    CHECK(left.rows() == t.w.scene()->layerData(0).left.rows());
    CHECK(left.maxCoeff() > 0.5f);  // a left-hemisphere region
    CHECK(t.w.exportComponent(QString::fromStdString((dir / "c4.txt").string())).isEmpty());
    panel->mosaicBox()->setChecked(true);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.layerCount() == 1 && t.w.scene()->layerData(0).categorical; }, 60000));
    const auto sessionFile = dir / "mosaic.nmsession.json";
    REQUIRE(t.w.saveSession(QString::fromStdString(sessionFile.string())));
    CHECK(nm::io::readSession(sessionFile).layers.at(0).mosaic);
}

TEST_CASE("first start builds the demo atlas in the background, opens it, and the next start reopens the session", "[app][gui][demo]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    QStandardPaths::setTestModeEnabled(true);
    QFile::remove(MainWindow::lastSessionPath());
    // A tiny demo (3 subjects, scales 8 and 16) in a private cache.
    nm::test::ScopedEnv cache("NEUROMOSAIC_CACHE_DIR", (dir / "cache").string());
    nm::test::ScopedEnv preset("NEUROMOSAIC_DEMO_PRESET", "tiny");
    nm::test::ScopedEnv scales("NEUROMOSAIC_DEMO_SCALES", "8,16");
    QString atlas;
    {
        MainWindow::Options o = testOptions();
        o.firstStart = true;
        o.buildDemo = true;
        MainWindow w(o);
        w.resize(1200, 800);
        w.show();
        REQUIRE(QTest::qWaitForWindowExposed(&w));
        // Three jobs, one after the other, in the jobs panel: simulate, learn, label.
        REQUIRE(nm::test::waitUntil([&] { return !w.jobManager()->jobIds().isEmpty(); }, 10000));
        REQUIRE(nm::test::waitUntil([&] { return w.startupDone(); }, 180000));
        CHECK(w.jobManager()->jobIds().size() == 3);
        REQUIRE(w.atlasPanel()->hasAtlas());
        atlas = w.atlasPanel()->atlasPath();
        CHECK(atlas.endsWith("tiny-demo.nmatlas.h5"));
        CHECK(w.atlasPanel()->scaleBox()->count() == 2);
        CHECK(w.layerCount() == 1);
        // The demo is labelled: every scale has concepts.
        for (const auto& s : w.atlasPanel()->bundle()->scales) {
            REQUIRE(s.labels);
            CHECK(!s.labels->concepts.empty());
        }
        // The learned atlas on screen: the opened component's colours lie where it loads most.
        {
            const int shown = w.scene()->layer(0).map;
            w.viewport()->requestRender();
            QTest::qWait(300);
            const auto [hits, agree] = colouredWhereComponentLoads(w, shown);
            INFO("tiny demo atlas, component " << shown << ": coloured samples " << hits << ", where it loads most " << agree);
            REQUIRE(hits > 5);
            CHECK(agree >= 0.8 * hits);
        }
        w.atlasPanel()->selectComponent(3);
        CHECK(w.scene()->layer(0).map == 3);
        w.close();
    }
    REQUIRE(QFileInfo::exists(MainWindow::lastSessionPath()));
    {
        // The next start: the same atlas and component, no new jobs.
        MainWindow::Options o = testOptions();
        o.firstStart = true;
        MainWindow w(o);
        w.show();
        REQUIRE(nm::test::waitUntil([&] { return w.startupDone(); }, 120000));
        CHECK(w.jobManager()->jobIds().isEmpty());
        REQUIRE(w.layerCount() == 1);
        CHECK(QString::fromStdString(w.scene()->layer(0).file) == atlas);
        CHECK(w.scene()->layer(0).map == 3);
        CHECK(w.atlasPanel()->currentComponent() == 3);
        w.close();
    }
    QFile::remove(MainWindow::lastSessionPath());
    QStandardPaths::setTestModeEnabled(false);
}

TEST_CASE("the component graph: 2-D layout and 3-D balls, selection linked with the table", "[app][gui][atlas][graph]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    Window t;
    openAalBundle(t.w, dir);
    auto* atlas = t.w.atlasPanel();
    auto* graph = t.w.graphPanel();
    REQUIRE(nm::test::waitUntil([&] { return atlas->hasAtlas() && graph->graph() != nullptr && !graph->busy(); }, 30000));
    atlas->showScale(6);
    REQUIRE(nm::test::waitUntil([&] { return graph->components() == 6 && graph->graph() && graph->graph()->layout.rows() == 6 && !graph->busy(); }, 30000));
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.scene()->mapCount(0) == 6; }, 60000));
    // Two modules (even and odd components), consistent between graph and table.
    const auto& g = *graph->graph();
    CHECK(g.module[0] == g.module[2]);
    CHECK(g.module[0] != g.module[1]);
    CHECK(atlas->modules(6) == g.module);
    // A threshold instead of top-k: every link at or above it (within-block 0.6, between −0.1).
    graph->thresholdBox()->setValue(0.5);
    REQUIRE(nm::test::waitUntil([&] { return !graph->busy() && graph->graph() && graph->graph()->edges.size() == 6; }, 30000));  // 2 blocks of 3
    // The stored sparse model: its positive links only; the graphical lasso of the correlation: the two blocks.
    graph->networkBox()->setCurrentIndex(graph->networkBox()->findData("stored"));
    REQUIRE(nm::test::waitUntil([&] { return !graph->busy() && graph->graph() && graph->graph()->edges.size() == 4; }, 30000));
    CHECK(graph->graph()->module[0] == graph->graph()->module[4]);
    CHECK(graph->graph()->module[0] != graph->graph()->module[1]);
    graph->networkBox()->setCurrentIndex(graph->networkBox()->findData("glasso"));
    REQUIRE(nm::test::waitUntil([&] { return !graph->busy() && graph->graph() && graph->graph()->edges.size() == 6; }, 30000));
    graph->networkBox()->setCurrentIndex(graph->networkBox()->findData("correlation"));
    REQUIRE(nm::test::waitUntil([&] { return !graph->busy() && graph->graph() && graph->graph()->edges.size() == 6; }, 30000));
    // Clicking a node in the 2-D view selects that component everywhere.
    const QPointF p = graph->view()->nodePosition(5);
    QTest::mouseClick(graph->view(), Qt::LeftButton, {}, p.toPoint());
    CHECK(graph->view()->selected() == 5);
    CHECK(atlas->currentComponent() == 5);
    CHECK(t.w.scene()->layer(0).map == 5);
    // And the table selects in the graph.
    atlas->selectComponent(1);
    CHECK(graph->view()->selected() == 1);
    // 3-D: balls and sticks appear in the viewport, on a translucent white surface.
    t.w.viewport()->requestRender();
    QTest::qWait(200);
    graph->show3DBox()->setChecked(true);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && !t.w.graph3DQueued(); }, 60000));
    CHECK(t.w.scene()->state().surface == "white");
    CHECK(t.w.graph3D()->nodes()->GetVisibility());
    t.w.viewport()->requestRender();
    QTest::qWait(300);
    const QImage img = t.w.viewport()->grabFramebuffer();
    if (qEnvironmentVariableIsSet("NEUROMOSAIC_TEST_SCREENSHOTS")) img.save(qEnvironmentVariable("NEUROMOSAIC_TEST_SCREENSHOTS") + "/graph3d.png");
    CHECK(colourfulFraction(img) > 0.002);
    graph->show3DBox()->setChecked(false);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && !t.w.graph3DQueued(); }, 60000));
    CHECK(t.w.scene()->state().surface == "inflated");
    CHECK_FALSE(t.w.graph3D()->nodes()->GetVisibility());
}

// Not part of the suite (hidden tag): bench/gui_responsiveness.sh runs it on the demo atlas.
TEST_CASE("responsiveness on the demo atlas", "[.guibench]") {
    nm::widgets::DemoAtlas demo(nullptr);
    const QString atlas = demo.atlasPath();
    if (!QFileInfo::exists(atlas)) NM_SKIP("the demo atlas is not built (./scripts/run.sh --headless builds it)");
    Window t;
    // Heartbeat: the longest gap between 5 ms ticks is the longest time the GUI thread was busy.
    QElapsedTimer beat;
    beat.start();
    double maxGap = 0, last = 0;
    QTimer heart;
    QObject::connect(&heart, &QTimer::timeout, [&] {
        const double now = beat.nsecsElapsed() / 1e6;
        maxGap = std::max(maxGap, now - last);
        last = now;
    });
    REQUIRE(nm::test::waitUntil([&] { return t.w.isStartViewShown(); }, 120000));
    heart.start(5);
    last = beat.nsecsElapsed() / 1e6;
    maxGap = 0;
    bool loaded = false;
    const auto connection = QObject::connect(&t.w, &MainWindow::layerLoaded, [&] { loaded = true; });
    t.w.openFile(atlas);
    REQUIRE(nm::test::waitUntil([&] { return loaded && t.w.atlasPanel()->hasAtlas() && t.w.graphPanel()->graph() && !t.w.graphPanel()->busy(); }, 120000));
    QObject::disconnect(connection);
    const double gapLoading = maxGap;
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[v.size() / 2];
    };
    auto switchComponents = [&](int components, int count) {
        std::vector<double> ms;
        for (int i = 0; i < count; ++i) {
            const int c = (i * 37 + 5) % components;
            const double before = t.w.lastSelectionMilliseconds();
            t.w.showComponent(components, c);
            REQUIRE(nm::test::waitUntil([&] { return t.w.lastSelectionMilliseconds() != before && t.w.scene()->pending() == 0; }, 60000));
            ms.push_back(t.w.lastSelectionMilliseconds());
            QTest::qWait(20);
        }
        return ms;
    };
    maxGap = 0;
    const auto s64 = switchComponents(64, 30);
    const double gap64 = maxGap;
    // A new scale: the layer reloads in the background.
    maxGap = 0;
    QElapsedTimer scaleClock;
    scaleClock.start();
    t.w.showComponent(1024, 0);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.scene()->mapCount(0) == 1024 && t.w.lastSelectionMilliseconds() >= 0; }, 120000));
    const double scaleMs = scaleClock.nsecsElapsed() / 1e6;
    const double gapScale = maxGap;
    maxGap = 0;
    const auto s1024 = switchComponents(1024, 30);
    const double gap1024 = maxGap;
    // Rotation with both hemispheres: frame times.
    std::vector<double> frames;
    auto conn = QObject::connect(t.w.viewport(), &nm::widgets::VtkViewport::frameRendered, [&](double ms) { frames.push_back(ms); });
    for (int i = 0; i < 40; ++i) {
        t.w.viewport()->renderer()->GetActiveCamera()->Azimuth(9);
        t.w.viewport()->requestRender();
        QTest::qWait(10);
    }
    QTest::qWait(200);
    QObject::disconnect(conn);
    // Mosaic of the 1024 components on and off, then the 3-D graph on and off.
    maxGap = 0;
    QElapsedTimer mosaicClock;
    mosaicClock.start();
    t.w.atlasPanel()->mosaicBox()->setChecked(true);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.scene()->layerData(0).categorical; }, 120000));
    t.w.viewport()->requestRender();
    QTest::qWait(100);
    const double mosaicMs = mosaicClock.nsecsElapsed() / 1e6;
    t.w.atlasPanel()->mosaicBox()->setChecked(false);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && !t.w.scene()->layerData(0).categorical; }, 120000));
    const double gapMosaic = maxGap;
    maxGap = 0;
    t.w.graphPanel()->show3DBox()->setChecked(true);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && !t.w.graphPanel()->busy() && !t.w.graph3DQueued(); }, 60000));
    QTest::qWait(100);
    t.w.graphPanel()->show3DBox()->setChecked(false);
    REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0; }, 60000));
    QTest::qWait(100);
    const double gapGraph = maxGap;
    if (qEnvironmentVariableIsSet("NEUROMOSAIC_TEST_SCREENSHOTS")) {
        // For looking at: the 3-D component graph of the 64-component scale, and the whole window.
        t.w.showComponent(64, 8);
        REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0 && t.w.scene()->mapCount(0) == 64 && !t.w.graphPanel()->busy(); }, 60000));
        t.w.graphPanel()->show3DBox()->setChecked(true);
        REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0; }, 60000));
        t.w.scene()->setView(nm::render::View::Dorsal);
        QTest::qWait(500);
        const QString dir = qEnvironmentVariable("NEUROMOSAIC_TEST_SCREENSHOTS");
        t.w.viewport()->grabFramebuffer().save(dir + "/demo-graph3d.png");
        t.w.grab().save(dir + "/demo-window.png");
        t.w.graphPanel()->show3DBox()->setChecked(false);
        REQUIRE(nm::test::waitUntil([&] { return t.w.scene()->pending() == 0; }, 60000));
        nm::io::FigureSettings fig;
        fig.title = "Demo atlas: component 8 of 64 (Postcentral_L)";
        fig.scale = 1;
        t.w.exportMontage(dir + "/demo-montage.png", fig);
    }
    std::printf("selection → frame, scale 64:   median %.1f ms, max %.1f ms (30 switches)\n", median(s64), *std::max_element(s64.begin(), s64.end()));
    std::printf("selection → frame, scale 1024: median %.1f ms, max %.1f ms (30 switches)\n", median(s1024), *std::max_element(s1024.begin(), s1024.end()));
    std::printf("scale 64 → 1024 (reload in the background): %.0f ms\n", scaleMs);
    std::printf("rotation, both hemispheres: median frame %.1f ms (%zu frames)\n", median(frames), frames.size());
    std::printf("mosaic of 1024 components (in the background): %.0f ms to its frame\n", mosaicMs);
    std::printf("longest GUI-thread block: loading %.0f ms, switching at 64 %.0f ms, scale change %.0f ms, switching at 1024 %.0f ms, mosaic on/off %.0f ms, 3-D graph on/off %.0f ms\n",
                gapLoading, gap64, gapScale, gap1024, gapMosaic, gapGraph);
    std::fflush(stdout);
    CHECK(median(s64) > 0);
}

TEST_CASE("Jobs menu: simulate, then learn from the cohort, the atlas opens when done, failures are shown", "[app][gui][jobs][learn]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    nm::test::ScopedEnv cache("NEUROMOSAIC_CACHE_DIR", (dir / "cache").string());
    Window t;
    REQUIRE(nm::test::waitUntil([&] { return t.w.isStartViewShown(); }, 120000));
    nm::widgets::SimulateDialog sd;
    sd.setOutputDirectory(QString::fromStdString((dir / "cohort").string()));
    CHECK(sd.arguments().contains("--preset"));
    CHECK(sd.arguments().at(sd.arguments().indexOf("--preset") + 1) == "demo");  // the default
    const QString cohort = QString::fromStdString((dir / "cohort").string());
    const int sim = t.w.startSimulate({"simulate", "--preset", "tiny", "--out", cohort, "--seed", "1"}, cohort);
    REQUIRE(waitFinished(t.w.jobManager(), sim, 120000));
    CHECK(t.w.jobManager()->snapshot(sim).status == Status::Succeeded);
    // The learn dialog is offered, filled with the new cohort.
    nm::widgets::LearnDialog* offered = nullptr;
    REQUIRE(nm::test::waitUntil([&] { return (offered = t.w.findChild<nm::widgets::LearnDialog*>()) != nullptr; }, 5000));
    CHECK(offered->arguments().contains(cohort));
    CHECK(offered->problem().isEmpty());
    offered->reject();
    nm::widgets::LearnDialog bad;
    CHECK_FALSE(bad.problem().isEmpty());  // no dataset chosen
    bad.setDatasets(cohort);
    bad.setOutputFile("atlas.h5");
    CHECK(bad.problem().contains(".nmatlas.h5"));
    const QString atlas = QString::fromStdString((dir / "tiny.nmatlas.h5").string());
    const int learn = t.w.startLearn({"learn", cohort, "--out", atlas, "--scales", "8,16"}, atlas);
    REQUIRE(waitFinished(t.w.jobManager(), learn, 120000));
    CHECK(t.w.jobManager()->snapshot(learn).status == Status::Succeeded);
    REQUIRE(nm::test::waitUntil([&] { return t.w.atlasPanel()->hasAtlas() && t.w.atlasPanel()->atlasPath() == atlas; }, 60000));
    CHECK(t.w.layerCount() == 1);
    // A learn job that fails: marked failed, its error shown.
    const int failing = t.w.startLearn({"learn", cohort, "--out", atlas, "--scales", "8,16", "--mask", (dir / "nomask.nii.gz").string().c_str()}, atlas);
    REQUIRE(waitFinished(t.w.jobManager(), failing, 60000));
    CHECK(t.w.jobManager()->snapshot(failing).status == Status::Failed);
    CHECK(QString::fromStdString(t.w.jobManager()->snapshot(failing).lastError).contains("nomask"));
    CHECK(t.w.layerCount() == 1);  // nothing new opened
}
