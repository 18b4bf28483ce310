#pragma once
// From a session (what is loaded and how it is shown) to a scene and a figure: the one path used
// by the GUI and by `neuromosaic-cli render --session`, so both draw the same pixels.
#include "Figure.hpp"
#include "SurfaceScene.hpp"
#include "anatomy/Overlay.hpp"
#include "io/Session.hpp"

namespace nm::render {

/// Reads and projects a layer's file onto the space (throws nm::InputError naming the file).
anatomy::SurfaceOverlay loadLayerData(const io::SessionLayer& layer, const anatomy::SurfaceSpace& space);

SceneOptions sceneOptions(const io::Session& session);
/// The displayed layer: settings from the session, values (the chosen map) from the data.
OverlayLayer overlayLayer(const io::SessionLayer& layer, const anatomy::SurfaceOverlay& data);
FigureSpec figureSpec(const io::Session& session);

/// Loads everything a session needs and renders its figure.
Image renderSession(const io::Session& session, jobs::Progress* progress = nullptr);

} // namespace nm::render
