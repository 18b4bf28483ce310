#include "LayerPanel.hpp"

#include "ColorMap.hpp"
#include "SceneController.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace nm::widgets {

LayerPanel::LayerPanel(SceneController* controller, QWidget* parent) : QWidget(parent), controller_(controller) {
    auto* surfaceBox = new QGroupBox(tr("Surface"), this);
    surface_ = new QComboBox(surfaceBox);
    surface_->setObjectName("surfaceBox");
    surface_->addItems({"inflated", "pial", "midthickness", "white", "sphere"});
    surface_->setToolTip(tr("Which cortical surface the maps are drawn on"));
    hemispheres_ = new QComboBox(surfaceBox);
    hemispheres_->addItems({tr("Both"), tr("Left"), tr("Right")});
    shading_ = new QComboBox(surfaceBox);
    shading_->addItems({"sulc", "curv", "none"});
    shading_->setToolTip(tr("Background shading: sulcal depth, curvature, or flat grey"));
    binarize_ = new QCheckBox(tr("Binary shading"), surfaceBox);
    auto* sf = new QFormLayout(surfaceBox);
    sf->addRow(tr("Surface"), surface_);
    sf->addRow(tr("Hemispheres"), hemispheres_);
    sf->addRow(tr("Shading"), shading_);
    sf->addRow(binarize_);

    layerBox_ = new QGroupBox(tr("Layer"), this);
    layerTitle_ = new QLabel(tr("No layer selected"), layerBox_);
    layerTitle_->setWordWrap(true);
    colormap_ = new QComboBox(layerBox_);
    colormap_->setObjectName("colormapBox");
    for (const auto& n : render::ColorMap::names()) {
        colormap_->addItem(QString::fromStdString(n));
        if (n != "categorical") colormap_->addItem(QString::fromStdString(n + "_r"));
    }
    threshold_ = new QDoubleSpinBox(layerBox_);
    threshold_->setObjectName("thresholdBox");
    threshold_->setDecimals(3);
    threshold_->setRange(0.0, 1e9);
    threshold_->setToolTip(tr("Values with |value| below the threshold are not drawn"));
    autoRange_ = new QCheckBox(tr("Automatic range"), layerBox_);
    vmin_ = new QDoubleSpinBox(layerBox_);
    vmax_ = new QDoubleSpinBox(layerBox_);
    for (auto* b : {vmin_, vmax_}) {
        b->setDecimals(3);
        b->setRange(-1e9, 1e9);
    }
    sign_ = new QComboBox(layerBox_);
    sign_->addItems({"both", "positive", "negative"});
    opacity_ = new QSlider(Qt::Horizontal, layerBox_);
    opacity_->setObjectName("opacitySlider");
    opacity_->setRange(0, 100);
    borders_ = new QCheckBox(tr("Borders between labels"), layerBox_);
    map_ = new QSpinBox(layerBox_);
    map_->setToolTip(tr("Which map of a multi-map file (4-D volume, several arrays)"));
    auto* lf = new QFormLayout(layerBox_);
    lf->addRow(layerTitle_);
    lf->addRow(tr("Colour map"), colormap_);
    lf->addRow(tr("Threshold"), threshold_);
    lf->addRow(autoRange_);
    lf->addRow(tr("Minimum"), vmin_);
    lf->addRow(tr("Maximum"), vmax_);
    lf->addRow(tr("Values"), sign_);
    lf->addRow(tr("Opacity"), opacity_);
    lf->addRow(borders_);
    lf->addRow(tr("Map"), map_);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(surfaceBox);
    layout->addWidget(layerBox_);
    layout->addStretch(1);

    for (auto* box : {surface_, hemispheres_, shading_})
        connect(box, &QComboBox::currentIndexChanged, this, [this] { pushSurface(); });
    connect(binarize_, &QCheckBox::toggled, this, [this] { pushSurface(); });
    for (auto* box : {colormap_, sign_}) connect(box, &QComboBox::currentIndexChanged, this, [this] { pushLayer(); });
    for (auto* box : {threshold_, vmin_, vmax_}) connect(box, &QDoubleSpinBox::valueChanged, this, [this] { pushLayer(); });
    for (auto* box : {autoRange_, borders_}) connect(box, &QCheckBox::toggled, this, [this] { pushLayer(); });
    connect(opacity_, &QSlider::valueChanged, this, [this] { pushLayer(); });
    connect(map_, &QSpinBox::valueChanged, this, [this] { pushLayer(); });
    connect(controller_, &SceneController::sceneChanged, this, [this] { syncFromController(); });
    connect(controller_, &SceneController::layersChanged, this, [this] {
        if (layer_ >= controller_->layerCount()) layer_ = controller_->layerCount() - 1;
        syncFromController();
    });
    syncFromController();
}

