#include "graph/Metrics.hpp"

#include "common/Error.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <string>

namespace nm::graph {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

void requireSquare(const Matrix& W, const char* what) {
    if (W.rows() != W.cols()) throw InputError(std::string(what) + ": expected a square matrix, got " + std::to_string(W.rows()) + " × " + std::to_string(W.cols()));
}
bool symmetric(const Matrix& W) { return (W - W.transpose()).cwiseAbs().maxCoeff() < 1e-10; }

/// Out-neighbours of each node (off-diagonal non-zeros of its row), increasing.
std::vector<std::vector<Eigen::Index>> successors(const Matrix& A) {
    std::vector<std::vector<Eigen::Index>> out(static_cast<std::size_t>(A.rows()));
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j)
            if (i != j && A(i, j) != 0.0) out[std::size_t(i)].push_back(j);
    return out;
}

/// Nodes linked to u in either direction (BCT's local-efficiency neighbourhood), increasing.
std::vector<Eigen::Index> neighbourhood(const Matrix& W, Eigen::Index u) {
    std::vector<Eigen::Index> V;
    for (Eigen::Index v = 0; v < W.rows(); ++v)
        if (W(u, v) != 0.0 || W(v, u) != 0.0) V.push_back(v);
    return V;
}

/// Inverse distances, 0 on the diagonal and where unreachable (BCT distance_inv).
Matrix inverse(Matrix D) {
    for (Eigen::Index j = 0; j < D.cols(); ++j)
        for (Eigen::Index i = 0; i < D.rows(); ++i) D(i, j) = (i == j || !std::isfinite(D(i, j)) || D(i, j) == 0) ? 0.0 : 1.0 / D(i, j);
    return D;
}
} // namespace

