#include "validate/Matching.hpp"

#include "common/Error.hpp"

#include <limits>

namespace nm::validate {

std::vector<int> maximumAssignment(const Eigen::MatrixXd& score) {
    const int n = int(score.rows()), m = int(score.cols());
    if (n > m) throw InputError("assignment: more rows than columns");
    // Minimise cost = −score with potentials u, v (e-maxx formulation, 1-based).
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(std::size_t(n) + 1, 0.0), v(std::size_t(m) + 1, 0.0);
    std::vector<int> p(std::size_t(m) + 1, 0), way(std::size_t(m) + 1, 0);
    for (int i = 1; i <= n; ++i) {
        p[0] = i;
        int j0 = 0;
        std::vector<double> minv(std::size_t(m) + 1, inf);
        std::vector<char> used(std::size_t(m) + 1, 0);
        do {
            used[std::size_t(j0)] = 1;
            const int i0 = p[std::size_t(j0)];
            double delta = inf;
            int j1 = 0;
            for (int j = 1; j <= m; ++j) {
                if (used[std::size_t(j)]) continue;
                const double cur = -score(i0 - 1, j - 1) - u[std::size_t(i0)] - v[std::size_t(j)];
                if (cur < minv[std::size_t(j)]) {
                    minv[std::size_t(j)] = cur;
                    way[std::size_t(j)] = j0;
                }
                if (minv[std::size_t(j)] < delta) {
                    delta = minv[std::size_t(j)];
                    j1 = j;
                }
            }
            for (int j = 0; j <= m; ++j) {
                if (used[std::size_t(j)]) {
                    u[std::size_t(p[std::size_t(j)])] += delta;
                    v[std::size_t(j)] -= delta;
                } else {
                    minv[std::size_t(j)] -= delta;
                }
            }
            j0 = j1;
        } while (p[std::size_t(j0)] != 0);
        do {
            const int j1 = way[std::size_t(j0)];
            p[std::size_t(j0)] = p[std::size_t(j1)];
            j0 = j1;
        } while (j0);
    }
    std::vector<int> result(std::size_t(n), -1);
    for (int j = 1; j <= m; ++j)
        if (p[std::size_t(j)] > 0) result[std::size_t(p[std::size_t(j)] - 1)] = j - 1;
    return result;
}

Eigen::MatrixXd rowCorrelations(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
    if (a.cols() != b.cols()) throw InputError("correlation: maps of different lengths");
    auto standardise = [](const Eigen::MatrixXf& x) {
        Eigen::MatrixXd z = x.cast<double>();
        for (Eigen::Index r = 0; r < z.rows(); ++r) {
            z.row(r).array() -= z.row(r).mean();
            const double n = z.row(r).norm();
            if (n > 0) z.row(r) /= n;
        }
        return z;
    };
    return standardise(a) * standardise(b).transpose();
}

MatchResult matchMaps(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
    const Eigen::MatrixXd c = rowCorrelations(a, b);
    MatchResult r;
    if (a.rows() <= b.rows()) {
        r.assignment = maximumAssignment(c);
    } else {
        const auto t = maximumAssignment(c.transpose());
        r.assignment.assign(std::size_t(a.rows()), -1);
        for (std::size_t j = 0; j < t.size(); ++j) r.assignment[std::size_t(t[j])] = int(j);
    }
    r.correlations = Eigen::VectorXd::Zero(a.rows());
    int matched = 0;
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        if (r.assignment[std::size_t(i)] >= 0) {
            r.correlations[i] = c(i, r.assignment[std::size_t(i)]);
            r.meanCorrelation += r.correlations[i];
            ++matched;
        }
    if (matched) r.meanCorrelation /= matched;
    return r;
}

} // namespace nm::validate
