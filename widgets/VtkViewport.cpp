// VTK's OpenGL headers (glew) must come before any Qt OpenGL header.
#include <vtkActor2D.h>
#include <vtkCallbackCommand.h>
#include <vtkCellPicker.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkOpenGLState.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>
#include <vtkResizingWindowToImageFilter.h>
#include <vtkScalarBarActor.h>
#include <vtkUnsignedCharArray.h>
#include <vtk_glew.h>

#include "VtkViewport.hpp"

#include "Gl2psExport.hpp"
#include "common/Error.hpp"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include <QCursor>
#include <QImageWriter>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <cstring>

namespace nm::widgets {

namespace {

/// Trackball camera without the keys that make no sense inside an application window
/// ('e'/'q' exit, '3' stereo, 'u' user callback, 'p' pick).
class ApplicationInteractorStyle : public vtkInteractorStyleTrackballCamera {
public:
    static ApplicationInteractorStyle* New();
    vtkTypeMacro(ApplicationInteractorStyle, vtkInteractorStyleTrackballCamera);
    void OnChar() override {
        switch (this->Interactor->GetKeyCode()) {
        case 'e': case 'E': case 'q': case 'Q': case '3': case 'u': case 'U': case 'p': case 'P': return;
        default: vtkInteractorStyleTrackballCamera::OnChar();
        }
    }
};
vtkStandardNewMacro(ApplicationInteractorStyle);

const char* keySymbol(int key) {
    switch (key) {
    case Qt::Key_Left: return "Left";
    case Qt::Key_Right: return "Right";
    case Qt::Key_Up: return "Up";
    case Qt::Key_Down: return "Down";
    case Qt::Key_PageUp: return "Prior";
    case Qt::Key_PageDown: return "Next";
    case Qt::Key_Home: return "Home";
    case Qt::Key_End: return "End";
    case Qt::Key_Escape: return "Escape";
    case Qt::Key_Return: return "Return";
    case Qt::Key_Space: return "space";
    case Qt::Key_Shift: return "Shift_L";
    case Qt::Key_Control: return "Control_L";
    case Qt::Key_Alt: return "Alt_L";
    case Qt::Key_Plus: return "plus";
    case Qt::Key_Minus: return "minus";
    default: return nullptr;
    }
}

} // namespace

void VtkViewport::setDefaultSurfaceFormat() {
    QSurfaceFormat fmt;
    fmt.setRenderableType(QSurfaceFormat::OpenGL);
    fmt.setVersion(3, 2);
    fmt.setProfile(QSurfaceFormat::CoreProfile);
    fmt.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    fmt.setRedBufferSize(8);
    fmt.setGreenBufferSize(8);
    fmt.setBlueBufferSize(8);
    fmt.setAlphaBufferSize(8);
    fmt.setDepthBufferSize(24);
    fmt.setStencilBufferSize(0);
    fmt.setSamples(0);  // VTK does its own anti-aliasing (FXAA) where wanted
    QSurfaceFormat::setDefaultFormat(fmt);
}

VtkViewport::VtkViewport(QWidget* parent) : QOpenGLWidget(parent) {
    window_ = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
    renderer_ = vtkSmartPointer<vtkRenderer>::New();
    renderer_->SetBackground(1.0, 1.0, 1.0);
    renderer_->SetBackgroundAlpha(1.0);
    window_->AddRenderer(renderer_);
    window_->SetMultiSamples(0);
    window_->SetReadyForRendering(false);
    window_->SetFrameBlitModeToBlitToCurrent();
    window_->AddObserver(vtkCommand::WindowMakeCurrentEvent, this, &VtkViewport::onMakeCurrent);
    window_->AddObserver(vtkCommand::WindowIsCurrentEvent, this, &VtkViewport::onIsCurrent);

    interactor_ = vtkSmartPointer<vtkGenericRenderWindowInteractor>::New();
    interactor_->SetRenderWindow(window_);
    interactor_->SetInteractorStyle(vtkSmartPointer<ApplicationInteractorStyle>::New());
    // Renders happen only in paintGL(): the interactor asks for one with a RenderEvent.
    interactor_->EnableRenderOff();
    interactor_->AddObserver(vtkCommand::RenderEvent, this, &VtkViewport::onInteractorRender);
    interactor_->Initialize();

    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);
    setMinimumSize(160, 120);
}

