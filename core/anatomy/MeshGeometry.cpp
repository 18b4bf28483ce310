#include "anatomy/MeshGeometry.hpp"

#include "common/Error.hpp"

#include <Eigen/Geometry>
#include <Eigen/SparseCholesky>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <unordered_map>

namespace nm::anatomy {

Mesh icosphere(int subdivisions, double radius) {
    const double t = (1.0 + std::sqrt(5.0)) / 2.0;
    std::vector<Eigen::Vector3d> v = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0}, {0, -1, t}, {0, 1, t},
                                      {0, -1, -t}, {0, 1, -t}, {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
    std::vector<std::array<int, 3>> f = {{0, 11, 5}, {0, 5, 1}, {0, 1, 7}, {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
                                         {11, 10, 2}, {10, 7, 6}, {7, 1, 8}, {3, 9, 4}, {3, 4, 2}, {3, 2, 6}, {3, 6, 8},
                                         {3, 8, 9}, {4, 9, 5}, {2, 4, 11}, {6, 2, 10}, {8, 6, 7}, {9, 8, 1}};
    for (auto& p : v) p.normalize();
    for (int s = 0; s < subdivisions; ++s) {
        std::map<std::pair<int, int>, int> mid;
        auto middle = [&](int a, int b) {
            const auto key = std::minmax(a, b);
            auto it = mid.find(key);
            if (it != mid.end()) return it->second;
            v.push_back((v[std::size_t(a)] + v[std::size_t(b)]).normalized());
            return mid[key] = int(v.size() - 1);
        };
        std::vector<std::array<int, 3>> next;
        next.reserve(f.size() * 4);
        for (const auto& tri : f) {
            const int a = middle(tri[0], tri[1]), b = middle(tri[1], tri[2]), c = middle(tri[2], tri[0]);
            next.push_back({tri[0], a, c});
            next.push_back({tri[1], b, a});
            next.push_back({tri[2], c, b});
            next.push_back({a, b, c});
        }
        f = std::move(next);
    }
    Mesh m;
    m.vertices.resize(Eigen::Index(v.size()), 3);
    for (std::size_t i = 0; i < v.size(); ++i) m.vertices.row(Eigen::Index(i)) = (radius * v[i]).cast<float>().transpose();
    m.triangles.resize(Eigen::Index(f.size()), 3);
    for (std::size_t i = 0; i < f.size(); ++i) m.triangles.row(Eigen::Index(i)) << f[i][0], f[i][1], f[i][2];
    if (signedVolume(m) < 0) flipOrientation(m);
    return m;
}

Adjacency vertexAdjacency(const Mesh& mesh) {
    const auto n = std::size_t(mesh.vertexCount());
    std::vector<std::vector<std::int32_t>> nb(n);
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t)
        for (int e = 0; e < 3; ++e) {
            const auto a = mesh.triangles(t, e), b = mesh.triangles(t, (e + 1) % 3);
            nb[std::size_t(a)].push_back(b);
            nb[std::size_t(b)].push_back(a);
        }
    Adjacency adj;
    adj.offsets.resize(n + 1, 0);
    for (std::size_t v = 0; v < n; ++v) {
        auto& l = nb[v];
        std::sort(l.begin(), l.end());
        l.erase(std::unique(l.begin(), l.end()), l.end());
        adj.offsets[v + 1] = adj.offsets[v] + std::int64_t(l.size());
    }
    adj.indices.reserve(std::size_t(adj.offsets[n]));
    for (const auto& l : nb) adj.indices.insert(adj.indices.end(), l.begin(), l.end());
    return adj;
}

Vertices vertexNormals(const Mesh& mesh) {
    Eigen::MatrixXd acc = Eigen::MatrixXd::Zero(mesh.vertexCount(), 3);
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const auto a = mesh.triangles(t, 0), b = mesh.triangles(t, 1), c = mesh.triangles(t, 2);
        const Eigen::Vector3d pa = mesh.vertices.row(a).cast<double>(), pb = mesh.vertices.row(b).cast<double>(),
                              pc = mesh.vertices.row(c).cast<double>();
        const Eigen::Vector3d n = (pb - pa).cross(pc - pa);  // length = 2 × area: area weighting
        for (auto v : {a, b, c}) acc.row(v) += n.transpose();
    }
    Vertices out(mesh.vertexCount(), 3);
    for (Eigen::Index v = 0; v < mesh.vertexCount(); ++v) {
        const double len = acc.row(v).norm();
        out.row(v) = len > 0 ? (acc.row(v) / len).cast<float>() : Eigen::RowVector3f(0, 0, 1);
    }
    return out;
}

