#include "decompose/OnlineDictionaryLearner.hpp"

#include "common/Error.hpp"
#include "decompose/BallProjection.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <sstream>

namespace nm::decompose {

void SomfOptions::validate() const {
    if (components < 1) throw InputError("dictionary learning: components must be >= 1");
    if (!(alpha >= 0)) throw InputError("dictionary learning: --alpha must be >= 0 (ridge on the codes, relative to the atoms' energy)");
    if (reduction < 1) throw InputError("dictionary learning: --reduction must be >= 1");
    if (!(beta > 0.5 && beta <= 1.0)) throw InputError("dictionary learning: --beta must be in (0.5, 1]");
    if (!(radius > 0)) throw InputError("dictionary learning: the ball radius must be > 0");
    if (!(gamma >= 0)) throw InputError("dictionary learning: the elastic-net weight must be >= 0");
}

OnlineDictionaryLearner::OnlineDictionaryLearner(Eigen::Index voxels, const SomfOptions& options)
    : options_(options), rng_(options.seed) {
    options_.validate();
    if (voxels < options_.components)
        throw InputError("dictionary learning: " + std::to_string(options_.components) + " components for " +
                         std::to_string(voxels) + " voxels");
    const Eigen::Index k = options_.components;
    D_ = RowMatrixF::Zero(k, voxels);
    A_ = Eigen::MatrixXd::Zero(k, k);
    B_ = RowMatrixF::Zero(k, voxels);
    featureCounts_.assign(std::size_t(voxels), 0);
    permutation_.resize(std::size_t(voxels));
    std::iota(permutation_.begin(), permutation_.end(), 0);
}

void OnlineDictionaryLearner::initialize(const RowMatrixF& maps) {
    if (maps.rows() != D_.rows() || maps.cols() != D_.cols())
        throw InputError("dictionary learning: initial maps are " + std::to_string(maps.rows()) + "×" +
                         std::to_string(maps.cols()) + ", expected " + std::to_string(D_.rows()) + "×" +
                         std::to_string(D_.cols()));
    D_ = maps;
    for (Eigen::Index j = 0; j < D_.rows(); ++j) {
        float* d = D_.row(j).data();
        // Scale into the ball before projecting, so that the shape of the start survives.
        double l1 = 0.0;
        for (Eigen::Index i = 0; i < D_.cols(); ++i) l1 += std::abs(options_.positive ? std::max(0.0f, d[i]) : d[i]);
        if (l1 > 0) D_.row(j) *= float(options_.radius / l1);
        projectElasticNetBall(d, std::size_t(D_.cols()), options_.radius, options_.gamma, options_.positive);
    }
}

void OnlineDictionaryLearner::drawSubset() {
    const auto p = std::size_t(D_.cols());
    const std::size_t m = std::max<std::size_t>(1, p / std::size_t(options_.reduction));
    // Partial Fisher–Yates: the first m entries become a uniform random subset.
    for (std::size_t i = 0; i < m; ++i) {
        const std::size_t j = i + std::size_t(rng_() % (p - i));
        std::swap(permutation_[i], permutation_[j]);
    }
    subset_.assign(permutation_.begin(), permutation_.begin() + std::ptrdiff_t(m));
    std::sort(subset_.begin(), subset_.end());
}

void OnlineDictionaryLearner::partialFit(const RowMatrixF& batch, Communicator* comm) {
    if (batch.rows() > 0 && batch.cols() != D_.cols())
        throw InputError("dictionary learning: batch has " + std::to_string(batch.cols()) + " voxels, expected " +
                         std::to_string(D_.cols()));
    const Eigen::Index k = D_.rows(), p = D_.cols();
    drawSubset();
    const Eigen::Index m = Eigen::Index(subset_.size());
    const Eigen::Index b = batch.rows();
    // Gather the sampled voxels.
    RowMatrixF Dm(k, m), Bm(k, m);
    for (Eigen::Index j = 0; j < k; ++j)
        for (Eigen::Index i = 0; i < m; ++i) {
            Dm(j, i) = D_(j, subset_[std::size_t(i)]);
            Bm(j, i) = B_(j, subset_[std::size_t(i)]);
        }
    RowMatrixF Xm(b, m);
    for (Eigen::Index s = 0; s < b; ++s)
        for (Eigen::Index i = 0; i < m; ++i) Xm(s, i) = batch(s, subset_[std::size_t(i)]);

    // 1. Codes: ridge regression on the sampled voxels.
    Eigen::MatrixXd dA = Eigen::MatrixXd::Zero(k, k);
    RowMatrixF dB = RowMatrixF::Zero(k, m);
    if (b > 0) {
        Eigen::MatrixXf G = Eigen::MatrixXf::Zero(k, k);
        G.selfadjointView<Eigen::Lower>().rankUpdate(Dm);  // D_M D_Mᵀ
        Eigen::MatrixXf Gfull = G.selfadjointView<Eigen::Lower>();
        Eigen::MatrixXd Gd = Gfull.cast<double>();
        // Ridge relative to the mean energy of the atoms on the sampled voxels: scale-free.
        Gd.diagonal().array() += options_.alpha * Gd.trace() / double(k) + 1e-12;
        const Eigen::MatrixXd rhs = (Dm * Xm.transpose()).cast<double>();  // k × b
        const Eigen::MatrixXd codes = Gd.llt().solve(rhs);                 // k × b
        dA = codes * codes.transpose();
        dB = (codes.cast<float>() * Xm);
    }
    double total = double(b);
    if (comm && comm->size() > 1) {
        comm->sum(dA.data(), std::size_t(dA.size()));
        comm->sum(dB.data(), std::size_t(dB.size()));
        comm->sum(&total, 1);
    }
    ++iteration_;
    if (total > 0) {
        // 2. Surrogate statistics.
        const double w = std::pow(double(iteration_), -options_.beta);
        A_ = (1.0 - w) * A_ + (w / total) * dA;
        for (Eigen::Index i = 0; i < m; ++i) {
            const auto j = std::size_t(subset_[std::size_t(i)]);
            const double wj = std::pow(double(++featureCounts_[j]), -options_.beta);
            Bm.col(i) = float(1.0 - wj) * Bm.col(i) + float(wj / total) * dB.col(i);
        }
        // 3. Block coordinate descent over the atoms, in random order.
        std::vector<Eigen::Index> order(static_cast<std::size_t>(k));
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng_);
        Eigen::VectorXf l1Outside(k);
        for (Eigen::Index j = 0; j < k; ++j) {
            double full = 0.0, inside = 0.0, fullSq = 0.0, insideSq = 0.0;
            for (Eigen::Index i = 0; i < p; ++i) {
                full += std::abs(D_(j, i));
                fullSq += double(D_(j, i)) * D_(j, i);
            }
            for (Eigen::Index i = 0; i < m; ++i) {
                inside += std::abs(Dm(j, i));
                insideSq += double(Dm(j, i)) * Dm(j, i);
            }
            l1Outside[j] = float((full - inside) + 0.5 * options_.gamma * (fullSq - insideSq));
        }
        const Eigen::MatrixXf Af = A_.cast<float>();
        Eigen::RowVectorXf update(m);
        for (Eigen::Index j : order) {
            const float ajj = Af(j, j);
            if (ajj <= 1e-12f) continue;  // an atom no sample has used yet
            update = Bm.row(j) - Af.row(j) * Dm;
            Dm.row(j) += update / ajj;
            projectElasticNetBall(Dm.row(j).data(), std::size_t(m), options_.radius - l1Outside[j], options_.gamma,
                                  options_.positive);
        }
        for (Eigen::Index j = 0; j < k; ++j)
            for (Eigen::Index i = 0; i < m; ++i) {
                D_(j, subset_[std::size_t(i)]) = Dm(j, i);
                B_(j, subset_[std::size_t(i)]) = Bm(j, i);
            }
    }
    // gram k²m + rhs kmb + solve k²b + k³/3 + dA k²b + dB kmb + BCD 2k²m (multiply-adds × 2)
    lastFlops_ = 2.0 * (double(k) * k * m * 0.5 + 2.0 * k * m * b + 2.0 * k * k * b + double(k) * k * k / 6.0 + 2.0 * k * k * m);
}

