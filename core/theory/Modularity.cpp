#include "theory/Modularity.hpp"

#include "common/Error.hpp"

#include <Eigen/Sparse>
#include <Spectra/MatOp/SparseSymMatProd.h>
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <unordered_set>

namespace nm::theory {

double modularityErGuimera(double n, double p) {
    if (!(n > 1) || !(p > 0) || !(p <= 1)) throw InputError("modularity of G(n, p): expected n > 1 and 0 < p <= 1");
    return (1.0 - 2.0 / std::sqrt(n)) * std::pow(2.0 / (p * n), 2.0 / 3.0);
}

double modularityErReichardtBornholdt(double n, double p) {
    if (!(n > 1) || !(p > 0) || !(p <= 1)) throw InputError("modularity of G(n, p): expected n > 1 and 0 < p <= 1");
    return 0.97 * std::sqrt((1.0 - p) / (n * p));
}

double modularityConfigurationModel(const std::vector<double>& degrees) {
    double sqrtSum = 0, sum = 0;
    for (double k : degrees) {
        if (k < 0) throw InputError("configuration model: negative degree");
        sqrtSum += std::sqrt(k);
        sum += k;
    }
    if (sum <= 0) throw InputError("configuration model: the network has no edges");
    return 0.97 * sqrtSum / sum;  // ⟨√k⟩ / ⟨k⟩ (the n cancels)
}

double mergeGain(double dA, double dB, double lAB, double m) {
    if (!(m > 0)) throw InputError("merge gain: the network has no edges");
    return lAB / m - dA * dB / (2.0 * m * m);
}

double resolutionLimitDegree(double m) { return std::sqrt(2.0 * m); }

double kestenStigumRatio(double cIn, double cOut, int q) {
    if (q < 2) throw InputError("Kesten–Stigum: expected q >= 2 groups");
    const double c = (cIn + (q - 1) * cOut) / q;
    if (!(c > 0)) throw InputError("Kesten–Stigum: the mean degree must be positive");
    return std::abs(cIn - cOut) / (q * std::sqrt(c));
}

std::pair<double, double> plantedDegrees(double c, double epsilon, int q) {
    if (q < 2 || !(c > 0) || epsilon < 0) throw InputError("planted partition: expected q >= 2, c > 0, epsilon >= 0");
    // c = (c_in + (q − 1) ε c_in) / q.
    const double cIn = q * c / (1.0 + (q - 1) * epsilon);
    return {cIn, epsilon * cIn};
}

double kestenStigumEpsilon(double c, int q) {
    if (c <= 1) return 0.0;
    const double s = std::sqrt(c);
    return (s - 1.0) / (s - 1.0 + q);
}

namespace {

/// Visits the indices t < total of a Bernoulli(p) subset by geometric skipping.
template <class F>
void bernoulliIndices(std::int64_t total, double p, std::mt19937_64& rng, F&& visit) {
    if (p <= 0 || total <= 0) return;
    if (p >= 1) {
        for (std::int64_t t = 0; t < total; ++t) visit(t);
        return;
    }
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double logq = std::log1p(-p);
    std::int64_t t = -1;
    while (true) {
        const double r = u(rng);
        t += 1 + std::int64_t(std::floor(std::log1p(-r) / logq));
        if (t >= total || t < 0) return;
        visit(t);
    }
}

} // namespace

PlantedGraph plantedPartition(Eigen::Index n, int q, double cIn, double cOut, std::uint64_t seed) {
    if (q < 1 || n < q) throw InputError("planted partition: expected 1 <= q <= n");
    if (cIn < 0 || cOut < 0 || cIn > double(n) || cOut > double(n)) throw InputError("planted partition: degrees must lie in [0, n]");
    PlantedGraph g;
    g.n = n;
    g.group.resize(std::size_t(n));
    std::vector<Eigen::Index> start(static_cast<std::size_t>(q) + 1);
    for (int a = 0; a <= q; ++a) start[std::size_t(a)] = Eigen::Index((n * a) / q);
    for (int a = 0; a < q; ++a)
        for (Eigen::Index i = start[std::size_t(a)]; i < start[std::size_t(a) + 1]; ++i) g.group[std::size_t(i)] = a + 1;
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 17);
    const double pIn = cIn / double(n), pOut = cOut / double(n);
    for (int a = 0; a < q; ++a) {
        const Eigen::Index sa = start[std::size_t(a) + 1] - start[std::size_t(a)], oa = start[std::size_t(a)];
        // Pairs inside the block, in the order (1,0), (2,0), (2,1), (3,0), …: row v holds v pairs.
        Eigen::Index v = 1, consumed = 0;
        bernoulliIndices(std::int64_t(sa) * (sa - 1) / 2, pIn, rng, [&](std::int64_t t) {
            while (t - consumed >= v) {
                consumed += v;
                ++v;
            }
            g.edges.emplace_back(oa + Eigen::Index(t - consumed), oa + v);
        });
        for (int b = a + 1; b < q; ++b) {
            const Eigen::Index sb = start[std::size_t(b) + 1] - start[std::size_t(b)], ob = start[std::size_t(b)];
            bernoulliIndices(std::int64_t(sa) * sb, pOut, rng,
                             [&](std::int64_t t) { g.edges.emplace_back(oa + Eigen::Index(t / sb), ob + Eigen::Index(t % sb)); });
        }
    }
    return g;
}