Eigen::VectorXd vertexAreas(const Mesh& mesh) {
    Eigen::VectorXd a = Eigen::VectorXd::Zero(mesh.vertexCount());
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const auto i = mesh.triangles(t, 0), j = mesh.triangles(t, 1), k = mesh.triangles(t, 2);
        const Eigen::Vector3d pa = mesh.vertices.row(i).cast<double>(), pb = mesh.vertices.row(j).cast<double>(),
                              pc = mesh.vertices.row(k).cast<double>();
        const double area = 0.5 * (pb - pa).cross(pc - pa).norm();
        a[i] += area / 3;
        a[j] += area / 3;
        a[k] += area / 3;
    }
    return a;
}

double surfaceArea(const Mesh& mesh) { return vertexAreas(mesh).sum(); }

double signedVolume(const Mesh& mesh) {
    double v = 0.0;
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const Eigen::Vector3d a = mesh.vertices.row(mesh.triangles(t, 0)).cast<double>();
        const Eigen::Vector3d b = mesh.vertices.row(mesh.triangles(t, 1)).cast<double>();
        const Eigen::Vector3d c = mesh.vertices.row(mesh.triangles(t, 2)).cast<double>();
        v += a.dot(b.cross(c)) / 6.0;
    }
    return v;
}

std::int64_t orientationDefects(const Mesh& mesh) {
    // Directed edges bucketed by their start vertex (a counting sort: O(triangles), no hashing).
    const Eigen::Index n = mesh.vertexCount(), f = mesh.triangleCount();
    if (n == 0 || f == 0) return -1;
    std::vector<std::int64_t> start(std::size_t(n) + 1, 0);
    for (Eigen::Index t = 0; t < f; ++t)
        for (int k = 0; k < 3; ++k) {
            const std::int32_t a = mesh.triangles(t, k);
            if (a < 0 || a >= n) return -1;
            ++start[std::size_t(a) + 1];
        }
    for (std::size_t v = 0; v < std::size_t(n); ++v) start[v + 1] += start[v];
    std::vector<std::int32_t> head(std::size_t(3 * f));
    std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
    for (Eigen::Index t = 0; t < f; ++t)
        for (int k = 0; k < 3; ++k) head[std::size_t(fill[std::size_t(mesh.triangles(t, k))]++)] = mesh.triangles(t, (k + 1) % 3);
    auto count = [&](std::int32_t a, std::int32_t b) {
        int c = 0;
        for (auto i = start[std::size_t(a)]; i < start[std::size_t(a) + 1]; ++i) c += head[std::size_t(i)] == b;
        return c;
    };
    std::int64_t defects = 0;
    for (std::int32_t a = 0; a < std::int32_t(n); ++a)
        for (auto i = start[std::size_t(a)]; i < start[std::size_t(a) + 1]; ++i) {
            const std::int32_t b = head[std::size_t(i)];
            defects += b == a || count(a, b) != 1 || count(b, a) != 1;
        }
    return defects;
}

bool isClosedOriented(const Mesh& mesh) { return orientationDefects(mesh) == 0; }

void flipOrientation(Mesh& mesh) { mesh.triangles.col(1).swap(mesh.triangles.col(2)); }

