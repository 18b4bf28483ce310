// The semantics in the desktop app: Jobs ▸ Label Atlas… labels the open atlas in the background,
// the table gains its Concepts column (searchable), the Semantics panel lists the selected
// component's concepts, a concept becomes a layer, and File ▸ Decode Map… ranks a map's concepts.
#include "DecodeDialog.hpp"
#include "GuiSupport.hpp"
#include "JobDialogs.hpp"
#include "JobManager.hpp"
#include "MainWindow.hpp"
#include "SceneController.hpp"
#include "SemanticsModel.hpp"
#include "SemanticsPanel.hpp"
#include "AtlasPanel.hpp"
#include "TestSupport.hpp"
#include "io/Nifti.hpp"

#include <catch2/catch.hpp>

#include <QDockWidget>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>


using nm::gui::MainWindow;
using nm::test::run;
using nm::test::shellQuote;

TEST_CASE("label an atlas from the Jobs menu, concepts in the table, the Semantics panel, a concept layer, Decode Map",
          "[app][gui][semantics]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    nm::test::ScopedEnv cache("NEUROMOSAIC_CACHE_DIR", (dir / "cache").string());
    // No literature: the labels from the annotations alone (fast, and the status says why).
    nm::test::ScopedEnv noData("NEUROMOSAIC_TEST_DATA", "/nonexistent");
    nm::test::ScopedEnv noLit("NEUROMOSAIC_LITERATURE", "");
    const std::string cli = nm::test::cliCommand();
    const auto cohort = dir / "tiny10";
    REQUIRE(run(cli + " simulate --preset tiny --subjects 10 --seed 3 --progress none --out " + shellQuote(cohort.string())).exitCode == 0);
    const auto atlasPath = dir / "atlas.nmatlas.h5";
    REQUIRE(run(cli + " learn " + shellQuote(cohort.string()) + " --scales 16,64 --progress none --out " + shellQuote(atlasPath.string())).exitCode == 0);
    const QString atlas = QString::fromStdString(atlasPath.string());

    MainWindow::Options o;
    o.restoreWindowState = false;
    o.confirmQuitWithJobs = false;
    MainWindow w(o);
    w.resize(1400, 900);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    w.openFile(atlas);
    REQUIRE(nm::test::waitUntil([&] { return w.atlasPanel()->hasAtlas() && w.layerCount() == 1 && w.scene()->pending() == 0; }, 120000));
    CHECK(w.semanticsPanel()->summary().isEmpty() == false);

    // The dialog builds the CLI's command line; the job labels the atlas in place and it reloads.
    nm::widgets::LabelDialog d;
    d.setAtlas(atlas);
    CHECK(d.problem().isEmpty());
    CHECK(d.arguments().mid(0, 2) == QStringList({"label", atlas}));
    CHECK(d.arguments().contains("--subsamples"));
    CHECK(d.outputFile() == atlas);
    d.setLiterature(QString::fromStdString((dir / "nowhere").string()));
    CHECK(d.problem().contains("nowhere"));
    const auto* before = w.atlasPanel()->bundle();
    const int job = w.startLabel({"label", atlas, "--subsamples", "50"}, atlas);
    REQUIRE(nm::test::waitUntil([&] { return !w.jobManager()->isRunning(job); }, 180000));
    REQUIRE(w.jobManager()->snapshot(job).status == nm::widgets::JobManager::Status::Succeeded);
    REQUIRE(nm::test::waitUntil([&] { return w.atlasPanel()->bundle() != before && w.atlasPanel()->bundle()->scales.back().labels; }, 60000));

    // The table's Concepts column; searching a concept keeps the components that carry it.
    w.atlasPanel()->showScale(64);
    // A new scale reloads the atlas layer (it is absent while it loads).
    REQUIRE(nm::test::waitUntil([&] { return w.layerCount() == 1 && w.scene()->pending() == 0; }, 60000));
    const auto& labels = *w.atlasPanel()->bundle()->scale(64).labels;
    int labelled = -1;
    std::string concept0;
    for (int j = 0; j < 64 && labelled < 0; ++j)
        if (!labels.labelsOf(j).empty()) {
            labelled = j;
            concept0 = labels.concepts[std::size_t(labels.labelsOf(j).front().first)];
        }
    REQUIRE(labelled >= 0);
    auto* table = w.atlasPanel()->table();
    const int conceptColumn = 2;
    CHECK(table->model()->headerData(conceptColumn, Qt::Horizontal).toString() == "Concepts");
    w.atlasPanel()->searchBox()->setText(QString::fromStdString(concept0));
    const int carriers = w.atlasPanel()->visibleRows();
    CHECK(carriers >= 1);
    CHECK(carriers < 64);
    bool found = false;
    for (int r = 0; r < carriers; ++r) found = found || table->model()->index(r, 0).data(Qt::UserRole).toInt() == labelled;
    CHECK(found);
    w.atlasPanel()->searchBox()->clear();

    // The Semantics panel of that component: its label first, in bold, with π.
    w.showComponent(64, labelled);
    auto* concepts = w.semanticsPanel()->conceptTable();
    INFO(w.semanticsPanel()->summary().toStdString() << " / labelled " << labelled << " " << concept0);
    REQUIRE(concepts->rowCount() >= 1);
    CHECK(concepts->item(0, 0)->text().toStdString() == concept0);
    CHECK(concepts->item(0, 0)->font().bold());
    CHECK(concepts->item(0, 1)->text().toDouble() >= labels.threshold - 1e-6);
    CHECK(w.semanticsPanel()->termTable()->rowCount() == 0);  // no literature here

    // A concept as one layer: the maps of its carriers weighted by π.
    const int layers = w.layerCount();
    QSignalSpy shown(&w, &MainWindow::conceptShown);
    emit concepts->cellActivated(0, 0);
    REQUIRE(nm::test::waitUntil([&] { return w.layerCount() == layers + 1 && w.scene()->pending() == 0; }, 60000));
    CHECK(QString::fromStdString(w.scene()->layer(layers).name).contains(QString::fromStdString(concept0)));
    CHECK(shown.count() == 1);

    // Decode Map: a true component of that concept decodes to it.
    const auto truth = cohort / "derivatives" / "ground_truth";
    const auto trueCarriers = nm::test::trueComponents(truth, concept0, 64);
    REQUIRE(!trueCarriers.empty());
    const int trueComponent = trueCarriers.front();
    nm::Volume maps = nm::io::readNifti(truth / "scale-64_maps.nii.gz");
    nm::Volume one;
    one.geometry = maps.geometry;
    one.frames = 1;
    one.data.assign(maps.frame(trueComponent), maps.frame(trueComponent) + maps.voxelCount());
    const auto mapFile = dir / "component.nii.gz";
    nm::io::writeNifti(mapFile, one);
    QSignalSpy decoded(&w, &MainWindow::mapDecoded);
    w.decodeMap(QString::fromStdString(mapFile.string()));
    REQUIRE(nm::test::waitUntil([&] { return decoded.count() == 1; }, 60000));
    CHECK(decoded.at(0).at(1).toString().isEmpty());
    REQUIRE(w.decodeDialog());
    REQUIRE(w.decodeDialog()->conceptTable()->rowCount() >= 1);
    CHECK(w.decodeDialog()->conceptTable()->item(0, 0)->text().toStdString() == concept0);
    // For looking at it: NM_SCREENSHOT_DIR=DIR saves the window.
    if (const char* shots = std::getenv("NM_SCREENSHOT_DIR")) {
        w.grab().save(QString::fromUtf8(shots) + "/semantics-window.png");
        w.decodeDialog()->grab().save(QString::fromUtf8(shots) + "/semantics-decode.png");
    }
}

