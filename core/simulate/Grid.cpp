#include "anatomy/VolumeOps.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"
#include "io/Table.hpp"
#include "simulate/Detail.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace nm::simulate::detail {

namespace {
std::vector<std::string> readAalNames(const std::filesystem::path& file) {
    std::vector<std::string> names(200);
    std::ifstream in(file);
    if (!in) throw fileError(file, "AAL label names not found (mricron-data)");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        int label;
        std::string name;
        if (ss >> label >> name && label > 0 && label < int(names.size())) names[std::size_t(label)] = name;
    }
    return names;
}
} // namespace

Grid makeGrid(double voxelMm, std::uint64_t seed) {
    const auto dir = paths::mricronTemplatesDir();
    for (const char* f : {"ch2bet.nii.gz", "aal.nii.gz", "aal.nii.txt"})
        if (!std::filesystem::exists(dir / f))
            throw fileError(dir / f, "template file not found; install the Debian package mricron-data "
                                     "(scripts/setup-deps.sh does) or set NEUROMOSAIC_MRICRON_DIR");
    const Volume t1 = io::readNifti(dir / "ch2bet.nii.gz");
    const Volume aal = io::readNifti(dir / "aal.nii.gz");
    // Bounding box of the brain (world), then a grid of voxelMm aligned on it, RAS.
    Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e9), hi = Eigen::Vector3d::Constant(-1e9);
    const auto& d = t1.geometry.dims;
    for (int k = 0; k < d[2]; ++k)
        for (int j = 0; j < d[1]; ++j)
            for (int i = 0; i < d[0]; ++i)
                if (t1.at(i, j, k) > 0) {
                    const Eigen::Vector3d w = t1.geometry.worldOf(i, j, k);
                    lo = lo.cwiseMin(w);
                    hi = hi.cwiseMax(w);
                }
    lo.array() -= 2 * voxelMm;
    hi.array() += 2 * voxelMm;
    Grid g;
    for (int a = 0; a < 3; ++a) g.geometry.dims[std::size_t(a)] = int(std::ceil((hi[a] - lo[a]) / voxelMm)) + 1;
    g.geometry.affine.setIdentity();
    g.geometry.affine.topLeftCorner<3, 3>() *= voxelMm;
    g.geometry.affine.topRightCorner<3, 1>() = lo;
    // Averaging before subsampling avoids aliasing: smooth the 1 mm images to ~voxel/2.35 σ.
    Volume t1s = t1;
    const double sigma = std::max(0.0, voxelMm / 2.355 - 0.5);
    anatomy::gaussianSmooth(t1s.data, t1s.geometry.dims, {sigma, sigma, sigma});
    const Volume t1g = io::resampleToGrid(t1s, g.geometry, io::Interpolation::Linear);
    const Volume aalg = io::resampleToGrid(aal, g.geometry, io::Interpolation::Nearest);
    anatomy::Mask brain = anatomy::makeMask(g.geometry.dims);
    for (std::size_t v = 0; v < brain.size(); ++v) brain.data[v] = t1g.data[v] > 25.0f || aalg.data[v] > 0.5f;
    brain = anatomy::fillHoles(anatomy::largestComponent(brain));
    g.regionNames = readAalNames(dir / "aal.nii.txt");
    g.gridToBrain.assign(brain.size(), -1);
    for (std::size_t v = 0; v < brain.size(); ++v)
        if (brain.data[v]) {
            g.gridToBrain[v] = std::int32_t(g.voxels.size());
            g.voxels.push_back(std::int64_t(v));
            g.region.push_back(int(std::lround(aalg.data[v])));
        }
    const Eigen::Index n = g.size();
    if (n < 100) throw Error("simulator: the brain mask on the " + std::to_string(voxelMm) + " mm grid is empty");
    g.world.resize(n, 3);
    const auto& gd = g.geometry.dims;
    for (Eigen::Index b = 0; b < n; ++b) {
        const auto v = std::size_t(g.voxels[std::size_t(b)]);
        const int i = int(v % std::size_t(gd[0])), j = int((v / std::size_t(gd[0])) % std::size_t(gd[1])),
                  k = int(v / (std::size_t(gd[0]) * std::size_t(gd[1])));
        g.world.row(b) = g.geometry.worldOf(i, j, k).transpose();
    }
    // EPI-like baseline: grey matter a little brighter than white matter, a smooth bias field.
    auto rng = stream(seed, 1);
    const Eigen::VectorXf bias = smoothField(g, 40.0, rng);
    g.baseline.resize(n);
    for (Eigen::Index b = 0; b < n; ++b)
        g.baseline[b] = 800.0f + (g.region[std::size_t(b)] > 0 ? 150.0f : 0.0f) + 60.0f * bias[b];
    return g;
}

Eigen::VectorXf smoothField(const Grid& g, double sigmaMm, std::mt19937_64& rng) {
    Normal normal(rng);
    std::vector<float> field(g.geometry.voxelCount());
    for (auto& x : field) x = float(normal());
    const Eigen::Vector3d vox = g.geometry.voxelSize();
    anatomy::gaussianSmooth(field, g.geometry.dims, {sigmaMm / vox[0], sigmaMm / vox[1], sigmaMm / vox[2]});
    Eigen::VectorXf out(g.size());
    for (Eigen::Index b = 0; b < g.size(); ++b) out[b] = field[std::size_t(g.voxels[std::size_t(b)])];
    const float mean = out.mean();
    out.array() -= mean;
    const float sd = std::sqrt(out.squaredNorm() / float(std::max<Eigen::Index>(1, out.size() - 1)));
    if (sd > 0) out /= sd;
    return out;
}

} // namespace nm::simulate::detail
