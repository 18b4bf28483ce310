#include "io/Resample.hpp"

#include "common/Error.hpp"
#include "io/ResampleItk.hpp"

namespace nm::io {

namespace {
itkbridge::RawImageInfo rawGeometry(const VolumeGeometry& g, const char* what) {
    itkbridge::RawImageInfo raw;
    // ITK's physical space is LPS.
    const Eigen::Matrix4d lps = Eigen::Matrix4d(Eigen::Vector4d(-1, -1, 1, 1).asDiagonal()) * g.affine;
    const Eigen::Matrix3d m = lps.topLeftCorner<3, 3>();
    const Eigen::Vector3d spacing = m.colwise().norm();
    const Eigen::Matrix3d dir = m * spacing.cwiseInverse().asDiagonal();
    if ((dir.transpose() * dir - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff() > 1e-4)
        throw InputError(std::string(what) + ": affine has shear; resampling needs orthogonal voxel axes");
    for (int a = 0; a < 3; ++a) {
        raw.size[std::size_t(a)] = std::size_t(g.dims[std::size_t(a)]);
        raw.spacing[std::size_t(a)] = spacing[a];
        raw.origin[std::size_t(a)] = lps(a, 3);
        for (int c = 0; c < 3; ++c) raw.direction[std::size_t(a * 3 + c)] = dir(a, c);
    }
    return raw;
}
} // namespace

Volume resampleToGrid(const Volume& source, const VolumeGeometry& target, Interpolation interpolation, float outside) {
    const auto src = rawGeometry(source.geometry, "source image");
    const auto dst = rawGeometry(target, "reference grid");
    Volume out;
    out.geometry = target;
    out.frames = source.frames;
    out.repetitionTime = source.repetitionTime;
    out.sourceDataType = "float32";
    out.data.resize(target.voxelCount() * std::size_t(source.frames));
    for (int t = 0; t < source.frames; ++t) {
        const std::string failure =
            itkbridge::resample(src, source.frame(t), dst, out.frame(t),
                                interpolation == Interpolation::Nearest ? itkbridge::Interpolator::Nearest
                                                                        : itkbridge::Interpolator::Linear,
                                outside);
        if (!failure.empty()) throw Error("resampling failed (ITK): " + failure);
    }
    return out;
}

} // namespace nm::io