Matrix thresholdProportional(const Matrix& Win, double p) {
    requireSquare(Win, "threshold_proportional");
    if (!(p >= 0.0 && p <= 1.0)) throw InputError("threshold_proportional: proportion must be in [0, 1], got " + std::to_string(p));
    Matrix W = Win;
    const Eigen::Index n = W.rows();
    W.diagonal().setZero();
    const bool ud = symmetric(W);
    if (ud) W = W.triangularView<Eigen::Upper>();
    // Non-zeros in MATLAB's column-major order, sorted by weight descending (stable: ties keep
    // that order), as sortrows([ind W(ind)], -2).
    std::vector<std::pair<Eigen::Index, double>> e;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            if (W(i, j) != 0.0) e.emplace_back(j * n + i, W(i, j));
    std::stable_sort(e.begin(), e.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    // MATLAB round: half away from zero.
    const double target = double(n * n - n) * p / (ud ? 2.0 : 1.0);
    const auto keep = std::size_t(std::llround(target));
    for (std::size_t k = keep; k < e.size(); ++k) W(e[k].first % n, e[k].first / n) = 0.0;
    if (ud) W = W + Matrix(W.transpose());
    return W;
}

Matrix thresholdDensity(const Matrix& W, double d) {
    requireSquare(W, "threshold to density");
    if (!(d > 0.0 && d <= 1.0)) throw InputError("threshold to density: density must be in (0, 1], got " + std::to_string(d));
    const bool ud = symmetric(W);
    const double have = density(W, !ud);
    const Eigen::Index n = W.rows();
    const auto want = std::llround(double(n * n - n) * d / (ud ? 2.0 : 1.0));
    if (edgeCount(W, !ud) < want)
        throw InputError("threshold to density: the network has density " + std::to_string(have) + ", below the requested " + std::to_string(d));
    return thresholdProportional(W, d);  // BCT's proportion is of all n(n−1)(/2) possible edges
}

Matrix thresholdAbsolute(const Matrix& Win, double threshold) {
    requireSquare(Win, "threshold_absolute");
    Matrix W = (Win.array() < threshold).select(0.0, Win);
    W.diagonal().setZero();
    return W;
}

Matrix binarize(const Matrix& W) { return (W.array() != 0.0).cast<double>(); }
Matrix symmetrize(const Matrix& W) { return W.cwiseMax(W.transpose()); }
Matrix normalizeWeights(const Matrix& W) {
    const double m = W.cwiseAbs().maxCoeff();
    return m > 0 ? Matrix(W / m) : W;
}

Eigen::Index edgeCount(const Matrix& W, bool directed) {
    Eigen::Index m = 0;
    for (Eigen::Index j = 0; j < W.cols(); ++j)
        for (Eigen::Index i = 0; i < W.rows(); ++i)
            if (i != j && W(i, j) != 0.0 && (directed || i < j)) ++m;
    return m;
}

double density(const Matrix& W, bool directed) {
    const double n = double(W.rows());
    return double(edgeCount(W, directed)) / (directed ? n * n - n : (n * n - n) / 2.0);
}

Vector degree(const Matrix& W) { return (W.array() != 0.0).cast<double>().rowwise().sum(); }
Vector strength(const Matrix& W) { return W.rowwise().sum(); }
Vector inDegree(const Matrix& W) { return (W.array() != 0.0).cast<double>().colwise().sum().transpose(); }
Vector outDegree(const Matrix& W) { return degree(W); }

Vector clusteringBU(const Matrix& A) {
    requireSquare(A, "clustering_coef_bu");
    const Eigen::Index n = A.rows();
    Vector C = Vector::Zero(n);
    for (Eigen::Index u = 0; u < n; ++u) {
        std::vector<Eigen::Index> V;
        for (Eigen::Index v = 0; v < n; ++v)
            if (A(u, v) != 0.0) V.push_back(v);
        const double k = double(V.size());
        if (k < 2) continue;
        double s = 0;
        for (auto a : V)
            for (auto b : V) s += A(a, b) != 0.0;
        C[u] = s / (k * k - k);
    }
    return C;
}

Vector clusteringWU(const Matrix& W) {
    requireSquare(W, "clustering_coef_wu");
    const Vector K = degree(W);
    const Matrix W3 = W.array().pow(1.0 / 3.0).matrix();
    const Vector cyc3 = (W3 * W3 * W3).diagonal();
    Vector C(W.rows());
    for (Eigen::Index i = 0; i < W.rows(); ++i) C[i] = cyc3[i] == 0.0 ? 0.0 : cyc3[i] / (K[i] * (K[i] - 1));
    return C;
}

namespace {
/// Fagiolo's (2007) directed clustering: triangles of S over the pairs of neighbours, minus the
/// bilateral pairs (BCT clustering_coef_bd/wd).
Vector fagiolo(const Matrix& S, const Vector& K, const Matrix& A) {
    const Vector cyc3 = (S * S * S).diagonal() / 2.0;
    const Vector a2 = (A * A).diagonal();
    Vector C(A.rows());
    for (Eigen::Index i = 0; i < A.rows(); ++i) C[i] = cyc3[i] == 0.0 ? 0.0 : cyc3[i] / (K[i] * (K[i] - 1) - 2 * a2[i]);
    return C;
}
} // namespace

Vector clusteringBD(const Matrix& Ain) {
    requireSquare(Ain, "clustering_coef_bd");
    const Matrix A = binarize(Ain);
    const Matrix S = A + Matrix(A.transpose());
    const Vector K = S.rowwise().sum();
    return fagiolo(S, K, A);
}

Vector clusteringWD(const Matrix& W) {
    requireSquare(W, "clustering_coef_wd");
    const Matrix A = binarize(W);
    const Matrix W3 = W.array().pow(1.0 / 3.0).matrix();
    const Matrix S = W3 + Matrix(W3.transpose());
    const Vector K = (A + Matrix(A.transpose())).rowwise().sum();
    return fagiolo(S, K, A);
}

double transitivityBU(const Matrix& Ain) {
    const Matrix A = binarize(Ain);
    const Matrix A2 = A * A;
    const double denom = A2.sum() - A2.trace();
    return denom > 0 ? (A2 * A).trace() / denom : 0.0;
}

Matrix distanceBin(const Matrix& A) {
    requireSquare(A, "distance_bin");
    const Eigen::Index n = A.rows();
    const auto out = successors(A);
    Matrix D = Matrix::Constant(n, n, kInf);
#pragma omp parallel for schedule(dynamic, 8)
    for (Eigen::Index s = 0; s < n; ++s) {
        std::vector<Eigen::Index> queue{s};
        D(s, s) = 0;
        for (std::size_t h = 0; h < queue.size(); ++h) {
            const auto u = queue[h];
            for (auto v : out[std::size_t(u)])
                if (!std::isfinite(D(s, v))) {
                    D(s, v) = D(s, u) + 1;
                    queue.push_back(v);
                }
        }
    }
    return D;
}

Matrix distanceWei(const Matrix& L) {
    requireSquare(L, "distance_wei");
    const Eigen::Index n = L.rows();
    if ((L.array() < 0).any()) throw InputError("distance_wei: lengths must be non-negative");
    std::vector<std::vector<std::pair<Eigen::Index, double>>> out(static_cast<std::size_t>(n));
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            if (i != j && L(i, j) != 0.0) out[std::size_t(i)].emplace_back(j, L(i, j));
    Matrix D = Matrix::Constant(n, n, kInf);
#pragma omp parallel for schedule(dynamic, 8)
    for (Eigen::Index s = 0; s < n; ++s) {
        using Item = std::pair<double, Eigen::Index>;
        std::priority_queue<Item, std::vector<Item>, std::greater<>> pq;
        std::vector<double> d(static_cast<std::size_t>(n), kInf);
        d[std::size_t(s)] = 0;
        pq.emplace(0.0, s);
        while (!pq.empty()) {
            const auto [du, u] = pq.top();
            pq.pop();
            if (du > d[std::size_t(u)]) continue;
            for (const auto& [v, w] : out[std::size_t(u)])
                if (du + w < d[std::size_t(v)]) {
                    d[std::size_t(v)] = du + w;
                    pq.emplace(du + w, v);
                }
        }
        for (Eigen::Index t = 0; t < n; ++t) D(s, t) = d[std::size_t(t)];
    }
    return D;
}

Matrix euclideanDistances(const Matrix& xyz) {
    const Eigen::Index n = xyz.rows();
    Matrix D(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) D(i, j) = (xyz.row(i) - xyz.row(j)).norm();
    return D;
}

Matrix weightsToLengths(const Matrix& W) { return W.unaryExpr([](double w) { return w != 0.0 ? 1.0 / w : 0.0; }); }

PathSummary charpath(const Matrix& D, bool includeInfinite) {
    requireSquare(D, "charpath");
    const Eigen::Index n = D.rows();
    PathSummary s;
    double sum = 0.0, inv = 0.0;
    std::size_t count = 0;
    s.eccentricity = Vector::Zero(n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
            if (i == j) continue;
            const double d = D(i, j);
            if (std::isfinite(d) || includeInfinite) {
                sum += d;
                ++count;
                s.eccentricity[i] = std::max(s.eccentricity[i], d);
            }
            inv += (std::isfinite(d) && d > 0) ? 1.0 / d : 0.0;
        }
    s.characteristicPathLength = count ? sum / double(count) : std::nan("");
    s.efficiency = inv / double(n * n - n);
    s.radius = s.eccentricity.minCoeff();
    s.diameter = s.eccentricity.maxCoeff();
    return s;
}

Vector betweennessBin(const Matrix& A) {
    requireSquare(A, "betweenness_bin");
    const Eigen::Index n = A.rows();
    // Out-neighbours in compressed rows (this runs once per generative-model evaluation: the
    // flat layout and the DAG arcs below make it about twice as fast as adjacency lists).
    std::vector<int> start(static_cast<std::size_t>(n) + 1, 0), nbr;
    nbr.reserve(std::size_t((A.array() != 0.0).count()));
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < n; ++j)
            if (i != j && A(i, j) != 0.0) nbr.push_back(int(j));
        start[std::size_t(i) + 1] = int(nbr.size());
    }
    Vector bc = Vector::Zero(n);
    std::vector<double> sigma(static_cast<std::size_t>(n)), delta(static_cast<std::size_t>(n));
    std::vector<int> dist(static_cast<std::size_t>(n)), order;
    std::vector<std::pair<int, int>> arcs;  // shortest-path DAG arcs (v → w), in BFS order
    order.reserve(std::size_t(n));
    arcs.reserve(nbr.size());
    for (Eigen::Index s = 0; s < n; ++s) {
        std::fill(sigma.begin(), sigma.end(), 0.0);
        std::fill(delta.begin(), delta.end(), 0.0);
        std::fill(dist.begin(), dist.end(), -1);
        order.clear();
        arcs.clear();
        sigma[std::size_t(s)] = 1;
        dist[std::size_t(s)] = 0;
        order.push_back(int(s));
        for (std::size_t h = 0; h < order.size(); ++h) {
            const int v = order[h];
            const int dv = dist[std::size_t(v)];
            for (int k = start[std::size_t(v)]; k < start[std::size_t(v) + 1]; ++k) {
                const int w = nbr[std::size_t(k)];
                if (dist[std::size_t(w)] < 0) {
                    dist[std::size_t(w)] = dv + 1;
                    order.push_back(w);
                }
                if (dist[std::size_t(w)] == dv + 1) {
                    sigma[std::size_t(w)] += sigma[std::size_t(v)];
                    arcs.emplace_back(v, w);
                }
            }
        }
        // Dependencies back along the DAG, farthest arcs first (Brandes 2001).
        for (auto it = arcs.rbegin(); it != arcs.rend(); ++it) {
            const auto [v, w] = *it;
            delta[std::size_t(v)] += sigma[std::size_t(v)] / sigma[std::size_t(w)] * (1.0 + delta[std::size_t(w)]);
        }
        for (int w : order)
            if (w != s) bc[w] += delta[std::size_t(w)];
    }
    return bc;
}