VtkViewport::~VtkViewport() {
    // QOpenGLWidget's destructor emits aboutToBeDestroyed when this object is no longer a
    // VtkViewport: the handler must not run then.
    QObject::disconnect(contextConnection_);
    makeCurrent();
    cleanupGL();
    doneCurrent();
}

vtkRenderer* VtkViewport::renderer() const { return renderer_; }
vtkGenericOpenGLRenderWindow* VtkViewport::renderWindow() const { return window_; }
vtkGenericRenderWindowInteractor* VtkViewport::interactor() const { return interactor_; }

void VtkViewport::requestRender() { update(); }

void VtkViewport::onMakeCurrent(vtkObject*, unsigned long, void*) {
    // Not QOpenGLWidget::makeCurrent(): that would rebind Qt's framebuffer in the middle of a
    // VTK render and produce a blank image.
    if (context()) context()->makeCurrent(context()->surface());
}

void VtkViewport::onIsCurrent(vtkObject*, unsigned long, void* callData) {
    *static_cast<bool*>(callData) = context() && QOpenGLContext::currentContext() == context();
}

void VtkViewport::onInteractorRender(vtkObject*, unsigned long, void*) {
    if (!inPaint_) update();
}

void VtkViewport::cleanupGL() {
    if (window_ && window_->GetReadyForRendering()) {
        window_->Finalize();
        window_->SetReadyForRendering(false);
    }
}

void VtkViewport::initializeGL() {
    // The context can go away before the widget (reparenting, screen change): release VTK's
    // GL resources then. The destructor disconnects this first (see ~VtkViewport).
    QObject::disconnect(contextConnection_);
    contextConnection_ = connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
        makeCurrent();
        cleanupGL();
        doneCurrent();
    }, Qt::DirectConnection);
    if (auto* f = context()->functions()) {
        auto str = [f](GLenum e) { return QString::fromLatin1(reinterpret_cast<const char*>(f->glGetString(e))); };
        glDescription_ = QStringLiteral("%1 — %2 (%3)").arg(str(GL_VERSION), str(GL_RENDERER), str(GL_VENDOR));
    }
    window_->SetOwnContext(false);
    window_->SetReadyForRendering(true);
    window_->SetForceMaximumHardwareLineWidth(1);
    window_->OpenGLInitContext();
    auto* state = window_->GetState();
    state->Reset();
    state->vtkglDepthFunc(GL_LEQUAL);  // Qt leaves GL_LESS; VTK expects GL_LEQUAL
}

void VtkViewport::resizeGL(int w, int h) {
    const double dpr = devicePixelRatioF();
    const int pw = std::max(1, int(w * dpr + 0.5)), ph = std::max(1, int(h * dpr + 0.5));
    window_->SetSize(pw, ph);
    interactor_->UpdateSize(pw, ph);
    window_->SetDPI(std::max(72, int(72 * dpr + 0.5)));
}

void VtkViewport::paintGL() {
    if (!window_->GetReadyForRendering()) return;
    const auto start = std::chrono::steady_clock::now();
    inPaint_ = true;
    auto* state = window_->GetState();
    // Qt may have changed GL state since the last frame: resynchronise VTK's state cache.
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    window_->Render();  // renders into VTK's framebuffer, then blits into Qt's bound framebuffer
    // VTK may leave alpha < 1 (translucent props, background alpha): make the widget opaque so
    // that grabs and compositing never show through.
    state->vtkglColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    state->vtkglClearColor(0.0f, 0.0f, 0.0f, 1.0f);
    state->vtkglClear(GL_COLOR_BUFFER_BIT);
    state->vtkglColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    state->Pop();
    inPaint_ = false;
    ++frames_;
    lastFrameMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    emit frameRendered(lastFrameMs_);
}

