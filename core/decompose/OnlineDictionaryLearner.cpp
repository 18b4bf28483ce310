#include "decompose/OnlineDictionaryLearner.hpp"

#include "common/Error.hpp"
#include "decompose/BallProjection.hpp"

#include <Eigen/Cholesky>
#include <omp.h>

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
    G_.resize(0, 0);  // recomputed from the new maps at the next iteration
    for (Eigen::Index j = 0; j < D_.rows(); ++j) {
        float* d = D_.row(j).data();
        // Scale into the ball before projecting, so that the shape of the start survives.
        double l1 = 0.0;
        for (Eigen::Index i = 0; i < D_.cols(); ++i) l1 += std::abs(options_.positive ? std::max(0.0f, d[i]) : d[i]);
        if (l1 > 0) D_.row(j) *= float(options_.radius / l1);
        projectElasticNetBall(d, std::size_t(D_.cols()), options_.radius, options_.gamma, options_.positive);
    }
    rebuildSparse();
}

void OnlineDictionaryLearner::setColumn(Eigen::Index voxel) {
    auto& col = columns_[std::size_t(voxel)];
    col.clear();
    for (Eigen::Index j = 0; j < D_.rows(); ++j) {
        const float v = D_(j, voxel);
        if (v != 0.0f) col.emplace_back(std::int32_t(j), v);
    }
}

