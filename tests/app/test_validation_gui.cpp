// The validation dashboard: the model reads every kind of report into charts (series and points
// checked on reports made from the tiny preset), the panel draws them with Qt Charts and exports
// PNG/SVG/PDF; Jobs ▸ Validate Atlas… runs the validation in the background and fills the panel;
// the reports are cached next to the bundle and reopen with it; the component table sorts by the
// per-component recovery; a malformed report gives an error dialog, not a crash.
#include "AtlasPanel.hpp"
#include "GuiSupport.hpp"
#include "JobManager.hpp"
#include "MainWindow.hpp"
#include "SceneController.hpp"
#include "TestSupport.hpp"
#include "ValidationModel.hpp"
#include "ValidationPanel.hpp"
#include "common/Error.hpp"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDockWidget>
#include <QImage>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QFileInfo>
#include <QTest>

#include <fstream>

using nm::gui::MainWindow;
using nm::test::run;
using nm::test::shellQuote;
using nm::widgets::ChartSpec;

TEST_CASE("validation reports become charts: fields checked, errors name the file and the field", "[widgets][validation]") {
    nm::test::TempDir dir;
    const nlohmann::json rec = {
        {"kind", "reconstruction"},
        {"explained_variance",
         {{{"method", "atlas"}, {"components", 64}, {"held_out_explained_variance", 0.3}},
          {{"method", "atlas"}, {"components", 16}, {"held_out_explained_variance", 0.2}},
          {{"method", "pca"}, {"components", 16}, {"held_out_explained_variance", 0.25}}}},
        {"recovery", {{{"components", 16}, {"truth_components", 16}, {"mean_correlation", 0.7}, {"correlations", {0.5, 0.7, 0.9}},
                       {"component_correlation", {0.9, nullptr, 0.5}}}}},
        {"stability", nlohmann::json::array()}};
    const auto d = nm::widgets::parseValidationReport(rec, dir / "r.json");
    REQUIRE(d.kind == "reconstruction");
    REQUIRE(d.charts.size() == 2);
    CHECK(d.charts[0].series.size() == 2);           // atlas, pca
    CHECK(d.charts[0].series[0].x == std::vector<double>{16, 64});  // sorted by components
    CHECK(d.charts[0].series[0].y[1] == Approx(30.0));             // percent
    CHECK(d.charts[0].logX);
    CHECK(d.charts[1].kind == ChartSpec::Kind::Box);
    CHECK(d.charts[1].series[0].boxes[0].size() == 3);
    REQUIRE(d.componentColumns.size() == 1);
    CHECK(std::isnan(d.componentColumns[0].second[0].second[1]));
    CHECK(d.summary.find("16: 20.0 %") != std::string::npos);
    // errors
    nlohmann::json bad = rec;
    bad["explained_variance"][1].erase("components");
    CHECK_THROWS_WITH(nm::widgets::parseValidationReport(bad, dir / "r.json"), Catch::Contains("r.json") && Catch::Contains("/explained_variance/1/components"));
    bad = rec;
    bad["kind"] = "astrology";
    CHECK_THROWS_WITH(nm::widgets::parseValidationReport(bad, dir / "r.json"), Catch::Contains("/kind"));
    std::ofstream(dir / "broken.json") << "{\"kind\": ";
    CHECK_THROWS_AS(nm::widgets::readValidationReport(dir / "broken.json"), nm::InputError);
    // cache layout and jobs
    CHECK(nm::widgets::validationDirectory("/a/b/demo.nmatlas.h5") == std::filesystem::path("/a/b/demo.validation"));
    const auto jobs = nm::widgets::validationJobs("/a/demo.nmatlas.h5", true, false);
    REQUIRE(jobs.size() == 2);
    CHECK(jobs[1].arguments[1] == "network");
    CHECK(jobs[1].report == std::filesystem::path("/a/demo.validation/network.json"));
    CHECK(nm::widgets::validationJobsFor("/a/demo.nmatlas.h5", nullptr).size() == 1);  // no bundle read: reconstruction only
    const auto withLiterature = nm::widgets::validationJobs("/a/demo.nmatlas.h5", false, false, "/lit");
    REQUIRE(withLiterature.size() == 2);
    CHECK(withLiterature[1].arguments[1] == "representation");
    CHECK(withLiterature[1].arguments.back() == "/lit");
    const auto all = nm::widgets::validateAllJob("/a/demo.nmatlas.h5", "/lit");
    CHECK(all.arguments[1] == "all");
    CHECK(all.report == std::filesystem::path("/a/demo.validation/all.json"));
    CHECK(all.arguments.back() == "/lit");
    // a representation report: one chart per source, a series per method
    const nlohmann::json rep = {{"kind", "representation"},
                                {"scores",
                                 {{{"source", "neuroquery"}, {"method", "atlas"}, {"components", 64}, {"mean", 0.3}, {"median", 0.3}},
                                  {{"source", "neuroquery"}, {"method", "atlas"}, {"components", 256}, {"mean", 0.4}, {"median", 0.4}},
                                  {{"source", "neuroquery"}, {"method", "pca"}, {"components", 256}, {"mean", 0.35}, {"median", 0.35}}}}};
    const auto rd = nm::widgets::parseValidationReport(rep, dir / "rep.json");
    REQUIRE(rd.charts.size() == 1);
    CHECK(rd.charts[0].series.size() == 2);
    CHECK(rd.charts[0].series[0].y == std::vector<double>{30.0, 40.0});
    CHECK(rd.summary.find("40.0 % at 256 (PCA 35.0 %)") != std::string::npos);
}

