#include "SurfaceScene.hpp"

#include "anatomy/MeshGeometry.hpp"
#include "anatomy/VtkMesh.hpp"
#include "common/Error.hpp"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkDoubleArray.h>
#include <vtkFloatArray.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nm::render {

View viewFromString(const std::string& name) {
    if (name == "lateral") return View::Lateral;
    if (name == "medial") return View::Medial;
    if (name == "dorsal" || name == "superior") return View::Dorsal;
    if (name == "ventral" || name == "inferior") return View::Ventral;
    if (name == "anterior") return View::Anterior;
    if (name == "posterior") return View::Posterior;
    throw InputError("view '" + name + "': expected lateral, medial, dorsal, ventral, anterior or posterior");
}

std::string toString(View view) {
    switch (view) {
    case View::Lateral: return "lateral";
    case View::Medial: return "medial";
    case View::Dorsal: return "dorsal";
    case View::Ventral: return "ventral";
    case View::Anterior: return "anterior";
    case View::Posterior: return "posterior";
    }
    return "lateral";
}

struct SurfaceScene::Hemi {
    Hemisphere side = Hemisphere::Left;
    const anatomy::HemisphereSurfaces* surfaces = nullptr;
    const Mesh* mesh = nullptr;
    vtkSmartPointer<vtkPolyData> poly;
    vtkSmartPointer<vtkUnsignedCharArray> colors;
    vtkSmartPointer<vtkActor> actor;
    vtkSmartPointer<vtkActor> borders;
    Vertices normals;
    bool culled = false;  ///< back faces not drawn (closed, outward-oriented mesh)
    Eigen::Vector3d offset = Eigen::Vector3d::Zero();
};

namespace {

std::pair<float, float> robustRange(const Eigen::VectorXf& values) {
    std::vector<float> v;
    v.reserve(std::size_t(values.size()));
    for (Eigen::Index i = 0; i < values.size(); ++i)
        if (std::isfinite(values[i])) v.push_back(values[i]);
    if (v.empty()) return {0.0f, 1.0f};
    auto q = [&](double p) {
        auto it = v.begin() + std::ptrdiff_t(p * double(v.size() - 1));
        std::nth_element(v.begin(), it, v.end());
        return *it;
    };
    const float lo = q(0.02), hi = q(0.98);
    return {lo, hi > lo ? hi : lo + 1.0f};
}

bool passes(const OverlayLayer& l, float x) {
    if (!std::isfinite(x)) return false;
    if (l.categorical) return std::lround(x) > 0;
    if (std::abs(x) < l.threshold) return false;
    if (l.sign == OverlayLayer::Sign::Positive && x <= 0) return false;
    if (l.sign == OverlayLayer::Sign::Negative && x >= 0) return false;
    return true;
}

} // namespace

SurfaceScene::SurfaceScene(const anatomy::SurfaceSpace& space, SceneOptions options, std::vector<OverlayLayer> layers)
    : space_(space), options_(std::move(options)), layers_(std::move(layers)), left_(std::make_unique<Hemi>()),
      right_(std::make_unique<Hemi>()) {
    left_->side = Hemisphere::Left;
    right_->side = Hemisphere::Right;
    validate();
    rebuildGeometry();
}

SurfaceScene::~SurfaceScene() = default;

SurfaceScene::Hemi& SurfaceScene::hemi(Hemisphere h) const { return h == Hemisphere::Left ? *left_ : *right_; }

void SurfaceScene::validate() const {
    for (const auto& l : layers_) {
        for (auto h : {Hemisphere::Left, Hemisphere::Right}) {
            const auto& values = h == Hemisphere::Left ? l.left : l.right;
            const auto n = space_.hemisphere(h).vertexCount();
            if (values.size() != 0 && values.size() != n)
                throw InputError("layer '" + l.name + "': " + std::to_string(values.size()) + " values for the " +
                                 anatomy::toString(h) + " hemisphere, which has " + std::to_string(n) + " vertices");
        }
        if (!l.categorical) ColorMap::named(l.colormap);  // throws for an unknown name
        if (l.opacity < 0 || l.opacity > 1) throw InputError("layer '" + l.name + "': opacity must be in [0, 1]");
    }
}

void SurfaceScene::setOptions(const SceneOptions& options) {
    const bool geometry = options.surface != options_.surface || options.hemisphereGap != options_.hemisphereGap ||
                          options.showLeft != options_.showLeft || options.showRight != options_.showRight;
    options_ = options;
    if (geometry) rebuildGeometry();
    else recolor();
}

