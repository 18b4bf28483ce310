#pragma once
// The session file (*.nmsession.json): what is loaded and how it is shown — the space and surface,
// overlay layers with their display settings, the camera and the figure settings. The GUI saves
// and restores it; `neuromosaic-cli render --session` draws the same figure headless.
// Schema: docs/file-formats.md#session. Version 1 files (volumes as isosurfaces) still load.
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::io {

struct CameraState {
    std::array<double, 3> position{0, 0, 1};
    std::array<double, 3> focalPoint{0, 0, 0};
    std::array<double, 3> viewUp{0, 1, 0};
    double viewAngle = 30.0;
    double parallelScale = 1.0;
    bool parallelProjection = false;
};

struct SessionLayer {
    std::string file;                    ///< absolute path, or relative to the session file
    std::string name;                    ///< display name ("" = from the file)
    int map = 0;                         ///< frame / column of a multi-map file
    int scale = 0;                       ///< atlas bundles: components of the scale shown (0 = coarsest)
    bool mosaic = false;                 ///< atlas bundles: all components as a winner-take-all parcellation
    bool visible = true;
    double opacity = 1.0;
    std::string colormap;                ///< "" = automatic (cold_hot, categorical for labels)
    std::optional<double> vmin, vmax;
    double threshold = 0.0;
    std::string sign = "both";           ///< both, positive, negative
    std::optional<bool> labels;          ///< force categorical / continuous; unset = detect
    bool borders = false;
};

struct FigureSettings {
    std::vector<std::string> views{"lateral", "medial"};
    bool montage = true;
    int scale = 3;
    double dpi = 300.0;
    std::string title;
    int panelWidth = 560, panelHeight = 420;
};

struct Session {
    static constexpr int kVersion = 2;
    int version = kVersion;
    std::string space = "template";      ///< template, fsaverage5 or a surface directory
    std::string surface = "inflated";
    bool showLeft = true, showRight = true;
    std::string shading = "sulc";        ///< sulc, curv, none
    bool binarizeShading = false;
    std::array<double, 3> background{1, 1, 1};
    std::string view = "lateral";        ///< last standard view chosen
    std::optional<CameraState> camera;
    std::vector<SessionLayer> layers;
    FigureSettings figure;
};

/// Throws nm::InputError naming the file and the field on malformed sessions. Relative layer
/// paths are resolved against the session file's directory.
Session readSession(const std::filesystem::path& file);
/// Writes atomically; layer paths are stored relative to the session's directory when inside it.
void writeSession(const std::filesystem::path& file, const Session& session);

} // namespace nm::io
