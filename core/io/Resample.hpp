#pragma once
// Resampling of volumes onto a reference grid (world-space identity), through ITK.
#include "io/Volume.hpp"

namespace nm::io {

enum class Interpolation { Nearest, Linear };

/// Each frame of `source` resampled onto `target` (dims + affine). Voxels outside the source
/// get `outside`. Affines must be rigid-plus-scaling (no shear): ITK represents orientation as
/// an orthonormal direction matrix; a sheared affine throws nm::InputError.
Volume resampleToGrid(const Volume& source, const VolumeGeometry& target, Interpolation interpolation,
                      float outside = 0.0f);

} // namespace nm::io