EdgeList erdosRenyi(Eigen::Index n, Eigen::Index m, std::uint64_t seed) {
    const double pairs = double(n) * double(n - 1) / 2;
    if (n < 2 || m < 0 || double(m) > pairs) throw InputError("G(n, m): expected n >= 2 and 0 <= m <= n(n-1)/2");
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 29);
    std::uniform_int_distribution<Eigen::Index> node(0, n - 1);
    std::unordered_set<std::uint64_t> seen;
    EdgeList edges;
    edges.reserve(std::size_t(m));
    while (Eigen::Index(edges.size()) < m) {
        Eigen::Index i = node(rng), j = node(rng);
        if (i == j) continue;
        if (i > j) std::swap(i, j);
        if (seen.insert(std::uint64_t(i) * std::uint64_t(n) + std::uint64_t(j)).second) edges.emplace_back(i, j);
    }
    return edges;
}

namespace {

/// Lloyd's k-means with k-means++ seeding, best inertia of `restarts` (a few lines on an n × q
/// embedding; no library in the project's dependencies does it).
std::vector<int> kMeans(const Eigen::MatrixXd& X, int k, std::uint64_t seed, int restarts = 10) {
    const Eigen::Index n = X.rows();
    std::mt19937_64 rng(seed + 101);
    std::vector<int> best(static_cast<std::size_t>(n), 1);
    double bestInertia = std::numeric_limits<double>::infinity();
    for (int r = 0; r < restarts; ++r) {
        Eigen::MatrixXd centers(k, X.cols());
        std::uniform_int_distribution<Eigen::Index> pick(0, n - 1);
        centers.row(0) = X.row(pick(rng));
        Eigen::VectorXd d2 = (X.rowwise() - centers.row(0)).rowwise().squaredNorm();
        for (int c = 1; c < k; ++c) {
            std::discrete_distribution<Eigen::Index> next(d2.data(), d2.data() + n);
            centers.row(c) = X.row(next(rng));
            d2 = d2.cwiseMin((X.rowwise() - centers.row(c)).rowwise().squaredNorm());
        }
        std::vector<int> label(static_cast<std::size_t>(n), 0);
        double inertia = 0;
        for (int it = 0; it < 100; ++it) {
            bool changed = false;
            inertia = 0;
            for (Eigen::Index i = 0; i < n; ++i) {
                Eigen::Index arg = 0;
                inertia += (centers.rowwise() - X.row(i)).rowwise().squaredNorm().minCoeff(&arg);
                if (label[std::size_t(i)] != int(arg)) {
                    label[std::size_t(i)] = int(arg);
                    changed = true;
                }
            }
            if (!changed && it > 0) break;
            Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(k, X.cols());
            Eigen::VectorXd count = Eigen::VectorXd::Zero(k);
            for (Eigen::Index i = 0; i < n; ++i) {
                sum.row(label[std::size_t(i)]) += X.row(i);
                count[label[std::size_t(i)]] += 1;
            }
            for (int c = 0; c < k; ++c)
                if (count[c] > 0) centers.row(c) = sum.row(c) / count[c];
        }
        if (inertia < bestInertia) {
            bestInertia = inertia;
            for (Eigen::Index i = 0; i < n; ++i) best[std::size_t(i)] = label[std::size_t(i)] + 1;
        }
    }
    return best;
}

} // namespace

