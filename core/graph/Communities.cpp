#include "graph/Communities.hpp"

#include "common/Error.hpp"

#include <igraph/igraph.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <map>
#include <random>
#include <mutex>
#include <string>

namespace nm::graph {

namespace {
std::mutex& igraphMutex() {  // igraph's random generator and error handler are process-wide
    static std::mutex m;
    return m;
}
void check(igraph_error_t e, const char* what) {
    if (e != IGRAPH_SUCCESS) throw Error(std::string("igraph: ") + what + " failed: " + igraph_strerror(e));
}
} // namespace

namespace {
/// Best of `runs` seeded Louvain/Leiden partitions of the undirected graph (edge list, weights,
/// node strengths summing to 2m), scored by `quality` (the caller's exact Q).
Partition bestPartition(Eigen::Index n, const std::vector<std::pair<Eigen::Index, Eigen::Index>>& edgeList, const std::vector<double>& edgeWeights,
                        const std::vector<double>& nodeStrengths, const CommunityOptions& o,
                        const std::function<double(const std::vector<int>&)>& quality) {
    if (o.runs < 1) throw InputError("communities: runs must be >= 1");
    std::lock_guard lock(igraphMutex());
    igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_vector_int_t edges;
    igraph_vector_t weights, strengths;
    igraph_vector_int_init(&edges, 0);
    igraph_vector_init(&weights, 0);
    igraph_vector_init(&strengths, n);
    for (std::size_t e = 0; e < edgeList.size(); ++e) {
        igraph_vector_int_push_back(&edges, igraph_integer_t(edgeList[e].first));
        igraph_vector_int_push_back(&edges, igraph_integer_t(edgeList[e].second));
        igraph_vector_push_back(&weights, edgeWeights[e]);
    }
    double m2 = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        VECTOR(strengths)[i] = nodeStrengths[std::size_t(i)];
        m2 += nodeStrengths[std::size_t(i)];
    }
    Partition best;
    best.q = -1.0;
    igraph_t g;
    bool created = false;
    igraph_vector_int_t membership;
    igraph_vector_int_init(&membership, n);
    try {
        if (m2 <= 0) throw InputError("communities: the network has no edges");
        check(igraph_create(&g, &edges, igraph_integer_t(n), IGRAPH_UNDIRECTED), "create");
        created = true;
        for (int r = 0; r < o.runs; ++r) {
            igraph_rng_seed(igraph_rng_default(), igraph_uint_t(o.seed * 7919u + std::uint64_t(r)));
            if (o.method == CommunityMethod::Louvain) {
                check(igraph_community_multilevel(&g, &weights, o.gamma, &membership, nullptr, nullptr), "multilevel");
            } else {
                igraph_integer_t clusters = 0;
                igraph_real_t q = 0;
                // Modularity objective: node weights = strengths, resolution γ / 2m; iterate until stable.
                check(igraph_community_leiden(&g, &weights, &strengths, o.gamma / m2, 0.01, false, -1, &membership, &clusters, &q), "leiden");
            }
            std::vector<int> module(static_cast<std::size_t>(n));
            std::map<igraph_integer_t, int> relabel;  // 1-based labels in order of first appearance
            for (Eigen::Index i = 0; i < n; ++i) {
                auto it = relabel.emplace(VECTOR(membership)[i], int(relabel.size()) + 1).first;
                module[std::size_t(i)] = it->second;
            }
            const double q = quality(module);
            if (q > best.q) best = {module, q};
        }
        igraph_destroy(&g);
        created = false;
    } catch (...) {
        if (created) igraph_destroy(&g);
        igraph_vector_int_destroy(&membership);
        igraph_vector_int_destroy(&edges);
        igraph_vector_destroy(&weights);
        igraph_vector_destroy(&strengths);
        throw;
    }
    igraph_vector_int_destroy(&membership);
    igraph_vector_int_destroy(&edges);
    igraph_vector_destroy(&weights);
    igraph_vector_destroy(&strengths);
    return best;
}
} // namespace

Partition communities(const Matrix& W, const CommunityOptions& o) {
    if (W.rows() != W.cols()) throw InputError("communities: expected a square matrix");
    if ((W - W.transpose()).cwiseAbs().maxCoeff() > 1e-10) throw InputError("communities: the network must be undirected (symmetric)");
    if ((W.array() < 0).any()) throw InputError("communities: negative weights (use the signed variants)");
    const Eigen::Index n = W.rows();
    std::vector<std::pair<Eigen::Index, Eigen::Index>> edges;
    std::vector<double> weights, strengths(static_cast<std::size_t>(n));
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i)
            if (W(i, j) != 0.0) {
                edges.emplace_back(i, j);
                weights.push_back(W(i, j));
            }
    for (Eigen::Index i = 0; i < n; ++i) strengths[std::size_t(i)] = W.row(i).sum();
    return bestPartition(n, edges, weights, strengths, o, [&](const std::vector<int>& module) { return modularityQ(W, module, o.gamma); });
}

