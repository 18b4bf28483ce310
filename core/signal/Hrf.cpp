#include "signal/Hrf.hpp"

#include "common/Error.hpp"

#include <cmath>

namespace nm::signal {

namespace {
double gammaPdf(double t, double shape, double scale) {
    if (t <= 0) return 0.0;
    return std::exp((shape - 1) * std::log(t) - t / scale - std::lgamma(shape) - shape * std::log(scale));
}
} // namespace

Eigen::VectorXd canonicalHrf(double dt, double length) {
    if (!(dt > 0) || !(length > dt)) throw InputError("HRF: need 0 < dt < length");
    const int n = int(std::ceil(length / dt));
    Eigen::VectorXd h(n);
    for (int i = 0; i < n; ++i) {
        const double t = i * dt;
        // spm_hrf: gamma(6, 1) − gamma(16, 1) / 6
        h[i] = gammaPdf(t, 6.0, 1.0) - gammaPdf(t, 16.0, 1.0) / 6.0;
    }
    return h / h.sum();
}

Eigen::VectorXd convolvedRegressor(const std::vector<Event>& events, int volumes, double tr, int oversampling) {
    if (volumes <= 0 || !(tr > 0)) throw InputError("regressor: need volumes > 0 and TR > 0");
    const double dt = tr / oversampling;
    const int fine = volumes * oversampling + int(std::ceil(32.0 / dt));
    Eigen::VectorXd stim = Eigen::VectorXd::Zero(fine);
    for (const auto& e : events) {
        const int b = std::max(0, int(std::lround(e.onset / dt)));
        const int len = std::max(1, int(std::lround(e.duration / dt)));
        for (int i = b; i < std::min(fine, b + len); ++i) stim[i] += e.amplitude;
    }
    const Eigen::VectorXd h = canonicalHrf(dt);
    Eigen::VectorXd conv = Eigen::VectorXd::Zero(fine);
    for (int i = 0; i < fine; ++i) {
        if (stim[i] == 0.0) continue;
        for (int k = 0; k < h.size() && i + k < fine; ++k) conv[i + k] += stim[i] * h[k];
    }
    // Unit-sum HRF on the fine grid: scale so that a long block reaches amplitude 1·dt⁻¹·dt = 1.
    Eigen::VectorXd out(volumes);
    for (int v = 0; v < volumes; ++v) {
        const int i = std::min(fine - 1, int(std::lround((v + 0.5) * oversampling)));
        out[v] = conv[i];
    }
    return out;
}

Eigen::MatrixXd cosineDrift(int volumes, double tr, double cutoff) {
    const int order = std::max(0, int(std::floor(2.0 * volumes * tr / cutoff)));
    Eigen::MatrixXd d(volumes, order + 1);
    d.col(0).setOnes();
    for (int k = 1; k <= order; ++k)
        for (int t = 0; t < volumes; ++t) d(t, k) = std::sqrt(2.0 / volumes) * std::cos(M_PI * k * (t + 0.5) / volumes);
    return d;
}

} // namespace nm::signal