std::vector<int> betheHessianClustering(Eigen::Index n, const EdgeList& edges, int q, std::uint64_t seed, std::vector<double>* smallest) {
    if (q < 2 || n < q) throw InputError("Bethe Hessian clustering: expected 2 <= q <= n");
    Eigen::VectorXd degree = Eigen::VectorXd::Zero(n);
    for (const auto& [i, j] : edges) {
        degree[i] += 1;
        degree[j] += 1;
    }
    const double k1 = degree.sum(), k2 = degree.squaredNorm();
    if (k1 <= 0) throw InputError("Bethe Hessian clustering: the graph has no edges");
    const double r = std::sqrt(std::max(1.0 + 1e-9, k2 / k1 - 1.0));
    // M = σ I − H(r): its largest eigenvalues are H's smallest; σ bounds H's spectrum (Gershgorin).
    const double sigma = (r * r - 1.0) + (1.0 + r) * degree.maxCoeff() + 1.0;
    std::vector<Eigen::Triplet<double>> t;
    t.reserve(edges.size() * 2 + std::size_t(n));
    for (Eigen::Index i = 0; i < n; ++i) t.emplace_back(i, i, sigma - (r * r - 1.0) - degree[i]);
    for (const auto& [i, j] : edges) {
        t.emplace_back(i, j, r);
        t.emplace_back(j, i, r);
    }
    Eigen::SparseMatrix<double> M(n, n);
    M.setFromTriplets(t.begin(), t.end());
    Spectra::SparseSymMatProd<double> op(M);
    const int ncv = int(std::min<Eigen::Index>(n, std::max(4 * q + 1, 30)));
    Spectra::SymEigsSolver<Spectra::SparseSymMatProd<double>> eigs(op, q, ncv);
    eigs.init();
    eigs.compute(Spectra::SortRule::LargestAlge, 2000, 1e-8);
    if (eigs.info() != Spectra::CompInfo::Successful) throw Error("Bethe Hessian clustering: the Lanczos iterations did not converge");
    if (smallest) {
        smallest->clear();
        for (Eigen::Index i = 0; i < eigs.eigenvalues().size(); ++i) smallest->push_back(sigma - eigs.eigenvalues()[i]);  // largest of M first: smallest of H
        std::sort(smallest->begin(), smallest->end());
    }
    return kMeans(eigs.eigenvectors(), q, seed);
}

double overlap(const std::vector<int>& planted, const std::vector<int>& estimate, int q) {
    if (planted.size() != estimate.size() || planted.empty()) throw InputError("overlap: expected two labelings of the same nodes");
    if (q < 2 || q > 8) throw InputError("overlap: expected 2 <= q <= 8 groups");
    Eigen::MatrixXd confusion = Eigen::MatrixXd::Zero(q, q);
    for (std::size_t i = 0; i < planted.size(); ++i) {
        const int a = planted[i] - 1, b = estimate[i] - 1;
        if (a < 0 || a >= q) throw InputError("overlap: planted labels must lie in 1..q");
        if (b >= 0 && b < q) confusion(a, b) += 1;  // estimate labels beyond q never agree
    }
    std::vector<int> perm(static_cast<std::size_t>(q));
    std::iota(perm.begin(), perm.end(), 0);
    double best = 0;
    do {
        double agree = 0;
        for (int a = 0; a < q; ++a) agree += confusion(a, perm[std::size_t(a)]);
        best = std::max(best, agree);
    } while (std::next_permutation(perm.begin(), perm.end()));
    const double fraction = best / double(planted.size());
    return std::max(0.0, (fraction - 1.0 / q) / (1.0 - 1.0 / q));
}

PowerLaw fitPowerLaw(const std::vector<double>& n, const std::vector<double>& gap) {
    PowerLaw p;
    p.prefactor = p.exponent = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> x, y;
    for (std::size_t i = 0; i < n.size() && i < gap.size(); ++i)
        if (n[i] > 0 && gap[i] > 0 && std::isfinite(gap[i])) {
            x.push_back(std::log(n[i]));
            y.push_back(std::log(gap[i]));
        }
    p.sizes = int(x.size());
    if (x.size() < 2) return p;
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += x[i] / double(x.size());
        my += y[i] / double(y.size());
    }
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    if (!(sxx > 0)) return p;
    const double slope = sxy / sxx;
    p.exponent = -slope;
    p.prefactor = std::exp(my - slope * mx);
    return p;
}

} // namespace nm::theory
