#include "generative/GenerativeModel.hpp"

#include "common/Error.hpp"
#include "graph/Metrics.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <cmath>
#include <random>

namespace nm::generative {

namespace {

/// Sampling proportional to non-negative weights that change often: a 32-ary tree of exact
/// sums (leaves → blocks of 32 → groups of 32 blocks → total). An update only marks its block
/// dirty; before a draw the dirty blocks and groups are summed again from their children, so sums
/// are always exact (no running additions whose rounding could starve small weights). A draw
/// descends the three levels: O(32 · 3). BCT instead redraws from a fresh cumulative sum over all
/// pairs at every step, O(N).
class SumTree {
public:
    static constexpr std::size_t kFan = 32;
    explicit SumTree(std::size_t n)
        : w_(n, 0.0), blocks_((n + kFan - 1) / kFan, 0.0), groups_((blocks_.size() + kFan - 1) / kFan, 0.0),
          blockDirty_(blocks_.size(), 1), groupDirty_(groups_.size(), 1) {}
    void set(std::size_t i, double w) {
        w_[i] = w;
        const std::size_t b = i / kFan;
        if (!blockDirty_[b]) {
            blockDirty_[b] = 1;
            dirty_.push_back(b);
        }
    }
    void setLeaf(std::size_t i, double w) { w_[i] = w; }
    void build() {
        for (std::size_t b = 0; b < blocks_.size(); ++b) blocks_[b] = blockSum(b), blockDirty_[b] = 0;
        for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g] = groupSum(g), groupDirty_[g] = 0;
        dirty_.clear();
    }
    [[nodiscard]] double total() {
        flush();
        double t = 0.0;
        for (double g : groups_) t += g;
        return t;
    }
    std::size_t sample(double u) {
        double r = u * total();
        std::size_t g = 0;
        for (; g + 1 < groups_.size() && !(r < groups_[g] && groups_[g] > 0); ++g) r -= groups_[g];
        std::size_t b = g * kFan;
        const std::size_t bEnd = std::min(blocks_.size(), b + kFan);
        for (; b + 1 < bEnd && !(r < blocks_[b] && blocks_[b] > 0); ++b) r -= blocks_[b];
        const std::size_t lo = b * kFan, hi = std::min(w_.size(), lo + kFan);
        std::size_t last = hi;
        for (std::size_t i = lo; i < hi; ++i) {
            if (w_[i] <= 0.0) continue;
            last = i;
            if (r < w_[i]) return i;
            r -= w_[i];
        }
        if (last < hi) return last;  // r rounded just past the end of its block
        // The descent ended in an empty block (only possible through rounding at a boundary):
        // take the first positive weight.
        for (std::size_t i = 0; i < w_.size(); ++i)
            if (w_[i] > 0.0) return i;
        throw Error("generative model: no pair left with positive probability");
    }

private:
    double blockSum(std::size_t b) const {
        double t = 0.0;
        for (std::size_t i = b * kFan; i < std::min(w_.size(), (b + 1) * kFan); ++i) t += w_[i];
        return t;
    }
    double groupSum(std::size_t g) const {
        double t = 0.0;
        for (std::size_t b = g * kFan; b < std::min(blocks_.size(), (g + 1) * kFan); ++b) t += blocks_[b];
        return t;
    }
    void flush() {
        for (std::size_t b : dirty_) {
            blocks_[b] = blockSum(b);
            blockDirty_[b] = 0;
            groupDirty_[b / kFan] = 1;
        }
        dirty_.clear();
        for (std::size_t g = 0; g < groups_.size(); ++g)
            if (groupDirty_[g]) groups_[g] = groupSum(g), groupDirty_[g] = 0;
    }
    std::vector<double> w_, blocks_, groups_;
    std::vector<char> blockDirty_, groupDirty_;
    std::vector<std::size_t> dirty_;
};

bool isClustering(Rule r) { return r >= Rule::ClusteringAvg && r <= Rule::ClusteringProd; }

double combine(Rule r, double a, double b) {
    switch (r) {
    case Rule::ClusteringAvg:
    case Rule::DegreeAvg: return (a + b) / 2.0;
    case Rule::ClusteringMin:
    case Rule::DegreeMin: return std::min(a, b);
    case Rule::ClusteringMax:
    case Rule::DegreeMax: return std::max(a, b);
    case Rule::ClusteringDiff:
    case Rule::DegreeDiff: return std::abs(a - b);
    case Rule::ClusteringProd:
    case Rule::DegreeProd: return a * b;
    default: return 0.0;
    }
}

/// Growing network: adjacency as bitsets (fast neighbourhood overlaps) and as bytes.
struct Network {
    Eigen::Index n;
    std::size_t words;
    std::vector<std::uint64_t> bits;  // n rows of `words`
    std::vector<int> degree;
    explicit Network(Eigen::Index nodes) : n(nodes), words((std::size_t(nodes) + 63) / 64), bits(std::size_t(nodes) * words, 0), degree(std::size_t(nodes), 0) {}
    [[nodiscard]] bool has(Eigen::Index a, Eigen::Index b) const { return (row(a)[std::size_t(b) / 64] >> (std::size_t(b) % 64)) & 1u; }
    [[nodiscard]] const std::uint64_t* row(Eigen::Index a) const { return bits.data() + std::size_t(a) * words; }
    void add(Eigen::Index a, Eigen::Index b) {
        bits[std::size_t(a) * words + std::size_t(b) / 64] |= 1ull << (std::size_t(b) % 64);
        bits[std::size_t(b) * words + std::size_t(a) / 64] |= 1ull << (std::size_t(a) % 64);
        ++degree[std::size_t(a)];
        ++degree[std::size_t(b)];
    }
    [[nodiscard]] int shared(Eigen::Index a, Eigen::Index b) const {
        int s = 0;
        for (std::size_t w = 0; w < words; ++w) s += std::popcount(row(a)[w] & row(b)[w]);
        return s;
    }
    /// Matching index (BCT matching_ind): shared neighbours over the union, each pair excluded.
    [[nodiscard]] int connections(Eigen::Index a, Eigen::Index b) const {
        return degree[std::size_t(a)] - int(has(a, b)) + degree[std::size_t(b)] - int(has(b, a));
    }
    [[nodiscard]] double matching(Eigen::Index a, Eigen::Index b) const {
        const int ncon = connections(a, b);
        if (ncon == 0) return 0.0;
        return 2.0 * shared(a, b) / double(ncon);  // a and b are not their own neighbours
    }
    [[nodiscard]] double clustering(Eigen::Index a) const {
        const int k = degree[std::size_t(a)];
        if (k <= 1) return 0.0;
        int links = 0;  // ordered pairs of adjacent neighbours
        for (Eigen::Index x = 0; x < n; ++x)
            if (has(a, x)) links += shared(a, x);
        return double(links) / (double(k) * double(k - 1));
    }
};

class Model {
public:
    Model(const Matrix& seed, const Matrix& D, const ModelSpec& s, const std::vector<double>* distanceTerms = nullptr)
        : s_(s), D_(D), n_(D.rows()), net_(D.rows()), tree_(std::size_t(D.rows() * (D.rows() - 1) / 2)) {
        // Pair indices (u < v) and the distance term.
        pairOf_.resize(std::size_t(n_ * n_), -1);
        for (Eigen::Index v = 1; v < n_; ++v)
            for (Eigen::Index u = 0; u < v; ++u) {
                pairOf_[std::size_t(u * n_ + v)] = pairOf_[std::size_t(v * n_ + u)] = std::int64_t(pairs_.size());
                pairs_.emplace_back(u, v);
            }
        if (distanceTerms) {
            if (distanceTerms->size() != pairs_.size()) throw Error("generative model: precomputed distance terms do not match the network size");
            fd_ = *distanceTerms;
        } else {
            fd_.resize(pairs_.size());
            for (std::size_t p = 0; p < pairs_.size(); ++p) fd_[p] = distanceTerm(pairs_[p].first, pairs_[p].second);
        }
        for (Eigen::Index v = 0; v < n_; ++v)
            for (Eigen::Index u = 0; u < v; ++u)
                if (seed(u, v) != 0.0 || seed(v, u) != 0.0) net_.add(u, v);
        k_.assign(pairs_.size(), 0.0);
        if (isClustering(s.rule)) {
            c_.resize(std::size_t(n_));
            for (Eigen::Index a = 0; a < n_; ++a) c_[std::size_t(a)] = net_.clustering(a);
        }
        for (std::size_t p = 0; p < pairs_.size(); ++p) k_[p] = topology(pairs_[p].first, pairs_[p].second) + (s.rule == Rule::Spatial ? 0.0 : s.epsilon);
        rebuildWeights();
    }