void SurfaceScene::setLayers(std::vector<OverlayLayer> layers) {
    std::swap(layers_, layers);
    try {
        validate();
    } catch (...) {
        std::swap(layers_, layers);
        throw;
    }
    recolor();
}

void SurfaceScene::rebuildGeometry() {
    for (auto* h : {left_.get(), right_.get()}) {
        h->surfaces = &space_.hemisphere(h->side);
        h->mesh = &h->surfaces->surface(options_.surface);
        h->poly = toPolyData(*h->mesh);
        h->normals = anatomy::vertexNormals(*h->mesh);
        auto normals = vtkSmartPointer<vtkFloatArray>::New();
        normals->SetNumberOfComponents(3);
        normals->SetName("Normals");
        normals->SetNumberOfTuples(h->mesh->vertexCount());
        std::copy(h->normals.data(), h->normals.data() + h->normals.size(), static_cast<float*>(normals->GetVoidPointer(0)));
        h->poly->GetPointData()->SetNormals(normals);
        h->colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
        h->colors->SetNumberOfComponents(3);
        h->colors->SetName("Colors");
        h->colors->SetNumberOfTuples(h->mesh->vertexCount());
        h->poly->GetPointData()->SetScalars(h->colors);
        auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        mapper->SetInputData(h->poly);
        mapper->SetColorModeToDirectScalars();
        mapper->SetScalarModeToUsePointData();
        mapper->ScalarVisibilityOn();
        h->actor = vtkSmartPointer<vtkActor>::New();
        h->actor->SetMapper(mapper);
        auto* p = h->actor->GetProperty();
        p->SetAmbient(0.12);
        p->SetDiffuse(0.85);
        p->SetSpecular(0.08);
        p->SetSpecularPower(15);
        p->SetInterpolationToPhong();
        // A closed surface oriented outward hides its back faces: not drawing them halves the
        // triangles the rasterizer sets up (software OpenGL: 40 → 26 ms a frame on the demo).
        // Decimated isosurfaces keep a few defects (the template: 8 and 5 of 240,000 directed edges,
        // where a back face could show through a pinhole); open or inconsistently oriented meshes
        // (a cut or flat surface) keep both sides.
        const std::int64_t defects = anatomy::orientationDefects(*h->mesh);
        h->culled = defects >= 0 && defects * 10000 <= 3 * std::int64_t(h->mesh->triangleCount()) && anatomy::signedVolume(*h->mesh) > 0;
        p->SetBackfaceCulling(h->culled);
        h->borders = nullptr;
    }
    // Inflated and spherical surfaces of the two hemispheres overlap: move them apart.
    left_->offset.setZero();
    right_->offset.setZero();
    if (options_.surface == "inflated" || options_.surface == "infl" || options_.surface == "sphere") {
        const double maxLeft = left_->mesh->vertices.col(0).maxCoeff();
        const double minRight = right_->mesh->vertices.col(0).minCoeff();
        left_->offset.x() = -options_.hemisphereGap / 2.0 - maxLeft;
        right_->offset.x() = options_.hemisphereGap / 2.0 - minRight;
    }
    for (auto* h : {left_.get(), right_.get()}) h->actor->SetPosition(h->offset.data());
    recolor();
}

LayerRange SurfaceScene::range(std::size_t index) const {
    const auto& l = layers_.at(index);
    LayerRange r;
    if (l.categorical) return r;
    const ColorMap cmap = ColorMap::named(l.colormap);
    r.diverging = cmap.diverging();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, absMax = 0.0;
    for (const auto* values : {&l.left, &l.right})
        for (Eigen::Index i = 0; i < values->size(); ++i) {
            const float x = (*values)[i];
            if (!passes(l, x)) continue;
            lo = std::min(lo, double(x));
            hi = std::max(hi, double(x));
            absMax = std::max(absMax, std::abs(double(x)));
        }
    if (!std::isfinite(lo)) {
        lo = 0.0;
        hi = 1.0;
        absMax = 1.0;
    }
    if (r.diverging) {
        const double m = l.vmax ? std::abs(*l.vmax) : (l.vmin ? std::abs(*l.vmin) : absMax);
        r.vmin = l.vmin ? *l.vmin : -m;
        r.vmax = l.vmax ? *l.vmax : m;
    } else {
        r.vmin = l.vmin ? *l.vmin : (l.threshold > 0 && l.sign != OverlayLayer::Sign::Negative ? l.threshold : lo);
        r.vmax = l.vmax ? *l.vmax : hi;
    }
    if (!(r.vmax > r.vmin)) r.vmax = r.vmin + 1.0;
    return r;
}

