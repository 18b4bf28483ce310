#include "io/Volume.hpp"

namespace nm {

bool VolumeGeometry::sameGrid(const VolumeGeometry& other, double tolerance) const {
    return dims == other.dims && (affine - other.affine).cwiseAbs().maxCoeff() <= tolerance;
}

} // namespace nm
