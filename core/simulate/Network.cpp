// The resting-state ground truth: a sparse modular precision matrix between the components of
// one scale. Modules are bilateral (k-means of centroids with |x|, so homologous components share
// a module, as in Yeo et al. 2011's networks); edges are dense within modules and rare between.
// Positive partial correlations within modules; the precision is made positive definite by a
// diagonal shift and rescaled so that the implied covariance has unit variances.
#include "common/Error.hpp"
#include "simulate/Detail.hpp"

#include <Eigen/Eigenvalues>

#include <cmath>

namespace nm::simulate::detail {

Network makeNetwork(const Scale& s, int modules, std::uint64_t seed) {
    auto rng = stream(seed, 4);
    const int k = s.k;
    modules = std::clamp(modules, 1, k);
    // Bilateral modules: cluster on (|x|, y, z), farthest-point seeding then Lloyd iterations.
    Eigen::MatrixXd p = s.centroids;
    p.col(0) = p.col(0).cwiseAbs();
    std::vector<int> seeds{int(rng() % std::uint64_t(k))};
    while (int(seeds.size()) < modules) {
        int best = 0;
        double bd = -1;
        for (int i = 0; i < k; ++i) {
            double d = 1e30;
            for (int c : seeds) d = std::min(d, (p.row(i) - p.row(c)).squaredNorm());
            if (d > bd) {
                bd = d;
                best = i;
            }
        }
        seeds.push_back(best);
    }
    Eigen::MatrixXd centres(modules, 3);
    for (int m = 0; m < modules; ++m) centres.row(m) = p.row(seeds[std::size_t(m)]);
    Network net;
    net.module.assign(std::size_t(k), 0);
    for (int it = 0; it < 30; ++it) {
        for (int i = 0; i < k; ++i) {
            int best = 0;
            for (int m = 1; m < modules; ++m)
                if ((p.row(i) - centres.row(m)).squaredNorm() < (p.row(i) - centres.row(best)).squaredNorm()) best = m;
            net.module[std::size_t(i)] = best;
        }
        Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(modules, 3);
        Eigen::VectorXd n = Eigen::VectorXd::Zero(modules);
        for (int i = 0; i < k; ++i) {
            sum.row(net.module[std::size_t(i)]) += p.row(i);
            n[net.module[std::size_t(i)]] += 1;
        }
        for (int m = 0; m < modules; ++m)
            if (n[m] > 0) centres.row(m) = sum.row(m) / n[m];
    }
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(k, k);
    const double pIn = std::min(0.5, 6.0 / std::max(1.0, double(k) / modules)), pOut = 0.3 / k;
    for (int i = 0; i < k; ++i)
        for (int j = i + 1; j < k; ++j) {
            const bool same = net.module[std::size_t(i)] == net.module[std::size_t(j)];
            if (uniform(rng) < (same ? pIn : pOut)) {
                const double w = same ? uniform(rng, 0.3, 0.6) : uniform(rng, -0.3, 0.3);
                a(i, j) = a(j, i) = -w;  // negative precision entry = positive partial correlation
            }
        }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(a);
    const double shift = std::max(0.0, -eig.eigenvalues().minCoeff()) + 0.5;
    Eigen::MatrixXd theta = a + shift * Eigen::MatrixXd::Identity(k, k);
    Eigen::MatrixXd sigma = theta.inverse();
    const Eigen::VectorXd sd = sigma.diagonal().cwiseSqrt();
    // Rescale to unit variances: Σ' = D⁻¹ Σ D⁻¹, Θ' = D Θ D.
    net.covariance = sd.cwiseInverse().asDiagonal() * sigma * sd.cwiseInverse().asDiagonal();
    net.precision = sd.asDiagonal() * theta * sd.asDiagonal();
    return net;
}

} // namespace nm::simulate::detail