int meshComponents(const Mesh& mesh, std::vector<int>& labels) {
    const Adjacency adj = vertexAdjacency(mesh);
    labels.assign(std::size_t(mesh.vertexCount()), -1);
    int n = 0;
    std::vector<std::int32_t> stack;
    for (std::size_t s = 0; s < labels.size(); ++s) {
        if (labels[s] >= 0) continue;
        labels[s] = n;
        stack.push_back(std::int32_t(s));
        while (!stack.empty()) {
            const auto v = std::size_t(stack.back());
            stack.pop_back();
            for (auto k = adj.offsets[v]; k < adj.offsets[v + 1]; ++k) {
                const auto w = std::size_t(adj.indices[std::size_t(k)]);
                if (labels[w] < 0) {
                    labels[w] = n;
                    stack.push_back(std::int32_t(w));
                }
            }
        }
        ++n;
    }
    return n;
}

void laplacianSmooth(Vertices& x, const Adjacency& adj, double lambda, int iterations) {
    Vertices next(x.rows(), 3);
    for (int it = 0; it < iterations; ++it) {
        for (Eigen::Index v = 0; v < x.rows(); ++v) {
            const auto b = adj.offsets[std::size_t(v)], e = adj.offsets[std::size_t(v) + 1];
            if (b == e) {
                next.row(v) = x.row(v);
                continue;
            }
            Eigen::RowVector3f mean = Eigen::RowVector3f::Zero();
            for (auto k = b; k < e; ++k) mean += x.row(adj.indices[std::size_t(k)]);
            mean /= float(e - b);
            next.row(v) = x.row(v) + float(lambda) * (mean - x.row(v));
        }
        x.swap(next);
    }
}

void cotanLaplacian(const Mesh& mesh, Eigen::SparseMatrix<double>& L, Eigen::SparseMatrix<double>& M) {
    const Eigen::Index n = mesh.vertexCount();
    std::vector<Eigen::Triplet<double>> tl, tm;
    tl.reserve(std::size_t(mesh.triangleCount()) * 12);
    tm.reserve(std::size_t(n));
    Eigen::VectorXd area = Eigen::VectorXd::Zero(n);
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const int idx[3] = {mesh.triangles(t, 0), mesh.triangles(t, 1), mesh.triangles(t, 2)};
        Eigen::Vector3d p[3];
        for (int k = 0; k < 3; ++k) p[k] = mesh.vertices.row(idx[k]).cast<double>();
        const double a2 = (p[1] - p[0]).cross(p[2] - p[0]).norm();
        if (a2 <= 1e-20) continue;  // degenerate triangle contributes nothing
        for (int k = 0; k < 3; ++k) {
            // Angle at vertex k is opposite the edge (k+1, k+2).
            const int i = (k + 1) % 3, j = (k + 2) % 3;
            const Eigen::Vector3d u = p[i] - p[k], v = p[j] - p[k];
            const double cot = u.dot(v) / a2;
            const double w = 0.5 * cot;
            tl.emplace_back(idx[i], idx[j], w);
            tl.emplace_back(idx[j], idx[i], w);
            tl.emplace_back(idx[i], idx[i], -w);
            tl.emplace_back(idx[j], idx[j], -w);
            area[idx[k]] += a2 / 6.0;
        }
    }
    L.resize(n, n);
    L.setFromTriplets(tl.begin(), tl.end());
    for (Eigen::Index v = 0; v < n; ++v) tm.emplace_back(v, v, std::max(area[v], 1e-12));
    M.resize(n, n);
    M.setFromTriplets(tm.begin(), tm.end());
}