    Matrix grow(Eigen::Index edges, std::uint64_t rngSeed) {
        std::mt19937_64 rng(rngSeed);
        growTo(edges, rng);
        return adjacency();
    }

    /// Adds edges until the network has `edges` of them.
    void growTo(Eigen::Index edges, std::mt19937_64& rng) {
        std::uniform_real_distribution<double> uniform(0.0, 1.0);
        Eigen::Index m = edgeCount();
        for (; m < edges; ++m) {
            if (!(tree_.total() > 0)) throw Error("generative model: no pair left with positive probability after " + std::to_string(m) + " edges");
            const std::size_t p = tree_.sample(uniform(rng));
            addEdge(pairs_[p].first, pairs_[p].second);
        }
    }
    [[nodiscard]] Eigen::Index edgeCount() const {
        Eigen::Index m = 0;
        for (int d : net_.degree) m += d;
        return m / 2;
    }
    [[nodiscard]] Matrix adjacency() const {
        Matrix A = Matrix::Zero(n_, n_);
        for (const auto& [u, v] : pairs_)
            if (net_.has(u, v)) A(u, v) = A(v, u) = 1.0;
        return A;
    }
    /// Development: only pairs of present nodes can be drawn.
    void setPresent(std::vector<char> present) {
        present_ = std::move(present);
        rebuildWeights();
    }
    /// Development: these nodes appear (only the pairs they touch change).
    void activate(const std::vector<Eigen::Index>& nodes) {
        for (auto x : nodes) present_[std::size_t(x)] = 1;
        for (auto x : nodes)
            for (Eigen::Index y = 0; y < n_; ++y)
                if (y != x && present_[std::size_t(y)]) {
                    const auto p = std::size_t(pairOf_[std::size_t(x * n_ + y)]);
                    tree_.set(p, weight(p));
                }
    }
    /// Heterochronicity: new η and γ from now on (all pair weights recomputed).
    void setParameters(double eta, double gamma) {
        if (eta == s_.eta && gamma == s_.gamma) return;
        s_.eta = eta;
        s_.gamma = gamma;
        for (std::size_t p = 0; p < pairs_.size(); ++p) fd_[p] = distanceTerm(pairs_[p].first, pairs_[p].second);
        termCache_.clear();
        rebuildWeights();
    }

private:
    double distanceTerm(Eigen::Index a, Eigen::Index b) const {
        const double d = D_(a, b);
        // As distanceTerms(): exp(η log d) for d > 0, so precomputed and own terms are identical.
        const double f = s_.distanceForm == Form::PowerLaw ? (d > 0 ? std::exp(s_.eta * std::log(d)) : std::pow(d, s_.eta)) : std::exp(s_.eta * d);
        if (!std::isfinite(f))
            throw InputError("generative model: distance " + std::to_string(d) + " between nodes " + std::to_string(a + 1) + " and " + std::to_string(b + 1) +
                             " gives a non-finite distance term (η = " + std::to_string(s_.eta) + ")");
        return f;
    }
    void rebuildWeights() {
        for (std::size_t p = 0; p < pairs_.size(); ++p) tree_.setLeaf(p, weight(p));
        tree_.build();
    }
    [[nodiscard]] bool live(std::size_t p) const {
        return present_.empty() || (present_[std::size_t(pairs_[p].first)] && present_[std::size_t(pairs_[p].second)]);
    }
    double topology(Eigen::Index a, Eigen::Index b) const {
        switch (s_.rule) {
        case Rule::Spatial: return 1.0;
        case Rule::Neighbors: return double(net_.shared(a, b));
        case Rule::Matching: return net_.matching(a, b);
        default:
            if (isClustering(s_.rule)) return combine(s_.rule, c_[std::size_t(a)], c_[std::size_t(b)]);
            return combine(s_.rule, double(net_.degree[std::size_t(a)]), double(net_.degree[std::size_t(b)]));
        }
    }
    double term(double k) const { return s_.topologyForm == Form::PowerLaw ? std::pow(k, s_.gamma) : std::exp(s_.gamma * k); }
    double weight(std::size_t p) const {
        if (net_.has(pairs_[p].first, pairs_[p].second) || !live(p)) return 0.0;
        if (s_.rule == Rule::Spatial) return fd_[p];
        return fd_[p] * term(k_[p]);
    }
    /// F_k of an integer-valued topology (common neighbours s, and for matching the connections
    /// c): the same few values recur, so they are computed once (pow dominates otherwise).
    double cachedTerm(int s, int c) {
        const std::size_t key = std::size_t(s) * std::size_t(2 * n_ + 1) + std::size_t(c);
        if (key >= termCache_.size()) termCache_.resize(key + 1, -1.0);
        double& t = termCache_[key];
        if (t < 0) t = term((s_.rule == Rule::Matching ? (c == 0 ? 0.0 : 2.0 * s / double(c)) : double(s)) + s_.epsilon);
        return t;
    }
    void refresh(Eigen::Index a, Eigen::Index b) {
        const auto p = std::size_t(pairOf_[std::size_t(a * n_ + b)]);
        if (s_.rule == Rule::Matching || s_.rule == Rule::Neighbors) {
            const int sh = net_.shared(a, b);
            const int c = s_.rule == Rule::Matching ? net_.connections(a, b) : 0;
            k_[p] = (s_.rule == Rule::Matching ? (c == 0 ? 0.0 : 2.0 * sh / double(c)) : double(sh)) + s_.epsilon;
            tree_.set(p, net_.has(a, b) || !live(p) ? 0.0 : fd_[p] * cachedTerm(sh, c));
            return;
        }
        k_[p] = topology(a, b) + s_.epsilon;
        tree_.set(p, weight(p));
    }
    void refreshNode(Eigen::Index a) {
        for (Eigen::Index x = 0; x < n_; ++x)
            if (x != a) refresh(a, x);
    }
    void addEdge(Eigen::Index uu, Eigen::Index vv) {
        // Neighbours before the edge (for the neighbours rule).
        std::vector<Eigen::Index> nu, nv;
        if (s_.rule == Rule::Neighbors)
            for (Eigen::Index x = 0; x < n_; ++x) {
                if (net_.has(uu, x)) nu.push_back(x);
                if (net_.has(vv, x)) nv.push_back(x);
            }
        net_.add(uu, vv);
        tree_.set(std::size_t(pairOf_[std::size_t(uu * n_ + vv)]), 0.0);
        switch (s_.rule) {
        case Rule::Spatial: break;
        case Rule::Neighbors:
            // uu gains a common neighbour (vv) with every neighbour of vv, and vice versa.
            for (auto y : nv)
                if (y != uu) refresh(uu, y);
            for (auto x : nu)
                if (x != vv) refresh(vv, x);
            break;
        case Rule::Matching:
            // The matching index of uu (vv) changes with every node sharing a neighbour with it:
            // the union of the neighbourhoods of its neighbours (bitset OR, then the set bits).
            for (const Eigen::Index a : {uu, vv}) {
                std::fill(reach_.begin(), reach_.end(), 0ull);
                const std::uint64_t* ra = net_.row(a);
                for (std::size_t w = 0; w < net_.words; ++w)
                    for (std::uint64_t bitsLeft = ra[w]; bitsLeft; bitsLeft &= bitsLeft - 1) {
                        const auto x = Eigen::Index(w * 64 + std::size_t(std::countr_zero(bitsLeft)));
                        const std::uint64_t* rx = net_.row(x);
                        for (std::size_t q = 0; q < net_.words; ++q) reach_[q] |= rx[q];
                    }
                for (std::size_t w = 0; w < net_.words; ++w)
                    for (std::uint64_t bitsLeft = reach_[w]; bitsLeft; bitsLeft &= bitsLeft - 1) {
                        const auto j = Eigen::Index(w * 64 + std::size_t(std::countr_zero(bitsLeft)));
                        if (j != uu && j != vv) refresh(a, j);
                    }
            }
            // BCT also leaves K(uu, vv) as it was: the pair is connected now and never drawn again.
            break;
        default:
            if (isClustering(s_.rule)) {
                std::vector<Eigen::Index> changed{uu, vv};
                for (Eigen::Index w = 0; w < n_; ++w)
                    if (w != uu && w != vv && net_.has(uu, w) && net_.has(vv, w)) {
                        const double k = net_.degree[std::size_t(w)];
                        c_[std::size_t(w)] += 2.0 / (k * k - k);  // one more triangle
                        changed.push_back(w);
                    }
                c_[std::size_t(uu)] = net_.clustering(uu);
                c_[std::size_t(vv)] = net_.clustering(vv);
                for (auto x : changed) refreshNode(x);
            } else {
                refreshNode(uu);
                refreshNode(vv);
            }
        }
    }

