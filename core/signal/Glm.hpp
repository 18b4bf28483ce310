#pragma once
// The first-level GLM of task fMRI: Y (volumes × voxels) = X B + E, fitted by ordinary least
// squares and, by default, refitted after per-voxel AR(1) prewhitening (the "ar1" noise model of
// nilearn/SPM, with autocorrelations quantised to 0.01 so voxels share whitening matrices).
#include <Eigen/Core>

#include <string>
#include <vector>

namespace nm::signal {

struct GlmOptions {
    bool ar1 = true;
};

struct GlmFit {
    Eigen::MatrixXd beta;          ///< regressors × voxels
    Eigen::VectorXd residualVariance;
    Eigen::VectorXd autocorrelation;  ///< lag-1 of the OLS residuals per voxel
    std::vector<Eigen::MatrixXd> inverseGram;  ///< (XᵀX)⁻¹ per AR bin (one entry without AR(1))
    std::vector<int> bin;          ///< per voxel: index into inverseGram
    int degreesOfFreedom = 0;
};

/// `design` is volumes × regressors, `data` volumes × voxels. Throws nm::InputError if the design
/// is rank deficient or sizes differ.
GlmFit fitGlm(const Eigen::MatrixXd& design, const Eigen::MatrixXf& data, const GlmOptions& options = {});

/// t statistic of a contrast per voxel.
Eigen::VectorXd tContrast(const GlmFit& fit, const Eigen::VectorXd& contrast);

/// Lag-1 autocorrelation of each column.
Eigen::VectorXd lagOneAutocorrelation(const Eigen::MatrixXd& residuals);

} // namespace nm::signal
