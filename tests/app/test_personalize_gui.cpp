// File ▸ Personalize Subject…: the wizard validates the subject's folder (runs and tasks listed,
// wrong folders named), the atlas and the settings, builds the CLI's command line; the job runs in
// the background and the subject's atlas opens with its displacement map as a layer.
#include "AtlasPanel.hpp"
#include "ComparisonWindow.hpp"
#include "GuiSupport.hpp"
#include "JobManager.hpp"
#include "MainWindow.hpp"
#include "PersonalizeModel.hpp"
#include "PersonalizeWizard.hpp"
#include "SceneController.hpp"
#include "TestSupport.hpp"
#include "io/AtlasBundle.hpp"

#include <catch2/catch.hpp>

#include <QTableWidget>

#include <algorithm>
#include <QTest>

using nm::gui::MainWindow;
using nm::test::run;
using nm::test::shellQuote;

namespace {
/// A tiny simulated cohort and an atlas learned from it with held-out subjects; returns the atlas
/// and the folder of its first held-out subject.
std::pair<std::filesystem::path, std::filesystem::path> cohortAndAtlas(const std::filesystem::path& dir, int subjects, int seed,
                                                                       const std::string& simulateOptions) {
    const std::string cli = nm::test::cliCommand();
    const auto cohort = dir / "tiny";
    REQUIRE(run(cli + " simulate --preset tiny --subjects " + std::to_string(subjects) + " --seed " + std::to_string(seed) +
                simulateOptions + " --progress none --out " + shellQuote(cohort.string()))
                .exitCode == 0);
    const auto atlasPath = dir / "atlas.nmatlas.h5";
    REQUIRE(run(cli + " learn " + shellQuote(cohort.string()) + " --scales 16,64 --held-out 0.3 --no-surfaces --progress none --out " +
                shellQuote(atlasPath.string()))
                .exitCode == 0);
    const auto atlas = nm::io::readAtlasBundle(atlasPath);
    const std::string held = atlas.provenance["inputs"]["held_out_subjects"][0].get<std::string>();
    return {atlasPath, cohort / held.substr(held.find('/') + 1)};
}

MainWindow::Options quietWindow() {
    MainWindow::Options o;
    o.restoreWindowState = false;
    o.confirmQuitWithJobs = false;
    return o;
}

void showWindow(MainWindow& w) {
    w.resize(1400, 900);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
}
} // namespace

