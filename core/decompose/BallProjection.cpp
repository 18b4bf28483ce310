#include "decompose/BallProjection.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <vector>

namespace nm::decompose {

namespace {

/// Threshold τ of the projection of the magnitudes v (all > 0, Σ v > r) onto the simplex
/// {Σ = r}: the projection is max(v − τ, 0). Randomised pivoting (Duchi, Shalev-Shwartz, Singer &
/// Chandra 2008, Fig. 2), expected O(n), in place on `v`. Faster here than Condat's method because
/// learned maps are very sparse: the support is a few dozen of thousands of candidates, which
/// the pivots isolate in a few halvings, while Condat's active-set cleanup rescans thousands.
double simplexThreshold(std::vector<float>& v, double r) {
    std::size_t lo = 0, hi = v.size();  // undecided candidates: v[lo, hi)
    double sum = 0.0;                   // Σ of the elements known to be in the support
    std::size_t count = 0;
    std::uint64_t state = 0x9E3779B97F4A7C15ull ^ v.size();
    while (lo < hi) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const std::size_t pick = lo + std::size_t((state >> 33) % (hi - lo));
        const float pivot = v[pick];
        // Partition [lo, hi): elements ≥ pivot first.
        std::size_t mid = lo;
        double sg = 0.0;
        for (std::size_t i = lo; i < hi; ++i)
            if (v[i] >= pivot) {
                sg += v[i];
                std::swap(v[i], v[mid++]);
            }
        const std::size_t ng = mid - lo;
        if ((sum + sg) - double(count + ng) * pivot < r) {
            // Every element ≥ pivot is in the support; continue with the smaller ones.
            sum += sg;
            count += ng;
            lo = mid;
        } else {
            // The threshold is above the pivot... drop the pivot and keep only larger elements.
            // Elements equal to the pivot: move one out (the pivot itself) to guarantee progress.
            std::size_t p = lo;
            while (p < mid && v[p] != pivot) ++p;
            std::swap(v[p], v[mid - 1]);
            hi = mid - 1;
        }
    }
    return count > 0 ? (sum - r) / double(count) : 0.0;
}

} // namespace

void projectL1Ball(float* x, std::size_t n, double r, bool positive) {
    if (n == 0) return;
    if (!(r > 0)) {
        std::fill(x, x + n, 0.0f);
        return;
    }
    // Branch-free passes (signs are random: branches would mispredict half of the time).
    // Sums through Eigen: vectorised tree reductions (a plain loop is serialised by the FP adds).
    Eigen::Map<Eigen::ArrayXf> xv(x, Eigen::Index(n));
    if (positive) xv = xv.max(0.0f);
    const double norm = positive ? double(xv.sum()) : double(xv.abs().sum());
    if (norm <= r) return;
    // Only the non-zero magnitudes matter for the threshold (τ ≥ 0): sparse atoms pass few.
    thread_local std::vector<float> a;
    a.resize(n);
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const float m = std::abs(x[i]);
        a[count] = m;
        count += m > 0.0f;
    }
    a.resize(count);
    // Michelot's passes (1986) shrink the candidates cheaply and without branches: with all
    // candidates in the support the threshold would be (Σ − r)/N, a lower bound of τ, so elements
    // at or below it are out. Then the pivoting search finishes on the few left.
    for (int pass = 0; pass < 4 && a.size() > 64; ++pass) {
        const double sum = double(Eigen::Map<const Eigen::ArrayXf>(a.data(), Eigen::Index(a.size())).sum());
        const float lower = float((sum - r) / double(a.size()));
        std::size_t kept = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const float v = a[i];
            a[kept] = v;
            kept += v > lower;
        }
        if (kept == a.size()) break;
        a.resize(kept);
    }
    const float tau = float(simplexThreshold(a, r));
    if (positive) {
        for (std::size_t i = 0; i < n; ++i) x[i] = std::max(x[i] - tau, 0.0f);
    } else {
        for (std::size_t i = 0; i < n; ++i) x[i] = std::copysign(std::max(std::abs(x[i]) - tau, 0.0f), x[i]);
    }
}

void projectElasticNetBall(float* x, std::size_t n, double r, double gamma, bool positive) {
    if (gamma <= 0.0) {
        projectL1Ball(x, n, r, positive);
        return;
    }
    if (n == 0) return;
    if (!(r > 0)) {
        std::fill(x, x + n, 0.0f);
        return;
    }
    std::vector<double> a(n);
    double cost = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (positive && x[i] < 0) x[i] = 0.0f;
        a[i] = std::abs(double(x[i]));
        cost += a[i] + 0.5 * gamma * a[i] * a[i];
    }
    if (cost <= r) return;
    // The projection is soft-thresholding by λ then scaling by 1/(1 + λγ); λ solves
    // Σ_{a>λ} (a − λ)/(1+λγ) + γ/2 Σ ((a − λ)/(1+λγ))² = r. The left side decreases in λ:
    // find the pair of sorted values bracketing λ by a randomised pivot search (expected O(n)),
    // then solve the quadratic on that segment.
    auto f = [&](double lambda) {
        const double s = 1.0 / (1.0 + lambda * gamma);
        double l1 = 0.0, l2 = 0.0;
        for (double v : a)
            if (v > lambda) {
                const double y = (v - lambda) * s;
                l1 += y;
                l2 += y * y;
            }
        return l1 + 0.5 * gamma * l2 - r;
    };
    // Bisection in the sorted candidate values (O(n log n) worst case, fine for atoms of ~10⁵).
    std::vector<double> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    std::size_t lo = 0, hi = sorted.size() - 1;  // f(0) > 0 since cost > r; f(max) ≤ 0
    if (f(0.0) <= 0) return;
    while (hi - lo > 1) {
        const std::size_t mid = (lo + hi) / 2;
        if (f(sorted[mid]) > 0) lo = mid;
        else hi = mid;
    }
    double a0 = f(sorted[lo]) > 0 ? sorted[lo] : 0.0, b0 = sorted[hi];
    // On [a0, b0] the active set is fixed: solve numerically by bisection on λ (monotone).
    for (int it = 0; it < 60; ++it) {
        const double m = 0.5 * (a0 + b0);
        if (f(m) > 0) a0 = m;
        else b0 = m;
    }
    const double lambda = 0.5 * (a0 + b0), s = 1.0 / (1.0 + lambda * gamma);
    for (std::size_t i = 0; i < n; ++i) {
        const double m = std::max(0.0, a[i] - lambda) * s;
        x[i] = float(std::copysign(m, double(x[i])));
    }
}

} // namespace nm::decompose