TEST_CASE("a report of validate all: its summary, its sections' charts and readings, and leave-one-study-out charts", "[widgets][validation]") {
    nm::test::TempDir dir;
    const nlohmann::json rec = {{"kind", "reconstruction"},
                                {"explained_variance",
                                 {{{"method", "atlas"}, {"components", 64}, {"held_out_explained_variance", 0.30}},
                                  {{"method", "pca"}, {"components", 64}, {"held_out_explained_variance", 0.25}}}},
                                {"recovery", nlohmann::json::array()},
                                {"stability", nlohmann::json::array()}};
    const nlohmann::json loso = {
        {"kind", "leave-one-study-out"},
        {"scales", {16, 64}},
        {"studies",
         {{{"study", "motor"},
           {"explained_variance",
            {{{"method", "atlas"}, {"components", 64}, {"explained_variance", 0.18}},
             {{"method", "atlas (study seen)"}, {"components", 64}, {"explained_variance", 0.20}},
             {{"method", "pca"}, {"components", 64}, {"explained_variance", 0.15}}}},
           {"contrasts", {{{"method", "atlas"}, {"components", 64}, {"mean", 0.5}, {"median", 0.5}}}},
           {"decoding",
            {{{"task", "d/motor"}, {"method", "atlas"}, {"components", 64}, {"accuracy", 0.75}, {"chance", 0.25}},
             {{"task", "d/motor"}, {"method", "voxels"}, {"components", 0}, {"accuracy", 0.875}, {"chance", 0.25}}}}}}}};
    const nlohmann::json all = {{"kind", "all"},
                                {"atlas", "/x/atlas.nmatlas.h5"},
                                {"sections",
                                 {{{"name", "reconstruction"}, {"status", "done"}, {"report", rec}},
                                  {{"name", "decoding"}, {"status", "skipped"}, {"reason", "the atlas has no labels"}},
                                  {{"name", "leave-one-study-out"}, {"status", "done"}, {"report", loso}}}}};
    const auto reports = nm::widgets::parseValidationReports(all, dir / "all.json");
    REQUIRE(reports.size() == 3);
    CHECK(reports[0].kind == "summary");
    CHECK(reports[0].summary.find("2 of 3 sections") != std::string::npos);
    CHECK(reports[0].summary.find("decoding") != std::string::npos);
    CHECK(reports[1].kind == "reconstruction");
    REQUIRE(!reports[1].readings.empty());
    CHECK(reports[1].readings[0].find("atlas 30.0 %, PCA 25.0 % (+5.0 points)") != std::string::npos);
    CHECK(reports[0].readings.size() == reports[1].readings.size() + reports[2].readings.size());
    const auto& l = reports[2];
    CHECK(l.kind == "leave-one-study-out");
    REQUIRE(l.charts.size() == 3);  // explained variance, contrasts, decoding
    CHECK(l.charts[0].series.size() == 3);
    CHECK(l.charts[0].series[0].y == std::vector<double>{18.0});
    REQUIRE(l.charts[2].series.size() == 1);  // the voxels (no components) are left to the readings
    CHECK(l.charts[2].series[0].y == std::vector<double>{0.75});
    bool voxels = false;
    for (const auto& t : l.readings) voxels = voxels || t.find("voxels 0.875") != std::string::npos;
    CHECK(voxels);
    // A single report of kind "all" is not one report: the error says where to look.
    CHECK_THROWS_WITH(nm::widgets::parseValidationReport(all, dir / "all.json"), Catch::Contains("readValidationReports"));
    // The panel: the summary, the sections' charts, every reading listed once.
    std::ofstream(dir / "all.json") << all.dump();
    nm::widgets::ValidationPanel panel;
    REQUIRE(panel.loadReport(QString::fromStdString((dir / "all.json").string())));
    CHECK(panel.reports().size() == 3);
    CHECK(panel.chartIndex("reconstruction/explained-variance") >= 0);
    CHECK(panel.chartIndex("leave-one-study-out/motor/decoding") >= 0);
    CHECK(panel.readings().size() == int(reports[0].readings.size()));
}

