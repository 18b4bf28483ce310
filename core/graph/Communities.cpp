#include "graph/Communities.hpp"

#include "common/Error.hpp"

#include <igraph/igraph.h>

#include <map>
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

} // namespace nm::graph
