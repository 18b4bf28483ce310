#include "graph/Nulls.hpp"

#include "common/Error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

namespace nm::graph {

namespace {
/// What a swap must respect beyond the degrees: a lattice cost (latmio: accept only swaps that do
/// not move edges away from the diagonal of the ring ordering), edge-length bins (spatial null:
/// the multiset of bins is kept), or a sign (signed networks: positive and negative edges are
/// rewired separately, so both degree sequences are kept).
struct Constraint {
    const Matrix* lattice = nullptr;
    const Eigen::MatrixXi* bins = nullptr;
    int sign = 0;  ///< +1 / −1: only edges of this sign; 0: all
};

void rewireInPlace(Matrix& R, RewireResult& out, int iterations, std::mt19937_64& rng, bool directed, const Constraint& con) {
    const Eigen::Index n = R.rows();
    std::vector<Eigen::Index> I, J;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            if (R(i, j) != 0.0 && (directed || i > j) && (con.sign == 0 || (R(i, j) > 0) == (con.sign > 0))) {  // BCT: find(tril(R))
                I.push_back(i);
                J.push_back(j);
            }
    const auto K = std::int64_t(I.size());
    if (K < 2) return;
    std::uniform_int_distribution<std::int64_t> pick(0, K - 1);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    const std::int64_t total = K * iterations;
    // BCT's limit of attempts per iteration: randmio n·K/(n(n−1)), latmio n·K/(n(n−1)/2); the
    // length-bin constraint rejects most swaps, so it gets at least 100 attempts.
    double maxAttempts = std::round(double(n) * double(K) / (double(n) * double(n - 1) / (con.lattice ? 2.0 : 1.0)));
    if (con.bins) maxAttempts = std::max(maxAttempts, 100.0);
    for (std::int64_t iter = 0; iter < total; ++iter) {
        for (int att = 0; att <= int(maxAttempts); ++att) {
            std::int64_t e1 = 0, e2 = 0;
            Eigen::Index a = 0, b = 0, c = 0, d = 0;
            for (int guard = 0;; ++guard) {
                e1 = pick(rng);
                e2 = pick(rng);
                while (e2 == e1) e2 = pick(rng);
                a = I[std::size_t(e1)], b = J[std::size_t(e1)], c = I[std::size_t(e2)], d = J[std::size_t(e2)];
                if (a != c && a != d && b != c && b != d) break;
                if (guard > 1000000) throw Error("rewiring: no pair of disjoint edges (network too small or a star)");
            }
            if (!directed && coin(rng) > 0.5) {
                I[std::size_t(e2)] = d;
                J[std::size_t(e2)] = c;
                std::swap(c, d);
            }
            // Rewire a–b, c–d to a–d, c–b unless those edges exist.
            if (R(a, d) != 0.0 || R(c, b) != 0.0) continue;
            if (con.lattice) {
                const Matrix& D = *con.lattice;
                if (D(a, b) * R(a, b) + D(c, d) * R(c, d) < D(a, d) * R(a, b) + D(c, b) * R(c, d)) continue;
            }
            double wad = R(a, b), wcb = R(c, d), wda = R(b, a), wbc = R(d, c);
            if (con.bins) {
                const auto& B = *con.bins;
                if (B(a, d) == B(a, b) && B(c, b) == B(c, d)) {
                    // weights travel with their endpoints, bins unchanged
                } else if (B(a, d) == B(c, d) && B(c, b) == B(a, b)) {
                    std::swap(wad, wcb);  // each weight stays in its length bin
                    std::swap(wda, wbc);
                } else {
                    continue;
                }
            }
            R(a, b) = R(c, d) = 0.0;
            R(a, d) = wad;
            R(c, b) = wcb;
            if (!directed) {
                R(b, a) = R(d, c) = 0.0;
                R(d, a) = wda;
                R(b, c) = wbc;
            }
            J[std::size_t(e1)] = d;
            J[std::size_t(e2)] = b;
            ++out.swaps;
            break;
        }
    }
}

Matrix checkedCopy(const Matrix& Win, bool directed, const char* what) {
    if (Win.rows() != Win.cols()) throw InputError(std::string(what) + ": expected a square matrix");
    if (!Win.allFinite()) throw InputError(std::string(what) + ": the network has non-finite weights");
    Matrix R = Win;
    R.diagonal().setZero();
    if (!directed && (R - R.transpose()).cwiseAbs().maxCoeff() > 1e-12) throw InputError(std::string(what) + ": the network is not symmetric");
    return R;
}

RewireResult rewire(const Matrix& Win, int iterations, std::uint64_t seed, bool directed, const Constraint& con = {}, const char* what = "randmio") {
    if (iterations < 0) throw InputError(std::string(what) + ": iterations must be >= 0");
    RewireResult out;
    out.network = checkedCopy(Win, directed, what);
    std::mt19937_64 rng(seed);
    if ((out.network.array() < 0).any() && con.sign == 0) {
        // Signed (randmio_und_signed): positive and negative edges each keep their degrees.
        Constraint pos = con, neg = con;
        pos.sign = 1;
        neg.sign = -1;
        rewireInPlace(out.network, out, iterations, rng, directed, pos);
        rewireInPlace(out.network, out, iterations, rng, directed, neg);
    } else {
        rewireInPlace(out.network, out, iterations, rng, directed, con);
    }
    return out;
}
} // namespace

RewireResult latmioUnd(const Matrix& W, int iterations, std::uint64_t seed) {
    const Eigen::Index n = W.rows();
    // Ring positions in a random order (BCT permutes the nodes on each run); the cost of a pair is
    // its distance from the diagonal of the ring-ordered matrix, min(|p_i − p_j|, n − |p_i − p_j|).
    std::vector<Eigen::Index> pos(static_cast<std::size_t>(n));
    std::iota(pos.begin(), pos.end(), 0);
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
    std::shuffle(pos.begin(), pos.end(), rng);
    Matrix D(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
            const auto d = std::abs(pos[std::size_t(i)] - pos[std::size_t(j)]);
            D(i, j) = double(std::min(d, n - d));
        }
    Constraint con;
    con.lattice = &D;
    return rewire(W, iterations, seed, false, con, "latmio_und");
}

RewireResult spatialNull(const Matrix& W, const Matrix& lengths, int bins, int iterations, std::uint64_t seed) {
    const Eigen::Index n = W.rows();
    if (lengths.rows() != n || lengths.cols() != n) throw InputError("spatial null: the distance matrix must be " + std::to_string(n) + " × " + std::to_string(n));
    if (bins < 1) throw InputError("spatial null: at least one length bin is needed");
    // Equal-width bins between the shortest and the longest distance (Betzel & Bassett 2018).
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            if (i != j) lo = std::min(lo, lengths(i, j)), hi = std::max(hi, lengths(i, j));
    Eigen::MatrixXi B(n, n);
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            B(i, j) = hi > lo ? std::min(bins - 1, int(std::floor((lengths(i, j) - lo) / (hi - lo) * bins))) : 0;
    Constraint con;
    con.bins = &B;
    return rewire(W, iterations, seed, false, con, "spatial null");
}

Matrix strengthPreservingNull(const Matrix& Win, int iterations, std::uint64_t seed) {
    Matrix W = checkedCopy(Win, false, "null_model_und_sign");
    const Eigen::Index n = W.rows();
    const Matrix Wr = rewire(W, iterations, seed, false, {}, "null_model_und_sign").network;
    std::mt19937_64 rng(seed + 0x51ed27ull);
    Matrix W0 = Matrix::Zero(n, n);
    for (const int s : {1, -1}) {
        Vector S = Vector::Zero(n);  // strengths of this sign
        std::vector<double> Wv;      // the weights of this sign (upper triangle), increasing
        std::vector<std::pair<Eigen::Index, Eigen::Index>> slots;  // edges of this sign in the rewired network
        for (Eigen::Index j = 0; j < n; ++j)
            for (Eigen::Index i = 0; i < n; ++i) {
                if (W(i, j) * s > 0) {
                    S[i] += W(i, j) * s;
                    if (i < j) Wv.push_back(W(i, j) * s);
                }
                if (i < j && Wr(i, j) * s > 0) slots.emplace_back(i, j);
            }
        std::sort(Wv.begin(), Wv.end());
        // Expected weight of a slot P_ij = e_i e_j with e = S, scaled by (1 − w/S_i) whenever
        // node i receives a weight w (BCT's row and column scaling of P).
        Vector e = S;
        std::vector<std::size_t> idx;
        for (auto m = Wv.size(); m > 0; --m) {
            idx.resize(m);
            std::iota(idx.begin(), idx.end(), 0);
            const std::size_t r = std::uniform_int_distribution<std::size_t>(0, m - 1)(rng);
            // The slot of rank r by expected weight receives the weight of rank r (BCT wei_freq 1).
            std::nth_element(idx.begin(), idx.begin() + std::ptrdiff_t(r), idx.end(), [&](std::size_t x, std::size_t y) {
                const double px = e[slots[x].first] * e[slots[x].second], py = e[slots[y].first] * e[slots[y].second];
                return px < py || (px == py && x < y);
            });
            const std::size_t o = idx[r];
            const auto [i, j] = slots[o];
            const double w = Wv[r];
            W0(i, j) = W0(j, i) = s * w;
            for (const auto v : {i, j}) {
                if (S[v] > 0) e[v] *= 1.0 - w / S[v];
                S[v] -= w;
            }
            slots.erase(slots.begin() + std::ptrdiff_t(o));
            Wv.erase(Wv.begin() + std::ptrdiff_t(r));
        }
    }
    return W0;
}

RewireResult randmioUnd(const Matrix& W, int iterations, std::uint64_t seed) { return rewire(W, iterations, seed, false); }
RewireResult randmioDir(const Matrix& W, int iterations, std::uint64_t seed) { return rewire(W, iterations, seed, true); }

Vector richClubBU(const Matrix& Ain, int kmax) {
    const Matrix A = binarize(Ain);
    const Vector deg = degree(A);
    const int klevel = kmax > 0 ? kmax : int(deg.maxCoeff());
    Vector R(klevel);
    for (int k = 1; k <= klevel; ++k) {
        std::vector<Eigen::Index> big;
        for (Eigen::Index i = 0; i < A.rows(); ++i)
            if (deg[i] > k) big.push_back(i);
        const double nk = double(big.size());
        double ek = 0;
        for (auto a : big)
            for (auto b : big) ek += A(a, b);
        R[k - 1] = nk > 1 ? ek / (nk * (nk - 1)) : std::nan("");
    }
    return R;
}

NormalizedRichClub normalizedRichClubBU(const Matrix& A, int nulls, int iterations, std::uint64_t seed, int kmax) {
    if (nulls < 1) throw InputError("rich club: at least one null network is needed");
    NormalizedRichClub out;
    const Matrix B = binarize(A);
    out.coefficient = richClubBU(B, kmax);
    const auto K = out.coefficient.size();
    Matrix samples(K, nulls);
#pragma omp parallel for schedule(dynamic)
    for (int r = 0; r < nulls; ++r) samples.col(r) = richClubBU(randmioUnd(B, iterations, seed + 7919ull * std::uint64_t(r)).network, int(K));
    out.nullMean = samples.rowwise().mean();
    out.nullSd = ((samples.colwise() - out.nullMean).array().square().rowwise().sum() / std::max(1, nulls - 1)).sqrt();
    out.normalized = out.coefficient.cwiseQuotient(out.nullMean);
    return out;
}

SmallWorld smallWorld(const Matrix& Ain, int nulls, int iterations, std::uint64_t seed, int latticeIterations) {
    if (nulls < 1) throw InputError("small-worldness: at least one null network is needed");
    const Matrix A = binarize(Ain);
    SmallWorld s;
    s.clustering = clusteringBU(A).mean();
    s.pathLength = charpath(distanceBin(A), false).characteristicPathLength;
    std::vector<double> c(static_cast<std::size_t>(nulls)), l(static_cast<std::size_t>(nulls)), cl(static_cast<std::size_t>(nulls));
#pragma omp parallel for schedule(dynamic)
    for (int r = 0; r < nulls; ++r) {
        const Matrix R = randmioUnd(A, iterations, seed + 104729ull * std::uint64_t(r)).network;
        c[std::size_t(r)] = clusteringBU(R).mean();
        l[std::size_t(r)] = charpath(distanceBin(R), false).characteristicPathLength;
        cl[std::size_t(r)] = clusteringBU(latmioUnd(A, latticeIterations, seed + 130363ull * std::uint64_t(r)).network).mean();
    }
    for (int r = 0; r < nulls; ++r) {
        s.nullClustering += c[std::size_t(r)] / nulls;
        s.nullPathLength += l[std::size_t(r)] / nulls;
        s.latticeClustering = std::max(s.latticeClustering, cl[std::size_t(r)]);
    }
    s.sigma = (s.clustering / s.nullClustering) / (s.pathLength / s.nullPathLength);
    s.omega = s.nullPathLength / s.pathLength - s.clustering / s.latticeClustering;
    return s;
}

Vector richClubWU(const Matrix& W, int kmax) {
    const Vector deg = degree(W);
    const int klevel = kmax > 0 ? kmax : int(deg.maxCoeff());
    std::vector<double> ranked;  // all non-zero weights (both triangles, as BCT's CIJ(:)), decreasing
    for (Eigen::Index j = 0; j < W.cols(); ++j)
        for (Eigen::Index i = 0; i < W.rows(); ++i)
            if (W(i, j) != 0.0) ranked.push_back(W(i, j));
    std::sort(ranked.begin(), ranked.end(), std::greater<>());
    Vector R(klevel);
    for (int k = 1; k <= klevel; ++k) {
        double wr = 0;
        std::size_t er = 0;
        for (Eigen::Index j = 0; j < W.cols(); ++j)
            for (Eigen::Index i = 0; i < W.rows(); ++i)
                if (deg[i] > k && deg[j] > k && W(i, j) != 0.0) wr += W(i, j), ++er;
        const double top = std::accumulate(ranked.begin(), ranked.begin() + std::ptrdiff_t(er), 0.0);
        R[k - 1] = top > 0 ? wr / top : std::nan("");
    }
    return R;
}

NormalizedRichClub normalizedRichClubWU(const Matrix& W, int nulls, int iterations, std::uint64_t seed, int kmax) {
    if (nulls < 1) throw InputError("rich club: at least one null network is needed");
    NormalizedRichClub out;
    out.coefficient = richClubWU(W, kmax);
    const auto K = out.coefficient.size();
    Matrix samples(K, nulls);
#pragma omp parallel for schedule(dynamic)
    for (int r = 0; r < nulls; ++r) samples.col(r) = richClubWU(strengthPreservingNull(W, iterations, seed + 7919ull * std::uint64_t(r)), int(K));
    out.nullMean = samples.rowwise().mean();
    out.nullSd = ((samples.colwise() - out.nullMean).array().square().rowwise().sum() / std::max(1, nulls - 1)).sqrt();
    out.normalized = out.coefficient.cwiseQuotient(out.nullMean);
    return out;
}

} // namespace nm::graph
