#include "anatomy/VolumeOps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nm::anatomy {

std::size_t Mask::count() const { return std::size_t(std::count(data.begin(), data.end(), std::uint8_t(1))); }

Mask makeMask(const std::array<int, 3>& dims, bool value) {
    Mask m;
    m.dims = dims;
    m.data.assign(std::size_t(dims[0]) * std::size_t(dims[1]) * std::size_t(dims[2]), value ? 1 : 0);
    return m;
}

void gaussianSmooth(std::vector<float>& values, const std::array<int, 3>& dims, const std::array<double, 3>& sigma) {
    const std::size_t nx = std::size_t(dims[0]), ny = std::size_t(dims[1]), nz = std::size_t(dims[2]);
    const std::size_t strides[3] = {1, nx, nx * ny};
    const std::size_t lengths[3] = {nx, ny, nz};
    std::vector<float> line, out;
    for (int axis = 0; axis < 3; ++axis) {
        if (sigma[std::size_t(axis)] <= 0.0) continue;
        const int radius = int(std::ceil(3.0 * sigma[std::size_t(axis)]));
        std::vector<float> kernel(std::size_t(2 * radius + 1));
        double sum = 0.0;
        for (int r = -radius; r <= radius; ++r) {
            kernel[std::size_t(r + radius)] = float(std::exp(-0.5 * r * r / (sigma[std::size_t(axis)] * sigma[std::size_t(axis)])));
            sum += kernel[std::size_t(r + radius)];
        }
        for (auto& w : kernel) w = float(w / sum);
        const std::size_t n = lengths[axis], stride = strides[axis];
        line.resize(n);
        out.resize(n);
        const std::size_t total = values.size();
        for (std::size_t base = 0; base < total; ++base) {
            // Visit each line once: its first element has coordinate 0 along `axis`.
            if ((base / stride) % n != 0) continue;
            for (std::size_t t = 0; t < n; ++t) line[t] = values[base + t * stride];
            for (std::size_t t = 0; t < n; ++t) {
                float acc = 0.0f, wsum = 0.0f;
                for (int r = -radius; r <= radius; ++r) {
                    const long long s = (long long)t + r;
                    if (s < 0 || s >= (long long)n) continue;  // truncated kernel, renormalised
                    acc += kernel[std::size_t(r + radius)] * line[std::size_t(s)];
                    wsum += kernel[std::size_t(r + radius)];
                }
                out[t] = acc / wsum;
            }
            for (std::size_t t = 0; t < n; ++t) values[base + t * stride] = out[t];
        }
    }
}

std::vector<std::int32_t> connectedComponents(const Mask& mask, std::vector<std::size_t>& sizes) {
    const int nx = mask.dims[0], ny = mask.dims[1], nz = mask.dims[2];
    std::vector<std::int32_t> labels(mask.size(), 0);
    sizes.assign(1, 0);
    std::vector<std::size_t> stack;
    std::int32_t next = 0;
    for (std::size_t start = 0; start < mask.size(); ++start) {
        if (!mask.data[start] || labels[start]) continue;
        ++next;
        std::size_t count = 0;
        stack.push_back(start);
        labels[start] = next;
        while (!stack.empty()) {
            const std::size_t v = stack.back();
            stack.pop_back();
            ++count;
            const int i = int(v % std::size_t(nx)), j = int((v / std::size_t(nx)) % std::size_t(ny)),
                      k = int(v / (std::size_t(nx) * std::size_t(ny)));
            const int nb[6][3] = {{i - 1, j, k}, {i + 1, j, k}, {i, j - 1, k}, {i, j + 1, k}, {i, j, k - 1}, {i, j, k + 1}};
            for (const auto& n : nb) {
                if (n[0] < 0 || n[1] < 0 || n[2] < 0 || n[0] >= nx || n[1] >= ny || n[2] >= nz) continue;
                const std::size_t w = mask.index(n[0], n[1], n[2]);
                if (mask.data[w] && !labels[w]) {
                    labels[w] = next;
                    stack.push_back(w);
                }
            }
        }
        sizes.push_back(count);
    }
    return labels;
}

Mask largestComponent(const Mask& mask) {
    std::vector<std::size_t> sizes;
    const auto labels = connectedComponents(mask, sizes);
    Mask out = makeMask(mask.dims);
    if (sizes.size() < 2) return out;
    const auto best = std::int32_t(std::max_element(sizes.begin() + 1, sizes.end()) - sizes.begin());
    for (std::size_t v = 0; v < mask.size(); ++v) out.data[v] = labels[v] == best;
    return out;
}