Eigen::VectorXf meanCurvature(const Mesh& mesh) {
    Eigen::SparseMatrix<double> L, M;
    cotanLaplacian(mesh, L, M);
    const Eigen::MatrixXd x = mesh.vertices.cast<double>();
    const Eigen::MatrixXd lx = L * x;  // = −2 H n A (integrated), pointing to the convex side
    const Vertices normals = vertexNormals(mesh);
    Eigen::VectorXf h(mesh.vertexCount());
    for (Eigen::Index v = 0; v < mesh.vertexCount(); ++v) {
        const double a = M.coeff(v, v);
        // Δx = L x / A = −2 H n with H > 0 for convex (sphere) regions: FreeSurfer's sign
        // convention is the opposite (sulci positive), hence ½⟨Δx, n⟩.
        h[v] = float(0.5 * lx.row(v).dot(normals.row(v).cast<double>()) / a);
    }
    return h;
}

Eigen::VectorXd graphGeodesic(const Mesh& mesh, const std::vector<std::int32_t>& sources) {
    const Adjacency adj = vertexAdjacency(mesh);
    const auto n = std::size_t(mesh.vertexCount());
    Eigen::VectorXd d = Eigen::VectorXd::Constant(Eigen::Index(n), std::numeric_limits<double>::infinity());
    using Item = std::pair<double, std::int32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
    for (auto s : sources) {
        if (s < 0 || std::size_t(s) >= n) throw InputError("geodesic: source vertex " + std::to_string(s) + " out of range");
        d[s] = 0.0;
        heap.emplace(0.0, s);
    }
    while (!heap.empty()) {
        const auto [dv, v] = heap.top();
        heap.pop();
        if (dv > d[v]) continue;
        for (auto k = adj.offsets[std::size_t(v)]; k < adj.offsets[std::size_t(v) + 1]; ++k) {
            const auto w = adj.indices[std::size_t(k)];
            const double nd = dv + double((mesh.vertices.row(v) - mesh.vertices.row(w)).norm());
            if (nd < d[w]) {
                d[w] = nd;
                heap.emplace(nd, w);
            }
        }
    }
    return d;
}

struct HeatGeodesic::Impl {
    Mesh mesh;
    Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> heat, poisson;
    std::vector<Eigen::Vector3d> faceNormals;
    std::vector<double> faceAreas;
};

HeatGeodesic::HeatGeodesic(const Mesh& mesh, double timeFactor) : impl_(std::make_unique<Impl>()) {
    impl_->mesh = mesh;
    Eigen::SparseMatrix<double> L, M;
    cotanLaplacian(mesh, L, M);
    double h = 0.0;
    std::size_t edges = 0;
    impl_->faceNormals.resize(std::size_t(mesh.triangleCount()));
    impl_->faceAreas.resize(std::size_t(mesh.triangleCount()));
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        Eigen::Vector3d p[3];
        for (int k = 0; k < 3; ++k) p[k] = mesh.vertices.row(mesh.triangles(t, k)).cast<double>();
        for (int k = 0; k < 3; ++k, ++edges) h += (p[(k + 1) % 3] - p[k]).norm();
        const Eigen::Vector3d n = (p[1] - p[0]).cross(p[2] - p[0]);
        impl_->faceAreas[std::size_t(t)] = 0.5 * n.norm();
        impl_->faceNormals[std::size_t(t)] = n.norm() > 0 ? Eigen::Vector3d(n.normalized()) : Eigen::Vector3d::Zero();
    }
    h /= double(std::max<std::size_t>(edges, 1));
    const double t = timeFactor * h * h;
    const Eigen::SparseMatrix<double> A = M - t * L;
    impl_->heat.compute(A);
    // −L is positive semi-definite with the constants as null space: a tiny mass shift makes it
    // definite without changing the gradient of the solution noticeably.
    const Eigen::SparseMatrix<double> P = -L + 1e-10 * M;
    impl_->poisson.compute(P);
    if (impl_->heat.info() != Eigen::Success || impl_->poisson.info() != Eigen::Success)
        throw Error("heat geodesic: factorisation failed (degenerate mesh?)");
}

