#include "SessionScene.hpp"

#include "common/Error.hpp"

namespace nm::render {

anatomy::SurfaceOverlay loadLayerData(const io::SessionLayer& layer, const anatomy::SurfaceSpace& space) {
    anatomy::OverlayOptions o;
    o.labels = layer.labels;
    o.atlasScale = layer.scale;
    o.atlasMosaic = layer.mosaic;
    o.hemisphere = anatomy::hemisphereFromName(std::filesystem::path(layer.file).filename().string());
    auto data = anatomy::loadSurfaceOverlay(layer.file, space, o);
    const auto maps = std::max(data.left.cols(), data.right.cols());
    if (layer.map >= maps && !layer.mosaic)
        throw fileError(layer.file, "map", "index " + std::to_string(layer.map) + " requested, the file has " +
                                               std::to_string(maps) + " map(s)");
    return data;
}

SceneOptions sceneOptions(const io::Session& s) {
    SceneOptions o;
    o.surface = s.surface;
    o.showLeft = s.showLeft;
    o.showRight = s.showRight;
    o.shading = s.shading == "curv" ? SceneOptions::Shading::Curv
                : s.shading == "none" ? SceneOptions::Shading::None
                                      : SceneOptions::Shading::Sulc;
    o.binarizeShading = s.binarizeShading;
    o.background = s.background;
    return o;
}

OverlayLayer overlayLayer(const io::SessionLayer& l, const anatomy::SurfaceOverlay& data) {
    OverlayLayer out;
    out.name = !l.name.empty() ? l.name : std::filesystem::path(l.file).filename().string();
    const int map = l.mosaic ? 0 : l.map;  // a mosaic is one categorical map
    if (data.left.cols() > map) out.left = data.left.col(map);
    if (data.right.cols() > map) out.right = data.right.col(map);
    out.categorical = data.categorical;
    for (const auto& [k, c] : data.labelColors) out.labelColors[k] = {c[0], c[1], c[2]};
    out.labelNames = data.labelNames;
    out.colormap = !l.colormap.empty() && !l.mosaic ? l.colormap : (data.categorical ? "categorical" : "cold_hot");
    out.vmin = l.vmin;
    out.vmax = l.vmax;
    out.threshold = l.mosaic ? 0.0 : l.threshold;
    out.sign = l.mosaic ? OverlayLayer::Sign::Both
               : l.sign == "positive" ? OverlayLayer::Sign::Positive
               : l.sign == "negative" ? OverlayLayer::Sign::Negative
                                      : OverlayLayer::Sign::Both;
    out.opacity = l.opacity;
    if (l.mosaic) {
        // Soft alpha: a component's colour fades where it loads weakly (a quarter at the threshold).
        auto soft = [](const Eigen::VectorXf& w) { return Eigen::VectorXf((0.25f + 0.75f * w.array().sqrt()).min(1.0f)); };
        if (data.leftWeight.size()) out.alphaLeft = soft(data.leftWeight);
        if (data.rightWeight.size()) out.alphaRight = soft(data.rightWeight);
    }
    out.borders = l.borders;
    out.visible = l.visible;
    return out;
}

FigureSpec figureSpec(const io::Session& s) {
    FigureSpec f;
    f.views.clear();
    for (const auto& v : s.figure.views) f.views.push_back(viewFromString(v));
    f.montage = s.figure.montage;
    f.scale = s.figure.scale;
    f.title = s.figure.title;
    f.panelWidth = s.figure.panelWidth;
    f.panelHeight = s.figure.panelHeight;
    return f;
}

Image renderSession(const io::Session& s, jobs::Progress* progress) {
    jobs::Progress local;
    jobs::Progress& p = progress ? *progress : local;
    p.plan({{"surfaces", 2}, {"layers", 3}, {"render", 1}});
    p.begin("surfaces", s.space);
    auto child = p.child();
    const anatomy::SurfaceSpace space = anatomy::loadSurfaceSpace(s.space, &child);
    p.begin("layers");
    std::vector<OverlayLayer> layers;
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        layers.push_back(overlayLayer(s.layers[i], loadLayerData(s.layers[i], space)));
        p.update(i + 1, s.layers.size());
    }
    p.begin("render");
    Image img = renderFigure(space, sceneOptions(s), layers, figureSpec(s));
    p.finish();
    return img;
}

} // namespace nm::render