Mask fillHoles(const Mask& mask) {
    const int nx = mask.dims[0], ny = mask.dims[1], nz = mask.dims[2];
    // Background reachable from the border stays background; everything else is filled.
    Mask outside = makeMask(mask.dims);
    std::vector<std::size_t> stack;
    auto seed = [&](int i, int j, int k) {
        const std::size_t v = mask.index(i, j, k);
        if (!mask.data[v] && !outside.data[v]) {
            outside.data[v] = 1;
            stack.push_back(v);
        }
    };
    for (int k = 0; k < nz; ++k)
        for (int j = 0; j < ny; ++j) {
            seed(0, j, k);
            seed(nx - 1, j, k);
        }
    for (int k = 0; k < nz; ++k)
        for (int i = 0; i < nx; ++i) {
            seed(i, 0, k);
            seed(i, ny - 1, k);
        }
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            seed(i, j, 0);
            seed(i, j, nz - 1);
        }
    while (!stack.empty()) {
        const std::size_t v = stack.back();
        stack.pop_back();
        const int i = int(v % std::size_t(nx)), j = int((v / std::size_t(nx)) % std::size_t(ny)),
                  k = int(v / (std::size_t(nx) * std::size_t(ny)));
        if (i > 0) seed(i - 1, j, k);
        if (i < nx - 1) seed(i + 1, j, k);
        if (j > 0) seed(i, j - 1, k);
        if (j < ny - 1) seed(i, j + 1, k);
        if (k > 0) seed(i, j, k - 1);
        if (k < nz - 1) seed(i, j, k + 1);
    }
    Mask out = makeMask(mask.dims);
    for (std::size_t v = 0; v < mask.size(); ++v) out.data[v] = !outside.data[v];
    return out;
}

namespace {
Mask morph(const Mask& mask, bool grow) {
    const int nx = mask.dims[0], ny = mask.dims[1], nz = mask.dims[2];
    // Separable max/min filter over 3 voxels per axis = the 3×3×3 cube.
    Mask cur = mask;
    const std::size_t strides[3] = {1, std::size_t(nx), std::size_t(nx) * std::size_t(ny)};
    const int lengths[3] = {nx, ny, nz};
    for (int axis = 0; axis < 3; ++axis) {
        Mask next = cur;
        for (std::size_t v = 0; v < cur.size(); ++v) {
            const int coord = int((v / strides[axis]) % std::size_t(lengths[axis]));
            std::uint8_t value = cur.data[v];
            if (coord > 0) value = grow ? std::max(value, cur.data[v - strides[axis]]) : std::min(value, cur.data[v - strides[axis]]);
            else if (!grow) value = 0;  // outside the grid counts as background for erosion
            if (coord < lengths[axis] - 1)
                value = grow ? std::max(value, cur.data[v + strides[axis]]) : std::min(value, cur.data[v + strides[axis]]);
            else if (!grow) value = 0;
            next.data[v] = value;
        }
        cur = std::move(next);
    }
    return cur;
}
} // namespace

Mask dilate(const Mask& mask, int iterations) {
    Mask m = mask;
    for (int i = 0; i < iterations; ++i) m = morph(m, true);
    return m;
}

Mask erode(const Mask& mask, int iterations) {
    Mask m = mask;
    for (int i = 0; i < iterations; ++i) m = morph(m, false);
    return m;
}

Mask closing(const Mask& mask, int iterations) { return erode(dilate(mask, iterations), iterations); }

namespace {
// One pass of the 1-D squared distance transform of a sampled function (lower envelope of
// parabolas), carrying the argmin along.
void edt1d(const float* f, const std::int64_t* fIdx, std::size_t n, double w2, float* d, std::int64_t* dIdx,
           std::vector<int>& v, std::vector<double>& z) {
    const double inf = std::numeric_limits<double>::infinity();
    v.resize(n);
    z.resize(n + 1);
    int k = -1;
    for (std::size_t q = 0; q < n; ++q) {
        if (!std::isfinite(f[q])) continue;
        if (k < 0) {
            k = 0;
            v[0] = int(q);
            z[0] = -inf;
            z[1] = inf;
            continue;
        }
        double s;
        for (;;) {
            const int p = v[std::size_t(k)];
            s = ((f[q] + w2 * double(q) * double(q)) - (f[p] + w2 * double(p) * double(p))) / (2.0 * w2 * (double(q) - p));
            if (s <= z[std::size_t(k)] && k > 0) --k;
            else break;
        }
        if (s <= z[std::size_t(k)]) {  // k == 0 and the new parabola dominates everywhere
            v[0] = int(q);
            z[0] = -inf;
            z[1] = inf;
            continue;
        }
        ++k;
        v[std::size_t(k)] = int(q);
        z[std::size_t(k)] = s;
        z[std::size_t(k) + 1] = inf;
    }
    if (k < 0) {
        for (std::size_t q = 0; q < n; ++q) {
            d[q] = std::numeric_limits<float>::infinity();
            dIdx[q] = -1;
        }
        return;
    }
    int j = 0;
    for (std::size_t q = 0; q < n; ++q) {
        while (z[std::size_t(j) + 1] < double(q)) ++j;
        const int p = v[std::size_t(j)];
        d[q] = float(w2 * (double(q) - p) * (double(q) - p) + f[p]);
        dIdx[q] = fIdx[p];
    }
}
} // namespace

