#pragma once
// Isosurfaces of volumes (marching cubes / flying edges through VTK's filters), in world space.
#include "anatomy/Mesh.hpp"
#include "io/Volume.hpp"

namespace nm::anatomy {

struct IsosurfaceOptions {
    double level = -1.0;          ///< < 0: automatic (Otsu threshold of the non-zero voxels)
    double smoothingSigmaMm = 1.0;
    int targetTriangles = 160000; ///< quadric decimation target; 0 keeps every triangle
    bool largestComponentOnly = true;
    int smoothingIterations = 15; ///< windowed-sinc smoothing of the mesh (0: none)
};

/// Surface of `frame` of `volume` at the given level, vertices in world RAS mm.
/// Throws nm::InputError if the surface is empty.
Mesh extractIsosurface(const Volume& volume, const IsosurfaceOptions& options, int frame = 0);

/// Otsu's threshold (Otsu 1979) over the non-zero finite voxels of a frame, 256 bins.
double otsuThreshold(const Volume& volume, int frame = 0);

} // namespace nm::anatomy