void VtkViewport::saveVector(const QString& path) {
    const QString lower = path.toLower();
    const bool pdf = lower.endsWith(".pdf"), svg = lower.endsWith(".svg");
    if (!pdf && !svg) throw nm::Error(path.toStdString() + ": vector export writes .pdf or .svg");
    if (!context() || !window_->GetReadyForRendering()) throw nm::Error(path.toStdString() + ": the view is not ready yet");
    const VectorFigure figure = vectorFigure(path);
    if (pdf) {
        writePdf(figure, path);
        return;
    }
    const QByteArray document = toSvg(figure, path.toStdString());
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) throw nm::Error(path.toStdString() + ": cannot write: " + out.errorString().toStdString());
    out.write(document);
    if (!out.flush()) throw nm::Error(path.toStdString() + ": write failed");
}

VectorFigure VtkViewport::vectorFigure(const QString& path) {
    // GL2PS writes the 2-D props' text where VTK placed it. Two things are missing from its output
    // and are gathered here: the raster of the 3-D props (Debian's GL2PS is built without PNG
    // support and drops images) — the view without its 2-D props, captured at 2× — and the colour
    // bars' colours (VTK draws them with cell colours, which GL2PS's capture does not see).
    QTemporaryDir tmp;
    if (!tmp.isValid()) throw nm::Error(path.toStdString() + ": no temporary directory for the export");
    const QString gl2psFile = tmp.filePath(QStringLiteral("view.svg"));
    makeCurrent();
    auto* state = window_->GetState();
    state->Reset();
    state->Push();
    writeGl2psSvg(window_, gl2psFile.left(gl2psFile.size() - 4).toStdString());
    state->Pop();
    doneCurrent();
    QFile textFile(gl2psFile);
    if (!textFile.open(QIODevice::ReadOnly)) throw nm::Error(path.toStdString() + ": the GL2PS exporter wrote nothing");
    VectorFigure figure;
    figure.textSvg = textFile.readAll();
    const int* size = window_->GetSize();
    figure.page = QSize(size[0], size[1]);

    // Colour bars: their rectangles from the frame GL2PS just rendered (VTK's y runs up).
    std::vector<std::pair<vtkProp*, int>> hidden;
    vtkCollectionSimpleIterator it;
    auto* props = renderer_->GetViewProps();
    props->InitTraversal(it);
    while (vtkProp* p = props->GetNextProp(it)) {
        if (!vtkActor2D::SafeDownCast(p) || !p->GetVisibility()) continue;
        hidden.emplace_back(p, p->GetVisibility());
        auto* bar = vtkScalarBarActor::SafeDownCast(p);
        auto* lut = bar ? vtkLookupTable::SafeDownCast(bar->GetLookupTable()) : nullptr;
        if (!lut || lut->GetNumberOfTableValues() < 1) continue;
        int r[4];
        bar->GetScalarBarRect(r, renderer_);
        VectorColourBar v;
        v.rect = QRectF(r[0], figure.page.height() - r[1] - r[3], r[2], r[3]);
        v.horizontal = bar->GetOrientation() == VTK_ORIENT_HORIZONTAL;
        for (vtkIdType i = 0; i < lut->GetNumberOfTableValues(); ++i) {
            double c[4];
            lut->GetTableValue(i, c);
            v.colours.push_back(QColor::fromRgbF(float(c[0]), float(c[1]), float(c[2])));
        }
        figure.bars.push_back(std::move(v));
    }
    for (auto& [p, v] : hidden) p->VisibilityOff();
    figure.image = capture(2);
    for (auto& [p, v] : hidden) p->SetVisibility(v);
    if (figure.image.isNull()) throw nm::Error(path.toStdString() + ": the view could not be captured");
    return figure;
}

