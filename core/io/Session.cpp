#include "io/Session.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"

#include <nlohmann/json.hpp>

namespace nm::io {

namespace {

using nlohmann::json;

template <typename T>
T field(const json& j, const char* key, const std::filesystem::path& file, const std::string& where, T fallback) {
    if (!j.contains(key)) return fallback;
    try {
        return j.at(key).get<T>();
    } catch (const json::exception&) {
        throw fileError(file, where + key, "has the wrong type (value " + j.at(key).dump() + ")");
    }
}

std::array<double, 3> vec3(const json& j, const char* key, const std::filesystem::path& file,
                           const std::string& where, std::array<double, 3> fallback) {
    if (!j.contains(key)) return fallback;
    const auto& v = j.at(key);
    if (!v.is_array() || v.size() != 3 || !v[0].is_number() || !v[1].is_number() || !v[2].is_number())
        throw fileError(file, where + key, "expected an array of 3 numbers, found " + v.dump());
    return {v[0].get<double>(), v[1].get<double>(), v[2].get<double>()};
}

} // namespace

Session readSession(const std::filesystem::path& file) {
    const std::string text = readFileBytes(file);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
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
    s.showTemplateBrain = field<bool>(j, "show_template_brain", file, "", true);
    s.background = vec3(j, "background", file, "", s.background);
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
            layer.kind = field<std::string>(l, "kind", file, where, layer.kind);
            layer.visible = field<bool>(l, "visible", file, where, true);
            layer.opacity = field<double>(l, "opacity", file, where, 1.0);
            if (layer.opacity < 0.0 || layer.opacity > 1.0)
                throw fileError(file, where + "opacity", "expected a value in [0, 1]");
            layer.color = vec3(l, "color", file, where, layer.color);
            layer.isoLevel = field<double>(l, "iso_level", file, where, -1.0);
            s.layers.push_back(std::move(layer));
        }
    }
    return s;
}

void writeSession(const std::filesystem::path& file, const Session& s) {
    nlohmann::ordered_json j;
    j["format"] = "neuromosaic-session";
    j["version"] = Session::kVersion;
    j["show_template_brain"] = s.showTemplateBrain;
    j["background"] = s.background;
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
        lj["kind"] = l.kind;
        lj["visible"] = l.visible;
        lj["opacity"] = l.opacity;
        lj["color"] = l.color;
        lj["iso_level"] = l.isoLevel;
        j["layers"].push_back(lj);
    }
    writeFileAtomic(file, j.dump(2) + "\n");
}

} // namespace nm::io