void SurfaceScene::recolor() {
    std::vector<LayerRange> ranges;
    std::vector<std::optional<ColorMap>> maps;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        ranges.push_back(range(i));
        maps.push_back(layers_[i].categorical ? std::nullopt : std::optional<ColorMap>(ColorMap::named(layers_[i].colormap)));
    }
    for (auto* h : {left_.get(), right_.get()}) {
        const Eigen::Index n = h->mesh->vertexCount();
        std::vector<Rgb> rgb(static_cast<std::size_t>(n));
        const Eigen::VectorXf* shade = options_.shading == SceneOptions::Shading::Sulc   ? &h->surfaces->sulc
                                       : options_.shading == SceneOptions::Shading::Curv ? &h->surfaces->curv
                                                                                         : nullptr;
        const float dark = options_.shadingDark, light = options_.shadingLight;
        if (shade && shade->size() == n) {
            const auto [lo, hi] = robustRange(*shade);
            for (Eigen::Index v = 0; v < n; ++v) {
                const float x = (*shade)[v];
                // Sulci (positive) dark, gyri light, as FreeSurfer and nilearn draw them.
                const float t = options_.binarizeShading ? (x > 0 ? 1.0f : 0.0f) : std::clamp((x - lo) / (hi - lo), 0.0f, 1.0f);
                const float g = light - (light - dark) * t;
                rgb[std::size_t(v)] = {g, g, g};
            }
        } else {
            for (auto& c : rgb) c = {light, light, light};
        }
        for (std::size_t li = 0; li < layers_.size(); ++li) {
            const auto& l = layers_[li];
            if (!l.visible) continue;
            const Eigen::VectorXf& values = h->side == Hemisphere::Left ? l.left : l.right;
            if (values.size() != n) continue;
            const Eigen::VectorXf& alpha = h->side == Hemisphere::Left ? l.alphaLeft : l.alphaRight;
            const bool perVertex = alpha.size() == n;
            for (Eigen::Index v = 0; v < n; ++v) {
                const float x = values[v];
                if (!passes(l, x)) continue;
                const float a = float(l.opacity) * (perVertex ? std::clamp(alpha[v], 0.0f, 1.0f) : 1.0f);
                Rgb c;
                if (l.categorical) {
                    const int label = int(std::lround(x));
                    auto it = l.labelColors.find(label);
                    c = it != l.labelColors.end() ? it->second : labelColor(label);
                } else {
                    c = maps[li]->at((x - ranges[li].vmin) / (ranges[li].vmax - ranges[li].vmin));
                }
                auto& out = rgb[std::size_t(v)];
                for (int k = 0; k < 3; ++k) out[std::size_t(k)] = a * c[std::size_t(k)] + (1 - a) * out[std::size_t(k)];
            }
        }
        auto* dst = h->colors->GetPointer(0);
        for (Eigen::Index v = 0; v < n; ++v)
            for (int k = 0; k < 3; ++k) dst[3 * v + k] = static_cast<unsigned char>(std::lround(255.0f * std::clamp(rgb[std::size_t(v)][std::size_t(k)], 0.0f, 1.0f)));
        h->colors->Modified();
        const bool shown = h->side == Hemisphere::Left ? options_.showLeft : options_.showRight;
        h->actor->SetVisibility(shown);

        // Borders of categorical layers, lifted slightly off the surface so they stay visible.
        h->borders = nullptr;
        auto points = vtkSmartPointer<vtkPoints>::New();
        auto lines = vtkSmartPointer<vtkCellArray>::New();
        for (const auto& l : layers_) {
            const Eigen::VectorXf& values = h->side == Hemisphere::Left ? l.left : l.right;
            if (!l.visible || !l.categorical || !l.borders || values.size() != n) continue;
            Eigen::VectorXi labels(n);
            for (Eigen::Index v = 0; v < n; ++v) labels[v] = std::isfinite(values[v]) ? int(std::lround(values[v])) : 0;
            for (const auto& line : anatomy::parcelBorders(*h->mesh, labels)) {
                std::vector<vtkIdType> ids;
                ids.reserve(line.points.size() + 1);
                for (std::size_t i = 0; i < line.points.size(); ++i) {
                    const Eigen::Vector3f lifted = line.points[i] + 0.4f * h->normals.row(line.vertices[i]).transpose();
                    ids.push_back(points->InsertNextPoint(lifted.x(), lifted.y(), lifted.z()));
                }
                if (line.closed && !ids.empty()) ids.push_back(ids.front());
                if (ids.size() >= 2) lines->InsertNextCell(vtkIdType(ids.size()), ids.data());
            }
        }
        if (lines->GetNumberOfCells() > 0) {
            auto poly = vtkSmartPointer<vtkPolyData>::New();
            poly->SetPoints(points);
            poly->SetLines(lines);
            auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
            mapper->SetInputData(poly);
            h->borders = vtkSmartPointer<vtkActor>::New();
            h->borders->SetMapper(mapper);
            h->borders->GetProperty()->SetColor(options_.borderColor.data());
            h->borders->GetProperty()->SetLineWidth(float(options_.borderWidth));
            h->borders->GetProperty()->SetLighting(false);
            h->borders->SetPosition(h->offset.data());
            h->borders->SetVisibility(shown);
        }
    }
}