QImage VtkViewport::capture(int scale) {
    if (!context() || !window_->GetReadyForRendering()) return {};
    scale = std::clamp(scale, 1, 16);
    makeCurrent();
    auto* state = window_->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    const int* size = window_->GetSize();
    const int w = size[0], h = size[1];
    const int oldDpi = window_->GetDPI();
    // Render at the target size (not tiles): text and colour bars scale with the image.
    window_->SetDPI(oldDpi * scale);
    auto filter = vtkSmartPointer<vtkResizingWindowToImageFilter>::New();
    filter->SetInput(window_);
    filter->SetSize(w * scale, h * scale);
    filter->SetSizeLimit(16384);
    filter->SetInputBufferTypeToRGB();
    filter->Update();
    window_->SetDPI(oldDpi);
    window_->SetSize(w, h);
    state->Pop();
    doneCurrent();

    vtkImageData* img = filter->GetOutput();
    int dims[3];
    img->GetDimensions(dims);
    auto* scalars = vtkUnsignedCharArray::SafeDownCast(img->GetPointData()->GetScalars());
    if (!scalars || dims[0] <= 0 || dims[1] <= 0) return {};
    QImage out(dims[0], dims[1], QImage::Format_RGB888);
    const int comps = scalars->GetNumberOfComponents();
    const unsigned char* src = scalars->GetPointer(0);
    for (int y = 0; y < dims[1]; ++y) {
        // VTK's rows go bottom-up.
        const unsigned char* row = src + std::size_t(dims[1] - 1 - y) * std::size_t(dims[0]) * std::size_t(comps);
        uchar* dst = out.scanLine(y);
        if (comps == 3) {
            std::memcpy(dst, row, std::size_t(dims[0]) * 3);
        } else {
            for (int x = 0; x < dims[0]; ++x)
                for (int c = 0; c < 3; ++c) dst[x * 3 + c] = row[x * comps + c];
        }
    }
    update();  // the on-screen frame needs redrawing at the widget size
    return out;
}

void VtkViewport::saveCapture(const QString& path, int scale, int dotsPerInch) {
    QImage image = capture(scale);
    if (image.isNull()) throw Error(path.toStdString() + ": nothing to capture (viewport not initialised)");
    const int dpm = int(dotsPerInch / 0.0254 + 0.5);
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    QImageWriter writer(path, "png");
    if (!writer.write(image))
        throw Error(path.toStdString() + ": cannot write PNG (" + writer.errorString().toStdString() + ")");
}

bool VtkViewport::forwardPointer(QPointF pos, Qt::KeyboardModifiers modifiers) {
    const double dpr = devicePixelRatioF();
    interactor_->SetEventInformationFlipY(int(pos.x() * dpr + 0.5), int(pos.y() * dpr + 0.5),
                                          (modifiers & Qt::ControlModifier) ? 1 : 0,
                                          (modifiers & Qt::ShiftModifier) ? 1 : 0);
    interactor_->SetAltKey((modifiers & Qt::AltModifier) ? 1 : 0);
    return true;
}

void VtkViewport::mousePressEvent(QMouseEvent* event) {
    forwardPointer(event->position(), event->modifiers());
    if (event->button() == Qt::LeftButton) pressPosition_ = event->position();
    interactor_->SetRepeatCount(0);
    switch (event->button()) {
    case Qt::LeftButton: interactor_->InvokeEvent(vtkCommand::LeftButtonPressEvent); break;
    case Qt::MiddleButton: interactor_->InvokeEvent(vtkCommand::MiddleButtonPressEvent); break;
    case Qt::RightButton: interactor_->InvokeEvent(vtkCommand::RightButtonPressEvent); break;
    default: break;
    }
    event->accept();
}

void VtkViewport::mouseDoubleClickEvent(QMouseEvent* event) {
    forwardPointer(event->position(), event->modifiers());
    interactor_->SetRepeatCount(1);
    if (event->button() == Qt::LeftButton) interactor_->InvokeEvent(vtkCommand::LeftButtonDoubleClickEvent);
    event->accept();
}

void VtkViewport::mouseReleaseEvent(QMouseEvent* event) {
    forwardPointer(event->position(), event->modifiers());
    // A click (no drag): the scene may select what is under the pointer.
    if (event->button() == Qt::LeftButton && (event->position() - pressPosition_).manhattanLength() <= 3) emit clicked(event->position());
    switch (event->button()) {
    case Qt::LeftButton: interactor_->InvokeEvent(vtkCommand::LeftButtonReleaseEvent); break;
    case Qt::MiddleButton: interactor_->InvokeEvent(vtkCommand::MiddleButtonReleaseEvent); break;
    case Qt::RightButton: interactor_->InvokeEvent(vtkCommand::RightButtonReleaseEvent); break;
    default: break;
    }
    event->accept();
}

