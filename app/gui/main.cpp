// neuromosaic: the desktop application.
#include "MainWindow.hpp"
#include "VtkViewport.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QImageWriter>
#include <QTimer>

#include "common/Version.hpp"

#include <cstdio>

int main(int argc, char** argv) {
    nm::gui::startupClock();  // time to first frame is measured from here
    // Must precede the QApplication: OpenGL 3.2 core for VTK.
    nm::widgets::VtkViewport::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName("NeuroMosaic");
    QApplication::setApplicationName("NeuroMosaic");
    QApplication::setApplicationVersion(QString::fromStdString(nm::version()));

    QCommandLineParser parser;
    parser.setApplicationDescription("NeuroMosaic: multiscale models of brain function.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshot("screenshot", "Render the start view, save the window as PNG to <file>, print its path and quit.", "file");
    QCommandLineOption noRestore("no-restore", "Do not restore the window layout of the last run.");
    QCommandLineOption timeout("timeout", "With --screenshot: give up after <seconds> (default 120).", "seconds", "120");
    parser.addOption(screenshot);
    parser.addOption(noRestore);
    QCommandLineOption demo("demo", "Build the demo atlas if it is not cached yet, without asking, and open it.");
    parser.addOption(timeout);
    parser.addOption(demo);
    parser.addPositionalArgument("files", "Sessions (.nmsession.json), atlas bundles (.nmatlas.h5) or maps to open.", "[files...]");
    parser.process(app);

    nm::gui::MainWindow::Options options;
    options.restoreWindowState = !parser.isSet(noRestore) && !parser.isSet(screenshot);
    // Without files to open: the last session, else the demo atlas (built when --demo or accepted).
    options.firstStart = parser.positionalArguments().isEmpty();
    options.buildDemo = parser.isSet(demo);
    nm::gui::MainWindow window(options);
    if (parser.isSet(screenshot)) window.resize(1400, 900);
    window.show();
    for (const QString& f : parser.positionalArguments()) window.openFile(f);

    if (parser.isSet(screenshot)) {
        const QString out = QFileInfo(parser.value(screenshot)).absoluteFilePath();
        QDir().mkpath(QFileInfo(out).absolutePath());
        auto save = [&window, out] {
            static bool once = false;
            if (once) return;
            once = true;
            // A short delay lets the docks finish their layout before the grab.
            QTimer::singleShot(300, &window, [&window, out] {
                const QImage image = window.grab().toImage();
                QImageWriter writer(out, "png");
                if (!writer.write(image)) {
                    std::fprintf(stderr, "neuromosaic: cannot write %s: %s\n", qPrintable(out),
                                 qPrintable(writer.errorString()));
                    QCoreApplication::exit(1);
                    return;
                }
                std::printf("%s\n", qPrintable(out));
                std::fprintf(stderr, "neuromosaic: start view shown %.2f s after start\n",
                             window.startViewShownSeconds());
                std::fflush(stdout);
                QCoreApplication::exit(0);
            });
        };
        // The start view: the surfaces drawn and what the start-up flow opens (the demo atlas).
        auto saveWhenReady = [&window, save] {
            if (window.isStartViewShown() && (window.startupDone() || !window.property("firstStart").toBool())) save();
        };
        window.setProperty("firstStart", options.firstStart);
        QObject::connect(&window, &nm::gui::MainWindow::startViewShown, &window, saveWhenReady);
        QObject::connect(&window, &nm::gui::MainWindow::startupFinished, &window, [saveWhenReady] {
            QTimer::singleShot(500, saveWhenReady);  // the atlas layer's first frame
        });
        saveWhenReady();
        QTimer::singleShot(int(parser.value(timeout).toDouble() * 1000), &window, [] {
            std::fprintf(stderr, "neuromosaic: timed out waiting for the start view\n");
            QCoreApplication::exit(1);
        });
    }
    return app.exec();
}
