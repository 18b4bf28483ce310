// Nested multiscale components. The coarsest scale groups AAL regions (k-means of their centroids,
// hemispheres kept apart); each finer scale splits every parent into contiguous sub-regions
// (k-means of voxel coordinates inside the parent), with children in proportion to the parent's
// size. Soft maps are the smoothed parcels restricted to the brain: positive, sparse, smooth, and
// overlapping at their boundaries.
#include "anatomy/VolumeOps.hpp"
#include "common/Error.hpp"
#include "simulate/Detail.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace nm::simulate::detail {

namespace {

/// Weighted k-means with k-means++ seeding; returns the cluster of each point.
std::vector<int> kMeans(const Eigen::MatrixXd& points, const Eigen::VectorXd& weights, int k, std::mt19937_64& rng,
                        int iterations = 25) {
    const Eigen::Index n = points.rows();
    k = int(std::min<Eigen::Index>(k, n));
    Eigen::MatrixXd centres(k, points.cols());
    // k-means++: first centre by weight, then proportional to weight × squared distance.
    Eigen::VectorXd d2 = Eigen::VectorXd::Constant(n, std::numeric_limits<double>::infinity());
    auto pick = [&](const Eigen::VectorXd& p) {
        const double total = p.sum();
        double r = uniform(rng, 0.0, total);
        for (Eigen::Index i = 0; i < n; ++i) {
            r -= p[i];
            if (r <= 0) return i;
        }
        return n - 1;
    };
    centres.row(0) = points.row(pick(weights));
    for (int c = 1; c < k; ++c) {
        for (Eigen::Index i = 0; i < n; ++i) d2[i] = std::min(d2[i], (points.row(i) - centres.row(c - 1)).squaredNorm());
        centres.row(c) = points.row(pick(weights.cwiseProduct(d2)));
    }
    std::vector<int> label(std::size_t(n), 0);
    for (int it = 0; it < iterations; ++it) {
        bool changed = false;
        for (Eigen::Index i = 0; i < n; ++i) {
            int best = 0;
            double bd = std::numeric_limits<double>::infinity();
            for (int c = 0; c < k; ++c) {
                const double dd = (points.row(i) - centres.row(c)).squaredNorm();
                if (dd < bd) {
                    bd = dd;
                    best = c;
                }
            }
            if (label[std::size_t(i)] != best) changed = true;
            label[std::size_t(i)] = best;
        }
        Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(k, points.cols());
        Eigen::VectorXd w = Eigen::VectorXd::Zero(k);
        for (Eigen::Index i = 0; i < n; ++i) {
            sum.row(label[std::size_t(i)]) += weights[i] * points.row(i);
            w[label[std::size_t(i)]] += weights[i];
        }
        for (int c = 0; c < k; ++c)
            if (w[c] > 0) centres.row(c) = sum.row(c) / w[c];
        if (!changed && it > 0) break;
    }
    // Empty clusters are possible in degenerate data: relabel densely.
    std::map<int, int> dense;
    for (int& l : label) {
        auto it = dense.emplace(l, int(dense.size())).first;
        l = it->second;
    }
    return label;
}

/// Children per parent in proportion to size, summing to `total`, each ≥ 1 and ≤ its voxels.
std::vector<int> allocate(const std::vector<int>& sizes, int total) {
    const double sum = std::accumulate(sizes.begin(), sizes.end(), 0.0);
    std::vector<int> c(sizes.size());
    std::vector<std::pair<double, std::size_t>> remainder;
    int used = 0;
    for (std::size_t p = 0; p < sizes.size(); ++p) {
        const double q = total * sizes[p] / sum;
        c[p] = std::clamp(int(std::floor(q)), 1, std::max(1, sizes[p]));
        used += c[p];
        remainder.emplace_back(q - std::floor(q), p);
    }
    std::sort(remainder.begin(), remainder.end(), std::greater<>());
    for (std::size_t i = 0; used < total && i < remainder.size() * 4; ++i) {
        const auto p = remainder[i % remainder.size()].second;
        if (c[p] < sizes[p]) {
            ++c[p];
            ++used;
        }
    }
    while (used > total) {  // too many from the "at least one" rule: take from the largest
        const auto p = std::size_t(std::max_element(c.begin(), c.end()) - c.begin());
        if (c[p] <= 1) break;
        --c[p];
        --used;
    }
    return c;
}

void summarise(const Grid& g, Scale& s) {
    s.centroids = Eigen::MatrixXd::Zero(s.k, 3);
    s.size.assign(std::size_t(s.k), 0);
    std::vector<std::map<int, int>> regions(std::size_t(s.k));
    for (Eigen::Index b = 0; b < g.size(); ++b) {
        const int c = s.hard[std::size_t(b)];
        if (c < 0) continue;
        s.centroids.row(c) += g.world.row(b);
        ++s.size[std::size_t(c)];
        ++regions[std::size_t(c)][g.region[std::size_t(b)]];
    }
    s.region.assign(std::size_t(s.k), 0);
    for (int c = 0; c < s.k; ++c) {
        if (s.size[std::size_t(c)] > 0) s.centroids.row(c) /= s.size[std::size_t(c)];
        int best = 0;
        for (const auto& [r, n] : regions[std::size_t(c)])
            if (r > 0 && n > best) {
                best = n;
                s.region[std::size_t(c)] = r;
            }
    }
}

void softMaps(const Grid& g, Scale& s) {
    const auto& d = g.geometry.dims;
    const double voxel = g.geometry.voxelSize().x();
    const double sigma = 0.8;  // voxels: neighbours overlap by about one voxel
    const int pad = int(std::ceil(3 * sigma));
    std::vector<std::vector<std::int64_t>> members(std::size_t(s.k));
    for (Eigen::Index b = 0; b < g.size(); ++b)
        if (s.hard[std::size_t(b)] >= 0) members[std::size_t(s.hard[std::size_t(b)])].push_back(g.voxels[std::size_t(b)]);
    std::vector<Eigen::Triplet<float>> triplets;
    (void)voxel;
    for (int c = 0; c < s.k; ++c) {
        const auto& m = members[std::size_t(c)];
        if (m.empty()) continue;
        std::array<int, 3> lo{d[0], d[1], d[2]}, hi{0, 0, 0};
        for (auto v : m) {
            const int i = int(v % d[0]), j = int((v / d[0]) % d[1]), k = int(v / (std::int64_t(d[0]) * d[1]));
            lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
            hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
        }
        for (int a = 0; a < 3; ++a) {
            lo[std::size_t(a)] = std::max(0, lo[std::size_t(a)] - pad);
            hi[std::size_t(a)] = std::min(d[std::size_t(a)] - 1, hi[std::size_t(a)] + pad);
        }
        const std::array<int, 3> bd{hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
        std::vector<float> box(std::size_t(bd[0]) * std::size_t(bd[1]) * std::size_t(bd[2]), 0.0f);
        auto boxIndex = [&](int i, int j, int k) {
            return std::size_t(i - lo[0]) + std::size_t(bd[0]) * (std::size_t(j - lo[1]) + std::size_t(bd[1]) * std::size_t(k - lo[2]));
        };
        for (auto v : m) {
            const int i = int(v % d[0]), j = int((v / d[0]) % d[1]), k = int(v / (std::int64_t(d[0]) * d[1]));
            box[boxIndex(i, j, k)] = 1.0f;
        }
        anatomy::gaussianSmooth(box, bd, {sigma, sigma, sigma});
        float peak = 0.0f;
        std::vector<std::pair<int, float>> entries;
        for (int k = lo[2]; k <= hi[2]; ++k)
            for (int j = lo[1]; j <= hi[1]; ++j)
                for (int i = lo[0]; i <= hi[0]; ++i) {
                    const auto grid = std::size_t(i) + std::size_t(d[0]) * (std::size_t(j) + std::size_t(d[1]) * std::size_t(k));
                    const int b = g.gridToBrain[grid];
                    if (b < 0) continue;
                    // Grey matter carries the signal; white matter only its partial-volume edge.
                    const float value = box[boxIndex(i, j, k)] * (g.region[std::size_t(b)] > 0 ? 1.0f : 0.3f);
                    if (value <= 0) continue;
                    entries.emplace_back(b, value);
                    peak = std::max(peak, value);
                }
        for (const auto& [b, value] : entries)
            if (value >= 0.1f * peak) triplets.emplace_back(b, c, value / peak);
    }
    s.maps.resize(g.size(), s.k);
    s.maps.setFromTriplets(triplets.begin(), triplets.end());
    s.maps.makeCompressed();
}

} // namespace

std::vector<Scale> makeComponents(const Grid& g, const std::vector<int>& scales, std::uint64_t seed) {
    auto rng = stream(seed, 2);
    std::vector<Scale> out;
    // Coarsest: AAL regions grouped by their centroids.
    std::map<int, int> regionIndex;
    for (Eigen::Index b = 0; b < g.size(); ++b)
        if (g.region[std::size_t(b)] > 0) regionIndex.emplace(g.region[std::size_t(b)], int(regionIndex.size()));
    const int nr = int(regionIndex.size());
    if (nr < scales.front())
        throw InputError("simulator: the coarsest scale (" + std::to_string(scales.front()) + ") exceeds the " +
                         std::to_string(nr) + " atlas regions on this grid");
    Eigen::MatrixXd centroid = Eigen::MatrixXd::Zero(nr, 3);
    Eigen::VectorXd weight = Eigen::VectorXd::Zero(nr);
    for (Eigen::Index b = 0; b < g.size(); ++b) {
        const int r = g.region[std::size_t(b)];
        if (r <= 0) continue;
        const int i = regionIndex[r];
        centroid.row(i) += g.world.row(b);
        weight[i] += 1.0;
    }
    for (int i = 0; i < nr; ++i) centroid.row(i) /= weight[i];
    Eigen::MatrixXd scaled = centroid;
    scaled.col(0) *= 3.0;  // hemispheres stay apart: left and right regions do not merge
    const auto groups = kMeans(scaled, weight, scales.front(), rng);
    Scale top;
    top.k = *std::max_element(groups.begin(), groups.end()) + 1;
    top.hard.assign(std::size_t(g.size()), -1);
    for (Eigen::Index b = 0; b < g.size(); ++b)
        if (g.region[std::size_t(b)] > 0) top.hard[std::size_t(b)] = groups[std::size_t(regionIndex[g.region[std::size_t(b)]])];
    top.parent.assign(std::size_t(top.k), -1);
    summarise(g, top);
    softMaps(g, top);
    out.push_back(std::move(top));

    for (std::size_t s = 1; s < scales.size(); ++s) {
        const Scale& up = out.back();
        std::vector<std::vector<Eigen::Index>> members(std::size_t(up.k));
        for (Eigen::Index b = 0; b < g.size(); ++b)
            if (up.hard[std::size_t(b)] >= 0) members[std::size_t(up.hard[std::size_t(b)])].push_back(b);
        std::vector<int> sizes;
        for (const auto& m : members) sizes.push_back(int(m.size()));
        const auto children = allocate(sizes, scales[s]);
        Scale next;
        next.hard.assign(std::size_t(g.size()), -1);
        int base = 0;
        for (int p = 0; p < up.k; ++p) {
            const auto& m = members[std::size_t(p)];
            if (m.empty()) continue;
            Eigen::MatrixXd pts(Eigen::Index(m.size()), 3);
            for (std::size_t i = 0; i < m.size(); ++i) pts.row(Eigen::Index(i)) = g.world.row(m[i]);
            const auto labels = kMeans(pts, Eigen::VectorXd::Ones(pts.rows()), children[std::size_t(p)], rng);
            const int made = *std::max_element(labels.begin(), labels.end()) + 1;
            for (std::size_t i = 0; i < m.size(); ++i) next.hard[std::size_t(m[i])] = base + labels[i];
            for (int c = 0; c < made; ++c) next.parent.push_back(p);
            base += made;
        }
        next.k = base;
        summarise(g, next);
        softMaps(g, next);
        out.push_back(std::move(next));
    }
    return out;
}

} // namespace nm::simulate::detail
