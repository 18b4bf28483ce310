#pragma once
// VTK's GL2PS exporter kept apart from the Qt OpenGL headers (VTK's glew and Qt's qopengl
// headers must not meet in one translation unit).
#include <string>

class vtkRenderWindow;

namespace nm::widgets {

/// Writes `prefix`.pdf of the render window's current frame; the caller makes its context current.
void writeGl2psPdf(vtkRenderWindow* window, const std::string& prefix);

} // namespace nm::widgets
