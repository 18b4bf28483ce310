#pragma once
// The session file (*.nmsession.json): what is loaded and how it is shown. The GUI saves and
// restores it; `neuromosaic-cli render --session` renders it headless to the same image.
// Schema: docs/file-formats.md#session.
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
    std::string kind = "volume";         ///< "volume" (isosurface), later "overlay", "surface", "atlas"
    bool visible = true;
    double opacity = 1.0;
    std::array<double, 3> color{0.86, 0.84, 0.80};
    double isoLevel = -1.0;              ///< < 0: automatic
};

struct Session {
    static constexpr int kVersion = 1;
    int version = kVersion;
    bool showTemplateBrain = true;
    std::array<double, 3> background{1, 1, 1};
    std::optional<CameraState> camera;
    std::vector<SessionLayer> layers;
};

/// Throws nm::InputError naming the file and the field on malformed sessions. Relative layer
/// paths are resolved against the session file's directory.
Session readSession(const std::filesystem::path& file);
/// Writes atomically; layer paths are stored relative to the session's directory when inside it.
void writeSession(const std::filesystem::path& file, const Session& session);

} // namespace nm::io