void VtkViewport::mouseMoveEvent(QMouseEvent* event) {
    forwardPointer(event->position(), event->modifiers());
    interactor_->InvokeEvent(vtkCommand::MouseMoveEvent);
    event->accept();
    if (event->buttons() == Qt::NoButton) {
        // Hover: the last position, at most every 60 ms (picking walks the surfaces' cells).
        hoverPosition_ = event->position();
        if (!hoverTimer_) {
            hoverTimer_ = new QTimer(this);
            hoverTimer_->setSingleShot(true);
            hoverTimer_->setInterval(60);
            connect(hoverTimer_, &QTimer::timeout, this, [this] { emit hovered(hoverPosition_); });
        }
        if (!hoverTimer_->isActive()) hoverTimer_->start();
    }
}

bool VtkViewport::pick(const QPointF& position, vtkActor** actor, long long* pointId) {
    if (!window_->GetReadyForRendering()) return false;
    const double ratio = devicePixelRatioF();
    const int* size = window_->GetSize();
    auto picker = vtkSmartPointer<vtkCellPicker>::New();
    picker->SetTolerance(0.0005);
    if (!picker->Pick(position.x() * ratio, size[1] - 1 - position.y() * ratio, 0.0, renderer())) return false;
    if (actor) *actor = picker->GetActor();
    if (pointId) *pointId = picker->GetPointId();
    return picker->GetActor() != nullptr && picker->GetPointId() >= 0;
}

void VtkViewport::wheelEvent(QWheelEvent* event) {
    forwardPointer(event->position(), event->modifiers());
    const QPoint delta = event->angleDelta();
    if (delta.y() > 0) interactor_->InvokeEvent(vtkCommand::MouseWheelForwardEvent);
    else if (delta.y() < 0) interactor_->InvokeEvent(vtkCommand::MouseWheelBackwardEvent);
    else if (delta.x() > 0) interactor_->InvokeEvent(vtkCommand::MouseWheelLeftEvent);
    else if (delta.x() < 0) interactor_->InvokeEvent(vtkCommand::MouseWheelRightEvent);
    event->accept();
}

bool VtkViewport::forwardKey(QKeyEvent* event, bool press) {
    const QString text = event->text();
    const char ascii = text.isEmpty() ? '\0' : text.at(0).toLatin1();
    const char* sym = keySymbol(event->key());
    std::string symbol = sym ? sym : std::string(1, ascii);
    const QPoint local = mapFromGlobal(QCursor::pos());
    const double dpr = devicePixelRatioF();
    interactor_->SetEventInformationFlipY(int(local.x() * dpr), int(local.y() * dpr),
                                          (event->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (event->modifiers() & Qt::ShiftModifier) ? 1 : 0, ascii,
                                          event->isAutoRepeat() ? 1 : 0, symbol.c_str());
    interactor_->SetAltKey((event->modifiers() & Qt::AltModifier) ? 1 : 0);
    if (press) {
        interactor_->InvokeEvent(vtkCommand::KeyPressEvent);
        if (ascii) interactor_->InvokeEvent(vtkCommand::CharEvent);
    } else {
        interactor_->InvokeEvent(vtkCommand::KeyReleaseEvent);
    }
    return true;
}

void VtkViewport::keyPressEvent(QKeyEvent* event) {
    forwardKey(event, true);
    event->accept();
}

void VtkViewport::keyReleaseEvent(QKeyEvent* event) {
    forwardKey(event, false);
    event->accept();
}

void VtkViewport::enterEvent(QEnterEvent* event) {
    forwardPointer(event->position(), Qt::NoModifier);
    interactor_->InvokeEvent(vtkCommand::EnterEvent);
    QOpenGLWidget::enterEvent(event);
}

void VtkViewport::leaveEvent(QEvent* event) {
    interactor_->InvokeEvent(vtkCommand::LeaveEvent);
    QOpenGLWidget::leaveEvent(event);
}

} // namespace nm::widgets