void LayerPanel::setCurrentLayer(int index) {
    layer_ = index;
    syncFromController();
}

void LayerPanel::syncFromController() {
    syncing_ = true;
    const auto& s = controller_->state();
    surface_->setCurrentText(QString::fromStdString(s.surface));
    hemispheres_->setCurrentIndex(s.showLeft && s.showRight ? 0 : s.showLeft ? 1 : 2);
    shading_->setCurrentText(QString::fromStdString(s.shading));
    binarize_->setChecked(s.binarizeShading);
    const bool on = layer_ >= 0 && layer_ < controller_->layerCount();
    layerBox_->setEnabled(on);
    if (on) {
        const auto& l = controller_->layer(layer_);
        const auto& data = controller_->layerData(layer_);
        QString title = QStringLiteral("<b>%1</b>").arg(QString::fromStdString(
            (l.name.empty() ? (data.name.empty() ? std::filesystem::path(l.file).filename().string() : data.name) : l.name)).toHtmlEscaped());
        if (l.map >= 0 && std::size_t(l.map) < data.mapNames.size())  // atlas components have names
            title += QStringLiteral("<br>%1 %2").arg(l.map).arg(QString::fromStdString(data.mapNames[std::size_t(l.map)]).toHtmlEscaped());
        layerTitle_->setText(title);
        // A form row does not grow with a wrapped label by itself: reserve the lines it needs.
        layerTitle_->setMinimumHeight(layerTitle_->heightForWidth(std::max(layerTitle_->width(), 160)));
        const std::string cmap = !l.colormap.empty() ? l.colormap : (data.categorical ? "categorical" : "cold_hot");
        colormap_->setCurrentText(QString::fromStdString(cmap));
        threshold_->setValue(l.threshold);
        const bool automatic = !l.vmin && !l.vmax;
        autoRange_->setChecked(automatic);
        if (controller_->scene() && std::size_t(layer_) < controller_->scene()->layers().size()) {
            const auto r = controller_->scene()->range(std::size_t(layer_));
            vmin_->setValue(l.vmin ? *l.vmin : r.vmin);
            vmax_->setValue(l.vmax ? *l.vmax : r.vmax);
        }
        vmin_->setEnabled(!automatic && !data.categorical);
        vmax_->setEnabled(!automatic && !data.categorical);
        threshold_->setEnabled(!data.categorical);
        colormap_->setEnabled(!data.categorical);
        sign_->setCurrentText(QString::fromStdString(l.sign));
        opacity_->setValue(int(std::lround(l.opacity * 100)));
        borders_->setEnabled(data.categorical);
        borders_->setChecked(l.borders);
        map_->setRange(0, std::max(0, controller_->mapCount(layer_) - 1));
        map_->setValue(l.map);
        map_->setEnabled(controller_->mapCount(layer_) > 1);
    } else {
        layerTitle_->setText(tr("No layer selected"));
        layerTitle_->setMinimumHeight(0);
    }
    syncing_ = false;
}

void LayerPanel::pushSurface() {
    if (syncing_) return;
    const auto& s = controller_->state();
    const std::string surface = surface_->currentText().toStdString();
    if (surface != s.surface) controller_->setSurface(surface);
    const int h = hemispheres_->currentIndex();
    const bool left = h != 2, right = h != 1;
    if (left != s.showLeft || right != s.showRight) controller_->setHemispheres(left, right);
    const std::string shading = shading_->currentText().toStdString();
    if (shading != s.shading || binarize_->isChecked() != s.binarizeShading) controller_->setShading(shading, binarize_->isChecked());
}

void LayerPanel::pushLayer() {
    if (syncing_ || layer_ < 0 || layer_ >= controller_->layerCount()) return;
    io::SessionLayer l = controller_->layer(layer_);
    const auto& data = controller_->layerData(layer_);
    if (!data.categorical) l.colormap = colormap_->currentText().toStdString();
    l.threshold = threshold_->value();
    if (autoRange_->isChecked()) {
        l.vmin.reset();
        l.vmax.reset();
    } else {
        l.vmin = vmin_->value();
        l.vmax = std::max(vmax_->value(), vmin_->value() + 1e-6);
    }
    l.sign = sign_->currentText().toStdString();
    l.opacity = opacity_->value() / 100.0;
    l.borders = borders_->isChecked();
    l.map = map_->value();
    controller_->setLayer(layer_, l);
}

} // namespace nm::widgets