vtkActor* SurfaceScene::surfaceActor(Hemisphere h) const { return hemi(h).actor; }
vtkActor* SurfaceScene::borderActor(Hemisphere h) const { return hemi(h).borders; }
bool SurfaceScene::backFacesCulled(Hemisphere h) const { return hemi(h).culled; }

void SurfaceScene::addTo(vtkRenderer* renderer, std::optional<Hemisphere> only) const {
    for (auto* h : {left_.get(), right_.get()}) {
        if (only && *only != h->side) continue;
        renderer->AddActor(h->actor);
        if (h->borders) renderer->AddActor(h->borders);
    }
}

void SurfaceScene::removeFrom(vtkRenderer* renderer) const {
    for (auto* h : {left_.get(), right_.get()}) {
        renderer->RemoveActor(h->actor);
        if (h->borders) renderer->RemoveActor(h->borders);
    }
}

int SurfaceScene::colorBarLayer() const {
    for (std::size_t i = 0; i < layers_.size(); ++i)
        if (layers_[i].visible && !layers_[i].categorical) return int(i);
    return -1;
}

vtkSmartPointer<vtkScalarBarActor> SurfaceScene::makeColorBar() const {
    const int li = colorBarLayer();
    if (li < 0) return nullptr;
    const auto& l = layers_[std::size_t(li)];
    const LayerRange r = range(std::size_t(li));
    const auto table = ColorMap::named(l.colormap).table(256);
    auto lut = vtkSmartPointer<vtkLookupTable>::New();
    lut->SetNumberOfTableValues(vtkIdType(table.size()));
    lut->SetRange(r.vmin, r.vmax);
    for (std::size_t i = 0; i < table.size(); ++i) lut->SetTableValue(vtkIdType(i), table[i][0], table[i][1], table[i][2], 1.0);
    lut->Build();
    auto bar = vtkSmartPointer<vtkScalarBarActor>::New();
    bar->SetLookupTable(lut);
    bar->SetOrientationToHorizontal();
    bar->SetTitle(l.name.c_str());
    // Ticks at round values (1, 2 or 5 × 10^k) inside the range, as matplotlib's MaxNLocator.
    const double span = r.vmax - r.vmin;
    const double raw = span / 4.0, mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    auto ticks = vtkSmartPointer<vtkDoubleArray>::New();
    for (double t = std::ceil(r.vmin / step - 1e-9) * step; t <= r.vmax + 1e-9 * span; t += step)
        ticks->InsertNextValue(std::abs(t) < 1e-12 * span ? 0.0 : t);
    bar->SetCustomLabels(ticks);
    bar->SetUseCustomLabels(true);
    bar->SetLabelFormat("%g");
    bar->SetTextPositionToPrecedeScalarBar();  // labels below a horizontal bar
    bar->UnconstrainedFontSizeOn();
    bar->SetBarRatio(0.35);
    const double luminance = 0.3 * options_.background[0] + 0.59 * options_.background[1] + 0.11 * options_.background[2];
    const double ink = luminance > 0.5 ? 0.0 : 1.0;
    for (auto* tp : {bar->GetLabelTextProperty(), bar->GetTitleTextProperty()}) {
        tp->SetColor(ink, ink, ink);
        tp->SetFontFamilyToArial();
        tp->ShadowOff();
        tp->ItalicOff();
        tp->BoldOff();
    }
    bar->GetTitleTextProperty()->BoldOn();
    return bar;
}

