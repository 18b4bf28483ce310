#pragma once
// Optimal one-to-one matching of components (the Hungarian algorithm, Kuhn 1955 / Munkres 1957,
// in Jonker–Volgenant's shortest-augmenting-path form, O(n³)), used to compare learned maps with
// the ground truth or with another run.
#include <Eigen/Core>

#include <vector>

namespace nm::validate {

/// Assignment maximising the total score of a rows × cols matrix (rows ≤ cols): result[r] = column.
std::vector<int> maximumAssignment(const Eigen::MatrixXd& score);

/// Pearson correlation of every row of `a` with every row of `b` (a.rows × b.rows).
Eigen::MatrixXd rowCorrelations(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b);

struct MatchResult {
    std::vector<int> assignment;     ///< for each row of the first set, its match in the second
    Eigen::VectorXd correlations;    ///< correlation of each matched pair
    double meanCorrelation = 0.0;
};
/// Matches the rows of `a` (k × p maps) to rows of `b` by correlation.
MatchResult matchMaps(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b);

} // namespace nm::validate
