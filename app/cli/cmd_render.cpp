// neuromosaic-cli render: surface figures headless, with the GUI's scene code (nmrender).
#include "CliSupport.hpp"

#include "Figure.hpp"
#include "SessionScene.hpp"
#include "anatomy/Overlay.hpp"
#include "common/Error.hpp"

#include <sstream>

namespace nm::cli {

namespace {
struct RenderOptions {
    std::string space = "template", surface = "inflated", out, title, cmap, hemi = "both", shading = "sulc",
                views = "lateral,medial", background = "white";
    std::vector<std::string> overlays;
    double threshold = 0.0, opacity = 1.0, dpi = 300.0;
    std::optional<double> vmin, vmax;
    bool montage = false, labels = false, borders = false, binarize = false, positive = false, negative = false;
    int scale = 1, width = 560, height = 420, map = 0, atlasScale = 0;
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}
} // namespace

Command makeRenderCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("render", "Render maps on cortical surfaces to a PNG figure (headless)");
    auto o = std::make_shared<RenderOptions>();
    app->add_option("--space", o->space, "template (surfaces built from mricron-data), fsaverage5, or a directory "
                                         "with fsaverage-like GIFTI/FreeSurfer surfaces")
        ->capture_default_str();
    app->add_option("--surface", o->surface, "white, pial, midthickness, inflated or sphere")
        ->check(CLI::IsMember({"white", "pial", "midthickness", "mid", "inflated", "sphere"}))
        ->capture_default_str();
    app->add_option("--overlay", o->overlays,
                    "Map to show: a volume (.nii/.nii.gz/.mgz, projected), an atlas bundle (.nmatlas.h5), or per-hemisphere surface data "
                    "(.gii, .annot, .mgh, curv/sulc/thickness; lh./rh. or left/right in the name). Repeat for "
                    "both hemispheres or several layers")
        ->check(CLI::ExistingFile);
    app->add_option("--map", o->map, "Which map of a multi-map overlay (frame of a 4-D volume, column of surface data)")
        ->check(CLI::NonNegativeNumber);
    app->add_option("--atlas-scale", o->atlasScale, "Atlas bundles (.nmatlas.h5): the scale shown, by its number of components (default: coarsest)")
        ->check(CLI::NonNegativeNumber);
    app->add_flag("--labels", o->labels, "Treat the overlay as labels (parcellation) even if it is not detected as one");
    app->add_flag("--borders", o->borders, "Draw borders between labels");
    app->add_option("--threshold", o->threshold, "Hide values with |value| below this")->check(CLI::NonNegativeNumber);
    app->add_flag("--positive", o->positive, "Show positive values only");
    app->add_flag("--negative", o->negative, "Show negative values only");
    app->add_option("--cmap", o->cmap, "Colour map: hot, cold_hot, viridis, gray, categorical (+ _r); default "
                                       "cold_hot, categorical for labels");
    app->add_option("--vmin", o->vmin, "Lower end of the colour range");
    app->add_option("--vmax", o->vmax, "Upper end of the colour range");
    app->add_option("--opacity", o->opacity, "Overlay opacity")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    app->add_option("--views", o->views, "Comma-separated views: lateral, medial, dorsal, ventral, anterior, posterior")
        ->capture_default_str();
    app->add_flag("--montage", o->montage, "One panel per view and hemisphere, with colour bar and title");
    app->add_option("--hemi", o->hemi, "both, left or right")->check(CLI::IsMember({"both", "left", "right"}))->capture_default_str();
    app->add_option("--shading", o->shading, "Background shading: sulc, curv or none")
        ->check(CLI::IsMember({"sulc", "curv", "none"}))
        ->capture_default_str();
    app->add_flag("--binarize", o->binarize, "Binary (two-tone) background shading");
    app->add_option("--background", o->background, "white or black")->check(CLI::IsMember({"white", "black"}))->capture_default_str();
    app->add_option("--title", o->title, "Figure title");
    app->add_option("--scale", o->scale, "Image size multiplier (text and colour bar scale too)")->check(CLI::Range(1, 16))->capture_default_str();
    app->add_option("--panel-size", [o](const CLI::results_t& r) {
        if (r.size() != 2) return false;
        o->width = std::stoi(r[0]);
        o->height = std::stoi(r[1]);
        return o->width >= 64 && o->height >= 64 && o->width <= 8192 && o->height <= 8192;
    }, "Width and height of one panel in pixels at scale 1 (default 560 420)")->expected(2);
    app->add_option("--dpi", o->dpi, "Resolution stored in the PNG")->check(CLI::Range(1.0, 10000.0))->capture_default_str();
    auto session = std::make_shared<std::string>();
    app->add_option("--session", *session, "Render a saved session (*.nmsession.json) with its own figure "
                                           "settings; --out is the only other option used")
        ->check(CLI::ExistingFile);
    app->add_option("--out", o->out, "Output PNG")->required();
    return {app, [o, session, &options] {
                ensureDisplayOrReexec();
                JobContext job(options);
                if (!session->empty()) {
                    const io::Session s = io::readSession(*session);
                    const auto image = render::renderSession(s, &job.progress());
                    render::writePng(o->out, image, s.figure.dpi);
                    const std::string msg = "wrote " + o->out + " (" + std::to_string(image.width) + "×" +
                                            std::to_string(image.height) + " px) from " + *session;
                    job.succeed(msg, {{"figure", o->out}, {"width", image.width}, {"height", image.height}});
                    job.print(msg + "\n");
                    return 0;
                }
                auto& progress = job.progress();
                progress.plan({{"surfaces", 3}, {"overlays", 3}, {"render", 2}});
                progress.begin("surfaces", o->space);
                auto surfacesProgress = progress.child();
                const anatomy::SurfaceSpace space = anatomy::loadSurfaceSpace(o->space, &surfacesProgress);
                progress.begin("overlays");
                std::vector<render::OverlayLayer> layers;
                std::map<std::string, anatomy::SurfaceOverlay> merged;  // lh./rh. pairs become one layer
                std::vector<std::string> order;
                for (const auto& f : o->overlays) {
                    anatomy::OverlayOptions oo;
                    if (o->labels) oo.labels = true;
                    oo.atlasScale = o->atlasScale;
                    auto overlay = anatomy::loadSurfaceOverlay(f, space, oo);
                    std::string key = std::filesystem::path(f).filename().string();
                    for (const char* tag : {"lh.", "rh.", "_left", "_right", "hemi-L_", "hemi-R_", "left", "right"}) {
                        const auto pos = key.find(tag);
                        if (pos != std::string::npos) key.erase(pos, std::string(tag).size());
                    }
                    for (const char* ext : {".h5", ".nmatlas", ".gz", ".gii", ".nii", ".mgz", ".mgh", ".annot", ".func", ".shape", ".label"}) {
                        const std::string e(ext);
                        if (key.size() > e.size() && key.compare(key.size() - e.size(), e.size(), e) == 0)
                            key.erase(key.size() - e.size());
                    }
                    if (!merged.count(key)) {
                        order.push_back(key);
                        merged[key] = overlay;
                    } else {
                        anatomy::mergeOverlay(merged[key], overlay);
                    }
                }
                for (const auto& key : order) {
                    const auto& ov = merged[key];
                    render::OverlayLayer l;
                    l.name = key;
                    const auto maps = std::max(ov.left.cols(), ov.right.cols());
                    if (o->map >= maps)
                        throw InputError("--map " + std::to_string(o->map) + ": overlay " + key + " has " +
                                         std::to_string(maps) + " map(s)");
                    if (ov.left.cols() > o->map) l.left = ov.left.col(o->map);
                    if (ov.right.cols() > o->map) l.right = ov.right.col(o->map);
                    l.categorical = ov.categorical;
                    for (const auto& [k, c] : ov.labelColors) l.labelColors[k] = {c[0], c[1], c[2]};
                    l.labelNames = ov.labelNames;
                    l.borders = o->borders;
                    l.colormap = o->cmap.empty() ? (ov.categorical ? "categorical" : "cold_hot") : o->cmap;
                    l.threshold = o->threshold;
                    l.vmin = o->vmin;
                    l.vmax = o->vmax;
                    l.opacity = o->opacity;
                    if (o->positive) l.sign = render::OverlayLayer::Sign::Positive;
                    if (o->negative) l.sign = render::OverlayLayer::Sign::Negative;
                    layers.push_back(std::move(l));
                }
                progress.begin("render");
                render::SceneOptions so;
                so.surface = o->surface;
                so.showLeft = o->hemi != "right";
                so.showRight = o->hemi != "left";
                so.shading = o->shading == "curv" ? render::SceneOptions::Shading::Curv
                             : o->shading == "none" ? render::SceneOptions::Shading::None
                                                    : render::SceneOptions::Shading::Sulc;
                so.binarizeShading = o->binarize;
                if (o->background == "black") so.background = {0, 0, 0};
                render::FigureSpec spec;
                spec.views.clear();
                for (const auto& v : split(o->views)) spec.views.push_back(render::viewFromString(v));
                spec.montage = o->montage;
                spec.scale = o->scale;
                spec.panelWidth = o->width;
                spec.panelHeight = o->height;
                spec.title = o->title;
                spec.colorBar = true;
                const auto image = render::renderFigure(space, so, layers, spec);
                render::writePng(o->out, image, o->dpi);
                std::ostringstream msg;
                msg << "wrote " << o->out << " (" << image.width << "×" << image.height << " px, " << o->dpi << " dpi)";
                progress.finish();
                job.succeed(msg.str(), {{"figure", o->out}, {"width", image.width}, {"height", image.height}});
                job.print(msg.str() + "\n");
                return 0;
            }};
}

} // namespace nm::cli
