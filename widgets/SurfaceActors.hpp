#pragma once
// VTK actors for meshes from core, and the standard camera views of the field.
#include "anatomy/Mesh.hpp"

#include <vtkSmartPointer.h>

#include <array>
#include <string>

class vtkActor;
class vtkRenderer;

namespace nm::widgets {

/// A lit, smooth-shaded surface (normals computed) in a neutral anatomical grey.
vtkSmartPointer<vtkActor> makeSurfaceActor(const nm::Mesh& mesh, std::array<double, 3> rgb = {0.86, 0.84, 0.80});

enum class StandardView { Left, Right, Anterior, Posterior, Superior, Inferior, Oblique };
StandardView standardViewFromString(const std::string& name);  ///< "left", "lateral-left", ...
/// Points the camera at the visible props' bounds from the given side (RAS axes) and resets the
/// zoom so that everything fits.
void setStandardView(vtkRenderer* renderer, StandardView view);

} // namespace nm::widgets
