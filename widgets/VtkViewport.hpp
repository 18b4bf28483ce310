#pragma once
// A QOpenGLWidget that hosts a VTK render window (vtkGenericOpenGLRenderWindow) without VTK's
// Qt5-built GUISupportQt module — the same scheme as VTK's own QVTKOpenGLNativeWidget: Qt owns
// the OpenGL context, VTK renders into its framebuffer and blits into Qt's inside paintGL().
// Mouse, wheel and keyboard events are forwarded to a vtkGenericRenderWindowInteractor with a
// trackball-camera style; positions are scaled by the device pixel ratio (HiDPI).
#include "VectorFigure.hpp"

#include <QImage>
#include <QOpenGLWidget>
#include <QPointF>

class QTimer;

#include <vtkSmartPointer.h>

#include <chrono>
#include <functional>

class vtkActor;
class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkRenderer;
class vtkObject;

namespace nm::widgets {

class VtkViewport : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkViewport(QWidget* parent = nullptr);
    ~VtkViewport() override;

    /// Must be called before the QApplication exists: OpenGL 3.2 core, RGBA8, depth, no MSAA.
    static void setDefaultSurfaceFormat();

    [[nodiscard]] vtkRenderer* renderer() const;
    [[nodiscard]] vtkGenericOpenGLRenderWindow* renderWindow() const;
    [[nodiscard]] vtkGenericRenderWindowInteractor* interactor() const;

    /// Schedules a repaint (VTK renders inside the next paintGL()).
    void requestRender();

    /// Renders the scene off-screen at `scale` × the widget's pixel size and returns an opaque
    /// RGB image (tiles are stitched by VTK for large scales). Returns a null image when the
    /// widget has no GL context yet.
    QImage capture(int scale = 1);
    /// capture() written as PNG with the DPI stored in the file; throws nm::Error on failure.
    void saveCapture(const QString& path, int scale = 3, int dotsPerInch = 300);
    /// The current view as SVG or PDF: text where VTK placed it (VTK's GL2PS exporter; real text,
    /// fonts embedded in the PDF) and colour bars as vector gradients, over the 3-D surfaces as one
    /// 2× image (the OpenGL2 backend rasterizes them). Throws nm::Error on failure.
    void saveVector(const QString& path);
    /// The view's parts for vector export: GL2PS's text, the 3-D props as a 2× image, colour bars
    /// (`path` names the export in errors).
    VectorFigure vectorFigure(const QString& path);

    /// "version — renderer (vendor)" of the widget's OpenGL context, once initialised.
    [[nodiscard]] QString openGLDescription() const { return glDescription_; }

    /// Number of frames rendered so far and the duration of the last one.
    [[nodiscard]] int framesRendered() const { return frames_; }
    [[nodiscard]] double lastFrameMilliseconds() const { return lastFrameMs_; }

    /// The actor and the nearest vertex (point id) under a widget position; false on background.
    bool pick(const QPointF& position, vtkActor** actor, long long* pointId);

signals:
    /// Emitted after each rendered frame.
    void frameRendered(double milliseconds);
    /// The pointer rests over the view (no button pressed): throttled to one per 60 ms.
    void hovered(const QPointF& position);
    /// A left click without dragging (rotation drags do not count).
    void clicked(const QPointF& position);

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;

    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void onMakeCurrent(vtkObject*, unsigned long, void*);
    void onIsCurrent(vtkObject*, unsigned long, void* callData);
    void onInteractorRender(vtkObject*, unsigned long, void*);
    void cleanupGL();
    bool forwardPointer(QPointF position, Qt::KeyboardModifiers modifiers);
    bool forwardKey(QKeyEvent* event, bool press);

    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
    vtkSmartPointer<vtkRenderer> renderer_;
    bool inPaint_ = false;
    int frames_ = 0;
    double lastFrameMs_ = 0.0;
    QString glDescription_;
    QMetaObject::Connection contextConnection_;
    QTimer* hoverTimer_ = nullptr;
    QPointF hoverPosition_, pressPosition_{-100, -100};
};

} // namespace nm::widgets
