#include <vtkCamera.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>

#include "SceneController.hpp"

#include "SessionScene.hpp"
#include "VtkViewport.hpp"
#include "common/Error.hpp"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrent>

namespace nm::widgets {

namespace {
struct SpaceResult {
    std::shared_ptr<const anatomy::SurfaceSpace> space;
    QString error;
    double seconds = 0.0;
    bool fromCache = false;
};
struct LayerResult {
    std::shared_ptr<const anatomy::SurfaceOverlay> data;
    QString error;
};
} // namespace

SceneController::SceneController(VtkViewport* viewport, QObject* parent) : QObject(parent), viewport_(viewport) {}

SceneController::~SceneController() {
    if (scene_) scene_->removeFrom(viewport_->renderer());
}

io::Session SceneController::snapshot() const {
    io::Session s = session_;
    auto* cam = viewport_->renderer()->GetActiveCamera();
    io::CameraState c;
    cam->GetPosition(c.position.data());
    cam->GetFocalPoint(c.focalPoint.data());
    cam->GetViewUp(c.viewUp.data());
    c.viewAngle = cam->GetViewAngle();
    c.parallelScale = cam->GetParallelScale();
    c.parallelProjection = cam->GetParallelProjection() != 0;
    s.camera = c;
    return s;
}

int SceneController::mapCount(int index) const {
    const auto& d = *layers_.at(std::size_t(index));
    return int(std::max(d.left.cols(), d.right.cols()));
}

void SceneController::finishPending() {
    --pending_;
    if (pending_ == 0) {
        if (pendingCamera_ && scene_) {
            applyCamera(*pendingCamera_);
            pendingCamera_.reset();
        }
        emit busyChanged(false);
    }
}

void SceneController::loadSpace(const QString& spec) {
    session_.space = spec.toStdString();
    const int generation = ++generation_;
    if (pending_++ == 0) emit busyChanged(true);
    auto* watcher = new QFutureWatcher<SpaceResult>(this);
    connect(watcher, &QFutureWatcher<SpaceResult>::finished, this, [this, watcher, generation, spec] {
        watcher->deleteLater();
        SpaceResult r = watcher->result();
        if (generation == generation_) {
            if (!r.error.isEmpty()) {
                emit failed(spec, r.error);
            } else {
                space_ = r.space;
                viewInitialised_ = false;
                // Layers of the old space are projected again onto the new one.
                const auto layers = session_.layers;
                session_.layers.clear();
                layers_.clear();
                rebuildScene();
                emit spaceLoaded(r.seconds, r.fromCache);
                for (const auto& l : layers) addLayer(l);
            }
        }
        finishPending();
    });
    watcher->setFuture(QtConcurrent::run([spec] {
        SpaceResult r;
        QElapsedTimer t;
        t.start();
        try {
            if (spec == "template" || spec.isEmpty()) {
                anatomy::SurfaceBuildReport report;
                r.space = std::make_shared<anatomy::SurfaceSpace>(anatomy::loadTemplateSurfaces({}, nullptr, &report));
                r.fromCache = report.fromCache;
            } else {
                r.space = std::make_shared<anatomy::SurfaceSpace>(anatomy::loadSurfaceSpace(spec.toStdString()));
            }
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        r.seconds = t.elapsed() / 1000.0;
        return r;
    }));
}

void SceneController::addLayer(const io::SessionLayer& layer) {
    if (!space_) {
        // Kept until the space is ready (loadSpace re-adds the session's layers).
        session_.layers.push_back(layer);
        return;
    }
    const int generation = generation_;
    if (pending_++ == 0) emit busyChanged(true);
    auto space = space_;
    auto* watcher = new QFutureWatcher<LayerResult>(this);
    connect(watcher, &QFutureWatcher<LayerResult>::finished, this, [this, watcher, generation, layer] {
        watcher->deleteLater();
        LayerResult r = watcher->result();
        if (generation == generation_) {
            if (!r.error.isEmpty()) {
                emit failed(QString::fromStdString(layer.file), r.error);
            } else {
                session_.layers.push_back(layer);
                layers_.push_back(r.data);
                refreshLayers();
                emit layerAdded(layerCount() - 1);
                emit layersChanged();
            }
        }
        finishPending();
    });
    watcher->setFuture(QtConcurrent::run([layer, space] {
        LayerResult r;
        try {
            r.data = std::make_shared<anatomy::SurfaceOverlay>(render::loadLayerData(layer, *space));
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

void SceneController::removeLayer(int index) {
    if (index < 0 || index >= layerCount()) return;
    session_.layers.erase(session_.layers.begin() + index);
    layers_.erase(layers_.begin() + index);
    refreshLayers();
    emit layersChanged();
}

void SceneController::moveLayer(int from, int to) {
    if (from < 0 || to < 0 || from >= layerCount() || to >= layerCount() || from == to) return;
    std::swap(session_.layers[std::size_t(from)], session_.layers[std::size_t(to)]);
    std::swap(layers_[std::size_t(from)], layers_[std::size_t(to)]);
    refreshLayers();
    emit layersChanged();
}

void SceneController::setLayer(int index, const io::SessionLayer& layer) {
    if (index < 0 || index >= layerCount()) return;
    auto& current = session_.layers[std::size_t(index)];
    // A new file, label mode or atlas scale means new data; a new map index only re-colours.
    const bool reload = layer.file != current.file || layer.labels != current.labels || layer.scale != current.scale || layer.mosaic != current.mosaic;
    if (!reload && (layer.map >= mapCount(index) || layer.map < 0)) return;  // the panel bounds the index
    current = layer;
    if (reload) {
        // Replace the layer with a freshly loaded one at the same position.
        removeLayer(index);
        addLayer(layer);
        return;
    }
    refreshLayers();
    emit layersChanged();
}

void SceneController::setSurface(const std::string& surface) {
    session_.surface = surface;
    rebuildScene();
}

void SceneController::setHemispheres(bool left, bool right) {
    session_.showLeft = left || !right;
    session_.showRight = right;
    if (scene_) {
        scene_->setOptions(render::sceneOptions(session_));
        updateColorBar();
        viewport_->requestRender();
        emit sceneChanged();
    }
}

void SceneController::setShading(const std::string& shading, bool binarize) {
    session_.shading = shading;
    session_.binarizeShading = binarize;
    if (scene_) {
        scene_->setOptions(render::sceneOptions(session_));
        viewport_->requestRender();
        emit sceneChanged();
    }
}

void SceneController::setView(render::View view, std::optional<render::Hemisphere> hemisphere) {
    session_.view = render::toString(view);
    if (view == render::View::Medial && hemisphere) {
        session_.showLeft = *hemisphere == render::Hemisphere::Left;
        session_.showRight = *hemisphere == render::Hemisphere::Right;
    } else if (view != render::View::Lateral || !hemisphere) {
        session_.showLeft = session_.showRight = true;
    }
    if (!scene_) return;
    scene_->setOptions(render::sceneOptions(session_));
    const QSize size = viewport_->size();
    const double aspect = size.height() > 0 ? double(size.width()) / size.height() : 4.0 / 3.0;
    scene_->applyView(viewport_->renderer(), view, hemisphere, aspect);
    viewport_->requestRender();
    emit sceneChanged();
}

void SceneController::applyCamera(const io::CameraState& c) {
    auto* cam = viewport_->renderer()->GetActiveCamera();
    cam->SetPosition(c.position.data());
    cam->SetFocalPoint(c.focalPoint.data());
    cam->SetViewUp(c.viewUp.data());
    cam->SetViewAngle(c.viewAngle);
    cam->SetParallelScale(c.parallelScale);
    cam->SetParallelProjection(c.parallelProjection);
    viewport_->renderer()->ResetCameraClippingRange();
    viewport_->requestRender();
}

void SceneController::applySession(const io::Session& session) {
    const bool sameSpace = space_ && session.space == session_.space;
    session_ = session;
    session_.layers.clear();
    layers_.clear();
    pendingCamera_ = session.camera;
    if (!sameSpace) {
        session_.layers = session.layers;  // loaded by loadSpace once the space is ready
        loadSpace(QString::fromStdString(session.space));
        return;
    }
    rebuildScene();
    if (pending_++ == 0) emit busyChanged(true);
    for (const auto& l : session.layers) addLayer(l);
    finishPending();
}

void SceneController::rebuildScene() {
    if (!space_) return;
    auto* renderer = viewport_->renderer();
    if (scene_) scene_->removeFrom(renderer);
    std::vector<render::OverlayLayer> layers;
    for (std::size_t i = 0; i < layers_.size(); ++i) layers.push_back(render::overlayLayer(session_.layers[i], *layers_[i]));
    scene_ = std::make_unique<render::SurfaceScene>(*space_, render::sceneOptions(session_), std::move(layers));
    scene_->addTo(renderer);
    renderer->SetBackground(session_.background.data());
    if (!viewInitialised_) {
        const QSize size = viewport_->size();
        const double aspect = size.height() > 0 ? double(size.width()) / size.height() : 4.0 / 3.0;
        scene_->applyView(renderer, render::viewFromString(session_.view), std::nullopt, aspect);
        viewInitialised_ = true;
    } else {
        renderer->ResetCameraClippingRange();
    }
    updateColorBar();
    viewport_->requestRender();
    emit sceneChanged();
}

void SceneController::refreshLayers() {
    if (!scene_) return;
    std::vector<render::OverlayLayer> layers;
    for (std::size_t i = 0; i < layers_.size(); ++i) layers.push_back(render::overlayLayer(session_.layers[i], *layers_[i]));
    auto* renderer = viewport_->renderer();
    scene_->removeFrom(renderer);  // border actors may change
    scene_->setLayers(std::move(layers));
    scene_->addTo(renderer);
    updateColorBar();
    viewport_->requestRender();
    emit sceneChanged();
}

void SceneController::updateColorBar() {
    auto* renderer = viewport_->renderer();
    if (colorBar_) renderer->RemoveActor2D(colorBar_);
    colorBar_ = scene_ ? scene_->makeColorBar() : nullptr;
    if (!colorBar_) return;
    colorBar_->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    colorBar_->SetPosition(0.3, 0.02);
    colorBar_->SetWidth(0.4);
    colorBar_->SetHeight(0.09);
    renderer->AddActor2D(colorBar_);
}

render::Image SceneController::renderFigureImage(const render::FigureSpec& spec) const {
    if (!space_) throw Error("no surfaces loaded yet");
    std::vector<render::OverlayLayer> layers;
    for (std::size_t i = 0; i < layers_.size(); ++i) layers.push_back(render::overlayLayer(session_.layers[i], *layers_[i]));
    return render::renderFigure(*space_, render::sceneOptions(session_), layers, spec);
}

} // namespace nm::widgets
