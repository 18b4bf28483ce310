#include "align/Deformation.hpp"

#include "common/Error.hpp"

#include <Eigen/Geometry>

#include <cmath>
#include <limits>

namespace nm::align {

Eigen::Vector3d SphereSwirl::apply(const Eigen::Vector3d& x, bool inverse) const {
    const Eigen::Vector3d c = centre.normalized();
    const double r = x.norm();
    if (r == 0) return x;
    const double psi = std::acos(std::clamp(x.dot(c) / r, -1.0, 1.0));
    const double theta = angle * std::exp(-psi * psi / (2 * sigma * sigma));
    return Eigen::AngleAxisd(inverse ? -theta : theta, c) * x;
}

std::vector<std::int32_t> nearestVertices(const Vertices& vertices, const Eigen::MatrixXd& points, bool onSphere) {
    Eigen::MatrixXd v = vertices.cast<double>();
    Eigen::MatrixXd p = points;
    if (onSphere) {
        v.rowwise().normalize();
        p.rowwise().normalize();
    }
    std::vector<std::int32_t> out(std::size_t(p.rows()), -1);
#pragma omp parallel for schedule(static)
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
        double best = std::numeric_limits<double>::infinity();
        for (Eigen::Index k = 0; k < v.rows(); ++k) {
            const double d = (v.row(k) - p.row(i)).squaredNorm();
            if (d < best) best = d, out[std::size_t(i)] = std::int32_t(k);
        }
    }
    return out;
}

KnownDeformation deformFeatures(const Mesh& sphere, const Eigen::MatrixXf& features, const SphereSwirl& swirl) {
    const Eigen::Index n = sphere.vertexCount();
    if (features.rows() != n) throw InputError("deformation: features and sphere differ in vertex count");
    Eigen::MatrixXd forward(n, 3), backward(n, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Vector3d x = sphere.vertices.row(i).cast<double>().transpose();
        forward.row(i) = swirl.apply(x).transpose();
        backward.row(i) = swirl.apply(x, true).transpose();
    }
    KnownDeformation k;
    k.truth = nearestVertices(sphere.vertices, forward, true);
    const auto source = nearestVertices(sphere.vertices, backward, true);
    k.targetFeatures.resize(n, features.cols());
    for (Eigen::Index j = 0; j < n; ++j) k.targetFeatures.row(j) = features.row(source[std::size_t(j)]);
    return k;
}

std::vector<std::int32_t> massBarycentres(const Eigen::MatrixXf& plan, const Mesh& targetSphere) {
    if (plan.cols() != targetSphere.vertexCount()) throw InputError("barycentres: plan and target sphere differ");
    Eigen::MatrixXd dirs = targetSphere.vertices.cast<double>();
    dirs.rowwise().normalize();
    const Eigen::MatrixXd bary = plan.cast<double>() * dirs;  // n × 3
    const Eigen::VectorXd mass = plan.rowwise().sum().cast<double>();
    auto out = nearestVertices(targetSphere.vertices, bary, true);
    for (Eigen::Index i = 0; i < plan.rows(); ++i)
        if (!(mass[i] > 0) || bary.row(i).norm() == 0) out[std::size_t(i)] = -1;
    return out;
}

std::vector<std::int32_t> massBarycentres(const SparsePlan& plan, const Mesh& targetSphere) {
    if (plan.cols != targetSphere.vertexCount()) throw InputError("barycentres: plan and target sphere differ");
    Eigen::MatrixXd dirs = targetSphere.vertices.cast<double>();
    dirs.rowwise().normalize();
    const Eigen::MatrixXd bary = plan.times(dirs.cast<float>()).cast<double>();
    const Eigen::VectorXd mass = plan.rowSums();
    auto out = nearestVertices(targetSphere.vertices, bary, true);
    for (Eigen::Index i = 0; i < plan.rows; ++i)
        if (!(mass[i] > 0) || bary.row(i).norm() == 0) out[std::size_t(i)] = -1;
    return out;
}

Eigen::VectorXd vertexDistances(const Mesh& surface, const std::vector<std::int32_t>& a,
                                const std::vector<std::int32_t>& b) {
    Eigen::VectorXd d(Eigen::Index(a.size()));
    for (std::size_t i = 0; i < a.size(); ++i)
        d[Eigen::Index(i)] = a[i] < 0 || b[i] < 0 ? std::numeric_limits<double>::quiet_NaN()
                                                  : double((surface.vertices.row(a[i]) - surface.vertices.row(b[i])).norm());
    return d;
}

} // namespace nm::align