    ModelSpec s_;
    const Matrix& D_;
    Eigen::Index n_;
    std::vector<char> present_;  // empty: all nodes present
    Network net_;
    SumTree tree_;
    std::vector<std::pair<Eigen::Index, Eigen::Index>> pairs_;
    std::vector<std::int64_t> pairOf_;
    std::vector<double> fd_, k_, c_;
    std::vector<double> termCache_;
    std::vector<std::uint64_t> reach_ = std::vector<std::uint64_t>(net_.words, 0ull);
};

} // namespace

Rule ruleFromName(const std::string& name) {
    for (Rule r : allRules())
        if (ruleName(r) == name) return r;
    throw InputError("generative model: unknown rule '" + name +
                     "' (expected sptl, neighbors, matching, clu-avg, clu-min, clu-max, clu-diff, clu-prod, deg-avg, deg-min, deg-max, deg-diff, deg-prod)");
}

std::string ruleName(Rule r) {
    static const char* names[] = {"sptl", "neighbors", "matching", "clu-avg", "clu-min", "clu-max", "clu-diff",
                                  "clu-prod", "deg-avg", "deg-min", "deg-max", "deg-diff", "deg-prod"};
    return names[int(r)];
}

std::vector<Rule> allRules() {
    std::vector<Rule> v;
    for (int i = 0; i <= int(Rule::DegreeProd); ++i) v.push_back(Rule(i));
    return v;
}

