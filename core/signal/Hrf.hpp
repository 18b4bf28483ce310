#pragma once
// Haemodynamic response and event regressors: SPM's canonical double-gamma HRF (Friston et al.
// 1998; spm_hrf defaults: peak 6 s, undershoot 16 s, dispersions 1, ratio 1/6), regressors built
// on a fine time grid and sampled at the middle of each volume, as nilearn's compute_regressor.
#include <Eigen/Core>

#include <vector>

namespace nm::signal {

/// The canonical HRF sampled every `dt` seconds over `lengthSeconds`, normalised to unit sum.
Eigen::VectorXd canonicalHrf(double dt, double lengthSeconds = 32.0);

struct Event {
    double onset = 0.0, duration = 0.0, amplitude = 1.0;
};

/// A block/event regressor convolved with the canonical HRF, one value per volume (TR),
/// sampled at t = (i + 0.5)·TR (slice-time reference at the middle of the acquisition).
Eigen::VectorXd convolvedRegressor(const std::vector<Event>& events, int volumes, double repetitionTime,
                                   int oversampling = 16);

/// Discrete-cosine drift basis (SPM's high-pass filter): the cosines with periods longer than
/// `cutoffSeconds`, plus the constant.
Eigen::MatrixXd cosineDrift(int volumes, double repetitionTime, double cutoffSeconds = 128.0);

} // namespace nm::signal
