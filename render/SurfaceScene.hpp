#pragma once
// A VTK scene of cortical surfaces with overlay layers, without Qt: shared by the GUI's viewport
// and by `neuromosaic-cli render` (headless), so both draw the same figure.
//  - background shading from sulcal depth or curvature (grey ramp or binarised);
//  - overlay layers blended in order, each with a colour map, range, threshold, sign filter and
//    opacity; categorical layers (labels, parcellations) with their own colours and borders;
//  - hemispheres separated automatically on inflated and spherical surfaces;
//  - the standard views (lateral, medial, dorsal, ventral, anterior, posterior) per hemisphere.
#include "ColorMap.hpp"
#include "anatomy/Surfaces.hpp"

#include <Eigen/Core>
#include <vtkSmartPointer.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

class vtkActor;
class vtkRenderer;
class vtkScalarBarActor;
class vtkPolyData;

namespace nm::render {

using anatomy::Hemisphere;

enum class View { Lateral, Medial, Dorsal, Ventral, Anterior, Posterior };
View viewFromString(const std::string& name);  ///< throws nm::InputError naming the choices
std::string toString(View view);

struct OverlayLayer {
    std::string name;
    Eigen::VectorXf left, right;       ///< per-vertex values; empty: nothing on that hemisphere
    std::string colormap = "cold_hot";
    std::optional<double> vmin, vmax;  ///< default: from the data (symmetric for two-tailed maps)
    double threshold = 0.0;            ///< |value| < threshold is not drawn
    enum class Sign { Both, Positive, Negative } sign = Sign::Both;
    double opacity = 1.0;
    Eigen::VectorXf alphaLeft, alphaRight;  ///< optional per-vertex opacity factors (0–1), e.g. a mosaic's weights
    bool categorical = false;          ///< integer labels (≤ 0 = unlabelled)
    std::map<int, Rgb> labelColors;    ///< categorical colours (default: labelColor(label))
    std::map<int, std::string> labelNames;
    bool borders = false;              ///< draw the borders between labels
    bool visible = true;
};

struct SceneOptions {
    std::string surface = "inflated";  ///< white, pial, midthickness, inflated, sphere
    bool showLeft = true, showRight = true;
    enum class Shading { Sulc, Curv, None } shading = Shading::Sulc;
    bool binarizeShading = false;
    float shadingDark = 0.42f, shadingLight = 0.78f;
    std::array<double, 3> background{1.0, 1.0, 1.0};
    double hemisphereGap = 12.0;       ///< mm between hemispheres on inflated/sphere surfaces
    std::array<double, 3> borderColor{0.0, 0.0, 0.0};
    double borderWidth = 2.0;
};

/// The resolved colour range of a layer and whether it is two-tailed.
struct LayerRange {
    double vmin = 0.0, vmax = 1.0;
    bool diverging = false;
};

class SurfaceScene {
public:
    SurfaceScene(const anatomy::SurfaceSpace& space, SceneOptions options = {}, std::vector<OverlayLayer> layers = {});
    ~SurfaceScene();
    SurfaceScene(const SurfaceScene&) = delete;
    SurfaceScene& operator=(const SurfaceScene&) = delete;

    [[nodiscard]] const SceneOptions& options() const { return options_; }
    void setOptions(const SceneOptions& options);
    [[nodiscard]] const std::vector<OverlayLayer>& layers() const { return layers_; }
    void setLayers(std::vector<OverlayLayer> layers);
    /// Validates layer sizes against the surfaces (throws nm::InputError naming the layer).
    void validate() const;

    [[nodiscard]] const anatomy::SurfaceSpace& space() const { return space_; }
    [[nodiscard]] vtkActor* surfaceActor(Hemisphere h) const;
    [[nodiscard]] vtkActor* borderActor(Hemisphere h) const;  ///< null without borders
    /// True when the hemisphere's surface is closed and oriented outward, so its back faces are not drawn.
    [[nodiscard]] bool backFacesCulled(Hemisphere h) const;
    /// Adds the actors (both hemispheres, or one) to a renderer.
    void addTo(vtkRenderer* renderer, std::optional<Hemisphere> only = std::nullopt) const;
    void removeFrom(vtkRenderer* renderer) const;

    /// The range used for a layer (after defaults).
    [[nodiscard]] LayerRange range(std::size_t layer) const;
    /// The first visible, non-categorical layer (its colour bar is the figure's), or −1.
    [[nodiscard]] int colorBarLayer() const;
    /// A horizontal colour bar for colorBarLayer(), or null.
    [[nodiscard]] vtkSmartPointer<vtkScalarBarActor> makeColorBar() const;

    /// Points the renderer's camera (parallel projection) at one hemisphere, or both.
    /// `extentScale` > 0 forces the parallel scale (so several panels share one zoom).
    void applyView(vtkRenderer* renderer, View view, std::optional<Hemisphere> hemisphere,
                   double aspect = 4.0 / 3.0, double extentScale = 0.0) const;
    /// Parallel scale that fits every hemisphere in every standard side view at this aspect.
    [[nodiscard]] double commonScale(double aspect) const;

    /// Displayed position of a vertex (after the hemisphere separation).
    [[nodiscard]] Eigen::Vector3d displayedVertex(Hemisphere h, Eigen::Index vertex) const;
    [[nodiscard]] Eigen::Vector3d displayOffset(Hemisphere h) const;
    /// RGB (0–255) of every vertex as drawn, for tests and picking feedback.
    [[nodiscard]] std::vector<std::array<unsigned char, 3>> vertexColors(Hemisphere h) const;

private:
    struct Hemi;
    void rebuildGeometry();
    void recolor();
    Hemi& hemi(Hemisphere h) const;

    const anatomy::SurfaceSpace& space_;
    SceneOptions options_;
    std::vector<OverlayLayer> layers_;
    std::unique_ptr<Hemi> left_, right_;
};

} // namespace nm::render