void OnlineDictionaryLearner::rebuildSparse() {
    const Eigen::Index k = D_.rows(), p = D_.cols();
    columns_.assign(std::size_t(p), {});
    atomNorm_.assign(std::size_t(k), 0.0);
    for (Eigen::Index j = 0; j < k; ++j) {
        const float* d = D_.row(j).data();
        double l1 = 0.0, sq = 0.0;
        for (Eigen::Index i = 0; i < p; ++i)
            if (d[i] != 0.0f) {
                columns_[std::size_t(i)].emplace_back(std::int32_t(j), d[i]);
                l1 += std::abs(d[i]);
                sq += double(d[i]) * d[i];
            }
        atomNorm_[std::size_t(j)] = l1 + 0.5 * options_.gamma * sq;
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

void OnlineDictionaryLearner::recomputeGram() {
    // D Dᵀ = Σ_voxels d_i d_iᵀ over each column's non-zeros (O(Σ nnz_i²), not O(k² p)).
    const Eigen::Index k = D_.rows();
    G_ = Eigen::MatrixXd::Zero(k, k);
    for (const auto& col : columns_)
        for (std::size_t a = 0; a < col.size(); ++a) {
            const double va = col[a].second;
            double* g = G_.col(col[a].first).data();
            for (std::size_t b = 0; b < col.size(); ++b) g[col[b].first] += va * double(col[b].second);
        }
    gramAge_ = 0;
}

namespace {
using Column = std::vector<std::pair<std::int32_t, float>>;
void addOuter(Eigen::MatrixXd& G, const Column& col, double sign) {
    for (const auto& [a, va] : col) {
        double* g = G.col(a).data();
        const double s = sign * double(va);
        for (const auto& [b, vb] : col) g[b] += s * double(vb);
    }
}
} // namespace

void OnlineDictionaryLearner::partialFit(const RowMatrixF& batch, Communicator* comm) {
    if (batch.rows() > 0 && batch.cols() != D_.cols())
        throw InputError("dictionary learning: batch has " + std::to_string(batch.cols()) + " voxels, expected " +
                         std::to_string(D_.cols()));
    const Eigen::Index k = D_.rows(), p = D_.cols();
    const bool fullCodes = options_.codes == SomfOptions::Codes::Full;
    const bool fullStats = options_.statistics == SomfOptions::Statistics::Full;
    if (columns_.size() != std::size_t(p)) rebuildSparse();
    drawSubset();
    const Eigen::Index m = Eigen::Index(subset_.size());
    const Eigen::Index b = batch.rows();
    double flops = 0.0;

    // 1. Codes (k × b) by ridge regression, from the sparse columns of D.
    Eigen::MatrixXd codes(k, b);
    if (b > 0) {
        Eigen::MatrixXd Gd;
        RowMatrixF rhs = RowMatrixF::Zero(k, b);  // D x (full) or D_M x_M (masked)
        RowMatrixF& Xt = transposed_;  // p × b: a voxel's samples contiguous (buffer kept: no page faults)
        Xt = batch.transpose();
        auto accumulate = [&](Eigen::Index voxel, Eigen::Index s0, Eigen::Index s1) {
            const float* x = Xt.row(voxel).data();
            for (const auto& [j, v] : columns_[std::size_t(voxel)]) {
                float* r = rhs.row(j).data();
                for (Eigen::Index s = s0; s < s1; ++s) r[s] += v * x[s];
            }
        };
        if (fullCodes) {
            if (G_.rows() != k || gramAge_ >= std::max(8, options_.reduction)) recomputeGram();  // bounds rounding drift
            Gd = G_;
            // Threads split the samples (columns of rhs): no two write the same entry.
#pragma omp parallel
            {
                const int t = omp_get_thread_num(), n = omp_get_num_threads();
                const Eigen::Index s0 = b * t / n, s1 = b * (t + 1) / n;
                if (s1 > s0)
                    for (Eigen::Index i = 0; i < p; ++i) accumulate(i, s0, s1);
            }
            for (Eigen::Index i = 0; i < p; ++i) flops += 2.0 * double(columns_[std::size_t(i)].size()) * double(b);
        } else {
            Gd = Eigen::MatrixXd::Zero(k, k);
            for (Eigen::Index c = 0; c < m; ++c) {
                addOuter(Gd, columns_[std::size_t(subset_[std::size_t(c)])], 1.0);
                accumulate(subset_[std::size_t(c)], 0, b);
                flops += 2.0 * double(columns_[std::size_t(subset_[std::size_t(c)])].size()) * double(b);
            }
        }
        // Ridge relative to the mean energy of the atoms: scale-free.
        Gd.diagonal().array() += options_.alpha * Gd.trace() / double(k) + 1e-12;
        codes = Gd.llt().solve(rhs.cast<double>());
        flops += double(k) * double(k) * double(k) / 3.0 + 2.0 * double(k) * double(k) * double(b);
    }

    // 2. Statistics: this batch's contributions, summed over the ranks.
    Eigen::MatrixXd dA = b > 0 ? Eigen::MatrixXd(codes * codes.transpose()) : Eigen::MatrixXd::Zero(k, k);
    const Eigen::MatrixXf codesF = codes.cast<float>();
    RowMatrixF dB;
    const bool distributed = comm && comm->size() > 1;
    if (fullStats) {
        // One process: B is updated in place below by a single GEMM (no k × p temporary).
        if (distributed) dB = b > 0 ? RowMatrixF(codesF * batch) : RowMatrixF::Zero(k, p);
        flops += 2.0 * double(k) * double(p) * double(b);
    } else {
        RowMatrixF Xm(b, m);
        for (Eigen::Index s = 0; s < b; ++s)
            for (Eigen::Index c = 0; c < m; ++c) Xm(s, c) = batch(s, subset_[std::size_t(c)]);
        dB = b > 0 ? RowMatrixF(codesF * Xm) : RowMatrixF::Zero(k, m);
        flops += 2.0 * double(k) * double(m) * double(b);
    }
    double total = double(b);
    if (distributed) {
        comm->sum(dA.data(), std::size_t(dA.size()));
        comm->sum(dB.data(), std::size_t(dB.size()));
        comm->sum(&total, 1);
    }
    ++iteration_;
    if (total <= 0) {
        lastFlops_ = flops;
        return;
    }
    const double w = std::pow(double(iteration_), -options_.beta);
    A_ = (1.0 - w) * A_ + (w / total) * dA;
    RowMatrixF Bm(k, m);
    if (fullStats) {
        B_ *= float(1.0 - w);
        if (distributed) B_ += float(w / total) * dB;
        else if (b > 0) B_.noalias() += float(w / total) * codesF * batch;
        for (Eigen::Index j = 0; j < k; ++j) {
            const float* bb = B_.row(j).data();
            float* bm = Bm.row(j).data();
            for (Eigen::Index c = 0; c < m; ++c) bm[c] = bb[subset_[std::size_t(c)]];
        }
    } else {
        std::vector<float> keep(static_cast<std::size_t>(m)), add(static_cast<std::size_t>(m));
        for (Eigen::Index c = 0; c < m; ++c) {
            const double wj = std::pow(double(++featureCounts_[std::size_t(subset_[std::size_t(c)])]), -options_.beta);
            keep[std::size_t(c)] = float(1.0 - wj);
            add[std::size_t(c)] = float(wj / total);
        }
        for (Eigen::Index j = 0; j < k; ++j) {
            float* bb = B_.row(j).data();
            float* bm = Bm.row(j).data();
            const float* db = dB.row(j).data();
            for (Eigen::Index c = 0; c < m; ++c) {
                const auto i = subset_[std::size_t(c)];
                bb[i] = keep[std::size_t(c)] * bb[i] + add[std::size_t(c)] * db[c];
                bm[c] = bb[i];
            }
        }
    }

    // 3. Block coordinate descent over the atoms in random order, on the sampled voxels.
    std::vector<Eigen::Index> order(static_cast<std::size_t>(k));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng_);
    std::vector<Eigen::Index> position(static_cast<std::size_t>(k));
    for (Eigen::Index r = 0; r < k; ++r) position[std::size_t(order[std::size_t(r)])] = r;
    order_.assign(order.begin(), order.end());
    // Dense sampled maps, their sparse rows, and the mass of each atom inside the sample.
    RowMatrixF Dm = RowMatrixF::Zero(k, m);
    std::vector<Column> rows(static_cast<std::size_t>(k));
    std::vector<Column> oldColumns(static_cast<std::size_t>(m));
    std::vector<double> inside(static_cast<std::size_t>(k), 0.0);
    for (Eigen::Index c = 0; c < m; ++c) {
        oldColumns[std::size_t(c)] = columns_[std::size_t(subset_[std::size_t(c)])];
        for (const auto& [j, v] : oldColumns[std::size_t(c)]) {
            Dm(j, c) = v;
            rows[std::size_t(j)].emplace_back(std::int32_t(c), v);
            inside[std::size_t(j)] += std::abs(v) + 0.5 * options_.gamma * double(v) * v;
        }
    }
    // A in sweep order, column-major: the entries of a block for atom l are contiguous.
    Eigen::MatrixXf Aperm(k, k);
    for (Eigen::Index c = 0; c < k; ++c)
        for (Eigen::Index r = 0; r < k; ++r) Aperm(r, c) = float(A_(order[std::size_t(r)], order[std::size_t(c)]));
    constexpr Eigen::Index kBlock = 64;
    RowMatrixF R;  // nb × m, row-major: an atom's residual row is contiguous for its update
    Eigen::RowVectorXf row(m), old(m);
    double nnzTouched = 0.0;
    for (Eigen::Index start = 0; start < k; start += kBlock) {
        const Eigen::Index nb = std::min(kBlock, k - start);
        R.resize(nb, m);
        for (Eigen::Index r = 0; r < nb; ++r) R.row(r) = Bm.row(order[std::size_t(start + r)]);
        // R −= A_block · D_M over the non-zeros of D_M (rows as updated by the earlier blocks);
        // each thread owns whole rows of R.
#pragma omp parallel for schedule(static)
        for (Eigen::Index r = 0; r < nb; ++r) {
            float* rr = R.row(r).data();
            for (Eigen::Index l = 0; l < k; ++l) {
                const float a = Aperm(start + r, position[std::size_t(l)]);
                if (a == 0.0f) continue;
                for (const auto& [c, v] : rows[std::size_t(l)]) rr[c] -= a * v;
            }
        }
        for (Eigen::Index l = 0; l < k; ++l) nnzTouched += double(rows[std::size_t(l)].size());
        for (Eigen::Index r = 0; r < nb; ++r) {
            const Eigen::Index j = order[std::size_t(start + r)];
            const float ajj = Aperm(start + r, start + r);
            if (ajj <= 1e-12f) continue;  // an atom no sample has used yet
            old = Dm.row(j);
            row = old + R.row(r) / ajj;
            const double outside = atomNorm_[std::size_t(j)] - inside[std::size_t(j)];
            projectElasticNetBall(row.data(), std::size_t(m), options_.radius - outside, options_.gamma, options_.positive);
            // In-block corrections for the atoms after j, and the new sparse row.
            const Eigen::Index after = nb - r - 1;
            const float* a = Aperm.col(start + r).data() + start + r + 1;
            auto& sparseRow = rows[std::size_t(j)];
            sparseRow.clear();
            double l1 = 0.0;
            for (Eigen::Index c = 0; c < m; ++c) {
                const float delta = row[c] - old[c];
                if (delta != 0.0f && after > 0) {
                    float* rc = R.data() + (r + 1) * m + c;  // column c of the rows after r
                    for (Eigen::Index q = 0; q < after; ++q) rc[q * m] -= a[q] * delta;
                }
                if (row[c] != 0.0f) {
                    sparseRow.emplace_back(std::int32_t(c), row[c]);
                    l1 += std::abs(row[c]) + 0.5 * options_.gamma * double(row[c]) * row[c];
                }
            }
            Dm.row(j) = row;
            atomNorm_[std::size_t(j)] += l1 - inside[std::size_t(j)];
            inside[std::size_t(j)] = l1;
        }
    }
    flops += 2.0 * nnzTouched * double(kBlock) + 2.0 * double(k) * double(kBlock) * double(m);
    // Write back the sampled columns, their sparse lists and the Gram matrix.
    for (Eigen::Index j = 0; j < k; ++j) {
        float* d = D_.row(j).data();
        const float* dm = Dm.row(j).data();
        for (Eigen::Index c = 0; c < m; ++c) d[subset_[std::size_t(c)]] = dm[c];
    }
    for (Eigen::Index c = 0; c < m; ++c) columns_[std::size_t(subset_[std::size_t(c)])].clear();
    for (Eigen::Index j = 0; j < k; ++j)
        for (const auto& [c, v] : rows[std::size_t(j)]) columns_[std::size_t(subset_[std::size_t(c)])].emplace_back(std::int32_t(j), v);
    if (fullCodes && G_.rows() == k) {
        for (Eigen::Index c = 0; c < m; ++c) {
            addOuter(G_, oldColumns[std::size_t(c)], -1.0);
            addOuter(G_, columns_[std::size_t(subset_[std::size_t(c)])], 1.0);
        }
        ++gramAge_;
    }
    lastFlops_ = flops;
}

Eigen::MatrixXf OnlineDictionaryLearner::transform(const RowMatrixF& batch) const {
    Eigen::MatrixXd G = (D_ * D_.transpose()).cast<double>();
    G.diagonal().array() += options_.alpha * G.trace() / double(D_.rows()) + 1e-12;
    const Eigen::MatrixXd rhs = (D_ * batch.transpose()).cast<double>();
    return G.llt().solve(rhs).transpose().cast<float>();
}

namespace {
constexpr char kMagic[] = "NMSOMF2";
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
    put<std::int64_t>(s, G_.rows());
    putBytes(s, G_.data(), std::size_t(G_.size()) * sizeof(double));
    put<std::int64_t>(s, gramAge_);
    putBytes(s, atomNorm_.data(), atomNorm_.size() * sizeof(double));
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
    rebuildSparse();
    getBytes(s, pos, A_.data(), std::size_t(A_.size()) * sizeof(double));
    getBytes(s, pos, B_.data(), std::size_t(B_.size()) * sizeof(float));
    getBytes(s, pos, featureCounts_.data(), featureCounts_.size() * sizeof(std::int64_t));
    getBytes(s, pos, permutation_.data(), permutation_.size() * sizeof(std::int32_t));
    const auto g = get<std::int64_t>(s, pos);
    if (g != 0 && g != k) throw Error("dictionary learning checkpoint: Gram matrix of another size");
    G_.resize(g, g);
    getBytes(s, pos, G_.data(), std::size_t(G_.size()) * sizeof(double));
    gramAge_ = get<std::int64_t>(s, pos);
    getBytes(s, pos, atomNorm_.data(), atomNorm_.size() * sizeof(double));  // incremental values, not recomputed ones
    const auto n = get<std::uint64_t>(s, pos);
    if (pos + n > s.size()) throw Error("dictionary learning checkpoint: truncated state");
    std::istringstream r(s.substr(pos, n));
    r >> rng_;
}

} // namespace nm::decompose
