#include "graph/Communities.hpp"

#include "common/Error.hpp"

#include <igraph/igraph.h>

#include <algorithm>
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

Partition communities(const Matrix& W, const CommunityOptions& o) {
    if (W.rows() != W.cols()) throw InputError("communities: expected a square matrix");
    if ((W - W.transpose()).cwiseAbs().maxCoeff() > 1e-10) throw InputError("communities: the network must be undirected (symmetric)");
    if ((W.array() < 0).any()) throw InputError("communities: negative weights (use the signed variants)");
    if (o.runs < 1) throw InputError("communities: runs must be >= 1");
    const Eigen::Index n = W.rows();
    std::lock_guard lock(igraphMutex());
    igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_vector_int_t edges;
    igraph_vector_t weights, strengths;
    igraph_vector_int_init(&edges, 0);
    igraph_vector_init(&weights, 0);
    igraph_vector_init(&strengths, n);
    double m2 = 0.0;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i)
            if (W(i, j) != 0.0) {
                igraph_vector_int_push_back(&edges, i);
                igraph_vector_int_push_back(&edges, j);
                igraph_vector_push_back(&weights, W(i, j));
            }
    for (Eigen::Index i = 0; i < n; ++i) {
        VECTOR(strengths)[i] = W.row(i).sum();
        m2 += VECTOR(strengths)[i];
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
                igraph_real_t quality = 0;
                // Modularity objective: node weights = strengths, resolution γ / 2m; iterate until stable.
                check(igraph_community_leiden(&g, &weights, &strengths, o.gamma / m2, 0.01, false, -1, &membership, &clusters, &quality), "leiden");
            }
            std::vector<int> module(static_cast<std::size_t>(n));
            std::map<igraph_integer_t, int> relabel;  // 1-based labels in order of first appearance
            for (Eigen::Index i = 0; i < n; ++i) {
                auto it = relabel.emplace(VECTOR(membership)[i], int(relabel.size()) + 1).first;
                module[std::size_t(i)] = it->second;
            }
            const double q = modularityQ(W, module, o.gamma);
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