Partition communities(Eigen::Index n, const std::vector<std::pair<Eigen::Index, Eigen::Index>>& edges, const CommunityOptions& o) {
    std::vector<double> degree(static_cast<std::size_t>(n), 0.0);
    for (const auto& [i, j] : edges) {
        if (i < 0 || j < 0 || i >= n || j >= n) throw InputError("communities: an edge names a node outside 0.." + std::to_string(n - 1));
        if (i == j) throw InputError("communities: self-loops are not supported in the edge list");
        degree[std::size_t(i)] += 1;
        degree[std::size_t(j)] += 1;
    }
    const std::vector<double> weights(edges.size(), 1.0);
    return bestPartition(n, edges, weights, degree, o, [&](const std::vector<int>& module) { return modularityOfEdges(n, edges, module, o.gamma); });
}

double modularityOfEdges(Eigen::Index n, const std::vector<std::pair<Eigen::Index, Eigen::Index>>& edges, const std::vector<int>& module, double gamma) {
    if (Eigen::Index(module.size()) != n) throw InputError("modularity: expected one module per node");
    std::map<int, double> inside, degree;
    for (const auto& [i, j] : edges) {
        degree[module[std::size_t(i)]] += 1;
        degree[module[std::size_t(j)]] += 1;
        if (module[std::size_t(i)] == module[std::size_t(j)]) inside[module[std::size_t(i)]] += 1;
    }
    const double m = double(edges.size());
    if (m == 0) return 0.0;
    double q = 0.0;
    for (const auto& [c, d] : degree) q += inside[c] / m - gamma * (d / (2 * m)) * (d / (2 * m));
    return q;
}

Matrix agreement(const std::vector<std::vector<int>>& partitions) {
    if (partitions.empty()) throw InputError("agreement: no partitions");
    const auto n = Eigen::Index(partitions.front().size());
    Matrix D = Matrix::Zero(n, n);
    for (const auto& p : partitions) {
        if (Eigen::Index(p.size()) != n) throw InputError("agreement: partitions of different sizes");
        for (Eigen::Index j = 0; j < n; ++j)
            for (Eigen::Index i = 0; i < n; ++i) D(i, j) += p[std::size_t(i)] == p[std::size_t(j)];
    }
    return D / double(partitions.size());
}

Consensus consensusPartition(const Matrix& W, const CommunityOptions& o, int runs, int reps) {
    if (runs < 2 || reps < 1) throw InputError("consensus: need at least 2 runs and 1 repetition");
    const Eigen::Index n = W.rows();
    std::vector<std::vector<int>> parts;
    for (int r = 0; r < runs; ++r) {
        CommunityOptions one = o;
        one.runs = 1;
        one.seed = o.seed * 1000003ull + std::uint64_t(r);
        parts.push_back(communities(W, one).module);
    }
    Consensus out;
    Matrix d = agreement(parts);
    // Null: each partition's labels permuted across the nodes; threshold = mean null agreement.
    std::mt19937_64 rng(o.seed);
    auto nullParts = parts;
    for (auto& p : nullParts) std::shuffle(p.begin(), p.end(), rng);
    out.threshold = agreement(nullParts).mean();
    CommunityOptions louvain = o;
    louvain.method = CommunityMethod::Louvain;
    louvain.gamma = 1.0;
    louvain.runs = 1;
    for (int round = 0; round < 50; ++round) {
        ++out.iterations;
        Matrix dt = (d.array() >= out.threshold).select(d, 0.0);
        dt.diagonal().setZero();
        if ((dt.array() == 0.0).all()) {
            out.partition.module.resize(std::size_t(n));
            for (Eigen::Index i = 0; i < n; ++i) out.partition.module[std::size_t(i)] = int(i) + 1;
            break;
        }
        std::vector<std::vector<int>> ci;
        for (int r = 0; r < reps; ++r) {
            louvain.seed = o.seed * 7777ull + std::uint64_t(round * reps + r);
            ci.push_back(communities(dt, louvain).module);  // labels in order of first appearance: comparable
        }
        const bool same = std::all_of(ci.begin(), ci.end(), [&](const auto& p) { return p == ci.front(); });
        if (same) {
            out.partition.module = ci.front();
            break;
        }
        d = agreement(ci);
        if (round == 49) throw Error("consensus: the partitions did not agree after 50 rounds");
    }
    out.partition.q = modularityQ(W, out.partition.module, o.gamma);
    return out;
}

} // namespace nm::graph

