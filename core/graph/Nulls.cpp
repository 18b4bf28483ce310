#include "graph/Nulls.hpp"

#include "common/Error.hpp"

#include <cmath>
#include <random>
#include <string>

namespace nm::graph {

namespace {
RewireResult rewire(const Matrix& Win, int iterations, std::uint64_t seed, bool directed) {
    if (Win.rows() != Win.cols()) throw InputError("randmio: expected a square matrix");
    if (iterations < 0) throw InputError("randmio: iterations must be >= 0");
    const Eigen::Index n = Win.rows();
    Matrix R = Win;
    R.diagonal().setZero();
    if (!directed && (R - R.transpose()).cwiseAbs().maxCoeff() > 1e-12) throw InputError("randmio_und: the network is not symmetric");
    std::vector<Eigen::Index> I, J;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            if (R(i, j) != 0.0 && (directed || i > j)) {  // BCT: find(tril(R)) for undirected
                I.push_back(i);
                J.push_back(j);
            }
    RewireResult out;
    const auto K = std::int64_t(I.size());
    if (K < 2) {
        out.network = R;
        return out;
    }
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::int64_t> pick(0, K - 1);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    const std::int64_t total = K * iterations;
    const double maxAttempts = std::round(double(n) * double(K) / (double(n) * double(n - 1)) * (directed ? 1.0 : 1.0));
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
                if (guard > 1000000) throw Error("randmio: no pair of disjoint edges (network too small or a star)");
            }
            if (!directed && coin(rng) > 0.5) {
                I[std::size_t(e2)] = d;
                J[std::size_t(e2)] = c;
                std::swap(c, d);
            }
            // Rewire a–b, c–d to a–d, c–b unless those edges exist.
            if (R(a, d) == 0.0 && R(c, b) == 0.0) {
                R(a, d) = R(a, b);
                R(a, b) = 0.0;
                R(c, b) = R(c, d);
                R(c, d) = 0.0;
                if (!directed) {
                    R(d, a) = R(b, a);
                    R(b, a) = 0.0;
                    R(b, c) = R(d, c);
                    R(d, c) = 0.0;
                }
                J[std::size_t(e1)] = d;
                J[std::size_t(e2)] = b;
                ++out.swaps;
                break;
            }
        }
    }
    out.network = R;
    return out;
}
} // namespace

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

SmallWorld smallWorldSigma(const Matrix& Ain, int nulls, int iterations, std::uint64_t seed) {
    if (nulls < 1) throw InputError("small-worldness: at least one null network is needed");
    const Matrix A = binarize(Ain);
    SmallWorld s;
    s.clustering = clusteringBU(A).mean();
    s.pathLength = charpath(distanceBin(A), false).characteristicPathLength;
    std::vector<double> c(static_cast<std::size_t>(nulls)), l(static_cast<std::size_t>(nulls));
#pragma omp parallel for schedule(dynamic)
    for (int r = 0; r < nulls; ++r) {
        const Matrix R = randmioUnd(A, iterations, seed + 104729ull * std::uint64_t(r)).network;
        c[std::size_t(r)] = clusteringBU(R).mean();
        l[std::size_t(r)] = charpath(distanceBin(R), false).characteristicPathLength;
    }
    for (int r = 0; r < nulls; ++r) s.nullClustering += c[std::size_t(r)] / nulls, s.nullPathLength += l[std::size_t(r)] / nulls;
    s.sigma = (s.clustering / s.nullClustering) / (s.pathLength / s.nullPathLength);
    return s;
}

} // namespace nm::graph