TEST_CASE("the Validation panel: Jobs ▸ Validate Atlas… fills it, charts export, reports reopen with the atlas", "[app][gui][validation]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    nm::test::ScopedEnv cache("NEUROMOSAIC_CACHE_DIR", (dir / "cache").string());
    const std::string cli = nm::test::cliCommand();
    const auto cohort = dir / "tiny";
    REQUIRE(run(cli + " simulate --preset tiny --subjects 8 --seed 4 --progress none --out " + shellQuote(cohort.string())).exitCode == 0);
    const auto atlasPath = dir / "atlas.nmatlas.h5";
    REQUIRE(run(cli + " learn " + shellQuote(cohort.string()) + " --scales 16,64 --held-out 0.25 --no-surfaces --progress none --out " +
                shellQuote(atlasPath.string()))
                .exitCode == 0);
    MainWindow::Options o;
    o.restoreWindowState = false;
    o.confirmQuitWithJobs = false;
    auto w = std::make_unique<MainWindow>(o);
    w->resize(1500, 950);
    w->show();
    REQUIRE(QTest::qWaitForWindowExposed(w.get()));
    w->openFile(QString::fromStdString(atlasPath.string()));
    REQUIRE(nm::test::waitUntil([&] { return w->atlasPanel()->hasAtlas(); }, 60000));
    auto* panel = w->validationPanel();
    REQUIRE(panel->bundle() == QString::fromStdString(atlasPath.string()));
    CHECK(panel->chartCount() == 0);

    const QList<int> ids = w->startValidation(QString::fromStdString(atlasPath.string()));
    // reconstruction, the network (the cohort has a true network), and the representation of the
    // literature's term maps when a literature folder is found (../shared/data/literature)
    REQUIRE(ids.size() >= 2);
    const auto reports = std::size_t(ids.size());
    for (const int id : ids) {
        REQUIRE(nm::test::waitUntil([&] { return !w->jobManager()->isRunning(id); }, 300000));
        INFO(w->jobManager()->snapshot(id).lastError);
        REQUIRE(w->jobManager()->snapshot(id).status == nm::widgets::JobManager::Status::Succeeded);
    }
    REQUIRE(nm::test::waitUntil([&] { return panel->reports().size() == reports; }, 10000));
    // reconstruction: explained variance (atlas, PCA, AAL, Harvard–Oxford, truth) × 2 scales (truth: its own scales)
    const int ev = panel->chartIndex("reconstruction/explained-variance");
    REQUIRE(ev >= 0);
    const auto& evSpec = panel->spec(ev);
    CHECK(evSpec.series.size() == 5);
    CHECK(evSpec.series[0].name == "atlas");
    CHECK(evSpec.series[0].x.size() == 2);
    auto* evChart = panel->chartView(ev)->chart();
    CHECK(evChart->series().size() == 5);
    CHECK(evChart->axes(Qt::Horizontal).front()->titleText().contains("components"));
    CHECK(evChart->axes(Qt::Vertical).front()->titleText().contains("%"));
    CHECK(evChart->legend()->isVisible());
    CHECK(panel->hoverText(ev, 0, 1).contains("64"));
    const int rec = panel->chartIndex("reconstruction/recovery");
    REQUIRE(rec >= 0);
    CHECK(panel->spec(rec).categories.size() == 2);
    // network: precision–recall and F1 for the three estimators at 64 components
    const int pr = panel->chartIndex("network/precision-recall/64");
    REQUIRE(pr >= 0);
    CHECK(panel->spec(pr).series.size() == 3);
    CHECK(panel->chartView(pr)->chart()->series().size() == 3);
    // the component table gained a sortable recovery column
    const int col = w->atlasPanel()->columnOf("Recovery r");
    REQUIRE(col >= 0);
    w->atlasPanel()->table()->sortByColumn(col, Qt::DescendingOrder);
    auto* model = w->atlasPanel()->table()->model();
    CHECK(model->data(model->index(0, col), Qt::UserRole).toDouble() >= model->data(model->index(1, col), Qt::UserRole).toDouble());

    // export: PNG at twice the view's resolution, SVG and PDF
    panel->showChart(ev);
    QTest::qWait(200);
    for (const QString ext : {"png", "svg", "pdf"}) {
        const QString f = QString::fromStdString((dir / ("ev." + ext.toStdString())).string());
        CHECK(panel->exportChart(ev, f));
        CHECK(QFileInfo(f).size() > 1000);
    }
    const QImage png(QString::fromStdString((dir / "ev.png").string()));
    CHECK(png.width() == 2 * panel->chartView(ev)->width());
    if (const char* shots = std::getenv("NM_SCREENSHOT_DIR")) {
        w->grab().save(QString(shots) + "/validation.png");
        for (const int i : {ev, rec, pr}) {
            panel->showChart(i);
            QTest::qWait(100);
            panel->grab().save(QString(shots) + "/validation-chart" + QString::number(i) + ".png");
        }
    }

    // the reports are cached next to the bundle: a new window shows them again
    const int charts = panel->chartCount();
    w.reset();
    auto w2 = std::make_unique<MainWindow>(o);
    w2->show();
    REQUIRE(QTest::qWaitForWindowExposed(w2.get()));
    w2->openFile(QString::fromStdString(atlasPath.string()));
    REQUIRE(nm::test::waitUntil([&] { return w2->atlasPanel()->hasAtlas(); }, 60000));
    CHECK(w2->validationPanel()->reports().size() == reports);
    CHECK(w2->validationPanel()->chartCount() == charts);

    // a malformed report: an error dialog naming it, the others still shown
    std::ofstream(nm::widgets::validationDirectory(atlasPath) / "decoding.json") << "{\"kind\": \"decoding\", \"recovery\": 3}";
    w2->validationPanel()->setBundle(QString::fromStdString(atlasPath.string()));
    QMessageBox* box = nullptr;
    REQUIRE(nm::test::waitUntil([&] {
        for (auto* top : QApplication::topLevelWidgets())
            if (auto* m = qobject_cast<QMessageBox*>(top); m && m->isVisible() && m->objectName() == "errorDialog") box = m;
        for (auto* m : w2->findChildren<QMessageBox*>("errorDialog"))
            if (m->isVisible()) box = m;
        return box != nullptr;
    }, 5000));
    CHECK(box->text().contains("decoding.json"));
    CHECK(box->text().contains("/recovery"));
    box->close();
    CHECK(w2->validationPanel()->reports().size() == reports);
    CHECK(w2->validationPanel()->chartCount() == charts);

    // Jobs ▸ Validate Atlas, One Report…: one `validate all` job; its summary and readings appear
    const QList<int> one = w2->startValidation(QString::fromStdString(atlasPath.string()), true);
    REQUIRE(one.size() == 1);
    REQUIRE(nm::test::waitUntil([&] { return !w2->jobManager()->isRunning(one[0]); }, 300000));
    INFO(w2->jobManager()->snapshot(one[0]).lastError);
    REQUIRE(w2->jobManager()->snapshot(one[0]).status == nm::widgets::JobManager::Status::Succeeded);
    auto hasSummary = [&] {
        for (const auto& r : w2->validationPanel()->reports())
            if (r.kind == "summary") return true;
        return false;
    };
    REQUIRE(nm::test::waitUntil(hasSummary, 10000));
    CHECK(std::filesystem::exists(nm::widgets::validationDirectory(atlasPath) / "all.html"));
    CHECK(!w2->validationPanel()->readings().isEmpty());
    CHECK(w2->validationPanel()->readings().join(" ").contains("held-out explained variance"));
}