std::vector<double> distanceTerms(const Matrix& D, const ModelSpec& spec) {
    const Eigen::Index n = D.rows();
    std::vector<double> f;
    f.reserve(std::size_t(n * (n - 1) / 2));
    for (Eigen::Index v = 1; v < n; ++v)
        for (Eigen::Index u = 0; u < v; ++u) {
            const double d = D(u, v);
            // exp(η log d) = d^η: one exp instead of a pow (half the cost, same value to rounding).
            const double t = spec.distanceForm == Form::PowerLaw ? (d > 0 ? std::exp(spec.eta * std::log(d)) : std::pow(d, spec.eta)) : std::exp(spec.eta * d);
            if (!std::isfinite(t))
                throw InputError("generative model: distance " + std::to_string(d) + " between nodes " + std::to_string(u + 1) + " and " + std::to_string(v + 1) +
                                 " gives a non-finite distance term (η = " + std::to_string(spec.eta) + ")");
            f.push_back(t);
        }
    return f;
}

Matrix generate(const Matrix& seed, const Matrix& D, Eigen::Index edges, const ModelSpec& spec, std::uint64_t rngSeed, const std::vector<double>* terms) {
    const Eigen::Index n = D.rows();
    if (D.cols() != n || n < 2) throw InputError("generative model: the distance matrix must be square with at least 2 nodes");
    if (seed.rows() != n || seed.cols() != n) throw InputError("generative model: the seed network must be " + std::to_string(n) + " × " + std::to_string(n));
    if (edges > n * (n - 1) / 2) throw InputError("generative model: " + std::to_string(edges) + " edges do not fit in " + std::to_string(n) + " nodes");
    Model model(seed, D, spec, terms);
    return model.grow(edges, rngSeed);
}