Eigen::MatrixXf OnlineDictionaryLearner::transform(const RowMatrixF& batch) const {
    Eigen::MatrixXd G = (D_ * D_.transpose()).cast<double>();
    G.diagonal().array() += options_.alpha * G.trace() / double(D_.rows()) + 1e-12;
    const Eigen::MatrixXd rhs = (D_ * batch.transpose()).cast<double>();
    return G.llt().solve(rhs).transpose().cast<float>();
}

namespace {
constexpr char kMagic[] = "NMSOMF1";
template <typename T>
void put(std::string& s, const T& v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
T get(const std::string& s, std::size_t& pos) {
    if (pos + sizeof(T) > s.size()) throw Error("dictionary learning checkpoint: truncated state");
    T v;
    std::memcpy(&v, s.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
}
void putBytes(std::string& s, const void* data, std::size_t n) { s.append(static_cast<const char*>(data), n); }
void getBytes(const std::string& s, std::size_t& pos, void* data, std::size_t n) {
    if (pos + n > s.size()) throw Error("dictionary learning checkpoint: truncated state");
    std::memcpy(data, s.data() + pos, n);
    pos += n;
}
} // namespace

std::string OnlineDictionaryLearner::serialize() const {
    std::string s(kMagic, sizeof(kMagic));
    put<std::int64_t>(s, D_.rows());
    put<std::int64_t>(s, D_.cols());
    put<std::int64_t>(s, iteration_);
    putBytes(s, D_.data(), std::size_t(D_.size()) * sizeof(float));
    putBytes(s, A_.data(), std::size_t(A_.size()) * sizeof(double));
    putBytes(s, B_.data(), std::size_t(B_.size()) * sizeof(float));
    putBytes(s, featureCounts_.data(), featureCounts_.size() * sizeof(std::int64_t));
    putBytes(s, permutation_.data(), permutation_.size() * sizeof(std::int32_t));
    std::ostringstream r;
    r << rng_;
    const std::string rng = r.str();
    put<std::uint64_t>(s, rng.size());
    s += rng;
    return s;
}

void OnlineDictionaryLearner::deserialize(const std::string& s) {
    if (s.size() < sizeof(kMagic) || std::memcmp(s.data(), kMagic, sizeof(kMagic)) != 0)
        throw Error("dictionary learning checkpoint: not a learner state");
    std::size_t pos = sizeof(kMagic);
    const auto k = get<std::int64_t>(s, pos), p = get<std::int64_t>(s, pos);
    if (k != D_.rows() || p != D_.cols()) throw Error("dictionary learning checkpoint: state of another size");
    iteration_ = get<std::int64_t>(s, pos);
    getBytes(s, pos, D_.data(), std::size_t(D_.size()) * sizeof(float));
    getBytes(s, pos, A_.data(), std::size_t(A_.size()) * sizeof(double));
    getBytes(s, pos, B_.data(), std::size_t(B_.size()) * sizeof(float));
    getBytes(s, pos, featureCounts_.data(), featureCounts_.size() * sizeof(std::int64_t));
    getBytes(s, pos, permutation_.data(), permutation_.size() * sizeof(std::int32_t));
    const auto n = get<std::uint64_t>(s, pos);
    if (pos + n > s.size()) throw Error("dictionary learning checkpoint: truncated state");
    std::istringstream r(s.substr(pos, n));
    r >> rng_;
}

} // namespace nm::decompose