namespace {
struct ViewDirection {
    Eigen::Vector3d toCamera, up;
};
ViewDirection direction(View view, std::optional<Hemisphere> h) {
    const bool right = h && *h == Hemisphere::Right;
    switch (view) {
    case View::Lateral: return {{right ? 1.0 : -1.0, 0, 0}, {0, 0, 1}};
    case View::Medial: return {{right ? -1.0 : 1.0, 0, 0}, {0, 0, 1}};
    case View::Dorsal: return {{0, 0, 1}, {0, 1, 0}};
    case View::Ventral: return {{0, 0, -1}, {0, 1, 0}};
    case View::Anterior: return {{0, 1, 0}, {0, 0, 1}};
    case View::Posterior: return {{0, -1, 0}, {0, 0, 1}};
    }
    return {{-1, 0, 0}, {0, 0, 1}};
}
} // namespace

void SurfaceScene::applyView(vtkRenderer* renderer, View view, std::optional<Hemisphere> hemisphere, double aspect,
                             double extentScale) const {
    double b[6] = {1e30, -1e30, 1e30, -1e30, 1e30, -1e30};
    for (auto* h : {left_.get(), right_.get()}) {
        if (hemisphere && *hemisphere != h->side) continue;
        if (!hemisphere && !(h->side == Hemisphere::Left ? options_.showLeft : options_.showRight)) continue;
        double hb[6];
        h->actor->GetBounds(hb);
        for (int k = 0; k < 3; ++k) {
            b[2 * k] = std::min(b[2 * k], hb[2 * k]);
            b[2 * k + 1] = std::max(b[2 * k + 1], hb[2 * k + 1]);
        }
    }
    if (b[0] > b[1]) return;
    const Eigen::Vector3d centre((b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2);
    const Eigen::Vector3d extent(b[1] - b[0], b[3] - b[2], b[5] - b[4]);
    const auto d = direction(view, hemisphere);
    auto* cam = renderer->GetActiveCamera();
    cam->SetFocalPoint(centre.data());
    const Eigen::Vector3d pos = centre + 1000.0 * d.toCamera;
    cam->SetPosition(pos.data());
    cam->SetViewUp(d.up.data());
    cam->ParallelProjectionOn();
    // Screen axes: up is d.up, horizontal is up × toCamera.
    const Eigen::Vector3d horizontal = d.up.cross(d.toCamera);
    const double vertical = std::abs(d.up.dot(extent)), across = std::abs(horizontal.dot(extent));
    const double fit = 0.53 * std::max(vertical, across / aspect);
    cam->SetParallelScale(extentScale > 0 ? extentScale : fit);
    renderer->ResetCameraClippingRange(b);
}

double SurfaceScene::commonScale(double aspect) const {
    double s = 0.0;
    for (auto* h : {left_.get(), right_.get()}) {
        const Eigen::RowVector3f lo = h->mesh->vertices.colwise().minCoeff(), hi = h->mesh->vertices.colwise().maxCoeff();
        const Eigen::RowVector3f e = hi - lo;
        s = std::max(s, 0.53 * std::max(double(e.z()), double(e.y()) / aspect));
    }
    return s;
}

Eigen::Vector3d SurfaceScene::displayOffset(Hemisphere h) const { return hemi(h).offset; }

Eigen::Vector3d SurfaceScene::displayedVertex(Hemisphere h, Eigen::Index vertex) const {
    const auto& x = hemi(h);
    return x.mesh->vertices.row(vertex).cast<double>().transpose() + x.offset;
}

std::vector<std::array<unsigned char, 3>> SurfaceScene::vertexColors(Hemisphere h) const {
    const auto& x = hemi(h);
    std::vector<std::array<unsigned char, 3>> out(std::size_t(x.colors->GetNumberOfTuples()));
    const auto* src = x.colors->GetPointer(0);
    for (std::size_t v = 0; v < out.size(); ++v) out[v] = {src[3 * v], src[3 * v + 1], src[3 * v + 2]};
    return out;
}

} // namespace nm::render