// Not part of the suite (hidden tag): screenshots of the dashboard for an atlas with cached reports,
//   NM_SCREENSHOT_ATLAS=demo.nmatlas.h5 NM_SCREENSHOT_DIR=out xvfb-run nm_gui_tests "[.screenshot]"
TEST_CASE("screenshots of the validation dashboard", "[.screenshot]") {
    const char* atlas = std::getenv("NM_SCREENSHOT_ATLAS");
    const char* shots = std::getenv("NM_SCREENSHOT_DIR");
    if (!atlas || !shots) NM_SKIP("set NM_SCREENSHOT_ATLAS and NM_SCREENSHOT_DIR");
    MainWindow::Options o;
    o.restoreWindowState = false;
    o.confirmQuitWithJobs = false;
    MainWindow w(o);
    w.resize(1600, 1000);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    w.openFile(atlas);
    REQUIRE(nm::test::waitUntil([&] { return w.atlasPanel()->hasAtlas() && w.scene()->pending() == 0; }, 120000));
    auto* panel = w.validationPanel();
    REQUIRE(panel->chartCount() > 0);
    if (auto* dock = qobject_cast<QDockWidget*>(panel->parentWidget())) {
        dock->raise();
        w.resizeDocks({dock}, {380}, Qt::Vertical);
    }
    for (int i = 0; i < panel->chartCount(); ++i) {
        panel->showChart(i);
        QTest::qWait(300);
        w.grab().save(QString(shots) + QStringLiteral("/dashboard-%1.png").arg(i));
        panel->exportChart(i, QString(shots) + QStringLiteral("/chart-%1.pdf").arg(i));
    }
}