namespace {
Matrix induced(const Matrix& A, const std::vector<Eigen::Index>& nodes) {
    Matrix S(Eigen::Index(nodes.size()), Eigen::Index(nodes.size()));
    for (std::size_t j = 0; j < nodes.size(); ++j)
        for (std::size_t i = 0; i < nodes.size(); ++i) S(Eigen::Index(i), Eigen::Index(j)) = A(nodes[i], nodes[j]);
    return S;
}
} // namespace

Development develop(const Matrix& D, const Eigen::VectorXd& birth, const Matrix& adult, const DevelopmentOptions& o, std::uint64_t rngSeed) {
    const Eigen::Index n = D.rows();
    if (D.cols() != n || n < 2) throw InputError("development: the distance matrix must be square with at least 2 nodes");
    if (birth.size() != n) throw InputError("development: " + std::to_string(birth.size()) + " birth times for " + std::to_string(n) + " nodes");
    if (!birth.allFinite()) throw InputError("development: every node needs a finite birth time");
    if (adult.rows() != n || adult.cols() != n) throw InputError("development: the adult network must be " + std::to_string(n) + " × " + std::to_string(n));
    const Matrix A = graph::binarize(graph::symmetrize(adult));
    // Nodes by birth time; a stage per distinct time.
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return birth[a] < birth[b]; });
    const double t0 = birth[order.front()], t1 = birth[order.back()];
    Model model(Matrix::Zero(n, n), D, o.early);
    std::mt19937_64 rng(rngSeed);
    model.setPresent(std::vector<char>(static_cast<std::size_t>(n), 0));
    std::vector<Eigen::Index> born, newborn;
    Eigen::Index target = 0;
    Development out;
    std::size_t stages = 0;
    for (std::size_t k = 0; k < order.size();) {
        const double t = birth[order[k]];
        newborn.clear();
        for (; k < order.size() && birth[order[k]] == t; ++k) {
            newborn.push_back(order[k]);
            born.push_back(order[k]);
        }
        ++stages;
        // Heterochronicity: η and γ move linearly from `early` to `late` over developmental time.
        const double f = t1 > t0 ? (t - t0) / (t1 - t0) : 1.0;
        model.setParameters(o.early.eta + f * (o.late.eta - o.early.eta), o.early.gamma + f * (o.late.gamma - o.early.gamma));
        model.activate(newborn);
        // The adult's edges among the nodes born so far set how many edges exist by now
        // (counted incrementally: the newborns' edges to everyone born before or with them).
        for (std::size_t a = born.size() - newborn.size(); a < born.size(); ++a)
            for (std::size_t b = 0; b < a; ++b) target += A(born[a], born[b]) != 0.0;
        model.growTo(target, rng);
        out.trajectory.push_back({t, Eigen::Index(born.size()), target, std::nan(""), std::nan(""), 0, 0});
    }
    out.network = model.adjacency();
    // Modularity along the way (spectral, on the born nodes), of the grown and the adult network,
    // at up to `records` stages spread over the trajectory (always the last).
    const std::size_t S = out.trajectory.size(), R = std::size_t(std::max(0, o.records));
    std::vector<std::size_t> keep;
    for (std::size_t r = 0; r < std::min(R, S); ++r) keep.push_back(S == 1 || R == 1 ? S - 1 : (S - 1) * r / (std::min(R, S) - 1));  // R = 0: none
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    std::vector<DevelopmentStage> kept;
    for (auto i : keep) {
        auto st = out.trajectory[i];
        const std::vector<Eigen::Index> nodes(order.begin(), order.begin() + std::ptrdiff_t(st.nodes));
        if (st.edges > 0) {
            const auto g = graph::modularityUnd(induced(out.network, nodes)), a = graph::modularityUnd(induced(A, nodes));
            st.q = g.q;
            st.adultQ = a.q;
            st.modules = *std::max_element(g.module.begin(), g.module.end());
            st.adultModules = *std::max_element(a.module.begin(), a.module.end());
        }
        kept.push_back(st);
    }
    out.trajectory = kept;
    out.stages = stages;
    return out;
}

