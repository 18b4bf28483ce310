#include "signal/Glm.hpp"

#include "common/Error.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <map>

namespace nm::signal {

Eigen::VectorXd lagOneAutocorrelation(const Eigen::MatrixXd& r) {
    Eigen::VectorXd rho(r.cols());
    for (Eigen::Index v = 0; v < r.cols(); ++v) {
        const double num = r.col(v).head(r.rows() - 1).dot(r.col(v).tail(r.rows() - 1));
        const double den = r.col(v).squaredNorm();
        rho[v] = den > 0 ? num / den : 0.0;
    }
    return rho;
}

namespace {
/// Prewhitening for AR(1) with coefficient ρ: the Cochrane–Orcutt transform with the
/// Prais–Winsten first row, so that the whitened noise is white with the innovation variance.
Eigen::MatrixXd whiten(const Eigen::MatrixXd& x, double rho) {
    Eigen::MatrixXd w(x.rows(), x.cols());
    w.row(0) = std::sqrt(1 - rho * rho) * x.row(0);
    for (Eigen::Index t = 1; t < x.rows(); ++t) w.row(t) = x.row(t) - rho * x.row(t - 1);
    return w;
}
} // namespace

GlmFit fitGlm(const Eigen::MatrixXd& X, const Eigen::MatrixXf& Yf, const GlmOptions& options) {
    if (X.rows() != Yf.rows())
        throw InputError("GLM: the design has " + std::to_string(X.rows()) + " rows, the data " +
                         std::to_string(Yf.rows()) + " volumes");
    const Eigen::Index n = X.rows(), p = X.cols(), v = Yf.cols();
    if (n <= p) throw InputError("GLM: more regressors than volumes");
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X.rows(), X.cols());
    qr.setThreshold(1e-10);  // relative: exactly collinear regressors are rank deficient
    qr.compute(X);
    if (qr.rank() < p) throw InputError("GLM: the design matrix is rank deficient (collinear regressors)");
    const Eigen::MatrixXd Y = Yf.cast<double>();
    GlmFit fit;
    fit.degreesOfFreedom = int(n - p);
    Eigen::MatrixXd beta = qr.solve(Y);
    Eigen::MatrixXd resid = Y - X * beta;
    fit.autocorrelation = lagOneAutocorrelation(resid);
    if (!options.ar1) {
        fit.beta = beta;
        fit.residualVariance = resid.colwise().squaredNorm().transpose() / double(n - p);
        fit.inverseGram = {(X.transpose() * X).inverse()};
        fit.bin.assign(std::size_t(v), 0);
        return fit;
    }
    fit.beta.resize(p, v);
    fit.residualVariance.resize(v);
    fit.bin.resize(std::size_t(v));
    std::map<int, std::vector<Eigen::Index>> bins;
    for (Eigen::Index i = 0; i < v; ++i) {
        const int b = int(std::lround(std::clamp(fit.autocorrelation[i], -0.99, 0.99) * 100.0));
        bins[b].push_back(i);
    }
    for (const auto& [b, voxels] : bins) {
        const double rho = b / 100.0;
        const Eigen::MatrixXd Xw = whiten(X, rho);
        Eigen::MatrixXd Yw(n, Eigen::Index(voxels.size()));
        for (std::size_t k = 0; k < voxels.size(); ++k) Yw.col(Eigen::Index(k)) = Y.col(voxels[k]);
        Yw = whiten(Yw, rho);
        const Eigen::MatrixXd gram = Xw.transpose() * Xw;
        const Eigen::MatrixXd bw = gram.ldlt().solve(Xw.transpose() * Yw);
        const Eigen::MatrixXd rw = Yw - Xw * bw;
        fit.inverseGram.push_back(gram.inverse());
        const int index = int(fit.inverseGram.size() - 1);
        for (std::size_t k = 0; k < voxels.size(); ++k) {
            fit.beta.col(voxels[k]) = bw.col(Eigen::Index(k));
            fit.residualVariance[voxels[k]] = rw.col(Eigen::Index(k)).squaredNorm() / double(n - p);
            fit.bin[std::size_t(voxels[k])] = index;
        }
    }
    return fit;
}

Eigen::VectorXd tContrast(const GlmFit& fit, const Eigen::VectorXd& c) {
    if (c.size() != fit.beta.rows())
        throw InputError("contrast has " + std::to_string(c.size()) + " weights, the design " +
                         std::to_string(fit.beta.rows()) + " regressors");
    std::vector<double> variance(fit.inverseGram.size());
    for (std::size_t b = 0; b < fit.inverseGram.size(); ++b) variance[b] = c.dot(fit.inverseGram[b] * c);
    Eigen::VectorXd t(fit.beta.cols());
    for (Eigen::Index i = 0; i < t.size(); ++i) {
        const double se = std::sqrt(fit.residualVariance[i] * variance[std::size_t(fit.bin[std::size_t(i)])]);
        t[i] = se > 0 ? c.dot(fit.beta.col(i)) / se : 0.0;
    }
    return t;
}

} // namespace nm::signal
