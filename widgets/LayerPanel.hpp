#pragma once
// The properties panel: surface settings (surface, hemispheres, shading) and the display settings
// of the selected layer (colour map, threshold, range, sign, opacity, borders, map index).
// It edits the SceneController's state and holds none of its own.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace nm::widgets {

class SceneController;

class LayerPanel : public QWidget {
    Q_OBJECT
public:
    explicit LayerPanel(SceneController* controller, QWidget* parent = nullptr);
    /// The layer whose settings are edited (−1: none).
    void setCurrentLayer(int index);
    [[nodiscard]] int currentLayer() const { return layer_; }

    // For tests and automation.
    [[nodiscard]] QComboBox* surfaceBox() const { return surface_; }
    [[nodiscard]] QComboBox* colormapBox() const { return colormap_; }
    [[nodiscard]] QDoubleSpinBox* thresholdBox() const { return threshold_; }
    [[nodiscard]] QSlider* opacitySlider() const { return opacity_; }

private:
    void syncFromController();
    void pushSurface();
    void pushLayer();

    SceneController* controller_;
    int layer_ = -1;
    bool syncing_ = false;
    QComboBox *surface_, *hemispheres_, *shading_, *colormap_, *sign_;
    QCheckBox *binarize_, *autoRange_, *borders_;
    QDoubleSpinBox *threshold_, *vmin_, *vmax_;
    QSlider* opacity_;
    QSpinBox* map_;
    QLabel* layerTitle_;
    QGroupBox* layerBox_;
};

} // namespace nm::widgets