namespace nm::graph {

namespace {
/// The modularity matrix B of BCT's community_louvain for the given objective (already divided
/// by the total weight and symmetrised).
Matrix louvainB(const Matrix& W, double gamma, SignedObjective type) {
    if (type == SignedObjective::Modularity) {
        if ((W.array() < 0).any()) throw InputError("community_louvain: negative weights need a signed objective (negative_sym or negative_asym)");
        const double s = W.sum();
        if (s <= 0) throw InputError("community_louvain: the network has no edges");
        const Vector k = W.rowwise().sum(), kin = W.colwise().sum().transpose();
        const Matrix B = (W - gamma * k * kin.transpose() / s) / s;
        return (B + B.transpose()) / 2.0;
    }
    const Matrix W0 = W.cwiseMax(0.0), W1 = (-W).cwiseMax(0.0);
    const double s0 = W0.sum(), s1 = W1.sum();
    if (s0 + s1 <= 0) throw InputError("community_louvain: the network has no edges");
    auto nullOf = [gamma](const Matrix& X, double s) -> Matrix {
        if (s <= 0) return Matrix::Zero(X.rows(), X.cols());
        return X - gamma * X.rowwise().sum() * X.colwise().sum() / s;
    };
    const Matrix B0 = nullOf(W0, s0), B1 = nullOf(W1, s1);
    Matrix B = type == SignedObjective::NegativeSym ? Matrix((B0 - B1) / (s0 + s1)) : Matrix(B0 / (s0 > 0 ? s0 : 1.0) - B1 / (s0 + s1));
    return (B + B.transpose()) / 2.0;
}
} // namespace

double normalizedMutualInformation(const std::vector<int>& a, const std::vector<int>& b) {
    if (a.size() != b.size() || a.empty()) throw InputError("NMI: the partitions must be non-empty and of the same size");
    std::map<int, double> pa, pb;
    std::map<std::pair<int, int>, double> pab;
    const double n = double(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        pa[a[i]] += 1 / n;
        pb[b[i]] += 1 / n;
        pab[{a[i], b[i]}] += 1 / n;
    }
    double ha = 0, hb = 0, mi = 0;
    for (const auto& [k, p] : pa) ha -= p * std::log(p);
    for (const auto& [k, p] : pb) hb -= p * std::log(p);
    for (const auto& [k, p] : pab) mi += p * std::log(p / (pa[k.first] * pb[k.second]));
    return ha + hb > 0 ? 2 * mi / (ha + hb) : 1.0;
}

std::vector<ResolutionPoint> multiresolution(const Matrix& W, const std::vector<double>& gammas, const CommunityOptions& o) {
    if (gammas.empty()) throw InputError("multiresolution: no resolutions given");
    if (o.runs < 2) throw InputError("multiresolution: at least 2 runs per resolution are needed for the stability");
    std::vector<ResolutionPoint> out;
    for (const double g : gammas) {
        if (!(g > 0)) throw InputError("multiresolution: resolution γ must be > 0, got " + std::to_string(g));
        ResolutionPoint r;
        r.gamma = g;
        std::vector<Partition> parts;
        for (int k = 0; k < o.runs; ++k) {
            CommunityOptions one = o;
            one.gamma = g;
            one.runs = 1;
            one.seed = o.seed * 1000003ull + std::uint64_t(k);
            parts.push_back(communities(W, one));
        }
        r.best = parts.front();
        double pairs = 0;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            r.meanQ += parts[i].q / double(parts.size());
            r.meanModules += double(*std::max_element(parts[i].module.begin(), parts[i].module.end())) / double(parts.size());
            if (parts[i].q > r.best.q) r.best = parts[i];
            for (std::size_t j = 0; j < i; ++j) r.stability += normalizedMutualInformation(parts[i].module, parts[j].module), ++pairs;
        }
        r.stability /= pairs;
        out.push_back(r);
    }
    return out;
}