Vector betweennessWei(const Matrix& L) {
    requireSquare(L, "betweenness_wei");
    if ((L.array() < 0).any()) throw InputError("betweenness_wei: lengths must be non-negative");
    const Eigen::Index n = L.rows();
    std::vector<std::vector<std::pair<Eigen::Index, double>>> out(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
            if (i != j && L(i, j) != 0.0) out[std::size_t(i)].emplace_back(j, L(i, j));
    Vector bc = Vector::Zero(n);
#pragma omp parallel
    {
        Vector local = Vector::Zero(n);
        std::vector<double> d(static_cast<std::size_t>(n)), sigma(static_cast<std::size_t>(n)), delta(static_cast<std::size_t>(n));
        std::vector<std::vector<Eigen::Index>> preds(static_cast<std::size_t>(n));
        std::vector<Eigen::Index> order;
        std::vector<char> done(static_cast<std::size_t>(n));
#pragma omp for schedule(dynamic, 8)
        for (Eigen::Index s = 0; s < n; ++s) {
            std::fill(d.begin(), d.end(), kInf);
            std::fill(sigma.begin(), sigma.end(), 0.0);
            std::fill(delta.begin(), delta.end(), 0.0);
            std::fill(done.begin(), done.end(), 0);
            for (auto& p : preds) p.clear();
            order.clear();
            using Item = std::pair<double, Eigen::Index>;
            std::priority_queue<Item, std::vector<Item>, std::greater<>> pq;
            d[std::size_t(s)] = 0;
            sigma[std::size_t(s)] = 1;
            pq.emplace(0.0, s);
            while (!pq.empty()) {
                const auto [du, u] = pq.top();
                pq.pop();
                if (done[std::size_t(u)] || du > d[std::size_t(u)]) continue;
                done[std::size_t(u)] = 1;
                order.push_back(u);
                for (const auto& [v, w] : out[std::size_t(u)]) {
                    const double alt = du + w;
                    // Ties by exact equality, as BCT (lengths are compared as computed).
                    if (alt < d[std::size_t(v)]) {
                        d[std::size_t(v)] = alt;
                        sigma[std::size_t(v)] = sigma[std::size_t(u)];
                        preds[std::size_t(v)].assign(1, u);
                        pq.emplace(alt, v);
                    } else if (alt == d[std::size_t(v)] && !done[std::size_t(v)]) {
                        sigma[std::size_t(v)] += sigma[std::size_t(u)];
                        preds[std::size_t(v)].push_back(u);
                    }
                }
            }
            for (auto it = order.rbegin(); it != order.rend(); ++it) {
                const auto w = *it;
                for (auto v : preds[std::size_t(w)]) delta[std::size_t(v)] += sigma[std::size_t(v)] / sigma[std::size_t(w)] * (1.0 + delta[std::size_t(w)]);
                if (w != s) local[w] += delta[std::size_t(w)];
            }
        }
#pragma omp critical
        bc += local;
    }
    return bc;
}

double globalEfficiencyBin(const Matrix& A) {
    const Matrix e = inverse(distanceBin(binarize(A)));
    const double n = double(A.rows());
    return e.sum() / (n * n - n);
}

Vector localEfficiencyBin(const Matrix& Ain) {
    Matrix A = binarize(Ain);
    A.diagonal().setZero();
    const Eigen::Index n = A.rows();
    Vector E = Vector::Zero(n);
    for (Eigen::Index u = 0; u < n; ++u) {
        const auto V = neighbourhood(A, u);
        const auto k = Eigen::Index(V.size());
        if (k < 2) continue;
        Matrix sub(k, k);
        Vector sa(k);
        for (Eigen::Index a = 0; a < k; ++a) {
            sa[a] = A(u, V[std::size_t(a)]) + A(V[std::size_t(a)], u);
            for (Eigen::Index b = 0; b < k; ++b) sub(a, b) = A(V[std::size_t(a)], V[std::size_t(b)]);
        }
        const Matrix e = inverse(distanceBin(sub));
        const Matrix se = e + Matrix(e.transpose());
        const double numer = ((sa * sa.transpose()).array() * se.array()).sum() / 2.0;
        if (numer != 0.0) E[u] = numer / (sa.sum() * sa.sum() - sa.squaredNorm());
    }
    return E;
}

Vector localEfficiencyWei(const Matrix& Win) {
    requireSquare(Win, "efficiency_wei");
    if ((Win.array() < 0).any()) throw InputError("efficiency_wei: weights must be non-negative");
    Matrix W = Win;
    W.diagonal().setZero();
    const Eigen::Index n = W.rows();
    const Matrix L = weightsToLengths(W);
    Vector E = Vector::Zero(n);
    for (Eigen::Index u = 0; u < n; ++u) {
        const auto V = neighbourhood(W, u);
        const auto k = Eigen::Index(V.size());
        if (k < 2) continue;
        Matrix sub(k, k);
        Vector sw(k), sa(k);
        for (Eigen::Index a = 0; a < k; ++a) {
            const auto va = V[std::size_t(a)];
            sw[a] = std::cbrt(W(u, va)) + std::cbrt(W(va, u));
            sa[a] = double(W(u, va) != 0.0) + double(W(va, u) != 0.0);
            for (Eigen::Index b = 0; b < k; ++b) sub(a, b) = L(va, V[std::size_t(b)]);
        }
        const Matrix di = inverse(distanceWei(sub)).unaryExpr([](double x) { return std::cbrt(x); });
        const Matrix se = di + Matrix(di.transpose());
        const double numer = ((sw * sw.transpose()).array() * se.array()).sum() / 2.0;
        if (numer != 0.0) E[u] = numer / (sa.sum() * sa.sum() - sa.squaredNorm());
    }
    return E;
}

double globalEfficiencyWei(const Matrix& W) {
    const Matrix e = inverse(distanceWei(weightsToLengths(W)));
    const double n = double(W.rows());
    return e.sum() / (n * n - n);
}

double assortativity(const Matrix& W, bool weighted) {
    requireSquare(W, "assortativity");
    const Vector k = weighted ? strength(W) : degree(W);
    double sxy = 0, sx = 0, sxx = 0;
    std::size_t m = 0;
    for (Eigen::Index j = 0; j < W.cols(); ++j)
        for (Eigen::Index i = 0; i < j; ++i)
            if (W(i, j) != 0.0) {
                sxy += k[i] * k[j];
                sx += 0.5 * (k[i] + k[j]);
                sxx += 0.5 * (k[i] * k[i] + k[j] * k[j]);
                ++m;
            }
    if (m == 0) throw InputError("assortativity: the network has no edges");
    const double M = double(m), mean = sx / M;
    return (sxy / M - mean * mean) / (sxx / M - mean * mean);
}

Partition modularityUnd(const Matrix& A, double gamma) {
    requireSquare(A, "modularity_und");
    const Eigen::Index N = A.rows();
    const Vector K = A.colwise().sum().transpose();
    const double m = K.sum();
    if (m <= 0) throw InputError("modularity_und: the network has no edges");
    const Matrix B = A - gamma * (K * K.transpose()) / m;
    std::vector<int> Ci(static_cast<std::size_t>(N), 1);
    int cn = 1;
    std::vector<int> U{1, 0};  // U(1) is the module being split; 0 ends
    std::vector<Eigen::Index> ind(static_cast<std::size_t>(N));
    std::iota(ind.begin(), ind.end(), 0);
    Matrix Bg = B;
    while (U.front() != 0) {
        const Eigen::Index Ng = Bg.rows();
        Eigen::SelfAdjointEigenSolver<Matrix> es(Bg);
        Eigen::Index i1 = 0;
        es.eigenvalues().maxCoeff(&i1);
        const Vector v1 = es.eigenvectors().col(i1);
        Vector S = Vector::Ones(Ng);
        for (Eigen::Index i = 0; i < Ng; ++i)
            if (v1[i] < 0) S[i] = -1;
        double q = S.dot(Bg * S);
        if (q > 1e-10) {
            // Fine-tuning (Kernighan–Lin-like moves of single nodes).
            double qmax = q;
            Matrix Bd = Bg;
            Bd.diagonal().setZero();
            std::vector<bool> free(static_cast<std::size_t>(Ng), true);
            Vector Sit = S;
            for (Eigen::Index step = 0; step < Ng; ++step) {
                const Vector Qit = qmax - 4.0 * Sit.cwiseProduct(Bd * Sit).array();
                Eigen::Index imax = -1;
                double best = -kInf;
                for (Eigen::Index i = 0; i < Ng; ++i)
                    if (free[std::size_t(i)] && Qit[i] > best) {  // first maximum, as MATLAB's max
                        best = Qit[i];
                        imax = i;
                    }
                qmax = best;
                Sit[imax] = -Sit[imax];
                free[std::size_t(imax)] = false;
                if (qmax > q) {
                    q = qmax;
                    S = Sit;
                }
            }
            if (std::abs(S.sum()) == double(Ng)) {
                U.erase(U.begin());  // unsplittable
            } else {
                ++cn;
                for (Eigen::Index i = 0; i < Ng; ++i) Ci[std::size_t(ind[std::size_t(i)])] = S[i] == 1 ? U.front() : cn;
                U.insert(U.begin(), cn);
            }
        } else {
            U.erase(U.begin());
        }
        if (U.front() == 0) break;
        ind.clear();
        for (Eigen::Index i = 0; i < N; ++i)
            if (Ci[std::size_t(i)] == U.front()) ind.push_back(i);
        const auto ng = Eigen::Index(ind.size());
        Matrix bg(ng, ng);
        for (Eigen::Index a = 0; a < ng; ++a)
            for (Eigen::Index b = 0; b < ng; ++b) bg(a, b) = B(ind[std::size_t(a)], ind[std::size_t(b)]);
        Bg = bg;
        Bg.diagonal() -= bg.colwise().sum().transpose();
    }
    Partition p;
    p.module = Ci;
    double Q = 0.0;
    for (Eigen::Index i = 0; i < N; ++i)
        for (Eigen::Index j = 0; j < N; ++j)
            if (Ci[std::size_t(i)] == Ci[std::size_t(j)]) Q += B(i, j);
    p.q = Q / m;
    return p;
}

double modularityQ(const Matrix& W, const std::vector<int>& module, double gamma) {
    requireSquare(W, "modularity");
    if (Eigen::Index(module.size()) != W.rows()) throw InputError("modularity: the partition has " + std::to_string(module.size()) + " entries for " + std::to_string(W.rows()) + " nodes");
    const Vector K = W.rowwise().sum();
    const double m = K.sum();
    double Q = 0.0;
    for (Eigen::Index i = 0; i < W.rows(); ++i)
        for (Eigen::Index j = 0; j < W.rows(); ++j)
            if (module[std::size_t(i)] == module[std::size_t(j)]) Q += W(i, j) - gamma * K[i] * K[j] / m;
    return Q / m;
}

Vector participationCoefficient(const Matrix& W, const std::vector<int>& module) {
    requireSquare(W, "participation_coef");
    const Eigen::Index n = W.rows();
    if (Eigen::Index(module.size()) != n) throw InputError("participation_coef: partition size differs from the number of nodes");
    const Vector Ko = W.rowwise().sum();
    const int mods = *std::max_element(module.begin(), module.end());
    Vector Kc2 = Vector::Zero(n);
    for (int c = 1; c <= mods; ++c) {
        Vector kc = Vector::Zero(n);
        for (Eigen::Index j = 0; j < n; ++j)
            if (module[std::size_t(j)] == c) kc += W.col(j);
        Kc2 += kc.cwiseAbs2();
    }
    Vector P(n);
    for (Eigen::Index i = 0; i < n; ++i) P[i] = Ko[i] == 0.0 ? 0.0 : 1.0 - Kc2[i] / (Ko[i] * Ko[i]);
    return P;
}

Vector withinModuleDegreeZ(const Matrix& W, const std::vector<int>& module) {
    requireSquare(W, "module_degree_zscore");
    const Eigen::Index n = W.rows();
    if (Eigen::Index(module.size()) != n) throw InputError("module_degree_zscore: partition size differs from the number of nodes");
    Vector Z = Vector::Zero(n);
    const int mods = *std::max_element(module.begin(), module.end());
    for (int c = 1; c <= mods; ++c) {
        std::vector<Eigen::Index> members;
        for (Eigen::Index i = 0; i < n; ++i)
            if (module[std::size_t(i)] == c) members.push_back(i);
        if (members.empty()) continue;
        Vector k(Eigen::Index(members.size()));
        for (std::size_t a = 0; a < members.size(); ++a) {
            double s = 0;
            for (auto b : members) s += W(members[a], b);
            k[Eigen::Index(a)] = s;
        }
        const double mean = k.mean();
        const double sd = members.size() > 1 ? std::sqrt((k.array() - mean).square().sum() / double(members.size() - 1)) : 0.0;
        for (std::size_t a = 0; a < members.size(); ++a) Z[members[a]] = sd > 0 ? (k[Eigen::Index(a)] - mean) / sd : std::nan("");
    }
    return Z;
}

} // namespace nm::graph
