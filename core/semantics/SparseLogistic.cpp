#include "semantics/SparseLogistic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nm::semantics {

namespace {

// Written here rather than taken from a library: no Debian C++ library offers L1 logistic paths
// with sample weights and per-feature penalty factors (liblinear, packaged, has neither on its
// L1 solver), and stability selection runs thousands of these small fits.

double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}
double softThreshold(double g, double t) { return g > t ? g - t : (g < -t ? g + t : 0.0); }

struct Problem {
    const Eigen::MatrixXd& X;
    const Eigen::VectorXd& y;
    Eigen::VectorXd v;   // weights / Σ weights
    Eigen::VectorXd f;   // penalty factors
};

double objective(const Problem& pb, const Eigen::VectorXd& eta, const Eigen::VectorXd& beta, double lambda) {
    double loss = 0;
    for (Eigen::Index i = 0; i < eta.size(); ++i) loss += pb.v[i] * (softplus(eta[i]) - pb.y[i] * eta[i]);
    return loss + lambda * (pb.f.array() * beta.array().abs()).sum();
}

} // namespace

double l1LogisticLambdaMax(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::VectorXd& weights,
                           const Eigen::VectorXd& penaltyFactors) {
    const Eigen::Index n = X.rows();
    const Eigen::VectorXd w = weights.size() ? weights : Eigen::VectorXd::Ones(n);
    const Eigen::VectorXd v = w / w.sum();
    const double ybar = v.dot(y);
    const Eigen::VectorXd g = X.transpose() * (v.array() * (y.array() - ybar)).matrix();
    double best = 0;
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
        const double fj = penaltyFactors.size() ? penaltyFactors[j] : 1.0;
        if (fj > 0) best = std::max(best, std::abs(g[j]) / fj);
    }
    return best;
}

