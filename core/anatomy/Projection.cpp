#include "anatomy/Projection.hpp"

#include "anatomy/MeshGeometry.hpp"
#include "common/Error.hpp"

#include <cmath>
#include <unordered_map>

namespace nm::anatomy {

VolumeToSurface::VolumeToSurface(const HemisphereSurfaces& s, const VolumeGeometry& grid, const ProjectionOptions& o)
    : grid_(grid), options_(o), vertices_(s.vertexCount()) {
    if (o.depths < 1) throw InputError("projection: depths must be >= 1");
    const Eigen::Matrix4d toVoxel = grid.affine.inverse();
    const Vertices normals = o.sampling == ProjectionOptions::Sampling::Normal ? vertexNormals(s.midthickness) : Vertices();
    const auto& d = grid.dims;
    std::unordered_map<std::int64_t, int> column;
    std::vector<Eigen::Triplet<float>> triplets;
    triplets.reserve(std::size_t(vertices_) * std::size_t(o.depths) * 8);
    sampleCount_ = Eigen::VectorXf::Zero(vertices_);
    auto col = [&](std::int64_t voxel) {
        auto [it, inserted] = column.emplace(voxel, int(usedVoxels_.size()));
        if (inserted) usedVoxels_.push_back(voxel);
        return it->second;
    };
    for (Eigen::Index v = 0; v < vertices_; ++v) {
        for (int k = 0; k < o.depths; ++k) {
            const double f = o.depths == 1 ? 0.5 : double(k) / (o.depths - 1);
            Eigen::Vector3d p;
            if (o.sampling == ProjectionOptions::Sampling::Ribbon) {
                p = ((1.0 - f) * s.white.vertices.row(v).cast<double>() + f * s.pial.vertices.row(v).cast<double>()).transpose();
            } else {
                p = (s.midthickness.vertices.row(v).cast<double>() +
                     (2.0 * f - 1.0) * o.normalRadiusMm * normals.row(v).cast<double>()).transpose();
            }
            const Eigen::Vector3d q = (toVoxel * p.homogeneous()).head<3>();
            const Eigen::Index row = v * o.depths + k;
            if (o.interpolation == ProjectionOptions::Interpolation::Nearest) {
                const long long i = std::llround(q.x()), j = std::llround(q.y()), l = std::llround(q.z());
                if (i < 0 || j < 0 || l < 0 || i >= d[0] || j >= d[1] || l >= d[2]) continue;
                triplets.emplace_back(row, col(std::int64_t(grid.index(int(i), int(j), int(l)))), 1.0f);
            } else {
                if (!(q.x() >= 0 && q.y() >= 0 && q.z() >= 0 && q.x() <= d[0] - 1 && q.y() <= d[1] - 1 && q.z() <= d[2] - 1))
                    continue;
                const int i0 = std::min(int(q.x()), std::max(d[0] - 2, 0)), j0 = std::min(int(q.y()), std::max(d[1] - 2, 0)),
                          l0 = std::min(int(q.z()), std::max(d[2] - 2, 0));
                const double fx = q.x() - i0, fy = q.y() - j0, fz = q.z() - l0;
                for (int c = 0; c < 8; ++c) {
                    const int di = c & 1, dj = (c >> 1) & 1, dl = (c >> 2) & 1;
                    const double w = (di ? fx : 1 - fx) * (dj ? fy : 1 - fy) * (dl ? fz : 1 - fz);
                    if (w <= 1e-9) continue;
                    const int ii = std::min(i0 + di, d[0] - 1), jj = std::min(j0 + dj, d[1] - 1), ll = std::min(l0 + dl, d[2] - 1);
                    triplets.emplace_back(row, col(std::int64_t(grid.index(ii, jj, ll))), float(w));
                }
            }
            sampleCount_[v] += 1.0f;
        }
    }
    sampling_.resize(vertices_ * o.depths, Eigen::Index(usedVoxels_.size()));
    sampling_.setFromTriplets(triplets.begin(), triplets.end());
    sampling_.makeCompressed();
}

Eigen::MatrixXf VolumeToSurface::project(const Volume& volume) const {
    if (!volume.geometry.sameGrid(grid_))
        throw InputError("projection: the volume's grid differs from the grid the projection was built for "
                         "(resample it first)");
    const int frames = volume.frames;
    const int depths = options_.depths;
    Eigen::MatrixXf out(vertices_, frames);
    const bool useMax = options_.reduction == ProjectionOptions::Reduction::Max;
    const bool useMode = options_.reduction == ProjectionOptions::Reduction::Mode;
    if (useMode && options_.interpolation != ProjectionOptions::Interpolation::Nearest)
        throw InputError("projection: the mode of labels needs nearest-neighbour interpolation");
    const auto used = Eigen::Index(usedVoxels_.size());
#pragma omp parallel for schedule(dynamic, 4)
    for (int t = 0; t < frames; ++t) {
        Eigen::VectorXf x(used);
        const float* f = volume.frame(t);
        for (Eigen::Index c = 0; c < used; ++c) x[c] = f[usedVoxels_[std::size_t(c)]];
        // Row sums tell which samples landed in the grid (an all-zero row means "no sample").
        const Eigen::VectorXf samples = sampling_ * x;
        for (Eigen::Index v = 0; v < vertices_; ++v) {
            if (sampleCount_[v] == 0) {
                out(v, t) = 0.0f;
                continue;
            }
            if (useMode) {
                // Most frequent non-zero label over the depths; ties go to the sample nearest mid-depth.
                float best = 0.0f;
                int bestCount = 0;
                double bestDistance = 1e9;
                for (int k = 0; k < depths; ++k) {
                    const auto row = v * depths + k;
                    if (sampling_.outerIndexPtr()[row + 1] == sampling_.outerIndexPtr()[row]) continue;
                    const float x = samples[row];
                    if (x == 0.0f || !std::isfinite(x)) continue;
                    int count = 0;
                    for (int j = 0; j < depths; ++j) count += samples[v * depths + j] == x;
                    const double distance = std::abs(k - 0.5 * (depths - 1));
                    if (count > bestCount || (count == bestCount && distance < bestDistance)) {
                        best = x;
                        bestCount = count;
                        bestDistance = distance;
                    }
                }
                out(v, t) = best;
            } else if (useMax) {
                float m = -std::numeric_limits<float>::infinity();
                for (int k = 0; k < depths; ++k)
                    if (sampling_.outerIndexPtr()[v * depths + k + 1] > sampling_.outerIndexPtr()[v * depths + k])
                        m = std::max(m, samples[v * depths + k]);
                out(v, t) = m;
            } else {
                out(v, t) = samples.segment(v * depths, depths).sum() / sampleCount_[v];
            }
        }
    }
    return out;
}

Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t> VolumeToSurface::projectSparse(
    const Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>& maps, const std::vector<std::int64_t>& voxels,
    float threshold) const {
    if (maps.cols() != Eigen::Index(voxels.size())) throw InputError("projection: maps and voxel list disagree");
    const std::vector<int> toColumn = samplingColumns(voxels);
    const int depths = options_.depths;
    std::vector<Eigen::Triplet<float, std::int64_t>> out;
    const Eigen::Index k = maps.rows();
    constexpr Eigen::Index kChunk = 64;
    for (Eigen::Index start = 0; start < k; start += kChunk) {
        const Eigen::Index n = std::min(kChunk, k - start);
        Eigen::MatrixXf x = Eigen::MatrixXf::Zero(Eigen::Index(usedVoxels_.size()), n);
        for (Eigen::Index j = 0; j < n; ++j)
            for (Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>::InnerIterator it(maps, start + j); it; ++it)
                if (toColumn[std::size_t(it.col())] >= 0) x(toColumn[std::size_t(it.col())], j) = it.value();
        const Eigen::MatrixXf samples = sampling_ * x;  // (vertices·depths) × n
        for (Eigen::Index j = 0; j < n; ++j) {
            Eigen::VectorXf values(vertices_);
            for (Eigen::Index v = 0; v < vertices_; ++v)
                values[v] = sampleCount_[v] > 0 ? samples.col(j).segment(v * depths, depths).sum() / sampleCount_[v] : 0.0f;
            const float peak = values.cwiseAbs().maxCoeff();
            for (Eigen::Index v = 0; v < vertices_; ++v)
                if (peak > 0 && std::abs(values[v]) >= threshold * peak) out.emplace_back(start + j, v, values[v]);
        }
    }
    Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t> result(k, vertices_);
    result.setFromTriplets(out.begin(), out.end());
    return result;
}

std::vector<int> VolumeToSurface::samplingColumns(const std::vector<std::int64_t>& voxels) const {
    std::unordered_map<std::int64_t, int> column;
    for (std::size_t c = 0; c < usedVoxels_.size(); ++c) column.emplace(usedVoxels_[c], int(c));
    std::vector<int> toColumn(voxels.size(), -1);
    for (std::size_t v = 0; v < voxels.size(); ++v) {
        auto it = column.find(voxels[v]);
        if (it != column.end()) toColumn[v] = it->second;
    }
    return toColumn;
}

Eigen::MatrixXf VolumeToSurface::projectValues(const Eigen::MatrixXf& values, const std::vector<std::int64_t>& voxels) const {
    if (values.rows() != Eigen::Index(voxels.size())) throw InputError("projection: values and voxel list disagree");
    const std::vector<int> toColumn = samplingColumns(voxels);
    Eigen::MatrixXf x = Eigen::MatrixXf::Zero(Eigen::Index(usedVoxels_.size()), values.cols());
    for (std::size_t v = 0; v < voxels.size(); ++v)
        if (toColumn[v] >= 0) x.row(toColumn[v]) = values.row(Eigen::Index(v));
    const Eigen::MatrixXf samples = sampling_ * x;  // (vertices·depths) × F
    const int depths = options_.depths;
    Eigen::MatrixXf out = Eigen::MatrixXf::Zero(vertices_, values.cols());
#pragma omp parallel for schedule(static)
    for (Eigen::Index v = 0; v < vertices_; ++v)
        if (sampleCount_[v] > 0) out.row(v) = samples.middleRows(v * depths, depths).colwise().sum() / sampleCount_[v];
    return out;
}

Volume surfaceToVolume(const SurfaceSpace& space, const Eigen::MatrixXf& left, const Eigen::MatrixXf& right,
                       const VolumeGeometry& grid, int depths) {
    if (left.rows() != space.left.vertexCount() || right.rows() != space.right.vertexCount())
        throw InputError("surface to volume: " + std::to_string(left.rows()) + "/" + std::to_string(right.rows()) +
                         " values for " + std::to_string(space.left.vertexCount()) + "/" +
                         std::to_string(space.right.vertexCount()) + " vertices");
    if (left.cols() != right.cols()) throw InputError("surface to volume: hemispheres have different numbers of maps");
    const Eigen::Matrix4d toVoxel = grid.affine.inverse();
    Volume out;
    out.geometry = grid;
    out.frames = int(left.cols());
    out.data.assign(grid.voxelCount() * std::size_t(out.frames), 0.0f);
    std::vector<float> weight(grid.voxelCount(), 0.0f);
    const auto& d = grid.dims;
    auto splat = [&](const HemisphereSurfaces& s, const Eigen::MatrixXf& values) {
        for (Eigen::Index v = 0; v < s.vertexCount(); ++v)
            for (int k = 0; k < depths; ++k) {
                const double f = depths == 1 ? 0.5 : double(k) / (depths - 1);
                const Eigen::Vector3d p = ((1.0 - f) * s.white.vertices.row(v).cast<double>() + f * s.pial.vertices.row(v).cast<double>()).transpose();
                const Eigen::Vector3d q = (toVoxel * p.homogeneous()).head<3>();
                const long long i = std::llround(q.x()), j = std::llround(q.y()), l = std::llround(q.z());
                if (i < 0 || j < 0 || l < 0 || i >= d[0] || j >= d[1] || l >= d[2]) continue;
                const std::size_t vox = grid.index(int(i), int(j), int(l));
                weight[vox] += 1.0f;
                for (int t = 0; t < out.frames; ++t) out.data[vox + grid.voxelCount() * std::size_t(t)] += values(v, t);
            }
    };
    splat(space.left, left);
    splat(space.right, right);
    for (std::size_t vox = 0; vox < weight.size(); ++vox)
        if (weight[vox] > 0)
            for (int t = 0; t < out.frames; ++t) out.data[vox + grid.voxelCount() * std::size_t(t)] /= weight[vox];
    return out;
}

} // namespace nm::anatomy