void distanceTransform(const Mask& features, const std::array<double, 3>& spacing, std::vector<float>& dist,
                       std::vector<std::int64_t>& nearest) {
    const std::size_t n = features.size();
    dist.assign(n, std::numeric_limits<float>::infinity());
    nearest.assign(n, -1);
    for (std::size_t v = 0; v < n; ++v)
        if (features.data[v]) {
            dist[v] = 0.0f;
            nearest[v] = std::int64_t(v);
        }
    const std::size_t nx = std::size_t(features.dims[0]), ny = std::size_t(features.dims[1]);
    const std::size_t strides[3] = {1, nx, nx * ny};
    const std::size_t lengths[3] = {nx, ny, std::size_t(features.dims[2])};
    std::vector<float> f, d;
    std::vector<std::int64_t> fi, di;
    std::vector<int> v;
    std::vector<double> z;
    for (int axis = 0; axis < 3; ++axis) {
        const std::size_t len = lengths[axis], stride = strides[axis];
        const double w2 = spacing[std::size_t(axis)] * spacing[std::size_t(axis)];
        f.resize(len);
        d.resize(len);
        fi.resize(len);
        di.resize(len);
        for (std::size_t base = 0; base < n; ++base) {
            if ((base / stride) % len != 0) continue;
            for (std::size_t t = 0; t < len; ++t) {
                f[t] = dist[base + t * stride];
                fi[t] = nearest[base + t * stride];
            }
            edt1d(f.data(), fi.data(), len, w2, d.data(), di.data(), v, z);
            for (std::size_t t = 0; t < len; ++t) {
                dist[base + t * stride] = d[t];
                nearest[base + t * stride] = di[t];
            }
        }
    }
}

std::vector<double> kMeans1D(std::vector<float> values, int k, int iterations) {
    std::sort(values.begin(), values.end());
    std::vector<double> c(static_cast<std::size_t>(k));
    if (values.empty()) return c;
    for (int i = 0; i < k; ++i) c[std::size_t(i)] = values[std::size_t((i + 0.5) / k * double(values.size() - 1))];
    // On sorted data each cluster is a contiguous range: prefix sums make an iteration O(k log n).
    std::vector<double> prefix(values.size() + 1, 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) prefix[i + 1] = prefix[i] + values[i];
    for (int it = 0; it < iterations; ++it) {
        std::vector<double> next(c.size());
        std::size_t lo = 0;
        for (int i = 0; i < k; ++i) {
            const double upper = i + 1 < k ? 0.5 * (c[std::size_t(i)] + c[std::size_t(i) + 1]) : std::numeric_limits<double>::infinity();
            const std::size_t hi = std::size_t(std::upper_bound(values.begin() + std::ptrdiff_t(lo), values.end(), upper) - values.begin());
            next[std::size_t(i)] = hi > lo ? (prefix[hi] - prefix[lo]) / double(hi - lo) : c[std::size_t(i)];
            lo = hi;
        }
        if (next == c) break;
        c = next;
    }
    return c;
}

float sampleTrilinear(const Volume& volume, const Eigen::Vector3d& p, int frame, float outside) {
    const auto& d = volume.geometry.dims;
    const double x = p.x(), y = p.y(), z = p.z();
    if (!(x >= 0 && y >= 0 && z >= 0 && x <= d[0] - 1 && y <= d[1] - 1 && z <= d[2] - 1)) return outside;
    const int i = std::min(int(x), d[0] - 2 < 0 ? 0 : d[0] - 2), j = std::min(int(y), d[1] - 2 < 0 ? 0 : d[1] - 2),
              k = std::min(int(z), d[2] - 2 < 0 ? 0 : d[2] - 2);
    const double fx = x - i, fy = y - j, fz = z - k;
    const float* f = volume.frame(frame);
    auto at = [&](int a, int b, int c) {
        a = std::min(a, d[0] - 1);
        b = std::min(b, d[1] - 1);
        c = std::min(c, d[2] - 1);
        return double(f[volume.geometry.index(a, b, c)]);
    };
    const double c00 = at(i, j, k) * (1 - fx) + at(i + 1, j, k) * fx;
    const double c10 = at(i, j + 1, k) * (1 - fx) + at(i + 1, j + 1, k) * fx;
    const double c01 = at(i, j, k + 1) * (1 - fx) + at(i + 1, j, k + 1) * fx;
    const double c11 = at(i, j + 1, k + 1) * (1 - fx) + at(i + 1, j + 1, k + 1) * fx;
    const double c0 = c00 * (1 - fy) + c10 * fy, c1 = c01 * (1 - fy) + c11 * fy;
    return float(c0 * (1 - fz) + c1 * fz);
}

} // namespace nm::anatomy
