#include "decompose/BallProjection.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace nm::decompose {

namespace {

/// Condat's algorithm for the threshold τ of the simplex projection of |v| onto {Σ = r}:
/// the projection is max(|v| − τ, 0).
double simplexThreshold(const std::vector<float>& v, double r) {
    // Active set v, pending set w; single pass with lazy insertion (Condat 2016, Algorithm 2).
    std::vector<float> active, waiting;
    active.reserve(v.size());
    active.push_back(v[0]);
    double rho = v[0] - r;
    for (std::size_t i = 1; i < v.size(); ++i) {
        const float y = v[i];
        if (y > rho) {
            rho += (y - rho) / double(active.size() + 1);
            if (rho > y - r) {
                active.push_back(y);
            } else {
                waiting.insert(waiting.end(), active.begin(), active.end());
                active.assign(1, y);
                rho = y - r;
            }
        }
    }
    for (float y : waiting)
        if (y > rho) {
            active.push_back(y);
            rho += (y - rho) / double(active.size());
        }
    bool changed = true;
    while (changed) {
        changed = false;
        for (std::size_t i = 0; i < active.size();) {
            if (active[i] <= rho) {
                const float y = active[i];
                active[i] = active.back();
                active.pop_back();
                rho += (rho - y) / double(active.size());
                changed = true;
            } else {
                ++i;
            }
        }
    }
    return rho;
}

} // namespace

void projectL1Ball(float* x, std::size_t n, double r, bool positive) {
    if (n == 0) return;
    if (!(r > 0)) {
        std::fill(x, x + n, 0.0f);
        return;
    }
    std::vector<float> a(n);
    double norm = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (positive && x[i] < 0) x[i] = 0.0f;
        a[i] = std::abs(x[i]);
        norm += a[i];
    }
    if (norm <= r) return;
    const double tau = simplexThreshold(a, r);
    for (std::size_t i = 0; i < n; ++i) {
        const double m = std::max(0.0, double(a[i]) - tau);
        x[i] = float(std::copysign(m, double(x[i])));
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