HeatGeodesic::~HeatGeodesic() = default;
HeatGeodesic::HeatGeodesic(HeatGeodesic&&) noexcept = default;
HeatGeodesic& HeatGeodesic::operator=(HeatGeodesic&&) noexcept = default;

Eigen::VectorXd HeatGeodesic::distances(const std::vector<std::int32_t>& sources) const {
    const Mesh& mesh = impl_->mesh;
    const Eigen::Index n = mesh.vertexCount();
    Eigen::VectorXd delta = Eigen::VectorXd::Zero(n);
    for (auto s : sources) {
        if (s < 0 || s >= n) throw InputError("geodesic: source vertex " + std::to_string(s) + " out of range");
        delta[s] = 1.0;
    }
    const Eigen::VectorXd u = impl_->heat.solve(delta);
    Eigen::VectorXd div = Eigen::VectorXd::Zero(n);
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const double area = impl_->faceAreas[std::size_t(t)];
        if (area <= 0) continue;
        const int idx[3] = {mesh.triangles(t, 0), mesh.triangles(t, 1), mesh.triangles(t, 2)};
        Eigen::Vector3d p[3];
        for (int k = 0; k < 3; ++k) p[k] = mesh.vertices.row(idx[k]).cast<double>();
        const Eigen::Vector3d& N = impl_->faceNormals[std::size_t(t)];
        Eigen::Vector3d grad = Eigen::Vector3d::Zero();
        for (int k = 0; k < 3; ++k) {
            const Eigen::Vector3d e = p[(k + 2) % 3] - p[(k + 1) % 3];  // edge opposite vertex k
            grad += u[idx[k]] * N.cross(e);
        }
        grad /= 2.0 * area;
        const double len = grad.norm();
        if (len <= 0) continue;
        const Eigen::Vector3d X = -grad / len;
        for (int k = 0; k < 3; ++k) {
            const int i = (k + 1) % 3, j = (k + 2) % 3;
            const Eigen::Vector3d e1 = p[i] - p[k], e2 = p[j] - p[k];
            // cot of the angles at i and j (opposite e2 and e1 respectively)
            const double cotI = (p[k] - p[i]).dot(p[j] - p[i]) / ((p[k] - p[i]).cross(p[j] - p[i])).norm();
            const double cotJ = (p[k] - p[j]).dot(p[i] - p[j]) / ((p[k] - p[j]).cross(p[i] - p[j])).norm();
            div[idx[k]] += 0.5 * (cotJ * e1.dot(X) + cotI * e2.dot(X));
        }
    }
    Eigen::VectorXd phi = impl_->poisson.solve(-div);
    double base = std::numeric_limits<double>::infinity();
    for (auto s : sources) base = std::min(base, phi[s]);
    phi.array() -= base;
    return phi;
}

