#include "decompose/Initialization.hpp"

#include "common/Error.hpp"

#include <Eigen/SVD>

#include <cmath>
#include <limits>
#include <random>

namespace nm::decompose {

RowMatrixF clusterInitialization(const RowMatrixF& samples, int k, std::uint64_t seed, int iterations) {
    const Eigen::Index n = samples.rows(), p = samples.cols();
    if (n < 2) throw InputError("dictionary initialisation: need at least 2 volumes");
    if (k > p) throw InputError("dictionary initialisation: more components than voxels");
    std::mt19937_64 rng(seed);
    auto uniform = [&] { return double(rng() >> 11) * (1.0 / 9007199254740992.0); };
    // Voxel time courses, centred, then sketched to d ≤ 128 dimensions by a Gaussian random
    // projection (Johnson–Lindenstrauss: cosines are kept to ~1/√d, ample for a starting point)
    // and normalised: points on the unit sphere of R^d (p × d). The sketch makes seeding and the
    // Lloyd steps cost O(p d k) instead of O(p n k).
    Eigen::MatrixXf centred = samples.transpose();
    for (Eigen::Index i = 0; i < p; ++i) centred.row(i).array() -= centred.row(i).mean();
    const Eigen::Index d = std::min<Eigen::Index>(n, 128);
    Eigen::MatrixXf v;
    if (d < n) {
        std::normal_distribution<float> normal;
        Eigen::MatrixXf R(n, d);
        for (Eigen::Index i = 0; i < R.size(); ++i) R.data()[i] = normal(rng);
        v = centred * R;
    } else {
        v = std::move(centred);
    }
    for (Eigen::Index i = 0; i < p; ++i) {
        const float norm = v.row(i).norm();
        if (norm > 0) v.row(i) /= norm;
    }
    // k-means++ seeding with cosine distance 1 − ⟨x, c⟩.
    Eigen::MatrixXf centres(k, d);
    Eigen::VectorXf best = Eigen::VectorXf::Constant(p, std::numeric_limits<float>::infinity());
    centres.row(0) = v.row(Eigen::Index(rng() % std::uint64_t(p)));
    for (int c = 1; c < k; ++c) {
        const Eigen::VectorXf dist = (1.0f - (v * centres.row(c - 1).transpose()).array()).max(0.0f);
        best = best.cwiseMin(dist);
        const double total = best.sum();
        double r = uniform() * total;
        Eigen::Index pick = p - 1;
        for (Eigen::Index i = 0; i < p; ++i) {
            r -= best[i];
            if (r <= 0) {
                pick = i;
                break;
            }
        }
        centres.row(c) = v.row(pick);
    }
    std::vector<int> label(std::size_t(p), 0);
    for (int it = 0; it < iterations; ++it) {
        const Eigen::MatrixXf sim = v * centres.transpose();  // p × k
        for (Eigen::Index i = 0; i < p; ++i) {
            Eigen::Index j;
            sim.row(i).maxCoeff(&j);
            label[std::size_t(i)] = int(j);
        }
        centres.setZero();
        for (Eigen::Index i = 0; i < p; ++i) centres.row(label[std::size_t(i)]) += v.row(i);
        for (int c = 0; c < k; ++c) {
            const float norm = centres.row(c).norm();
            if (norm > 0) centres.row(c) /= norm;
            else centres.row(c) = v.row(Eigen::Index(rng() % std::uint64_t(p)));  // revive an empty cluster
        }
    }
    RowMatrixF maps = RowMatrixF::Zero(k, p);
    for (Eigen::Index i = 0; i < p; ++i) maps(label[std::size_t(i)], i) = 1.0f;
    return maps;
}

RowMatrixF sampleInitialization(const RowMatrixF& samples, int k, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    RowMatrixF maps(k, samples.cols());
    for (int j = 0; j < k; ++j) maps.row(j) = samples.row(Eigen::Index(rng() % std::uint64_t(samples.rows()))).cwiseMax(0.0f);
    return maps;
}

RowMatrixF svdInitialization(const RowMatrixF& samples, int k) {
    if (k > std::min(samples.rows(), samples.cols()))
        throw InputError("dictionary initialisation: the SVD gives at most min(volumes, voxels) components");
    Eigen::BDCSVD<Eigen::MatrixXf> svd(samples, Eigen::ComputeThinV);
    RowMatrixF maps = svd.matrixV().leftCols(k).transpose();
    for (int j = 0; j < k; ++j)
        if (maps.row(j).sum() < 0) maps.row(j) *= -1.0f;
    return maps;
}

} // namespace nm::decompose