TEST_CASE("personalize a held-out subject from the File menu's wizard", "[app][gui][personalize]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    nm::test::ScopedEnv cache("NEUROMOSAIC_CACHE_DIR", (dir / "cache").string());
    const auto [atlasPath, subject] = cohortAndAtlas(dir.path(), 6, 2, " --deformation 10,16");
    const auto cohort = subject.parent_path();

    // the model: folders and atlases checked, errors named
    CHECK_FALSE(nm::widgets::checkSubjectFolder(cohort).ok);
    CHECK(nm::widgets::checkSubjectFolder(cohort).error.find("not a BIDS subject folder") != std::string::npos);
    CHECK(nm::widgets::checkSubjectFolder(dir / "missing").error.find("not a folder") != std::string::npos);
    const auto sc = nm::widgets::checkSubjectFolder(subject);
    REQUIRE(sc.ok);
    CHECK(sc.runs.size() >= 2);
    CHECK_FALSE(sc.tasks.empty());
    CHECK_FALSE(nm::widgets::checkAtlas(dir / "nope.nmatlas.h5").ok);
    const auto ac = nm::widgets::checkAtlas(atlasPath);
    REQUIRE(ac.ok);
    CHECK(ac.scales == std::vector<int>{16, 64});
    CHECK(ac.heldOutKnown);

    MainWindow w(quietWindow());
    showWindow(w);

    nm::widgets::PersonalizeWizard wizard(&w);
    wizard.setSubjectFolder(QString::fromStdString(cohort.string()));
    CHECK_FALSE(wizard.subjectCheck().ok);
    wizard.setSubjectFolder(QString::fromStdString(subject.string()));
    wizard.setAtlas(QString::fromStdString(atlasPath.string()));
    REQUIRE(wizard.subjectCheck().ok);
    REQUIRE(wizard.atlasCheck().ok);
    const QStringList args = wizard.arguments();
    CHECK(args.mid(0, 3) == QStringList({"personalize", QString::fromStdString(atlasPath.string()), QString::fromStdString(subject.string())}));
    CHECK(args.contains("--alpha"));
    CHECK(wizard.outputFile().endsWith(".nmatlas.h5"));
    CHECK(wizard.outputFile().contains("_sub-"));

    const QString disp = QString::fromStdString(nm::widgets::displacementFile(wizard.outputFile().toStdString()).string());
    const int job = w.startPersonalize(args, wizard.outputFile(), disp);
    REQUIRE(nm::test::waitUntil([&] { return !w.jobManager()->isRunning(job); }, 300000));
    INFO(w.jobManager()->snapshot(job).lastError);
    REQUIRE(w.jobManager()->snapshot(job).status == nm::widgets::JobManager::Status::Succeeded);
    REQUIRE(nm::test::waitUntil([&] { return w.atlasPanel()->hasAtlas() && w.atlasPanel()->atlasPath() == wizard.outputFile(); }, 120000));
    REQUIRE(nm::test::waitUntil([&] { return w.layerCount() == 2 && w.scene()->pending() == 0; }, 120000));
    CHECK(w.atlasPanel()->bundle()->displacementMm.has_value());
    if (const char* shots = std::getenv("NM_SCREENSHOT_DIR")) w.grab().save(QString(shots) + "/personalize.png");

    // the side-by-side view: group, subject, displacement, one camera
    REQUIRE(nm::test::waitUntil([&] { return w.comparisonWindow() != nullptr; }, 10000));
    auto* cmp = w.comparisonWindow();
    REQUIRE(QTest::qWaitForWindowExposed(cmp));
    CHECK(cmp->paneCount() == 3);
    CHECK(cmp->camerasLinked());
    cmp->showComponent(64, 5);
    auto describe = [&] {
        std::string d;
        for (int p = 0; p < 3; ++p)
            d += "pane " + std::to_string(p) + ": " + std::to_string(cmp->scene(p)->layerCount()) + " loaded, " +
                 std::to_string(cmp->scene(p)->state().layers.size()) + " in session, pending " +
                 std::to_string(cmp->scene(p)->pending()) + ", space " + std::to_string(cmp->scene(p)->spaceReady()) + "; ";
        return d;
    };
    const bool shown = nm::test::waitUntil([&] {
        for (int p = 0; p < 3; ++p)
            if (cmp->scene(p)->layerCount() != 1 || cmp->scene(p)->pending() != 0) return false;
        if (cmp->scene(0)->layer(0).map != 5 || cmp->scene(1)->layer(0).scale != 64) return false;
        return true;
    }, 120000);
    INFO(describe());
    REQUIRE(shown);
    INFO(describe());
    CHECK(cmp->scene(0)->layer(0).map == 5);
    CHECK(cmp->scene(1)->layer(0).scale == 64);
    CHECK(cmp->gainsTable()->rowCount() > 0);
    QTest::qWait(300);
    if (const char* shots = std::getenv("NM_SCREENSHOT_DIR")) cmp->grab().save(QString(shots) + "/personalize-compare.png");
}