std::vector<BorderLine> parcelBorders(const Mesh& mesh, const Eigen::VectorXi& labels) {
    if (labels.size() != mesh.vertexCount())
        throw InputError("parcel borders: " + std::to_string(labels.size()) + " labels for " +
                         std::to_string(mesh.vertexCount()) + " vertices");
    // Node keys: edge midpoints (min, max vertex) ≥ 0, triangle centroids encoded negative.
    using Key = std::int64_t;
    const std::int64_t nv = mesh.vertexCount();
    auto edgeKey = [nv](std::int64_t a, std::int64_t b) { return std::min(a, b) * nv + std::max(a, b); };
    std::map<std::pair<int, int>, std::vector<std::pair<Key, Key>>> segments;
    std::unordered_map<Key, std::pair<Eigen::Vector3f, std::int32_t>> position;  // and a vertex next to it
    auto midpoint = [&](std::int32_t a, std::int32_t b) {
        const Key k = edgeKey(a, b);
        position.emplace(k, std::make_pair(Eigen::Vector3f(0.5f * (mesh.vertices.row(a) + mesh.vertices.row(b)).transpose()), a));
        return k;
    };
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const std::int32_t v[3] = {mesh.triangles(t, 0), mesh.triangles(t, 1), mesh.triangles(t, 2)};
        const int l[3] = {labels[v[0]], labels[v[1]], labels[v[2]]};
        if (l[0] == l[1] && l[1] == l[2]) continue;
        if (l[0] != l[1] && l[1] != l[2] && l[0] != l[2]) {
            const Key c = -(Key(t) + 1);
            position.emplace(c, std::make_pair(Eigen::Vector3f(((mesh.vertices.row(v[0]) + mesh.vertices.row(v[1]) + mesh.vertices.row(v[2])) / 3.0f).transpose()), v[0]));
            for (int e = 0; e < 3; ++e) {
                const int a = e, b = (e + 1) % 3;
                segments[{std::min(l[a], l[b]), std::max(l[a], l[b])}].emplace_back(c, midpoint(v[a], v[b]));
            }
            continue;
        }
        // Two labels: the odd vertex out is separated by the segment joining its two edges.
        const int odd = l[0] == l[1] ? 2 : (l[0] == l[2] ? 1 : 0);
        const int a = (odd + 1) % 3, b = (odd + 2) % 3;
        segments[{std::min(l[odd], l[a]), std::max(l[odd], l[a])}].emplace_back(midpoint(v[odd], v[a]), midpoint(v[odd], v[b]));
    }
    std::vector<BorderLine> lines;
    for (auto& [pair, segs] : segments) {
        std::unordered_map<Key, std::vector<std::size_t>> incident;
        for (std::size_t s = 0; s < segs.size(); ++s) {
            incident[segs[s].first].push_back(s);
            incident[segs[s].second].push_back(s);
        }
        std::vector<bool> used(segs.size(), false);
        auto walk = [&](Key start, std::size_t firstSeg) {
            BorderLine line;
            line.labelA = pair.first;
            line.labelB = pair.second;
            auto add = [&](Key k) {
                const auto& [p, vertex] = position[k];
                line.points.push_back(p);
                line.vertices.push_back(vertex);
            };
            add(start);
            Key cur = start;
            std::size_t seg = firstSeg;
            for (;;) {
                used[seg] = true;
                const Key next = segs[seg].first == cur ? segs[seg].second : segs[seg].first;
                add(next);
                cur = next;
                if (cur == start) {
                    line.closed = true;
                    line.points.pop_back();
                    line.vertices.pop_back();
                    break;
                }
                const auto& inc = incident[cur];
                if (inc.size() != 2) break;  // end point or junction
                const std::size_t other = inc[0] == seg ? inc[1] : inc[0];
                if (used[other]) break;
                seg = other;
            }
            lines.push_back(std::move(line));
        };
        // Open lines start at their end points (degree ≠ 2), loops anywhere.
        for (auto& [key, inc] : incident)
            if (inc.size() != 2)
                for (std::size_t s : inc)
                    if (!used[s]) walk(key, s);
        for (std::size_t s = 0; s < segs.size(); ++s)
            if (!used[s]) walk(segs[s].first, s);
    }
    return lines;
}

std::vector<ParcelCentroid> parcelCentroids(const Mesh& mesh, const Eigen::VectorXi& labels) {
    if (labels.size() != mesh.vertexCount())
        throw InputError("parcel centroids: " + std::to_string(labels.size()) + " labels for " +
                         std::to_string(mesh.vertexCount()) + " vertices");
    const Eigen::VectorXd area = vertexAreas(mesh);
    std::map<int, ParcelCentroid> acc;
    for (Eigen::Index v = 0; v < mesh.vertexCount(); ++v) {
        if (labels[v] < 0) continue;
        auto& c = acc[labels[v]];
        c.label = labels[v];
        c.position += area[v] * mesh.vertices.row(v).cast<double>().transpose();
        c.area += area[v];
    }
    std::vector<ParcelCentroid> out;
    for (auto& [l, c] : acc) {
        if (c.area > 0) c.position /= c.area;
        double best = std::numeric_limits<double>::infinity();
        for (Eigen::Index v = 0; v < mesh.vertexCount(); ++v)
            if (labels[v] == l) {
                const double d = (mesh.vertices.row(v).cast<double>().transpose() - c.position).squaredNorm();
                if (d < best) {
                    best = d;
                    c.nearestVertex = std::int32_t(v);
                }
            }
        out.push_back(c);
    }
    return out;
}

