#include "io/Session.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace nm::io {

namespace {

using nlohmann::json;

template <typename T>
T field(const json& j, const char* key, const std::filesystem::path& file, const std::string& where, T fallback) {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    try {
        return j.at(key).get<T>();
    } catch (const json::exception&) {
        throw fileError(file, where + key, "has the wrong type (value " + j.at(key).dump() + ")");
    }
}

std::optional<double> optionalNumber(const json& j, const char* key, const std::filesystem::path& file,
                                     const std::string& where) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    if (!j.at(key).is_number()) throw fileError(file, where + key, "expected a number or null");
    return j.at(key).get<double>();
}

std::array<double, 3> vec3(const json& j, const char* key, const std::filesystem::path& file,
                           const std::string& where, std::array<double, 3> fallback) {
    if (!j.contains(key)) return fallback;
    const auto& v = j.at(key);
    if (!v.is_array() || v.size() != 3 || !v[0].is_number() || !v[1].is_number() || !v[2].is_number())
        throw fileError(file, where + key, "expected an array of 3 numbers, found " + v.dump());
    return {v[0].get<double>(), v[1].get<double>(), v[2].get<double>()};
}

void oneOf(const std::string& value, std::initializer_list<const char*> allowed, const std::filesystem::path& file,
           const std::string& field) {
    std::string list;
    for (const char* a : allowed) {
        if (value == a) return;
        list += (list.empty() ? "" : ", ") + std::string(a);
    }
    throw fileError(file, field, "'" + value + "' is not one of " + list);
}

} // namespace