SignedObjective signedObjectiveFromName(const std::string& name) {
    if (name == "modularity") return SignedObjective::Modularity;
    if (name == "negative_sym") return SignedObjective::NegativeSym;
    if (name == "negative_asym") return SignedObjective::NegativeAsym;
    throw InputError("community_louvain: unknown objective '" + name + "' (expected modularity, negative_sym or negative_asym)");
}

double modularityQSigned(const Matrix& W, const std::vector<int>& module, double gamma, SignedObjective type) {
    if (std::ssize(module) != W.rows()) throw InputError("modularity: the partition has " + std::to_string(module.size()) + " nodes, the network " + std::to_string(W.rows()));
    const Matrix B = louvainB(W, gamma, type);
    double q = 0.0;
    for (Eigen::Index j = 0; j < W.cols(); ++j)
        for (Eigen::Index i = 0; i < W.rows(); ++i)
            if (module[std::size_t(i)] == module[std::size_t(j)]) q += B(i, j);
    return q;
}

Partition communityLouvain(const Matrix& W, double gamma, SignedObjective type, std::uint64_t seed) {
    if (W.rows() != W.cols() || W.rows() == 0) throw InputError("community_louvain: expected a non-empty square matrix");
    if (!W.allFinite()) throw InputError("community_louvain: the network has non-finite weights");
    Matrix B = louvainB(W, gamma, type);
    Eigen::Index n = B.rows();
    const Eigen::Index n0 = n;
    std::vector<int> M(static_cast<std::size_t>(n0)), Mb(static_cast<std::size_t>(n0));
    std::iota(M.begin(), M.end(), 0);
    Mb = M;
    Matrix Hnm = B;  // Hnm(u, m): sum of B(u, ·) over module m
    std::mt19937_64 rng(seed);
    double Q0 = -std::numeric_limits<double>::infinity(), Q = B.trace();
    std::vector<Eigen::Index> order;
    while (Q - Q0 > 1e-10) {
        // Phase 1: move single (meta-)nodes to the module that increases Q most, in random order.
        for (bool moved = true; moved;) {
            moved = false;
            order.resize(std::size_t(n));
            std::iota(order.begin(), order.end(), 0);
            std::shuffle(order.begin(), order.end(), rng);
            for (auto u : order) {
                const int ma = Mb[std::size_t(u)];
                Eigen::Index mb = 0;
                double best = -std::numeric_limits<double>::infinity();
                for (Eigen::Index m = 0; m < n; ++m) {
                    const double dq = m == ma ? 0.0 : Hnm(u, m) - Hnm(u, ma) + B(u, u);
                    if (dq > best) best = dq, mb = m;  // first maximum, as MATLAB's max
                }
                if (best > 1e-10) {
                    moved = true;
                    Mb[std::size_t(u)] = int(mb);
                    Hnm.col(mb) += B.col(u);
                    Hnm.col(ma) -= B.col(u);
                }
            }
        }
        // Renumber modules 0.., map the original nodes, and aggregate B over modules.
        std::map<int, int> relabel;
        for (Eigen::Index u = 0; u < n; ++u) relabel.emplace(Mb[std::size_t(u)], 0);
        int next = 0;
        for (auto& [k, v] : relabel) v = next++;
        for (auto& m : M) m = relabel[Mb[std::size_t(m)]];
        const Eigen::Index k = next;
        Matrix B1 = Matrix::Zero(k, k);
        for (Eigen::Index v = 0; v < n; ++v)
            for (Eigen::Index u = 0; u < n; ++u) B1(relabel[Mb[std::size_t(u)]], relabel[Mb[std::size_t(v)]]) += B(u, v);
        B = B1;
        n = k;
        Mb.resize(std::size_t(n));
        std::iota(Mb.begin(), Mb.end(), 0);
        Hnm = B;
        Q0 = Q;
        Q = B.trace();
    }
    Partition p;
    p.module.resize(std::size_t(n0));
    for (Eigen::Index i = 0; i < n0; ++i) p.module[std::size_t(i)] = M[std::size_t(i)] + 1;
    p.q = Q;
    return p;
}

Partition communityLouvainBest(const Matrix& W, double gamma, SignedObjective type, int runs, std::uint64_t seed) {
    if (runs < 1) throw InputError("community_louvain: runs must be >= 1");
    std::vector<Partition> all(static_cast<std::size_t>(runs));
#pragma omp parallel for schedule(dynamic, 1)
    for (int r = 0; r < runs; ++r) all[std::size_t(r)] = communityLouvain(W, gamma, type, seed + std::uint64_t(r));
    return *std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.q < b.q; });
}

} // namespace nm::graph
