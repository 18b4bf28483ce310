#include "graph/ComponentGraph.hpp"

#include "common/Error.hpp"
#include "graph/Communities.hpp"

#include <igraph/igraph.h>

#include <algorithm>
#include <mutex>
#include <numeric>

namespace nm::graph {

namespace {
std::mutex& layoutMutex() {  // igraph's random generator is process-wide
    static std::mutex m;
    return m;
}
} // namespace

Matrix forceLayout(const Matrix& W, std::uint64_t seed) {
    const Eigen::Index n = W.rows();
    if (W.cols() != n) throw InputError("force layout: expected a square matrix");
    Matrix out = Matrix::Zero(n, 2);
    if (n == 0) return out;
    if (n == 1) return out;
    std::lock_guard lock(layoutMutex());
    igraph_vector_int_t edges;
    igraph_vector_t weights;
    igraph_vector_int_init(&edges, 0);
    igraph_vector_init(&weights, 0);
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i)
            if (W(i, j) > 0) {
                igraph_vector_int_push_back(&edges, i);
                igraph_vector_int_push_back(&edges, j);
                igraph_vector_push_back(&weights, W(i, j));
            }
    igraph_t g;
    igraph_matrix_t res;
    igraph_matrix_init(&res, 0, 0);
    igraph_create(&g, &edges, igraph_integer_t(n), IGRAPH_UNDIRECTED);
    igraph_rng_seed(igraph_rng_default(), igraph_uint_t(seed));
    const igraph_error_t e = igraph_layout_fruchterman_reingold(&g, &res, false, 500, std::sqrt(double(n)), IGRAPH_LAYOUT_AUTOGRID,
                                                                 igraph_vector_size(&weights) ? &weights : nullptr, nullptr, nullptr, nullptr, nullptr);
    if (e == IGRAPH_SUCCESS)
        for (Eigen::Index i = 0; i < n; ++i) out(i, 0) = MATRIX(res, i, 0), out(i, 1) = MATRIX(res, i, 1);
    igraph_matrix_destroy(&res);
    igraph_destroy(&g);
    igraph_vector_destroy(&weights);
    igraph_vector_int_destroy(&edges);
    if (e != IGRAPH_SUCCESS) throw Error(std::string("igraph: Fruchterman-Reingold layout failed: ") + igraph_strerror(e));
    // Into [−1, 1]², keeping the aspect ratio.
    const Eigen::RowVector2d lo = out.colwise().minCoeff(), hi = out.colwise().maxCoeff();
    const double span = std::max((hi - lo).maxCoeff(), 1e-12);
    const Eigen::RowVector2d mid = (lo + hi) / 2;
    for (Eigen::Index i = 0; i < n; ++i) out.row(i) = (out.row(i) - mid) * (2.0 / span);
    return out;
}

ComponentGraph buildComponentGraph(const Matrix& Cin, const ComponentGraphOptions& o) {
    const Eigen::Index n = Cin.rows();
    if (Cin.cols() != n) throw InputError("component graph: expected a square matrix");
    if (!Cin.allFinite()) throw InputError("component graph: the matrix has non-finite entries");
    Matrix C = ((Cin + Cin.transpose()) / 2).cwiseMax(0.0);
    C.diagonal().setZero();
    Matrix W = Matrix::Zero(n, n);
    if (o.threshold > 0) {
        W = (C.array() >= o.threshold).select(C, 0.0);
    } else {
        if (o.topK < 1) throw InputError("component graph: top-k must be >= 1");
        std::vector<Eigen::Index> idx(static_cast<std::size_t>(n));
        for (Eigen::Index i = 0; i < n; ++i) {
            std::iota(idx.begin(), idx.end(), 0);
            const auto k = std::min<std::size_t>(std::size_t(o.topK), idx.size());
            std::partial_sort(idx.begin(), idx.begin() + std::ptrdiff_t(k), idx.end(), [&](auto a, auto b) { return C(i, a) > C(i, b); });
            for (std::size_t r = 0; r < k; ++r)
                if (C(i, idx[r]) > 0) W(i, idx[r]) = W(idx[r], i) = C(i, idx[r]);
        }
    }
    ComponentGraph g;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i)
            if (W(i, j) > 0) {
                g.edges.emplace_back(int(i), int(j));
                g.weights.push_back(W(i, j));
            }
    g.degree = degree(W);
    g.strength = strength(W);
    g.module.assign(static_cast<std::size_t>(n), 1);
    if (!g.edges.empty() && n >= 3) {
        CommunityOptions co;
        co.runs = 10;
        co.seed = o.seed;
        const Partition p = o.consensusRuns >= 2 ? consensusPartition(W, co, o.consensusRuns, 10).partition : communities(W, co);
        g.module = p.module;
        g.q = p.q;
    }
    g.layout = forceLayout(W, o.seed);
    return g;
}

} // namespace nm::graph