TEST_CASE("the wizard personalizes from contrast maps alone", "[app][gui][personalize]") {
    if (!nm::test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    nm::test::TempDir dir;
    nm::test::ScopedEnv cache("NEUROMOSAIC_CACHE_DIR", (dir / "cache").string());
    const std::string cli = nm::test::cliCommand();
    const auto [atlasPath, subject] = cohortAndAtlas(dir.path(), 6, 3, "");
    const auto labelled = dir / "labelled.nmatlas.h5";
    REQUIRE(run(cli + " label " + shellQuote(atlasPath.string()) + " --progress none -o " + shellQuote(labelled.string())).exitCode == 0);
    const std::string label = subject.filename().string();
    const auto bold = subject / "func" / (label + "_task-motor_run-1_bold.nii.gz");
    const auto lh = dir / "lh.nii.gz";
    REQUIRE(run(cli + " glm " + shellQuote(bold.string()) + " --contrast LH --progress none -o " + shellQuote(lh.string())).exitCode == 0);

    // the model: entries checked against the files and the atlas's concepts, errors named
    const auto unlabelled = nm::widgets::checkAtlas(atlasPath);
    const auto ac = nm::widgets::checkAtlas(labelled);
    REQUIRE(ac.ok);
    REQUIRE(ac.labelled);
    CHECK(std::find(ac.concepts.begin(), ac.concepts.end(), "motor response (left hand)") != ac.concepts.end());
    using Entry = nm::widgets::ContrastMapEntry;
    CHECK(nm::widgets::checkContrastMaps({}, ac).error.find("add the subject's contrast maps") != std::string::npos);
    CHECK(nm::widgets::checkContrastMaps({Entry{"motor response (left hand)", (dir / "missing.nii.gz").string(), {}}}, ac)
              .error.find("does not exist") != std::string::npos);
    CHECK(nm::widgets::checkContrastMaps({Entry{"no such concept", lh.string(), {}}}, ac).error.find("labels no such concept") !=
          std::string::npos);
    CHECK(nm::widgets::checkContrastMaps({Entry{"motor response (left hand)", lh.string(), {}}}, unlabelled).error.find("no labels") !=
          std::string::npos);
    const std::vector<Entry> maps{Entry{"motor response (left hand)", lh.string(), {}}};
    const auto mc = nm::widgets::checkContrastMaps(maps, ac);
    CHECK(mc.ok);
    CHECK(mc.volumes == 1);

    MainWindow w(quietWindow());
    showWindow(w);
    nm::widgets::PersonalizeWizard wizard(&w);
    wizard.setAtlas(QString::fromStdString(labelled.string()));
    wizard.setContrastMaps(maps);
    CHECK_FALSE(wizard.subjectCheck().ok);
    CHECK(wizard.contrastMaps().size() == 1);
    const QStringList args = wizard.arguments();
    CHECK(args.mid(0, 4) == QStringList({"personalize", QString::fromStdString(labelled.string()), "--contrast",
                                         QString::fromStdString("motor response (left hand)=" + lh.string())}));
    CHECK(wizard.outputFile().endsWith("_sub-maps.nmatlas.h5"));
    if (const char* shots = std::getenv("NM_SCREENSHOT_DIR")) {
        wizard.show();
        REQUIRE(QTest::qWaitForWindowExposed(&wizard));
        QTest::qWait(200);
        wizard.grab().save(QString(shots) + "/personalize-maps-wizard.png");
        wizard.next();
        QTest::qWait(200);
        wizard.grab().save(QString(shots) + "/personalize-maps-wizard-2.png");
        wizard.hide();
    }
    const QString disp = QString::fromStdString(nm::widgets::displacementFile(wizard.outputFile().toStdString()).string());
    const int job = w.startPersonalize(args, wizard.outputFile(), disp);
    REQUIRE(nm::test::waitUntil([&] { return !w.jobManager()->isRunning(job); }, 300000));
    INFO(w.jobManager()->snapshot(job).lastError);
    REQUIRE(w.jobManager()->snapshot(job).status == nm::widgets::JobManager::Status::Succeeded);
    REQUIRE(nm::test::waitUntil([&] { return w.atlasPanel()->hasAtlas() && w.atlasPanel()->atlasPath() == wizard.outputFile(); }, 120000));
    const auto b = nm::io::readAtlasBundle(wizard.outputFile().toStdString());
    CHECK(b.provenance["personalization"]["contrasts"].size() == 1);
    CHECK(b.displacementMm.has_value());
}