Session readSession(const std::filesystem::path& file) {
    const std::string text = readFileBytes(file);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {  // parse errors, and numbers out of range (out_of_range 406)
        throw fileError(file, "not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!j.is_object()) throw fileError(file, "top level", "expected a JSON object");
    if (field<std::string>(j, "format", file, "", "") != "neuromosaic-session")
        throw fileError(file, "format", "expected \"neuromosaic-session\"");
    Session s;
    s.version = field<int>(j, "version", file, "", 0);
    if (s.version < 1 || s.version > Session::kVersion)
        throw fileError(file, "version", "expected 1.." + std::to_string(Session::kVersion) + ", found " +
                                             std::to_string(s.version));
    s.space = field<std::string>(j, "space", file, "", s.space);
    s.surface = field<std::string>(j, "surface", file, "", s.surface);
    oneOf(s.surface, {"white", "pial", "midthickness", "inflated", "sphere"}, file, "surface");
    if (j.contains("hemispheres")) {
        const auto hs = field<std::vector<std::string>>(j, "hemispheres", file, "", {});
        s.showLeft = std::find(hs.begin(), hs.end(), "left") != hs.end();
        s.showRight = std::find(hs.begin(), hs.end(), "right") != hs.end();
        if (!s.showLeft && !s.showRight) throw fileError(file, "hemispheres", "expected \"left\" and/or \"right\"");
    }
    s.shading = field<std::string>(j, "shading", file, "", s.shading);
    oneOf(s.shading, {"sulc", "curv", "none"}, file, "shading");
    s.binarizeShading = field<bool>(j, "binarize_shading", file, "", false);
    s.background = vec3(j, "background", file, "", s.background);
    s.view = field<std::string>(j, "view", file, "", s.view);
    oneOf(s.view, {"lateral", "medial", "dorsal", "ventral", "anterior", "posterior"}, file, "view");
    if (j.contains("camera")) {
        const auto& c = j["camera"];
        if (!c.is_object()) throw fileError(file, "camera", "expected an object");
        CameraState cam;
        cam.position = vec3(c, "position", file, "camera.", cam.position);
        cam.focalPoint = vec3(c, "focal_point", file, "camera.", cam.focalPoint);
        cam.viewUp = vec3(c, "view_up", file, "camera.", cam.viewUp);
        cam.viewAngle = field<double>(c, "view_angle", file, "camera.", cam.viewAngle);
        cam.parallelScale = field<double>(c, "parallel_scale", file, "camera.", cam.parallelScale);
        cam.parallelProjection = field<bool>(c, "parallel_projection", file, "camera.", false);
        s.camera = cam;
    }
    if (j.contains("layers")) {
        if (!j["layers"].is_array()) throw fileError(file, "layers", "expected an array");
        int i = 0;
        for (const auto& l : j["layers"]) {
            const std::string where = "layers[" + std::to_string(i++) + "].";
            if (!l.is_object()) throw fileError(file, where.substr(0, where.size() - 1), "expected an object");
            SessionLayer layer;
            layer.file = field<std::string>(l, "file", file, where, "");
            if (layer.file.empty()) throw fileError(file, where + "file", "missing");
            std::filesystem::path p(layer.file);
            if (p.is_relative()) layer.file = (file.parent_path() / p).lexically_normal().string();
            layer.name = field<std::string>(l, "name", file, where, "");
            layer.map = field<int>(l, "map", file, where, 0);
            if (layer.map < 0) throw fileError(file, where + "map", "expected an index >= 0");
            layer.scale = field<int>(l, "scale", file, where, 0);
            if (layer.scale < 0) throw fileError(file, where + "scale", "expected a number of components >= 0 (0 = coarsest)");
            layer.mosaic = field<bool>(l, "mosaic", file, where, false);
            layer.visible = field<bool>(l, "visible", file, where, true);
            layer.opacity = field<double>(l, "opacity", file, where, 1.0);
            if (layer.opacity < 0.0 || layer.opacity > 1.0)
                throw fileError(file, where + "opacity", "expected a value in [0, 1]");
            layer.colormap = field<std::string>(l, "colormap", file, where, "");
            layer.vmin = optionalNumber(l, "vmin", file, where);
            layer.vmax = optionalNumber(l, "vmax", file, where);
            layer.threshold = field<double>(l, "threshold", file, where, 0.0);
            if (layer.threshold < 0) throw fileError(file, where + "threshold", "expected a value >= 0");
            layer.sign = field<std::string>(l, "sign", file, where, "both");
            oneOf(layer.sign, {"both", "positive", "negative"}, file, where + "sign");
            if (l.contains("labels") && !l["labels"].is_null()) layer.labels = field<bool>(l, "labels", file, where, false);
            layer.borders = field<bool>(l, "borders", file, where, false);
            s.layers.push_back(std::move(layer));
        }
    }
    if (j.contains("figure")) {
        const auto& f = j["figure"];
        if (!f.is_object()) throw fileError(file, "figure", "expected an object");
        s.figure.views = field<std::vector<std::string>>(f, "views", file, "figure.", s.figure.views);
        for (const auto& v : s.figure.views)
            oneOf(v, {"lateral", "medial", "dorsal", "ventral", "anterior", "posterior"}, file, "figure.views");
        s.figure.montage = field<bool>(f, "montage", file, "figure.", true);
        s.figure.scale = field<int>(f, "scale", file, "figure.", 3);
        if (s.figure.scale < 1 || s.figure.scale > 16) throw fileError(file, "figure.scale", "expected 1..16");
        s.figure.dpi = field<double>(f, "dpi", file, "figure.", 300.0);
        s.figure.title = field<std::string>(f, "title", file, "figure.", "");
        s.figure.panelWidth = field<int>(f, "panel_width", file, "figure.", 560);
        s.figure.panelHeight = field<int>(f, "panel_height", file, "figure.", 420);
    }
    s.version = Session::kVersion;
    return s;
}

void writeSession(const std::filesystem::path& file, const Session& s) {
    nlohmann::ordered_json j;
    j["format"] = "neuromosaic-session";
    j["version"] = Session::kVersion;
    j["space"] = s.space;
    j["surface"] = s.surface;
    std::vector<std::string> hemis;
    if (s.showLeft) hemis.push_back("left");
    if (s.showRight) hemis.push_back("right");
    j["hemispheres"] = hemis;
    j["shading"] = s.shading;
    j["binarize_shading"] = s.binarizeShading;
    j["background"] = s.background;
    j["view"] = s.view;
    if (s.camera) {
        j["camera"] = {{"position", s.camera->position},
                       {"focal_point", s.camera->focalPoint},
                       {"view_up", s.camera->viewUp},
                       {"view_angle", s.camera->viewAngle},
                       {"parallel_scale", s.camera->parallelScale},
                       {"parallel_projection", s.camera->parallelProjection}};
    }
    j["layers"] = nlohmann::ordered_json::array();
    const auto base = std::filesystem::absolute(file).parent_path();
    for (const auto& l : s.layers) {
        std::filesystem::path p(l.file);
        auto rel = std::filesystem::absolute(p).lexically_relative(base);
        const bool inside = !rel.empty() && rel.native().rfind("..", 0) != 0;
        nlohmann::ordered_json lj;
        lj["file"] = inside ? rel.string() : std::filesystem::absolute(p).string();
        lj["name"] = l.name;
        lj["map"] = l.map;
        if (l.scale > 0) lj["scale"] = l.scale;
        if (l.mosaic) lj["mosaic"] = true;
        lj["visible"] = l.visible;
        lj["opacity"] = l.opacity;
        lj["colormap"] = l.colormap;
        lj["vmin"] = l.vmin ? nlohmann::ordered_json(*l.vmin) : nlohmann::ordered_json(nullptr);
        lj["vmax"] = l.vmax ? nlohmann::ordered_json(*l.vmax) : nlohmann::ordered_json(nullptr);
        lj["threshold"] = l.threshold;
        lj["sign"] = l.sign;
        lj["labels"] = l.labels ? nlohmann::ordered_json(*l.labels) : nlohmann::ordered_json(nullptr);
        lj["borders"] = l.borders;
        j["layers"].push_back(lj);
    }
    j["figure"] = {{"views", s.figure.views}, {"montage", s.figure.montage}, {"scale", s.figure.scale},
                   {"dpi", s.figure.dpi},     {"title", s.figure.title},     {"panel_width", s.figure.panelWidth},
                   {"panel_height", s.figure.panelHeight}};
    writeFileAtomic(file, j.dump(2) + "\n");
}

} // namespace nm::io