// For looking at it (not run by ctest): NM_SHOT_ATLAS=labelled.nmatlas.h5 NM_SCREENSHOT_DIR=DIR
// nm_gui_tests "[.semanticsshot]" opens a labelled atlas, selects its most confidently labelled
// component at the finest scale, raises the Semantics panel and saves the window, then shows the
// component's first concept as a layer and saves it again.
TEST_CASE("screenshots of the semantics of a labelled atlas", "[.semanticsshot]") {
    const char* atlasEnv = std::getenv("NM_SHOT_ATLAS");
    const char* shots = std::getenv("NM_SCREENSHOT_DIR");
    if (!atlasEnv || !shots) NM_SKIP("set NM_SHOT_ATLAS and NM_SCREENSHOT_DIR");
    MainWindow::Options o;
    o.restoreWindowState = false;
    o.confirmQuitWithJobs = false;
    MainWindow w(o);
    w.resize(1600, 1000);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    w.openFile(atlasEnv);
    REQUIRE(nm::test::waitUntil([&] { return w.atlasPanel()->hasAtlas() && w.layerCount() == 1 && w.scene()->pending() == 0; }, 120000));
    const auto& scale = w.atlasPanel()->bundle()->scales.back();
    REQUIRE(scale.labels);
    int best = 0;
    float bestPi = 0;
    for (int j = 0; j < scale.components; ++j) {
        const float pi = nm::widgets::bestLabelPi(*scale.labels, j);
        if (pi > bestPi) {
            bestPi = pi;
            best = j;
        }
    }
    w.atlasPanel()->showScale(scale.components);
    REQUIRE(nm::test::waitUntil([&] { return w.layerCount() == 1 && w.scene()->pending() == 0; }, 120000));
    w.showComponent(scale.components, best);
    for (auto* dock : w.findChildren<QDockWidget*>())
        if (dock->objectName() == "semanticsDock") dock->raise();
    QTest::qWait(1500);
    w.grab().save(QString::fromUtf8(shots) + "/semantics-atlas.png");
    emit w.semanticsPanel()->conceptTable()->cellActivated(0, 0);
    REQUIRE(nm::test::waitUntil([&] { return w.layerCount() == 2 && w.scene()->pending() == 0; }, 60000));
    QTest::qWait(1500);
    w.grab().save(QString::fromUtf8(shots) + "/semantics-concept-layer.png");
}
