// Times volume → surface projection of many maps onto the template surfaces (issue target: 1024
// maps onto 2 × 40k vertices in ≤ 5 s) and writes inputs and results for the peer script.
//   nm_bench_projection OUT_DIR [MAPS=1024] [VOXEL_MM=3] [RUNS=3]
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: nm_bench_projection OUT_DIR [MAPS] [VOXEL_MM] [RUNS]\n");
        return 2;
    }
    const std::filesystem::path out = argv[1];
    const int maps = argc > 2 ? std::atoi(argv[2]) : 1024;
    const double voxel = argc > 3 ? std::atof(argv[3]) : 3.0;
    const int runs = argc > 4 ? std::atoi(argv[4]) : 3;
    std::filesystem::create_directories(out);
    using Clock = std::chrono::steady_clock;
    auto seconds = [](Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); };

    const auto space = nm::anatomy::loadTemplateSurfaces();
    // An MNI box at `voxel` mm holding `maps` smooth random maps (sums of Gaussian blobs).
    nm::Volume v;
    v.geometry.dims = {int(std::ceil(182 / voxel)), int(std::ceil(218 / voxel)), int(std::ceil(182 / voxel))};
    v.geometry.affine.setIdentity();
    v.geometry.affine.topLeftCorner<3, 3>() *= voxel;
    v.geometry.affine.topRightCorner<3, 1>() << -90, -126, -72;
    v.frames = maps;
    v.data.assign(v.voxelCount() * std::size_t(maps), 0.0f);
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> ux(-70, 70), uy(-100, 70), uz(-50, 80);
    const auto& d = v.geometry.dims;
    for (int t = 0; t < maps; ++t) {
        float* f = v.frame(t);
        for (int b = 0; b < 3; ++b) {
            const Eigen::Vector3d c(ux(rng), uy(rng), uz(rng));
            const Eigen::Vector3d cv = v.geometry.voxelOf(c);
            const double sigma = 12.0 / voxel;
            const int r = int(3 * sigma);
            for (int k = std::max(0, int(cv.z()) - r); k <= std::min(d[2] - 1, int(cv.z()) + r); ++k)
                for (int j = std::max(0, int(cv.y()) - r); j <= std::min(d[1] - 1, int(cv.y()) + r); ++j)
                    for (int i = std::max(0, int(cv.x()) - r); i <= std::min(d[0] - 1, int(cv.x()) + r); ++i) {
                        const double q = (Eigen::Vector3d(i, j, k) - cv).squaredNorm();
                        f[v.geometry.index(i, j, k)] += float(std::exp(-0.5 * q / (sigma * sigma)));
                    }
        }
    }
    nm::io::writeNifti(out / "maps.nii", v);

    std::vector<double> build, project;
    Eigen::MatrixXf left, right;
    for (int r = 0; r < runs; ++r) {
        auto t0 = Clock::now();
        const nm::anatomy::VolumeToSurface pl(space.left, v.geometry), pr(space.right, v.geometry);
        build.push_back(seconds(t0));
        t0 = Clock::now();
        left = pl.project(v);
        right = pr.project(v);
        project.push_back(seconds(t0));
    }
    std::sort(build.begin(), build.end());
    std::sort(project.begin(), project.end());
    nm::io::writeNpy(out / "ours_left.npy", left.cast<double>());
    nm::io::writeNpy(out / "ours_right.npy", right.cast<double>());
    std::printf("{\"maps\": %d, \"voxel_mm\": %g, \"grid\": [%d, %d, %d], \"vertices\": [%lld, %lld], "
                "\"build_s\": %.4f, \"project_s\": %.4f, \"runs\": %d}\n",
                maps, voxel, d[0], d[1], d[2], (long long)space.left.vertexCount(), (long long)space.right.vertexCount(),
                build[build.size() / 2], project[project.size() / 2], runs);
    return 0;
}