TargetStatistics targetStatistics(const Matrix& A, const Matrix& D) {
    TargetStatistics t;
    const Eigen::VectorXd deg = graph::degree(A), clu = graph::clusteringBU(A), bc = graph::betweennessBin(A);
    t.degree.assign(deg.data(), deg.data() + deg.size());
    t.clustering.assign(clu.data(), clu.data() + clu.size());
    t.betweenness.assign(bc.data(), bc.data() + bc.size());
    for (Eigen::Index j = 0; j < A.cols(); ++j)
        for (Eigen::Index i = 0; i < j; ++i)
            if (A(i, j) != 0.0) t.edgeLength.push_back(D(i, j));
    return t;
}

double ksStatistic(std::vector<double> a, std::vector<double> b) {
    if (a.empty() || b.empty()) return 1.0;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    std::size_t i = 0, j = 0;
    double d = 0.0;
    while (i < a.size() && j < b.size()) {
        const double x = std::min(a[i], b[j]);
        while (i < a.size() && a[i] <= x) ++i;
        while (j < b.size() && b[j] <= x) ++j;
        d = std::max(d, std::abs(double(i) / double(a.size()) - double(j) / double(b.size())));
    }
    return d;
}

double Energy::max() const { return std::max({degree, clustering, betweenness, edgeLength}); }

Energy energy(const TargetStatistics& target, const Matrix& synthetic, const Matrix& D) {
    const TargetStatistics s = targetStatistics(synthetic, D);
    return {ksStatistic(target.degree, s.degree), ksStatistic(target.clustering, s.clustering), ksStatistic(target.betweenness, s.betweenness),
            ksStatistic(target.edgeLength, s.edgeLength)};
}

} // namespace nm::generative
