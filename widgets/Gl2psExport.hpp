#pragma once
// VTK's GL2PS exporter kept apart from the Qt OpenGL headers (VTK's glew and Qt's qopengl
// headers must not meet in one translation unit).
#include <string>

class vtkRenderWindow;

namespace nm::widgets {

/// Writes `prefix`.svg of the render window's current frame with GL2PS (the caller makes its
/// context current): the 2-D props' text as SVG text. Debian's GL2PS has no PNG support, so the
/// raster of the 3-D props is missing, and colour bars' colours are not captured: the caller adds them.
void writeGl2psSvg(vtkRenderWindow* window, const std::string& prefix);

} // namespace nm::widgets
