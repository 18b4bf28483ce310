#include "align/MeshKernels.hpp"

#include "anatomy/MeshGeometry.hpp"
#include "common/Error.hpp"
#include "jobs/Progress.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace nm::align {

Eigen::MatrixXf geodesicMatrix(const Mesh& mesh, jobs::Progress* progress) {
    const Eigen::Index n = mesh.vertexCount();
    if (n == 0) throw InputError("geodesics: the mesh has no vertices");
    const anatomy::HeatGeodesic heat(mesh);
    Eigen::MatrixXf d(n, n);
    std::atomic<Eigen::Index> done{0};
    std::atomic<bool> cancelled{false};
#pragma omp parallel for schedule(dynamic, 16)
    for (Eigen::Index s = 0; s < n; ++s) {
        if (cancelled.load(std::memory_order_relaxed)) continue;
        d.col(s) = heat.distances({std::int32_t(s)}).cwiseMax(0.0).cast<float>();
        const auto k = ++done;
        if (progress && k % 256 == 0) {
#pragma omp critical(nm_geodesic_progress)
            {
                if (progress->cancelRequested()) cancelled = true;
                progress->update(std::size_t(k), std::size_t(n), "geodesic distances");
            }
        }
    }
    if (progress) progress->checkCancelled();
    if (!d.allFinite()) throw Error("geodesics: the mesh is not connected (infinite distances)");
    Eigen::MatrixXf sym = (d + d.transpose()) * 0.5f;
    sym.diagonal().setZero();
    return sym;
}

std::vector<std::int32_t> farthestPointLandmarks(const Mesh& mesh, int count, std::int32_t first) {
    const Eigen::Index n = mesh.vertexCount();
    count = int(std::min<Eigen::Index>(count, n));
    std::vector<std::int32_t> out;
    if (count <= 0) return out;
    out.push_back(first);
    // graph geodesics for the sampling (exactness does not matter here, speed does)
    Eigen::VectorXd nearest = anatomy::graphGeodesic(mesh, {first});
    while (int(out.size()) < count) {
        Eigen::Index far = 0;
        nearest.maxCoeff(&far);
        if (!std::isfinite(nearest[far])) throw Error("landmarks: the mesh is not connected");
        out.push_back(std::int32_t(far));
        nearest = nearest.cwiseMin(anatomy::graphGeodesic(mesh, {std::int32_t(far)}));
    }
    return out;
}

LandmarkEmbedding landmarkEmbedding(const Mesh& mesh, int landmarks, int dims, jobs::Progress* progress) {
    const Eigen::Index n = mesh.vertexCount();
    if (dims < 1) throw InputError("landmark MDS: at least one dimension");
    if (landmarks < dims + 1) throw InputError("landmark MDS: needs more landmarks than dimensions");
    LandmarkEmbedding e;
    e.landmarks = farthestPointLandmarks(mesh, landmarks, 0);
    const Eigen::Index l = Eigen::Index(e.landmarks.size());
    const anatomy::HeatGeodesic heat(mesh);
    Eigen::MatrixXd dist(l, n);  // geodesics from each landmark
#pragma omp parallel for schedule(dynamic, 1)
    for (Eigen::Index k = 0; k < l; ++k) dist.row(k) = heat.distances({e.landmarks[std::size_t(k)]}).cwiseMax(0.0).transpose();
    if (progress) progress->checkCancelled();
    // classical MDS of the landmarks (symmetrised squared distances)
    Eigen::MatrixXd delta(l, l);
    for (Eigen::Index a = 0; a < l; ++a)
        for (Eigen::Index b = 0; b < l; ++b) delta(a, b) = dist(a, e.landmarks[std::size_t(b)]);
    const Eigen::MatrixXd symmetric = (delta + delta.transpose()) * 0.5;  // not in place: transpose aliases
    delta = symmetric.array().square().matrix();
    const Eigen::VectorXd meanCol = delta.colwise().mean().transpose();
    const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(l, l) - Eigen::MatrixXd::Constant(l, l, 1.0 / double(l));
    const Eigen::MatrixXd b = -0.5 * h * delta * h;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(b);
    const int d = int(std::min<Eigen::Index>(dims, l));
    e.eigenvalues = eig.eigenvalues().reverse().head(d);
    Eigen::MatrixXd pinv(d, l);  // L# = Λ^(−1/2) Vᵀ
    Eigen::MatrixXd landmarkPoints(l, d);
    for (int c = 0; c < d; ++c) {
        const double lambda = e.eigenvalues[c];
        if (!(lambda > 0)) throw Error("landmark MDS: fewer positive eigenvalues than dimensions");
        const Eigen::VectorXd vec = eig.eigenvectors().col(l - 1 - c);
        pinv.row(c) = vec.transpose() / std::sqrt(lambda);
        landmarkPoints.col(c) = vec * std::sqrt(lambda);
    }
    // x = −½ L# (δ_x − δ̄)
    const Eigen::MatrixXd sq = dist.array().square().matrix();
    e.points = (-0.5 * pinv * (sq.colwise() - meanCol)).transpose();
    // quality: correlation of embedded vs geodesic distances between landmarks and all vertices
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    std::size_t count = 0;
    for (Eigen::Index k = 0; k < l; ++k)
        for (Eigen::Index v = 0; v < n; v += std::max<Eigen::Index>(1, n / 2000)) {
            const double x = dist(k, v), y = (e.points.row(v) - e.points.row(e.landmarks[std::size_t(k)])).norm();
            sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, ++count;
        }
    const double cn = double(count);
    e.correlation = (sxy - sx * sy / cn) / std::sqrt((sxx - sx * sx / cn) * (syy - sy * sy / cn));
    return e;
}

Geometry meshGeometry(const Mesh& mesh, bool dense, int landmarks, int dims, jobs::Progress* progress) {
    if (dense) return Geometry::fromMatrix(geodesicMatrix(mesh, progress));
    return Geometry::fromEmbedding(landmarkEmbedding(mesh, landmarks, dims, progress).points);
}

} // namespace nm::align