std::int64_t mergeSmallIslands(const Mesh& mesh, Eigen::VectorXi& labels, int minVertices) {
    const Eigen::Index n = mesh.vertexCount();
    if (labels.size() != n) throw InputError("mergeSmallIslands: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " vertices");
    if (minVertices <= 1) return 0;
    const Adjacency adj = vertexAdjacency(mesh);
    // Connected pieces of each label; the vertices of small ones are marked unsettled.
    std::vector<std::int32_t> piece(std::size_t(n), -1), stack;
    std::vector<char> unsettled(std::size_t(n), 0);
    std::vector<std::int32_t> members;
    std::int32_t pieces = 0;
    for (Eigen::Index start = 0; start < n; ++start) {
        if (labels[start] <= 0 || piece[std::size_t(start)] >= 0) continue;
        members.clear();
        stack.assign(1, std::int32_t(start));
        piece[std::size_t(start)] = pieces;
        while (!stack.empty()) {
            const std::int32_t v = stack.back();
            stack.pop_back();
            members.push_back(v);
            for (auto j = adj.offsets[std::size_t(v)]; j < adj.offsets[std::size_t(v) + 1]; ++j) {
                const std::int32_t u = adj.indices[std::size_t(j)];
                if (piece[std::size_t(u)] < 0 && labels[u] == labels[v]) {
                    piece[std::size_t(u)] = pieces;
                    stack.push_back(u);
                }
            }
        }
        if (std::int64_t(members.size()) < minVertices)
            for (auto v : members) unsettled[std::size_t(v)] = 1;
        ++pieces;
    }
    // Grow the settled labels into the unsettled vertices, one ring at a time; each vertex takes
    // the most frequent label among its settled labelled neighbours (ties: the smaller label).
    std::int64_t relabelled = 0;
    std::vector<std::int32_t> front;
    for (Eigen::Index v = 0; v < n; ++v)
        if (unsettled[std::size_t(v)]) front.push_back(std::int32_t(v));
    std::vector<std::pair<int, int>> counts;
    while (!front.empty()) {
        std::vector<std::pair<std::int32_t, int>> decided;
        std::vector<std::int32_t> waiting;
        for (auto v : front) {
            counts.clear();
            for (auto j = adj.offsets[std::size_t(v)]; j < adj.offsets[std::size_t(v) + 1]; ++j) {
                const std::int32_t u = adj.indices[std::size_t(j)];
                if (unsettled[std::size_t(u)] || labels[u] <= 0) continue;
                auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == labels[u]; });
                if (it == counts.end()) counts.emplace_back(labels[u], 1);
                else ++it->second;
            }
            if (counts.empty()) {
                waiting.push_back(v);
                continue;
            }
            auto best = counts.front();
            for (const auto& c : counts)
                if (c.second > best.second || (c.second == best.second && c.first < best.first)) best = c;
            decided.emplace_back(v, best.first);
        }
        if (decided.empty()) {
            // Pieces that touch no settled label (alone in an unlabelled area): removed.
            for (auto v : waiting) {
                relabelled += labels[v] != 0;
                labels[v] = 0;
                unsettled[std::size_t(v)] = 0;
            }
            break;
        }
        for (const auto& [v, l] : decided) {
            relabelled += labels[v] != l;
            labels[v] = l;
            unsettled[std::size_t(v)] = 0;
        }
        front = std::move(waiting);
    }
    return relabelled;
}

} // namespace nm::anatomy
