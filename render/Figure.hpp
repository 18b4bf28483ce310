#pragma once
// Figures rendered off-screen from a surface scene: single views and the montage (lateral and
// medial views of both hemispheres, colour bar and title in one image), as PNG with the DPI stored.
#include "SurfaceScene.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace nm::render {

struct Image {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;  ///< row-major, top row first
    [[nodiscard]] std::array<unsigned char, 3> pixel(int x, int y) const {
        const auto i = (std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3;
        return {rgb[i], rgb[i + 1], rgb[i + 2]};
    }
};

struct FigureSpec {
    std::vector<View> views{View::Lateral, View::Medial};
    bool montage = true;        ///< a grid: one row per view, one column per shown hemisphere
    int panelWidth = 560;       ///< pixels per panel at scale 1
    int panelHeight = 420;
    int scale = 1;              ///< the image is scale × larger (text and colour bar too)
    std::string title;
    bool colorBar = true;
};

/// Renders off-screen (an X display is needed: Debian's VTK has no EGL/OSMesa; run under
/// xvfb-run). Throws nm::Error with that advice when there is no display.
Image renderFigure(const anatomy::SurfaceSpace& space, const SceneOptions& options,
                   const std::vector<OverlayLayer>& layers, const FigureSpec& spec);

/// Writes an 8-bit RGB PNG with a pHYs chunk carrying `dotsPerInch`; atomically.
void writePng(const std::filesystem::path& file, const Image& image, double dotsPerInch = 300.0);
/// Reads a PNG (for tests and pixel comparison); dotsPerInch is 0 when the file has no pHYs.
Image readPng(const std::filesystem::path& file, double* dotsPerInch = nullptr);

/// True when an X display is available for off-screen rendering.
bool displayAvailable();

} // namespace nm::render
