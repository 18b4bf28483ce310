#pragma once
// The surface scene shown in the viewport and its state (an io::Session: space, surface, layers
// with their display settings, camera). Loading and projecting run on worker threads; results are
// applied on the GUI thread. Numerical work stays in core; drawing is render::SurfaceScene, the
// same code the CLI uses for headless figures.
#include "Figure.hpp"
#include "SurfaceScene.hpp"
#include "anatomy/Overlay.hpp"
#include "io/Session.hpp"

#include <QObject>
#include <QString>

#include <vtkSmartPointer.h>

#include <memory>
#include <optional>
#include <vector>

class vtkScalarBarActor;

namespace nm::widgets {

class VtkViewport;

class SceneController : public QObject {
    Q_OBJECT
public:
    explicit SceneController(VtkViewport* viewport, QObject* parent = nullptr);
    ~SceneController() override;

    [[nodiscard]] const io::Session& state() const { return session_; }
    /// The state with the viewport's current camera.
    [[nodiscard]] io::Session snapshot() const;
    [[nodiscard]] bool spaceReady() const { return space_ != nullptr; }
    [[nodiscard]] const anatomy::SurfaceSpace* space() const { return space_.get(); }
    [[nodiscard]] render::SurfaceScene* scene() const { return scene_.get(); }
    [[nodiscard]] int layerCount() const { return int(layers_.size()); }
    [[nodiscard]] const io::SessionLayer& layer(int index) const { return session_.layers.at(std::size_t(index)); }
    [[nodiscard]] const anatomy::SurfaceOverlay& layerData(int index) const { return *layers_.at(std::size_t(index)); }
    /// Maps in a layer's file (columns).
    [[nodiscard]] int mapCount(int index) const;
    /// Operations still running in worker threads.
    [[nodiscard]] int pending() const { return pending_; }

    /// Loads a space (template, fsaverage5, directory) in the background; layers are reloaded
    /// onto it. Emits spaceLoaded or failed.
    void loadSpace(const QString& spec);
    /// Reads and projects a layer's file in the background; emits layerAdded or failed.
    void addLayer(const io::SessionLayer& layer);
    void removeLayer(int index);
    /// Changes a layer's display settings (file/map/labels changes reload its data).
    void setLayer(int index, const io::SessionLayer& layer);
    void moveLayer(int from, int to);

    void setSurface(const std::string& surface);
    void setHemispheres(bool left, bool right);
    void setShading(const std::string& shading, bool binarize);
    /// Standard view; medial views show only their hemisphere.
    void setView(render::View view, std::optional<render::Hemisphere> hemisphere = std::nullopt);
    /// Replaces the whole state: space, layers (reloaded) and, once they are shown, the camera.
    void applySession(const io::Session& session);
    void setFigureSettings(const io::FigureSettings& figure) { session_.figure = figure; }

    /// The figure of the current state, rendered off-screen with the CLI's code path.
    [[nodiscard]] render::Image renderFigureImage(const render::FigureSpec& spec) const;

signals:
    void spaceLoaded(double seconds, bool fromCache);
    void layerAdded(int index);
    void layersChanged();
    void sceneChanged();
    /// A background operation failed; `what` names the file or the space.
    void failed(const QString& what, const QString& error);
    void busyChanged(bool busy);

private:
    void rebuildScene();
    void refreshLayers();
    void updateColorBar();
    void applyCamera(const io::CameraState& camera);
    void finishPending();

    VtkViewport* viewport_;
    io::Session session_;
    std::shared_ptr<const anatomy::SurfaceSpace> space_;
    std::vector<std::shared_ptr<const anatomy::SurfaceOverlay>> layers_;
    std::unique_ptr<render::SurfaceScene> scene_;
    vtkSmartPointer<vtkScalarBarActor> colorBar_;
    std::optional<io::CameraState> pendingCamera_;
    int pending_ = 0;
    int generation_ = 0;  ///< drops results of loads started before the last space change
    bool viewInitialised_ = false;
};

} // namespace nm::widgets
