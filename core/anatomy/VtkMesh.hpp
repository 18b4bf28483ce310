#pragma once
// Conversions between nm::Mesh and VTK's vtkPolyData (VTK data model only; no rendering).
#include "anatomy/Mesh.hpp"
#include "io/Volume.hpp"

#include <vtkSmartPointer.h>

class vtkPolyData;
class vtkImageData;

namespace nm {

/// Points, triangles and every scalar array (as point-data arrays of the same names).
vtkSmartPointer<vtkPolyData> toPolyData(const Mesh& mesh);
/// Triangles only (other cells are ignored); point-data arrays with one component become scalars.
Mesh fromPolyData(vtkPolyData* poly);

/// Frame `frame` of a volume as vtkImageData in voxel index space (origin 0, spacing 1); map the
/// resulting points to world space with the volume's affine (see transformVertices).
vtkSmartPointer<vtkImageData> toImageData(const Volume& volume, int frame = 0);
/// Applies a 4×4 affine to every vertex in place.
void transformVertices(Vertices& vertices, const Eigen::Matrix4d& affine);

} // namespace nm