L1LogisticPath fitL1LogisticPath(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<double>& lambdas,
                                 const Eigen::VectorXd& weights, const Eigen::VectorXd& penaltyFactors, const L1LogisticOptions& o) {
    const Eigen::Index n = X.rows(), p = X.cols();
    if (y.size() != n) throw std::invalid_argument("fitL1LogisticPath: y has " + std::to_string(y.size()) + " entries for " + std::to_string(n) + " rows");
    if (weights.size() && weights.size() != n) throw std::invalid_argument("fitL1LogisticPath: weights size");
    if (penaltyFactors.size() && penaltyFactors.size() != p) throw std::invalid_argument("fitL1LogisticPath: penalty factors size");
    for (std::size_t k = 1; k < lambdas.size(); ++k)
        if (lambdas[k] > lambdas[k - 1]) throw std::invalid_argument("fitL1LogisticPath: lambdas must decrease");
    const Eigen::VectorXd w = weights.size() ? weights : Eigen::VectorXd::Ones(n);
    if ((w.array() <= 0).any()) throw std::invalid_argument("fitL1LogisticPath: weights must be positive");
    Problem pb{X, y, w / w.sum(), penaltyFactors.size() ? penaltyFactors : Eigen::VectorXd::Ones(p)};
    const double ybar = pb.v.dot(y);
    if (ybar <= 0 || ybar >= 1) throw std::invalid_argument("fitL1LogisticPath: y needs both classes");

    L1LogisticPath path;
    path.lambdas = lambdas;
    path.coefficients = Eigen::MatrixXd::Zero(p, Eigen::Index(lambdas.size()));
    path.intercepts.resize(Eigen::Index(lambdas.size()));

    Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
    double b0 = std::log(ybar / (1 - ybar));
    Eigen::VectorXd eta = Eigen::VectorXd::Constant(n, b0);
    Eigen::VectorXd prob(n), q(n), u(n), r(n), a(p);
    // Gradient of the loss at the current solution: c_j = Σ v_i x_ij (y_i − p_i).
    auto lossGradient = [&](Eigen::VectorXd& c) {
        for (Eigen::Index i = 0; i < n; ++i) prob[i] = sigmoid(eta[i]);
        c.noalias() = X.transpose() * (pb.v.array() * (y - prob).array()).matrix();
    };
    Eigen::VectorXd c(p);
    lossGradient(c);
    double previousLambda = lambdas.empty() ? 0.0 : std::max(lambdas.front(), l1LogisticLambdaMax(X, y, w, pb.f));
    std::vector<char> strong(std::size_t(p), 0);

    for (std::size_t k = 0; k < lambdas.size(); ++k) {
        const double lambda = lambdas[k];
        // Sequential strong rule: discard j when |c_j| < f_j (2λ − λ_prev).
        for (Eigen::Index j = 0; j < p; ++j)
            strong[std::size_t(j)] = beta[j] != 0 || std::abs(c[j]) >= pb.f[j] * (2 * lambda - previousLambda);
        for (;;) {
            for (int outer = 0; outer < o.maxOuter; ++outer) {
                // Quadratic approximation at η.
                for (Eigen::Index i = 0; i < n; ++i) {
                    prob[i] = sigmoid(eta[i]);
                    q[i] = std::max(prob[i] * (1 - prob[i]), 1e-5);
                    u[i] = pb.v[i] * q[i];
                    r[i] = (y[i] - prob[i]) / q[i];  // z − η
                }
                const double usum = u.sum();
                for (Eigen::Index j = 0; j < p; ++j)
                    a[j] = strong[std::size_t(j)] ? (u.array() * X.col(j).array().square()).sum() : 0.0;
                const Eigen::VectorXd betaStart = beta;
                const double b0Start = b0;
                // Coordinate descent: full sweeps over the strong set alternate with sweeps over the
                // non-zero coefficients until a full sweep changes nothing.
                bool fullSweep = true;
                for (int sweep = 0; sweep < o.maxSweeps; ++sweep) {
                    ++path.sweeps;
                    double maxChange = 0;
                    for (Eigen::Index j = 0; j < p; ++j) {
                        if (!strong[std::size_t(j)] || a[j] <= 0) continue;
                        if (!fullSweep && beta[j] == 0) continue;
                        const double g = X.col(j).dot((u.array() * r.array()).matrix()) + a[j] * beta[j];
                        const double nb = softThreshold(g, lambda * pb.f[j]) / a[j];
                        const double d = nb - beta[j];
                        if (d != 0) {
                            r.noalias() -= d * X.col(j);
                            beta[j] = nb;
                            maxChange = std::max(maxChange, a[j] * d * d);
                        }
                    }
                    const double d0 = u.dot(r) / usum;
                    if (d0 != 0) {
                        r.array() -= d0;
                        b0 += d0;
                        maxChange = std::max(maxChange, usum * d0 * d0);
                    }
                    if (maxChange < o.tolerance) {
                        if (fullSweep) break;
                        fullSweep = true;
                    } else {
                        fullSweep = false;
                    }
                }
                eta.setConstant(b0);
                eta.noalias() += X * beta;
                // IRLS converged when the step changed the predictor by little (weighted).
                double change = 0;
                const Eigen::VectorXd db = beta - betaStart;
                const Eigen::VectorXd dEta = (X * db).array() + (b0 - b0Start);
                for (Eigen::Index i = 0; i < n; ++i) change += u[i] * dEta[i] * dEta[i];
                if (change < o.tolerance) break;
            }
            // KKT check of the discarded features at the new solution.
            lossGradient(c);
            bool violated = false;
            for (Eigen::Index j = 0; j < p; ++j)
                if (!strong[std::size_t(j)] && std::abs(c[j]) > lambda * pb.f[j] * (1 + 1e-9)) {
                    strong[std::size_t(j)] = 1;
                    violated = true;
                }
            if (!violated) break;
        }
        path.coefficients.col(Eigen::Index(k)) = beta;
        path.intercepts[Eigen::Index(k)] = b0;
        path.objectives.push_back(objective(pb, eta, beta, lambda));
        previousLambda = lambda;
    }
    return path;
}

} // namespace nm::semantics
