// The Qt6 ↔ VTK viewport on its own: rendering, opaque and high-resolution capture, and the
// forwarding of mouse, wheel and keyboard events to VTK's trackball camera.
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSphereSource.h>

#include "GuiSupport.hpp"
#include "VtkViewport.hpp"

#include <catch2/catch.hpp>

#include <QTest>

using nm::widgets::VtkViewport;

namespace {
struct SphereScene {
    VtkViewport view;
    SphereScene() {
        auto sphere = vtkSmartPointer<vtkSphereSource>::New();
        sphere->SetThetaResolution(48);
        sphere->SetPhiResolution(48);
        auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        mapper->SetInputConnection(sphere->GetOutputPort());
        auto actor = vtkSmartPointer<vtkActor>::New();
        actor->SetMapper(mapper);
        actor->GetProperty()->SetColor(0.9, 0.2, 0.1);
        view.renderer()->AddActor(actor);
        view.renderer()->SetBackground(1, 1, 1);
        view.renderer()->ResetCamera();
        view.resize(400, 300);
        view.show();
        REQUIRE(QTest::qWaitForWindowExposed(&view));
        REQUIRE(nm::test::waitUntil([&] { return view.framesRendered() > 0; }, 10000));
    }
};
} // namespace

TEST_CASE("viewport renders VTK into the Qt widget with opaque pixels", "[widgets][viewport]") {
    SphereScene s;
    const QImage shot = s.view.grabFramebuffer();
    REQUIRE(!shot.isNull());
    const auto stats = nm::test::imageStats(shot, qRgb(255, 255, 255));
    CHECK(stats.opaque);
    // The unit sphere fills a good part of the view, not all of it.
    CHECK(stats.foregroundFraction > 0.10);
    CHECK(stats.foregroundFraction < 0.80);
    // Centre pixel is the sphere's red, corners are the white background.
    const QColor centre = shot.pixelColor(shot.width() / 2, shot.height() / 2);
    CHECK(centre.red() > 120);
    CHECK(centre.green() < 100);
    CHECK(shot.pixelColor(2, 2) == QColor(255, 255, 255));
    CHECK_FALSE(s.view.openGLDescription().isEmpty());
}

TEST_CASE("off-screen capture at scale 3 is 3x the view and matches it", "[widgets][viewport]") {
    SphereScene s;
    const QImage small = s.view.capture(1);
    const QImage big = s.view.capture(3);
    const double dpr = s.view.devicePixelRatioF();
    CHECK(small.width() == int(400 * dpr));
    CHECK(big.width() == 3 * small.width());
    CHECK(big.height() == 3 * small.height());
    const auto a = nm::test::imageStats(small, qRgb(255, 255, 255));
    const auto b = nm::test::imageStats(big, qRgb(255, 255, 255));
    CHECK(b.foregroundFraction == Approx(a.foregroundFraction).margin(0.02));
    CHECK(b.opaque);
    // The widget still renders normally afterwards.
    const int frames = s.view.framesRendered();
    s.view.update();
    CHECK(nm::test::waitUntil([&] { return s.view.framesRendered() > frames; }, 5000));
    const auto after = nm::test::imageStats(s.view.grabFramebuffer(), qRgb(255, 255, 255));
    CHECK(after.foregroundFraction == Approx(a.foregroundFraction).margin(0.02));
}

TEST_CASE("mouse drag rotates, wheel zooms, keys reach VTK", "[widgets][viewport]") {
    SphereScene s;
    auto* cam = s.view.renderer()->GetActiveCamera();
    double before[3], after[3];
    cam->GetPosition(before);
    const QPoint c(200, 150);
    QTest::mousePress(&s.view, Qt::LeftButton, Qt::NoModifier, c);
    for (int i = 1; i <= 10; ++i) {
        QMouseEvent move(QEvent::MouseMove, QPointF(c + QPoint(8 * i, 0)), QPointF(s.view.mapToGlobal(c + QPoint(8 * i, 0))),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&s.view, &move);
    }
    QTest::mouseRelease(&s.view, Qt::LeftButton, Qt::NoModifier, c + QPoint(80, 0));
    cam->GetPosition(after);
    const double moved = std::hypot(after[0] - before[0], after[1] - before[1], after[2] - before[2]);
    CHECK(moved > 0.1);

    const double distance = cam->GetDistance();
    QWheelEvent wheel(QPointF(c), QPointF(s.view.mapToGlobal(c)), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&s.view, &wheel);
    CHECK(cam->GetDistance() < distance);  // wheel forward zooms in

    // 'r' resets the camera to fit the sphere again.
    cam->Dolly(3.0);
    const double zoomed = cam->GetDistance();
    QTest::keyClick(&s.view, Qt::Key_R, Qt::NoModifier);
    CHECK(cam->GetDistance() > zoomed);

    // Interaction triggers new frames.
    const int frames = s.view.framesRendered();
    CHECK(nm::test::waitUntil([&] { return s.view.framesRendered() > frames; }, 5000));
}
